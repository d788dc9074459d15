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
trace    ``meta`` of the ``.npz`` (all of it)
=======  ==========================================

`read_provenance` reads any of them back (``vizlearn info FILE``). Files are
untrusted: only regular files are read (memory-mapped, not copied), only the
text chunks that can hold provenance are inflated, each capped at
`MAX_TEXT_BYTES`, every search is linear, and the JSON goes through
`vizlearn.files.parse_json` (depth, size and number limits).

This module runs past 300 lines because it holds a short bounded reader for
each of eight formats (PNG, GIF, WebP, PDF, SVG, MP4, HTML, trace) that
share the JSON checks.
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

from vizlearn.files import FileRefused, map_file, parse_json

__all__ = [
    "MAX_TEXT_BYTES",
    "ProvenanceError",
    "clean",
    "provenance_text",
    "read_provenance",
]

#: The most text one chunk, comment or box may inflate to (provenance is ~1 KB).
MAX_TEXT_BYTES = 1 << 20

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
        The file cannot be read, is not a regular file, is of an unknown
        format, is damaged, or holds no provenance (not written by vizlearn,
        or stripped since).
    """
    path = Path(path)
    try:
        with map_file(path) as data:
            if data[:4] == b"PK\x03\x04":
                return _trace(path, len(data))
            fmt, text, facts = _sniff(data, path)
            facts = {"format": fmt, "bytes": len(data), **facts}
    except FileRefused as e:
        raise ProvenanceError(str(e)) from None
    except OSError as e:
        raise ProvenanceError(f"cannot read {path}: {e.strerror or e}") from None
    if text is None:
        raise ProvenanceError(
            f"{path.name} ({fmt}) holds no vizlearn provenance: not written by "
            "vizlearn, or its metadata was stripped"
        )
    try:
        provenance = parse_json(text)
    except FileRefused as e:
        raise ProvenanceError(f"{path.name}: its provenance is {e}") from None
    if not isinstance(provenance, dict):
        raise ProvenanceError(f"{path.name}: its provenance is not a JSON object")
    return provenance, facts


def _trace(path: Path, n_bytes: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A trace (.npz): its meta, and the shapes of its arrays as facts."""
    from vizlearn.trace import TraceError, read_trace_meta

    try:
        meta, shapes = read_trace_meta(path)
    except TraceError as e:
        raise ProvenanceError(str(e)) from None
    facts: dict[str, Any] = {"format": "trace", "bytes": n_bytes}
    for key, name in (("steps", "records"), ("loss", "iterations")):
        if shapes.get(key):
            facts[name] = shapes[key][0]
    return meta, facts


def _sniff(data: Any, path: Path) -> tuple[str, str | None, dict[str, Any]]:
    """Format, provenance text (or None) and facts, by the file's magic bytes."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            return _png(data)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return _gif(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
        if data[4:8] == b"ftyp":
            return "MP4", _mp4_comment(data), {}
        if data[:5] == b"%PDF-":
            return "PDF", _pdf_subject(data), {}
        head = data[:2048].lstrip().lower()
        if head.startswith((b"<?xml", b"<svg")) and b"<svg" in data[:4096]:
            return "SVG", _svg_description(data), {}
        if head.startswith((b"<!doctype html", b"<html")):
            return _html(data)
    except (ValueError, IndexError, struct.error, zlib.error) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ProvenanceError(f"{path.name}: damaged file ({reason})") from None
    raise ProvenanceError(
        f"{path.name}: not a PNG, GIF, WebP, APNG, SVG, PDF, MP4, HTML or trace file"
    )


def _png(data: Any) -> tuple[str, str | None, dict[str, Any]]:
    """PNG or APNG: walk the chunks for IHDR, acTL and the text chunks."""
    pos, texts, facts, fmt = 8, {}, {}, "PNG"
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if pos + 8 + length > len(data):
            raise ValueError("truncated PNG")
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            facts["size"] = list(struct.unpack(">II", body[:8]))
        elif kind == b"acTL":
            fmt, facts["frames"] = "APNG", struct.unpack(">I", body[:4])[0]
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            key = body.partition(b"\0")[0]
            if key in (b"vizlearn", b"Comment"):  # the others are never inflated
                texts[key.decode("latin-1")] = _png_text(kind, body)[1]
        elif kind == b"IEND":
            break
        pos += 12 + length
    return fmt, texts.get("vizlearn", texts.get("Comment")), facts


def _png_text(kind: bytes, body: bytes) -> tuple[str, str]:
    """Key and value of a tEXt, zTXt or iTXt chunk (inflated to MAX_TEXT_BYTES)."""
    key, _, rest = body.partition(b"\0")
    if kind == b"tEXt":
        return key.decode("latin-1"), rest.decode("latin-1")
    if kind == b"zTXt":
        return key.decode("latin-1"), _inflate(rest[1:]).decode("latin-1")
    compressed, rest = rest[0], rest[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    text = _inflate(text) if compressed else text
    return key.decode("latin-1"), text.decode("utf-8")


def _inflate(data: bytes) -> bytes:
    """zlib-decompress at most MAX_TEXT_BYTES; a bigger text is refused (a bomb)."""
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, MAX_TEXT_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError(f"a text chunk inflates past {MAX_TEXT_BYTES >> 20} MB")
    return out


def _gif(data: Any) -> tuple[str, str | None, dict[str, Any]]:
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


def _webp(data: Any) -> tuple[str, str | None, dict[str, Any]]:
    """WebP: walk the RIFF chunks for VP8X, ANMF (frames) and XMP."""
    pos, frames, text, facts = 12, 0, None, {}
    while pos + 8 <= len(data):
        kind, length = (
            data[pos : pos + 4],
            struct.unpack("<I", data[pos + 4 : pos + 8])[0],
        )
        if kind == b"VP8X":
            body = data[pos + 8 : pos + 8 + min(length, 10)]
            width = 1 + int.from_bytes(body[4:7], "little")
            facts["size"] = [width, 1 + int.from_bytes(body[7:10], "little")]
        elif kind == b"ANMF":
            frames += 1
        elif kind == b"XMP ":
            inner = _between(
                data, b"<vizlearn:comment>", b"</vizlearn:comment>", pos + 8, length
            )
            if inner is not None:
                from xml.sax.saxutils import unescape

                text = unescape(inner.decode("utf-8"))
        pos += 8 + length + (length & 1)
    if frames:
        facts["frames"] = frames
    return "WebP", text, facts


def _between(
    data: Any, start: bytes, end: bytes, pos: int = 0, length: int | None = None
) -> bytes | None:
    """The bytes between the first ``start`` and the next ``end`` (linear time)."""
    stop = len(data) if length is None else min(len(data), pos + length)
    begin = data.find(start, pos, stop)
    if begin < 0:
        return None
    begin += len(start)
    finish = data.find(end, begin, min(stop, begin + MAX_TEXT_BYTES + len(end)))
    if finish < 0:
        if data.find(end, begin, stop) >= 0:
            raise ValueError(f"a metadata text longer than {MAX_TEXT_BYTES >> 20} MB")
        return None
    return bytes(data[begin:finish])


def _pdf_subject(data: Any) -> str | None:
    """The document information /Subject string of a PDF, unescaped."""
    pos = data.find(b"/Subject")
    for _ in range(8):  # a few tries: "/Subject" may also appear in a stream
        if pos < 0:
            return None
        raw = _pdf_string(data, pos + len(b"/Subject"))
        if raw is not None:
            break
        pos = data.find(b"/Subject", pos + 1)
    else:
        return None
    raw = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8) & 0xFF]), raw)
    raw = re.sub(rb"\\(.)", rb"\1", raw, flags=re.S)
    return raw.decode("latin-1")


def _pdf_string(data: Any, pos: int) -> bytes | None:
    """The bytes of a literal string ``(...)`` at ``pos`` (after blanks), or None.

    Scans at most MAX_TEXT_BYTES with ``find``: a ``)`` ends the string unless
    an odd number of backslashes precedes it.
    """
    opening = re.compile(rb"\s{0,64}\(").match(data, pos)
    if opening is None:
        return None
    start = i = opening.end()
    stop = min(len(data), start + MAX_TEXT_BYTES)
    while (close := data.find(b")", i, stop)) >= 0:
        k = close
        while k > i and data[k - 1] == 0x5C:  # backslashes, each counted once
            k -= 1
        if (close - k) % 2 == 0:
            return bytes(data[start:close])
        i = close + 1
    return None


def _svg_description(data: Any) -> str | None:
    """The Dublin Core description in an SVG's <metadata>."""
    inner = _between(data, b"<dc:description>", b"</dc:description>")
    if inner is None:
        return None
    from xml.sax.saxutils import unescape

    return unescape(inner.decode("utf-8"), {"&quot;": '"', "&#39;": "'"})


def _mp4_comment(data: Any) -> str | None:
    """The ``©cmt`` text of an MP4 (moov/udta/meta/ilst), or None; at most 1 MB."""
    start, end = 0, len(data)
    for kind in (b"moov", b"udta", b"meta", b"ilst", b"\xa9cmt", b"data"):
        found = _mp4_box(data, start, end, kind)
        if found is None:
            return None
        start, end = found
        if kind == b"meta":  # a full box: version and flags first
            start += 4
    if end - start - 8 > MAX_TEXT_BYTES:
        raise ValueError(f"an MP4 comment longer than {MAX_TEXT_BYTES >> 20} MB")
    return bytes(data[start + 8 : end]).decode("utf-8", "replace")  # type, locale


def _mp4_box(data: Any, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    """(body start, end) of the first box ``kind`` in ``start:end``, or None."""
    pos = start
    while pos + 8 <= end:
        size, header = int.from_bytes(data[pos : pos + 4], "big"), 8
        if size == 1:  # a 64-bit size follows the type
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:  # the box runs to the end
            size = end - pos
        if size < header:
            raise ValueError(f"an MP4 box of {size} bytes at {pos}")
        if data[pos + 4 : pos + 8] == kind:
            return pos + header, min(pos + size, end)
        pos += size
    return None


def _html(data: Any) -> tuple[str, str | None, dict[str, Any]]:
    """HTML player: the provenance of the GIF embedded in it."""
    match = re.search(
        rb'(?:data-gif="|src="data:image/gif;base64,)([A-Za-z0-9+/=]+)"', data
    )
    if match is None:
        return "HTML", None, {}
    _, text, facts = _gif(base64.b64decode(match.group(1)))
    return "HTML", text, facts
