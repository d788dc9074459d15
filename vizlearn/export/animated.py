"""Write animations (GIF, WebP, APNG) from a lazy stream of RGBA frames.

GIF is the streaming path: one global palette (`vizlearn.export.palette`),
each frame stored as the crop of pixels that changed since the previous one,
frames encoded and written one at a time, so memory stays flat however many
frames there are. Pillow does only the LZW coding (`GifImagePlugin.getdata`):
its own multi-frame writer keeps every frame in a list, re-diffs them, and
drops identical frames, which would change the frame count.

WebP and APNG go through Pillow's ``save_all``, which needs every frame in
memory: peak RSS for 800x600 frames grew from 248 to 617 MiB (WebP) and from
417 to 1151 MiB (APNG) between 100 and 300 frames, about 1.8 and 3.7 MiB a
frame, where GIF stayed at 111-123 MiB for 1, 100 and 1000 frames
(``python benchmarks/bench_gif_encoder.py --memory``). Their encoders (libwebp,
Pillow's APNG writer) also merge consecutive identical frames into one frame
with the summed duration, so their frame count can be lower than the number of
inputs.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import numpy as np
from numpy.typing import NDArray
from PIL import GifImagePlugin, Image, PngImagePlugin

from vizlearn.export.atomic import atomic_path
from vizlearn.export.palette import Palette, build_palette

__all__ = [
    "AnimationInfo",
    "FORMATS",
    "read_animation_info",
    "read_frame",
    "save_animation",
]

FORMATS = {".gif": "gif", ".webp": "webp", ".png": "apng", ".apng": "apng"}
MIN_GIF_DELAY_MS = 20  # browsers play shorter GIF delays as 100 ms
MAX_GIF_DELAY_MS = 655_350  # 16-bit count of 10 ms units
# Lossless WebP effort (`python benchmarks/bench_gif_encoder.py --webp`, 30 chart
# frames 1200x900): method 0 1.81 MB in 0.7 s, method 1-2 quality 0 0.44 MB in
# 0.55 s, method 2 quality 50 0.32 MB in 0.9 s; more effort gains nothing (method 6
# quality 100: 0.32 MB in 44 s). APNG keeps Pillow's default zlib level 6: 1.02 MB
# in 0.8 s, where optimize=True gives 0.96 MB in 2.7 s.
WEBP_METHOD = 2
WEBP_QUALITY = 50
_METADATA_PREFIX = "vizlearn-metadata:"
_XMP_NS = "urn:vizlearn:xmp:1.0"
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

Frame = NDArray[np.uint8]


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


def save_animation(
    path: str | PathLike[str],
    frames: Iterable[Frame],
    *,
    durations_ms: Sequence[int] | int,
    loop: int = 0,
    fmt: str | None = None,
    palette_frames: Sequence[Frame] | None = None,
    transparent: bool = False,
    comment: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> AnimationInfo:
    """Write ``frames`` as an animated GIF, WebP or APNG, atomically.

    Parameters
    ----------
    path
        Output file. Written via a temporary file in the same folder, so an
        existing file is only ever replaced by a complete one.
    frames
        RGBA (or RGB) uint8 arrays of shape (H, W, 4), all the same size,
        consumed lazily. Alpha is ignored unless ``transparent``.
    durations_ms
        Display time of every frame, or one per frame (e.g. to hold the first
        and last frame). GIF rounds to 10 ms steps, at least 20 ms.
    loop
        Number of plays, 0 for forever. (In a GIF, ``loop=n`` is stored as the
        NETSCAPE repeat count ``n - 1``, the way browsers read it.)
    fmt
        "gif", "webp" or "apng"; default from the suffix (.png means APNG).
    palette_frames
        GIF only: frames whose colours the global palette keeps exact
        (e.g. the first and last). Default: the first frame.
    transparent
        Keep alpha. GIF: pixels with alpha below 128 become transparent.
    comment
        Text stored in the file (GIF comment, APNG tEXt "Comment", WebP XMP).
    metadata
        Extra text key/values (APNG tEXt chunks, WebP XMP, GIF a comment
        holding ``vizlearn-metadata:`` and JSON).

    Returns
    -------
    AnimationInfo
        Read back from the written file.
    """
    fmt = _resolve_format(Path(path), fmt)
    options = _Options(durations_ms, loop, transparent, comment, dict(metadata or {}))
    with atomic_path(path) as tmp:
        if fmt == "gif":
            with open(tmp, "wb") as fp:
                _write_gif(fp, _checked(frames), palette_frames, options)
        else:
            _write_pillow(tmp, fmt, _checked(frames), options)
    return read_animation_info(path)


def read_animation_info(path: str | PathLike[str]) -> AnimationInfo:
    """Read format, frame count, durations, loop, size and text of an animation."""
    data = Path(path).read_bytes()
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _read_gif_info(data)
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
        fmt, n_frames, tuple(durations), loop, size, comment, metadata, len(data)
    )


def read_frame(path: str | PathLike[str], index: int) -> Frame:
    """Return frame ``index`` fully composited, as RGBA uint8 of shape (H, W, 4)."""
    with Image.open(path) as im:
        im.seek(index)
        return np.asarray(im.convert("RGBA"))


@dataclass(frozen=True)
class _Options:
    """The validated per-file settings shared by all formats."""

    durations_ms: Sequence[int] | int
    loop: int
    transparent: bool
    comment: str | None
    metadata: dict[str, str]

    def __post_init__(self) -> None:
        """Check the loop count and durations."""
        if not 0 <= self.loop <= 65_535:
            raise ValueError(f"loop must be in 0..65535, got {self.loop}")
        durations = self.durations_ms
        if min([durations] if isinstance(durations, int) else durations, default=0) < 0:
            raise ValueError("durations_ms must not be negative")

    def duration(self, index: int) -> int:
        """Return the duration of frame ``index`` in ms."""
        if isinstance(self.durations_ms, int):
            return self.durations_ms
        if index >= len(self.durations_ms):
            raise ValueError(f"more frames than the {len(self.durations_ms)} durations")
        return int(self.durations_ms[index])

    def check_count(self, n_frames: int) -> None:
        """Raise ValueError unless there is one duration per frame (or one for all)."""
        if n_frames == 0:
            raise ValueError("no frames to write")
        if (
            not isinstance(self.durations_ms, int)
            and len(self.durations_ms) != n_frames
        ):
            raise ValueError(
                f"{len(self.durations_ms)} durations_ms for {n_frames} frames"
            )


def _checked(frames: Iterable[Frame]) -> Iterator[Frame]:
    """Yield ``frames``, checking that all are uint8 (H, W, 3|4) of one shape."""
    shape = None
    for frame in frames:
        frame = np.asarray(frame)
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] not in (3, 4):
            raise ValueError(
                f"expected uint8 (H, W, 4) frames, got {frame.dtype} {frame.shape}"
            )
        if shape is not None and frame.shape != shape:
            raise ValueError(f"frame of shape {frame.shape} after frames of {shape}")
        shape = frame.shape
        yield frame


# GIF --------------------------------------------------------------------------


def _write_gif(
    fp: BinaryIO,
    frames: Iterator[Frame],
    palette_frames: Sequence[Frame] | None,
    options: _Options,
) -> None:
    """Stream frames into ``fp`` as GIF frame differences on one global palette."""
    first = next(frames, None)
    if first is None:
        raise ValueError("no frames to write")
    transparent = options.transparent
    palette = build_palette(palette_frames or [first], transparent=transparent)
    fp.write(_gif_header(first.shape[1], first.shape[0], palette, options))
    frames = _prepend(first, frames)
    del first  # hold no frame longer than needed
    previous, n_frames = None, 0
    for n_frames, frame in enumerate(frames, start=1):
        indices = palette.index(frame, transparent=transparent)
        offset, tile, disposal = _gif_tile(indices, previous, palette, transparent)
        delay = _gif_delay(options.duration(n_frames - 1))
        fp.write(_gif_frame(tile, offset, delay, disposal, palette.transparent_index))
        previous = indices
    options.check_count(n_frames)
    fp.write(b";")


def _prepend(first: Frame, rest: Iterator[Frame]) -> Iterator[Frame]:
    """Yield ``first``, then ``rest``, dropping ``first`` once it is used."""
    yield first
    del first  # itertools.chain([first], rest) would keep it to the end
    yield from rest


def _gif_tile(
    indices: NDArray[np.uint8],
    previous: NDArray[np.uint8] | None,
    palette: Palette,
    transparent: bool,
) -> tuple[tuple[int, int], NDArray[np.uint8], int]:
    """Return (offset, indexed pixels, disposal) of the rectangle to store.

    Opaque: the bounding box of pixels that changed since the previous frame,
    unchanged pixels in it transparent, disposal 1 (keep). Transparent: the
    bounding box of non-transparent pixels, disposal 2 (clear afterwards), so
    pixels that turn transparent do not keep old content.
    """
    clear = palette.transparent_index
    if transparent:
        box = _bbox(indices != clear)
        disposal, tile = 2, indices
    elif previous is None:
        return (0, 0), indices, 1
    else:
        changed = indices != previous
        box = _bbox(changed)
        disposal, tile = 1, np.where(changed, indices, np.uint8(clear))
    if box is None:  # nothing to draw: a 1x1 transparent frame keeps the count
        return (0, 0), np.full((1, 1), clear, np.uint8), disposal
    x0, y0, x1, y1 = box
    return (x0, y0), tile[y0:y1, x0:x1], disposal


def _bbox(mask: NDArray[np.bool_]) -> tuple[int, int, int, int] | None:
    """Return (x0, y0, x1, y1) of the True pixels of ``mask``, or None."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask[rows[0] : rows[-1] + 1].any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _gif_frame(
    tile: NDArray[np.uint8],
    offset: tuple[int, int],
    delay_ms: int,
    disposal: int,
    transparency: int,
) -> bytes:
    """Encode one frame (control extension, descriptor, LZW data) with Pillow."""
    image = Image.fromarray(np.ascontiguousarray(tile), "L")  # indices, no palette
    chunks = GifImagePlugin.getdata(
        image,
        offset=offset,
        duration=delay_ms,
        disposal=disposal,
        transparency=transparency,
    )
    return b"".join(chunks)


def _gif_header(width: int, height: int, palette: Palette, options: _Options) -> bytes:
    """Return the GIF header: screen, global palette, loop, comments."""
    table = palette.to_bytes()
    background = palette.transparent_index if options.transparent else 0
    size_bits = (len(table) // 3).bit_length() - 2  # table holds 2**(bits+1)
    screen = struct.pack("<HHBBB", width, height, 0x80 | size_bits, background, 0)
    parts = [b"GIF89a", screen, table]
    if options.loop != 1:  # no NETSCAPE block means play once
        repeats = struct.pack("<BH", 1, max(options.loop - 1, 0))
        parts.append(b"!\xff" + _sub_blocks(b"NETSCAPE2.0", repeats))
    texts = [] if options.comment is None else [options.comment]
    if options.metadata:
        texts.append(_METADATA_PREFIX + json.dumps(options.metadata, sort_keys=True))
    parts += [b"!\xfe" + _sub_blocks(text.encode()) for text in texts]
    return b"".join(parts)


def _sub_blocks(*payloads: bytes) -> bytes:
    """Pack payloads as GIF data sub-blocks (<= 255 bytes each) plus terminator."""
    pieces = [p[i : i + 255] for p in payloads for i in range(0, len(p), 255)]
    return b"".join(bytes([len(c)]) + c for c in pieces) + b"\0"


def _gif_delay(ms: int) -> int:
    """Round a duration to GIF's 10 ms steps (half up), within [20, 655350] ms."""
    return min(max((int(ms) + 5) // 10 * 10, MIN_GIF_DELAY_MS), MAX_GIF_DELAY_MS)


def _read_gif_info(data: bytes) -> AnimationInfo:
    """Walk the GIF blocks: frames, delays, loop and comments, without decoding."""
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    pos = 13 + _table_bytes(flags)
    delays: list[int] = []
    comments: list[str] = []
    loop, delay = 1, 0
    try:
        while data[pos] != 0x3B:
            if data[pos] == 0x21:
                label = data[pos + 1]
                payload, pos = _read_sub_blocks(data, pos + 2)
                if label == 0xF9:
                    delay = 10 * int.from_bytes(payload[1:3], "little")
                elif label == 0xFE:
                    comments.append(payload.decode("utf-8", "replace"))
                elif label == 0xFF and payload[:11] == b"NETSCAPE2.0":
                    repeats = int.from_bytes(payload[12:14], "little")
                    loop = 0 if repeats == 0 else repeats + 1
            elif data[pos] == 0x2C:
                pos += 10 + _table_bytes(data[pos + 9]) + 1  # + LZW code size
                pos = _read_sub_blocks(data, pos, keep=False)[1]
                delays.append(delay)
                delay = 0
            else:
                raise ValueError(f"corrupt GIF: unexpected byte at {pos}")
    except IndexError:
        raise ValueError("truncated GIF") from None
    comment, metadata = _split_gif_comments(comments)
    return AnimationInfo(
        "gif",
        len(delays),
        tuple(delays),
        loop,
        (width, height),
        comment,
        metadata,
        len(data),
    )


def _read_sub_blocks(data: bytes, pos: int, keep: bool = True) -> tuple[bytes, int]:
    """Return the joined sub-blocks starting at ``pos`` and the position after them."""
    pieces = []
    while (n := data[pos]) != 0:
        if keep:
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
    plain = [c for c in comments if not c.startswith(_METADATA_PREFIX)]
    meta = [c for c in comments if c.startswith(_METADATA_PREFIX)]
    metadata = json.loads(meta[0][len(_METADATA_PREFIX) :]) if meta else {}
    return ("\n".join(plain) if plain else None), metadata


# WebP and APNG ----------------------------------------------------------------


def _write_pillow(
    tmp: Path, fmt: str, frames: Iterator[Frame], options: _Options
) -> None:
    """Write WebP or APNG with Pillow's ``save_all`` (holds every frame)."""
    mode = "RGBA" if options.transparent else "RGB"
    images = [Image.fromarray(np.ascontiguousarray(f)).convert(mode) for f in frames]
    options.check_count(len(images))
    text = (options.comment, options.metadata)
    save_options: dict[str, Any] = {
        "save_all": True,
        "append_images": images[1:],
        "duration": [options.duration(k) for k in range(len(images))],
        "loop": options.loop,
    }
    if fmt == "webp":
        save_options.update(
            format="WEBP",
            lossless=True,
            method=WEBP_METHOD,
            quality=WEBP_QUALITY,
            xmp=_to_xmp(*text),
        )
    else:
        save_options.update(format="PNG", pnginfo=_to_pnginfo(*text))
    images[0].save(tmp, **save_options)


def _to_pnginfo(
    comment: str | None, metadata: dict[str, str]
) -> PngImagePlugin.PngInfo:
    """Put the comment (key "Comment") and metadata into PNG text chunks."""
    info = PngImagePlugin.PngInfo()
    if comment is not None:
        info.add_text("Comment", comment)  # iTXt if not Latin-1
    for key, value in sorted(metadata.items()):
        info.add_text(key, value)
    return info


def _to_xmp(comment: str | None, metadata: dict[str, str]) -> bytes:
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
    root = ElementTree.fromstring(xmp)
    comment = root.findtext(f".//{{{_XMP_NS}}}comment")
    metadata = root.findtext(f".//{{{_XMP_NS}}}metadata")
    return comment, json.loads(metadata) if metadata else {}


# Shared checks ----------------------------------------------------------------


def _resolve_format(path: Path, fmt: str | None) -> str:
    """Return "gif", "webp" or "apng" from ``fmt`` or the file suffix."""
    fmt = fmt.lower() if fmt else FORMATS.get(path.suffix.lower())
    if fmt not in ("gif", "webp", "apng"):
        raise ValueError(
            f"fmt must be one of gif, webp, apng (or a suffix among "
            f"{', '.join(FORMATS)}), got {fmt or path.suffix!r}"
        )
    return fmt
