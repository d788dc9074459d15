"""GIF, frame by frame: one global palette, each frame only the pixels that changed.

`GifEncoder.encode` turns one RGBA frame into a complete GIF frame record
(graphic control extension, image descriptor, LZW data). It compares the frame
with the previous one only inside the boxes the renderer says may have changed
(`vizlearn.render.frames.Blit`), maps only the changed pixels to the palette,
and stores the smallest rectangle holding them, unchanged pixels transparent.
So a worker process that knows the previous frame can encode its share of an
animation on its own, and the bytes do not depend on who encoded what.

Pillow does the LZW coding (``GifImagePlugin.getdata``). Measured on the
sin-regression frames at 1200x900 (``benchmarks/bench_sin_gif.py --profile``)
it takes about 5 ms per frame; a pure-Python LZW that may also use the known
colour of an unchanged pixel (instead of the transparent index) to lengthen
matches saved only 1-2 % of the bytes, so Pillow stays.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from PIL import GifImagePlugin, Image

from vizlearn.export.palette import ALPHA_THRESHOLD, Palette, pack_rgb

__all__ = [
    "GifEncoder",
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


class GifEncoder:
    """Encode frames as GIF frame records against the previous frame.

    Parameters
    ----------
    palette
        The animation's global palette.
    durations_ms
        Display time of the frame at each position.
    transparent
        Alpha below 128 becomes transparent; each frame is then stored whole
        (its non-transparent box) with disposal 2, so old frames never show.
    """

    def __init__(
        self, palette: Palette, durations_ms: Sequence[int], *, transparent: bool
    ) -> None:
        self.palette, self.durations = palette, durations_ms
        self.transparent = transparent
        self.keys: NDArray[np.uint32] | None = None  # previous frame, packed RGBA
        self.indices: NDArray[np.uint8] | None = None  # previous frame, palette

    def encode(
        self, pixels: NDArray[np.uint8], boxes: Boxes | None, position: int
    ) -> bytes:
        """Return the GIF frame record of ``pixels`` shown at ``position``.

        ``boxes`` (x0, y0, x1, y1 rows) bound where ``pixels`` may differ from
        the previous frame given to this encoder; None means anywhere.
        """
        clear = self.palette.transparent_index
        keys = pack_rgb(pixels)
        if pixels.shape[2] == 3:  # no alpha: opaque
            keys |= np.uint32(0xFF000000)
        changed = self._update(keys, boxes)
        if self.transparent:
            tile, offset = _crop(self.indices, self.indices != clear, clear)
            disposal = 2
        elif changed is None:  # the first frame: all of it
            tile, offset, disposal = self.indices, (0, 0), 1
        else:
            tile, offset = _scatter(*changed, clear)
            disposal = 1
        delay = gif_delay(self.durations[position])
        return _frame_record(tile, offset, delay, disposal, clear)

    def _update(
        self, keys: NDArray[np.uint32], boxes: Boxes | None
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.uint8]] | None:
        """Take in a frame; return (rows, cols, indices) of changed pixels."""
        if self.keys is None or self.indices is None:
            self.keys = keys.copy()
            self.indices = self._lookup(self.keys)
            return None
        x0, y0, x1, y1 = _hull(boxes, keys.shape)
        new, old = keys[y0:y1, x0:x1], self.keys[y0:y1, x0:x1]
        rows, cols = np.nonzero(new != old)
        values = self._lookup(new[rows, cols])
        old[...] = new
        rows += y0
        cols += x0
        real = values != self.indices[rows, cols]  # a new shade, same palette entry
        rows, cols, values = rows[real], cols[real], values[real]
        self.indices[rows, cols] = values
        return rows, cols, values

    def _lookup(self, keys: NDArray[np.uint32]) -> NDArray[np.uint8]:
        """Palette indices of packed RGBA keys (transparent where alpha < 128)."""
        out = self.palette.lookup(keys & 0xFFFFFF)
        if self.transparent:
            out[(keys >> 24) < ALPHA_THRESHOLD] = self.palette.transparent_index
        return out


def _hull(boxes: Boxes | None, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The rectangle that holds all ``boxes`` (the whole frame for None)."""
    if boxes is None:
        return 0, 0, shape[1], shape[0]
    if len(boxes) == 0:
        return 0, 0, 0, 0
    x0, y0 = boxes[:, :2].min(axis=0).tolist()
    x1, y1 = boxes[:, 2:].max(axis=0).tolist()
    return x0, y0, x1, y1


def _scatter(
    rows: NDArray[np.intp],
    cols: NDArray[np.intp],
    values: NDArray[np.uint8],
    clear: int,
) -> tuple[NDArray[np.uint8], tuple[int, int]]:
    """The smallest tile holding the changed pixels, the rest transparent."""
    if len(rows) == 0:  # nothing changed: a 1x1 transparent frame keeps the count
        return np.full((1, 1), clear, np.uint8), (0, 0)
    y0, x0 = int(rows.min()), int(cols.min())
    tile = np.full(
        (int(rows.max()) + 1 - y0, int(cols.max()) + 1 - x0), clear, np.uint8
    )
    tile[rows - y0, cols - x0] = values
    return tile, (x0, y0)


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


def _frame_record(
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
