"""GIF, frame by frame: one global palette, each frame only the pixels that changed.

`GifCanvas` keeps the picture a decoder shows as palette indices and turns
the pixels that changed into a frame record: the smallest rectangle holding
the indices that really change, coded the shortest of a few ways
(`vizlearn.export.giftile`). `GifEncoder` feeds it one frame at a time when
the palette is known; `GifCodec` and `GifFrames` split the work between
render workers in two passes (`vizlearn.export.pipeline`): the palette is
built from the colours of every frame as shown, counted while rendering,
and the bytes do not depend on who encoded what.

Delays: `gif_schedule` keeps the running total of the frame durations in
GIF's 10 ms ticks and leaves out frames that would show under 20 ms.

This module runs past 300 lines because the canvas, the one-process encoder
and the two-pass codec for render workers must write the same bytes, so they
share the frame-record code here.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.export.giftile import best_tile, code_size, lzw
from vizlearn.export.palette import (
    ALPHA_THRESHOLD,
    Palette,
    count_colors,
    merge_counts,
    pack_rgb,
    palette_from_counts,
)

__all__ = [
    "GifCanvas",
    "GifCodec",
    "GifEncoder",
    "GifFrames",
    "gif_header",
    "gif_delay",
    "gif_delays",
    "gif_schedule",
    "METADATA_PREFIX",
]

MIN_DELAY_MS = 20  # browsers play shorter GIF delays as 100 ms
MAX_DELAY_MS = 655_350  # 16-bit count of 10 ms units
METADATA_PREFIX = "vizlearn-metadata:"

Boxes = NDArray[np.int64]


class GifCanvas:
    """The picture a GIF decoder shows, as palette indices; writes frame records.

    `next` takes the pixels that changed since the last frame and returns
    the record that makes the decoder show the new frame: the rectangle of
    the indices that really change, coded the shortest way
    (`vizlearn.export.giftile`). Transparent animations (alpha below 128
    becomes transparent) store each frame's opaque box whole with disposal 2,
    so old frames never show.
    """

    def __init__(
        self, palette: Palette, delays_ms: Sequence[int], *, transparent: bool
    ) -> None:
        self.palette, self.delays = palette, delays_ms
        self.transparent = transparent
        self.clear = palette.transparent_index
        self.bits = code_size(len(palette.colors) + 1)
        self.indices: NDArray[np.uint8] | None = None

    def lookup(self, keys: NDArray[np.uint32]) -> NDArray[np.uint8]:
        """Palette indices of packed RGBA keys (transparent where alpha < 128)."""
        out = self.palette.lookup(keys & 0xFFFFFF)
        if self.transparent:
            out[(keys >> 24) < ALPHA_THRESHOLD] = self.clear
        return out

    def start(self, keys: NDArray[np.uint32]) -> None:
        """Take ``keys`` (H, W) as the picture shown, without writing it."""
        self.indices = self.lookup(keys)

    def first(self, keys: NDArray[np.uint32], position: int) -> bytes:
        """The record of a whole first frame."""
        self.start(keys)
        assert self.indices is not None
        if self.transparent:
            return self._opaque_box(position)
        return self._record(self.indices, (0, 0), position, disposal=1)

    def next(
        self, where: NDArray[np.intp], keys: NDArray[np.uint32], position: int
    ) -> bytes:
        """The record of the frame whose pixels ``where`` (flat) became ``keys``."""
        indices = self.indices
        assert indices is not None
        values = self.lookup(keys)
        flat = indices.reshape(-1)
        real = values != flat[where]  # a new shade may keep its palette entry
        where, values = where[real], values[real]
        flat[where] = values
        if self.transparent:
            return self._opaque_box(position)
        if len(where) == 0:  # nothing changed: a 1x1 transparent frame
            tile = np.full((1, 1), self.clear, np.uint8)
            return self._record(tile, (0, 0), position, disposal=1)
        rows, cols = np.divmod(np.sort(where), indices.shape[1])
        y0, y1 = int(rows[0]), int(rows[-1]) + 1
        x0, x1 = int(cols.min()), int(cols.max()) + 1
        local = (rows - y0) * (x1 - x0) + cols - x0  # raster order in the tile
        data = best_tile(indices[y0:y1, x0:x1], local, self.clear, self.bits)
        return self._wrap(data, (x0, y0, x1 - x0, y1 - y0), position, disposal=1)

    def _opaque_box(self, position: int) -> bytes:
        """The whole opaque part of the picture, cleared after it shows."""
        assert self.indices is not None
        tile, offset = _crop(self.indices, self.indices != self.clear, self.clear)
        return self._record(tile, offset, position, disposal=2)

    def _record(
        self,
        tile: NDArray[np.uint8],
        offset: tuple[int, int],
        position: int,
        *,
        disposal: int,
    ) -> bytes:
        data = lzw(tile, self.bits)
        box = (*offset, tile.shape[1], tile.shape[0])
        return self._wrap(data, box, position, disposal=disposal)

    def _wrap(
        self,
        data: bytes,
        box: tuple[int, int, int, int],
        position: int,
        *,
        disposal: int,
    ) -> bytes:
        delay = gif_delay(self.delays[position])
        packed = disposal << 2 | 1
        control = struct.pack(
            "<4BHBB", 0x21, 0xF9, 4, packed, delay // 10, self.clear, 0
        )
        descriptor = b"," + struct.pack("<4HB", *box, 0)
        return control + descriptor + bytes([self.bits]) + data + b"\0"


class GifEncoder:
    """Encode frames as GIF frame records against the previous frame (one pass).

    Parameters
    ----------
    palette
        The animation's global palette.
    durations_ms
        Display time of the frame at each position.
    transparent
        Alpha below 128 becomes transparent (see `GifCanvas`).
    """

    def __init__(
        self, palette: Palette, durations_ms: Sequence[int], *, transparent: bool
    ) -> None:
        self.canvas = GifCanvas(palette, durations_ms, transparent=transparent)
        self.keys: NDArray[np.uint32] | None = None  # previous frame, packed RGBA

    def encode(
        self, pixels: NDArray[np.uint8], boxes: Boxes | None, position: int
    ) -> bytes:
        """Return the GIF frame record of ``pixels`` shown at ``position``.

        ``boxes`` (x0, y0, x1, y1 rows) bound where ``pixels`` may differ from
        the previous frame given to this encoder; None means anywhere.
        """
        keys = frame_keys(pixels)
        if self.keys is None:
            self.keys = keys.copy()
            return self.canvas.first(self.keys, position)
        where, new, _ = changed_pixels(self.keys, keys, boxes)
        return self.canvas.next(where, new, position)


@dataclass(frozen=True)
class GifCodec:
    """How workers encode their share of a GIF in two passes.

    Pass one renders and keeps only the pixels that change; the colours they
    hold (and the whole first frame's) are counted. The palette is built from
    all the counts (`GifCodec.combine`), so it is exact whenever the animation
    has at most ``max_colors`` colours, without rendering any frame twice.
    Pass two maps the kept pixels onto it and writes the frame records.
    """

    delays_ms: tuple[int, ...]
    transparent: bool
    max_colors: int = 255

    def encoder(self) -> GifFrames:
        """A fresh two-pass encoder for one worker's chunk."""
        return GifFrames(self)

    def combine(self, summaries: Sequence[Any]) -> Palette:
        """The palette from the colour counts of every chunk (order does not matter)."""
        keys, counts = merge_counts(list(summaries))
        return palette_from_counts(keys, counts, max_colors=self.max_colors)

    def to_arrays(self, palette: Palette) -> NDArray[np.uint8]:
        """What a worker needs of the palette: its colours (not its lookup table)."""
        return palette.colors

    def from_arrays(self, colors: NDArray[np.uint8]) -> Palette:
        """The palette again, in a worker."""
        return Palette(colors)


class GifFrames:
    """One worker's chunk of a `GifCodec` GIF: the pixels that change, kept compact.

    The colours are counted as shown: a pixel counts once for every frame it
    shows its colour in, so the palette weighs what the animation shows (the
    sum of every frame's histogram), and is the same however the frames are
    split into chunks. Memory: three frame-sized arrays plus 8 bytes per
    changed pixel of the chunk.
    """

    def __init__(self, codec: GifCodec) -> None:
        self.codec = codec
        self.base: NDArray[np.uint32] | None = None  # shown before the chunk
        self.keys: NDArray[np.uint32] | None = None  # the latest frame
        self.since: NDArray[np.int32] | None = None  # position each pixel got it
        self.first: int | None = None  # position of a whole first frame to write
        self.stop = 0  # the position after the last frame taken
        self.changes: list[tuple[int, NDArray[np.uint32], NDArray[np.uint32]]] = []
        self.counts: list[tuple[NDArray[np.uint32], NDArray[np.int64]]] = []

    def add(
        self,
        pixels: NDArray[np.uint8],
        boxes: Boxes | None,
        position: int,
        *,
        emit: bool = True,
    ) -> None:
        """Take a frame; ``emit=False`` only sets the frame before the chunk."""
        keys = frame_keys(pixels)
        if self.keys is None:
            self.base, self.keys = keys.copy(), keys.copy()
            start = position if emit else position + 1
            self.since = np.full(keys.shape, start, np.int32)
            self.first, self.stop = (position if emit else None), start
            return
        assert self.since is not None
        where, new, old = changed_pixels(self.keys, keys, boxes)
        since = self.since.reshape(-1)
        shown = position - since[where]
        self.counts.append(count_colors(old, shown, transparent=self.codec.transparent))
        since[where] = position
        self.changes.append((position, where.astype(np.uint32), new))
        self.stop = position + 1

    def summary(self) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
        """Colours this chunk shows, each weighted by pixels times frames."""
        assert self.keys is not None and self.since is not None
        shown = self.stop - self.since
        last = count_colors(self.keys, shown, transparent=self.codec.transparent)
        self.since = None
        return merge_counts([*self.counts, last])

    def finish(self, palette: Palette) -> Iterator[bytes]:
        """Yield the chunk's frame records on the animation's palette."""
        assert self.base is not None
        canvas = GifCanvas(
            palette, self.codec.delays_ms, transparent=self.codec.transparent
        )
        self.keys = None  # no longer needed
        if self.first is not None:
            yield canvas.first(self.base, self.first)
        else:
            canvas.start(self.base)
        self.base = None
        self.changes.reverse()
        while self.changes:
            position, where, new = self.changes.pop()
            yield canvas.next(where.astype(np.intp), new, position)


def frame_keys(pixels: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """Packed RGBA keys of a frame (RGB frames count as opaque)."""
    keys = pack_rgb(pixels)
    if pixels.shape[2] == 3:
        keys |= np.uint32(0xFF000000)
    return keys


def changed_pixels(
    previous: NDArray[np.uint32], keys: NDArray[np.uint32], boxes: Boxes | None
) -> tuple[NDArray[np.intp], NDArray[np.uint32], NDArray[np.uint32]]:
    """Flat indices, new and old keys of the pixels that differ.

    Only the rectangle around ``boxes`` is compared; ``previous`` is updated.
    """
    x0, y0, x1, y1 = _hull(boxes, keys.shape)
    new, old = keys[y0:y1, x0:x1], previous[y0:y1, x0:x1]
    rows, cols = np.nonzero(new != old)
    values, before = new[rows, cols], old[rows, cols]
    old[...] = new
    return (rows + y0) * keys.shape[1] + cols + x0, values, before


def _hull(boxes: Boxes | None, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The rectangle that holds all ``boxes`` (the whole frame for None)."""
    if boxes is None:
        return 0, 0, shape[1], shape[0]
    if len(boxes) == 0:
        return 0, 0, 0, 0
    x0, y0 = boxes[:, :2].min(axis=0).tolist()
    x1, y1 = boxes[:, 2:].max(axis=0).tolist()
    return x0, y0, x1, y1


def _crop(
    indices: NDArray[np.uint8], mask: NDArray[np.bool_], clear: int
) -> tuple[NDArray[np.uint8], tuple[int, int]]:
    """The bounding box of ``mask`` cut from ``indices`` (1x1 clear if empty)."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return np.full((1, 1), clear, np.uint8), (0, 0)
    cols = np.flatnonzero(mask[rows[0] : rows[-1] + 1].any(axis=0))
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return indices[y0:y1, x0:x1], (int(x0), int(y0))


def gif_header(
    width: int,
    height: int,
    palette: Palette,
    *,
    loop: int,
    transparent: bool,
    comment: str | None,
    metadata: Mapping[str, str],
) -> bytes:
    """Return the GIF header: screen, global palette, loop count, comments."""
    table = palette.to_bytes()
    background = palette.transparent_index if transparent else 0
    size_bits = (len(table) // 3).bit_length() - 2  # table holds 2**(bits+1)
    screen = struct.pack("<HHBBB", width, height, 0x80 | size_bits, background, 0)
    parts = [b"GIF89a", screen, table]
    if loop != 1:  # no NETSCAPE block means play once
        repeats = struct.pack("<BH", 1, max(loop - 1, 0))
        parts.append(b"!\xff" + sub_blocks(b"NETSCAPE2.0", repeats))
    texts = [] if comment is None else [comment]
    if metadata:
        texts.append(METADATA_PREFIX + json.dumps(dict(metadata), sort_keys=True))
    parts += [b"!\xfe" + sub_blocks(text.encode()) for text in texts]
    return b"".join(parts)


def sub_blocks(*payloads: bytes) -> bytes:
    """Pack payloads as GIF data sub-blocks (<= 255 bytes each) plus terminator."""
    pieces = [p[i : i + 255] for p in payloads for i in range(0, len(p), 255)]
    return b"".join(bytes([len(c)]) + c for c in pieces) + b"\0"


def gif_delay(ms: int) -> int:
    """Round a duration to GIF's 10 ms steps (half up), within [20, 655350] ms."""
    return min(max(_ticks(ms) * 10, MIN_DELAY_MS), MAX_DELAY_MS)


def _ticks(ms: int) -> int:
    """Whole 10 ms ticks nearest to ``ms`` (half up)."""
    return (int(ms) + 5) // 10


def gif_delays(durations_ms: Sequence[int]) -> list[int]:
    """GIF delays (multiples of 10 ms, at least 20) that keep the running total.

    Frame ``i`` ends at the tick nearest to the sum of the first ``i + 1``
    durations, so 100 frames of 33 ms last 3.30 s (per-frame rounding made it
    3.00 s). A delay raised to the 20 ms minimum is taken back from the next
    frames, as far as they allow.
    """
    out, shown, end = [], 0, 0
    for ms in durations_ms:
        end += int(ms)
        delay = min(max(_ticks(end) - shown, MIN_DELAY_MS // 10), MAX_DELAY_MS // 10)
        out.append(10 * delay)
        shown += delay
    return out


def gif_schedule(durations_ms: Sequence[int]) -> tuple[list[int], list[int]]:
    """The positions to store and their delays, so the GIF lasts as long as asked.

    Browsers play delays under 20 ms as 100 ms, so a frame that would start
    less than 20 ms after the previous stored one is left out and its time
    goes to the frame before (above 50 fps, some frames are skipped; the last
    frame is always stored). Delays keep the running total (`gif_delays`).

    Returns
    -------
    positions, delays_ms
        Indices into ``durations_ms`` and each one's delay in ms.
    """
    n = len(durations_ms)
    starts = [0, *(_ticks(e) for e in np.cumsum(durations_ms[:-1]).tolist())]
    kept = [0]
    for i in range(1, n):
        if starts[i] - starts[kept[-1]] >= MIN_DELAY_MS // 10:
            kept.append(i)
    slots = [starts[i] for i in kept]
    if kept[-1] != n - 1:  # the final state must show: it takes the last slot
        if len(kept) > 1:
            kept[-1] = n - 1
        else:
            kept.append(n - 1)
            slots.append(starts[n - 1])
    ends = [*slots[1:], _ticks(sum(durations_ms))]
    spans = [10 * (b - a) for a, b in zip(slots, ends, strict=True)]
    return kept, gif_delays(spans)
