"""Where a file came from, stored in the file itself and read back.

Provenance is a small JSON object: the lesson, its full config, the seed, the
vizlearn version, and the look (theme, language, pixel size). It never holds
paths, dates or host names, so the same command writes the same bytes on any
machine, any day. Where it goes:

=======  ==========================================
PNG      text chunk ``vizlearn``
APNG     text chunk ``vizlearn``
GIF      comment extension
WebP     XMP packet (``vizlearn:comment``)
SVG      ``<metadata>`` description (Dublin Core)
PDF      document information ``/Subject``
MP4      ``©cmt`` (comment) tag
HTML     inside the embedded GIF
=======  ==========================================

`read_provenance` reads any of them back (``vizlearn info FILE``).
"""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ProvenanceError", "clean", "provenance_text", "read_provenance"]

_PATHLIKE_KEY = re.compile(r"(^|_)(dir|path|file|cache|root|home)s?$")


class ProvenanceError(ValueError):
    """A file cannot be read, or holds no vizlearn provenance."""


def clean(provenance: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop what would make files machine-specific: paths (by key or by value)."""

    def keep(key: str, value: Any) -> bool:
        if _PATHLIKE_KEY.search(key.lower()):
            return False
        return not (isinstance(value, str) and ("/" in value or "\\" in value))

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): walk(v) for k, v in value.items() if keep(str(k), v)}
        return value

    return walk(dict(provenance or {}))


def provenance_text(provenance: Mapping[str, Any] | None) -> str:
    """The cleaned provenance as compact, key-sorted ASCII JSON (stable across runs)."""
    return json.dumps(clean(provenance), sort_keys=True, separators=(",", ":"))


def read_provenance(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (provenance, facts about the file) for any format vizlearn writes.

    Raises
    ------
    ProvenanceError
        The file cannot be read, is of an unknown format, or holds no
        provenance (not written by vizlearn, or stripped since).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ProvenanceError(f"cannot read {path}: {e.strerror or e}") from None
    fmt, text, facts = _sniff(data, path)
    facts = {"format": fmt, "bytes": len(data), **facts}
    if text is None:
        raise ProvenanceError(
            f"{path.name} ({fmt}) holds no vizlearn provenance: not written by "
            "vizlearn, or its metadata was stripped"
        )
    try:
        provenance = json.loads(text)
    except json.JSONDecodeError:
        raise ProvenanceError(
            f"{path.name}: its provenance is not valid JSON"
        ) from None
    if not isinstance(provenance, dict):
        raise ProvenanceError(f"{path.name}: its provenance is not a JSON object")
    return provenance, facts


def _sniff(data: bytes, path: Path) -> tuple[str, str | None, dict[str, Any]]:
    """Format, provenance text (or None) and facts, by the file's magic bytes."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return _png(data)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return _gif(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
        if data[4:8] == b"ftyp":
            from vizlearn.export.video import read_mp4_comment

            return "MP4", read_mp4_comment(data), {}
        if data.startswith(b"%PDF-"):
            return "PDF", _pdf_subject(data), {}
        head = data[:2048].lstrip().lower()
        if head.startswith((b"<?xml", b"<svg")) and b"<svg" in data[:4096]:
            return "SVG", _svg_description(data), {}
        if head.startswith((b"<!doctype html", b"<html")):
            return _html(data)
    except (ValueError, IndexError, struct.error, zlib.error) as e:
        raise ProvenanceError(f"{path.name}: damaged file ({e})") from None
    raise ProvenanceError(
        f"{path.name}: not a PNG, GIF, WebP, APNG, SVG, PDF, MP4 or HTML file"
    )


def _png(data: bytes) -> tuple[str, str | None, dict[str, Any]]:
    """PNG or APNG: walk the chunks for IHDR, acTL and the text chunks."""
    pos, texts, facts, fmt = 8, {}, {}, "PNG"
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if len(body) < length:
            raise ValueError("truncated PNG")
        if kind == b"IHDR":
            facts["size"] = list(struct.unpack(">II", body[:8]))
        elif kind == b"acTL":
            fmt, facts["frames"] = "APNG", struct.unpack(">I", body[:4])[0]
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            key, value = _png_text(kind, body)
            texts[key] = value
        elif kind == b"IEND":
            break
        pos += 12 + length
    return fmt, texts.get("vizlearn", texts.get("Comment")), facts


def _png_text(kind: bytes, body: bytes) -> tuple[str, str]:
    """Key and value of a tEXt, zTXt or iTXt chunk."""
    key, _, rest = body.partition(b"\0")
    if kind == b"tEXt":
        return key.decode("latin-1"), rest.decode("latin-1")
    if kind == b"zTXt":
        return key.decode("latin-1"), zlib.decompress(rest[1:]).decode("latin-1")
    compressed, rest = rest[0], rest[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    text = zlib.decompress(text) if compressed else text
    return key.decode("latin-1"), text.decode("utf-8")


def _gif(data: bytes) -> tuple[str, str | None, dict[str, Any]]:
    """GIF: the comment (and frames, delays, loop) from the block walker."""
    from vizlearn.export.readback import read_gif_info

    info = read_gif_info(data)
    facts = {
        "size": list(info.size),
        "frames": info.n_frames,
        "duration_ms": sum(info.durations_ms),
        "loop": info.loop,
    }
    return "GIF", info.comment, facts


def _webp(data: bytes) -> tuple[str, str | None, dict[str, Any]]:
    """WebP: walk the RIFF chunks for VP8X, ANMF (frames) and XMP."""
    pos, frames, text, facts = 12, 0, None, {}
    while pos + 8 <= len(data):
        kind, length = (
            data[pos : pos + 4],
            struct.unpack("<I", data[pos + 4 : pos + 8])[0],
        )
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"VP8X":
            width = 1 + int.from_bytes(body[4:7], "little")
            facts["size"] = [width, 1 + int.from_bytes(body[7:10], "little")]
        elif kind == b"ANMF":
            frames += 1
        elif kind == b"XMP ":
            match = re.search(
                rb"<vizlearn:comment>(.*?)</vizlearn:comment>", body, re.S
            )
            if match:
                from xml.sax.saxutils import unescape

                text = unescape(match.group(1).decode("utf-8"))
        pos += 8 + length + (length & 1)
    if frames:
        facts["frames"] = frames
    return "WebP", text, facts


def _pdf_subject(data: bytes) -> str | None:
    """The document information /Subject string of a PDF, unescaped."""
    match = re.search(rb"/Subject\s*\(((?:\\.|[^\\)])*)\)", data, re.S)
    if match is None:
        return None
    raw = re.sub(
        rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), match.group(1)
    )
    raw = re.sub(rb"\\(.)", rb"\1", raw, flags=re.S)
    return raw.decode("latin-1")


def _svg_description(data: bytes) -> str | None:
    """The Dublin Core description in an SVG's <metadata>."""
    match = re.search(rb"<dc:description>(.*?)</dc:description>", data, re.S)
    if match is None:
        return None
    from xml.sax.saxutils import unescape

    return unescape(match.group(1).decode("utf-8"), {"&quot;": '"', "&#39;": "'"})


def _html(data: bytes) -> tuple[str, str | None, dict[str, Any]]:
    """HTML player: the provenance of the GIF embedded in it."""
    match = re.search(rb'data-gif="([A-Za-z0-9+/=]+)"', data)
    if match is None:
        return "HTML", None, {}
    _, text, facts = _gif(base64.b64decode(match.group(1)))
    return "HTML", text, facts
