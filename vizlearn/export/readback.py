"""Read animations back: format, frames, durations, loop, size and their text.

GIF files are walked block by block without decoding a pixel; WebP and APNG
go through Pillow. The text (a comment and vizlearn's metadata) sits in GIF
comment blocks, in an XMP packet in WebP (`to_xmp` writes it) and in PNG text
chunks in APNG. Files are untrusted: only regular files are read (mapped, not
copied), comments and XMP are capped at `MAX_TEXT_BYTES` (Pillow caps PNG
text chunks itself) and metadata JSON goes through `vizlearn.files.parse_json`.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from mmap import mmap
from os import PathLike
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from vizlearn.export.gif import METADATA_PREFIX
from vizlearn.files import map_file, parse_json

__all__ = [
    "MAX_TEXT_BYTES",
    "AnimationInfo",
    "GifFrame",
    "gif_frames",
    "read_animation_info",
    "read_frame",
    "read_gif_info",
    "to_xmp",
]

#: The most comment or XMP text read from one file (vizlearn writes ~1 KB).
MAX_TEXT_BYTES = 1 << 20
_XMP_NS = "urn:vizlearn:xmp:1.0"
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@dataclass(frozen=True)
class AnimationInfo:
    """What an animation file holds, as read back from the file."""

    fmt: str
    n_frames: int
    durations_ms: tuple[int, ...]
    loop: int
    """Number of plays; 0 means forever."""
    size: tuple[int, int]
    """(width, height) in pixels."""
    comment: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    n_bytes: int = 0


def read_animation_info(path: str | PathLike[str]) -> AnimationInfo:
    """Read format, frame count, durations, loop, size and text of an animation."""
    with map_file(path) as data:
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return read_gif_info(data)
        n_bytes = len(data)
    with Image.open(path) as im:
        fmt = {"WEBP": "webp", "PNG": "apng"}.get(str(im.format))
        if fmt is None:
            raise ValueError(f"not a GIF, WebP or PNG file: {path}")
        comment, metadata = _read_text(im, fmt)
        durations = []
        for index in range(getattr(im, "n_frames", 1)):
            im.seek(index)
            im.load()  # WebP sets the duration only when the frame is decoded
            durations.append(int(im.info.get("duration", 0)))
        loop = int(im.info.get("loop", 0))
        n_frames, size = len(durations), im.size
    return AnimationInfo(
        fmt, n_frames, tuple(durations), loop, size, comment, metadata, n_bytes
    )


def read_frame(path: str | PathLike[str], index: int) -> NDArray[np.uint8]:
    """Return frame ``index`` fully composited, as RGBA uint8 of shape (H, W, 4)."""
    with Image.open(path) as im:
        im.seek(index)
        return np.asarray(im.convert("RGBA"))


# Reading GIF blocks -----------------------------------------------------------


@dataclass(frozen=True)
class GifFrame:
    """One image of a GIF as stored: its delay, rectangle and size in bytes."""

    delay_ms: int
    box: tuple[int, int, int, int]
    """(x, y, width, height) of the stored rectangle."""
    n_bytes: int
    """Bytes from its control extension (if any) to the end of its LZW data."""


def read_gif_info(data: bytes | mmap) -> AnimationInfo:
    """Walk the GIF blocks: frames, delays, loop and comments, without decoding."""
    frames, comments, loop = _walk_gif(data)
    comment, metadata = _split_gif_comments(comments)
    return AnimationInfo(
        "gif",
        len(frames),
        tuple(f.delay_ms for f in frames),
        loop,
        struct.unpack_from("<HH", data, 6),
        comment,
        metadata,
        len(data),
    )


def gif_frames(data: bytes | mmap) -> list[GifFrame]:
    """The images of a GIF as stored (rectangles and bytes), without decoding."""
    return _walk_gif(data)[0]


def _walk_gif(data: bytes | mmap) -> tuple[list[GifFrame], list[str], int]:
    """Return the images, the comments and the loop count of a GIF."""
    frames: list[GifFrame] = []
    comments: list[str] = []
    loop, delay, control, text_left = 1, 0, None, MAX_TEXT_BYTES
    try:
        pos = 13 + _table_bytes(data[10])
        while data[pos] != 0x3B:
            begin = pos
            if data[pos] == 0x21:
                label = data[pos + 1]
                payload, pos = _read_sub_blocks(data, pos + 2, limit=text_left)
                if label == 0xFE:
                    text_left -= len(payload)
                if label == 0xF9:
                    delay, control = 10 * int.from_bytes(payload[1:3], "little"), begin
                elif label == 0xFE:
                    comments.append(payload.decode("utf-8", "replace"))
                elif label == 0xFF and payload[:11] == b"NETSCAPE2.0":
                    repeats = int.from_bytes(payload[12:14], "little")
                    loop = 0 if repeats == 0 else repeats + 1
            elif data[pos] == 0x2C:
                box = struct.unpack_from("<HHHH", data, pos + 1)
                pos += 10 + _table_bytes(data[pos + 9]) + 1  # + LZW code size
                pos = _read_sub_blocks(data, pos, keep=False)[1]
                start = begin if control is None else control
                frames.append(GifFrame(delay, box, pos - start))
                delay, control = 0, None
            else:
                raise ValueError(f"corrupt GIF: unexpected byte at {pos}")
    except (IndexError, struct.error):
        raise ValueError("truncated GIF") from None
    return frames, comments, loop


def _read_sub_blocks(
    data: bytes | mmap, pos: int, keep: bool = True, limit: int = MAX_TEXT_BYTES
) -> tuple[bytes, int]:
    """Return the joined sub-blocks starting at ``pos`` and the position after them.

    Raises ValueError if the kept bytes would pass ``limit`` (comments).
    """
    pieces, kept = [], 0
    while (n := data[pos]) != 0:
        if keep:
            kept += n
            if kept > limit:
                raise ValueError(f"GIF comments longer than {MAX_TEXT_BYTES >> 20} MB")
            pieces.append(data[pos + 1 : pos + 1 + n])
        pos += 1 + n
    if pos >= len(data):
        raise IndexError(pos)
    return b"".join(pieces), pos + 1


def _table_bytes(flags: int) -> int:
    """Return the size of the colour table announced by a GIF flags byte."""
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _split_gif_comments(comments: list[str]) -> tuple[str | None, dict[str, str]]:
    """Separate the vizlearn metadata comment from the plain comments."""
    plain = [c for c in comments if not c.startswith(METADATA_PREFIX)]
    meta = [c for c in comments if c.startswith(METADATA_PREFIX)]
    metadata = _metadata(meta[0][len(METADATA_PREFIX) :]) if meta else {}
    return ("\n".join(plain) if plain else None), metadata


def _metadata(text: str) -> dict[str, str]:
    """The metadata JSON: an object of strings, or ValueError."""
    metadata = parse_json(text)
    if not isinstance(metadata, dict) or not all(
        isinstance(v, str) for v in metadata.values()
    ):
        raise ValueError("the vizlearn metadata is not a JSON object of strings")
    return metadata


# Text in WebP and APNG -------------------------------------------------------


def to_xmp(comment: str | None, metadata: dict[str, str]) -> bytes:
    """Return an XMP packet holding the comment and the metadata as JSON."""
    fields = {"comment": comment}
    if metadata:
        fields["metadata"] = json.dumps(metadata, sort_keys=True, ensure_ascii=False)
    body = "".join(
        f"<vizlearn:{key}>{escape(value)}</vizlearn:{key}>"
        for key, value in fields.items()
        if value is not None
    )
    return (
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{_RDF_NS}">'
        f'<rdf:Description rdf:about="" xmlns:vizlearn="{_XMP_NS}">{body}'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def _read_text(im: Image.Image, fmt: str) -> tuple[str | None, dict[str, str]]:
    """Return (comment, metadata) stored by `save_animation` in WebP or APNG."""
    if fmt == "apng":
        text = dict(getattr(im, "text", {}))
        return text.pop("Comment", None), text
    xmp = im.info.get("xmp")
    if not xmp:
        return None, {}
    if len(xmp) > MAX_TEXT_BYTES:
        raise ValueError(f"an XMP packet longer than {MAX_TEXT_BYTES >> 20} MB")
    try:  # expat refuses entity-expansion bombs itself
        root = ElementTree.fromstring(xmp)
    except ElementTree.ParseError as e:
        raise ValueError(f"damaged XMP ({e})") from None
    comment = root.findtext(f".//{{{_XMP_NS}}}comment")
    metadata = root.findtext(f".//{{{_XMP_NS}}}metadata")
    return comment, _metadata(metadata) if metadata else {}
