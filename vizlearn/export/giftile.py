"""One GIF frame record: the changed rectangle, coded the way that takes fewest bytes.

A later frame of an animation stores the bounding box of the pixels that
changed. Inside it, a pixel that did not change may be written either as the
transparent index (keep what is there) or as its own colour: both show the
same picture, but LZW codes them differently. `frame_record` codes the tile
several ways and keeps the shortest, as ``gifsicle -O3`` does:

- ``"changes"``: every unchanged pixel transparent;
- ``"runs"``: gifsicle's heuristic; a stretch of unchanged pixels keeps its
  colour when it is one run of a single colour (so it merges with the changed
  pixels beside it) and becomes transparent when it holds several colours;
- ``"opaque"``: no transparency at all (tried when most pixels changed).

LZW coding is Pillow's (``Image.tobytes("gif", ...)``), with the smallest
code size the palette allows (Pillow's own GIF writer always uses 8 bits).
Measured on the sin-regression animation at 1200x900 (``python
benchmarks/bench_gif_floor.py``): "runs" wins on most frames; ``gifsicle -O3``
of the GIF keeps every rectangle and every transparent pixel and is 1.2 %
smaller, all of it from its LZW coder (it keeps a full code table while runs
stay long instead of clearing it, as Pillow does): Pillow codes gifsicle's
own tiles to exactly our byte counts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = ["best_tile", "code_size", "lzw", "tile_candidates"]

OPAQUE_TRY = 0.3  # try the tile without transparency above this changed share


def code_size(n_entries: int) -> int:
    """The LZW minimum code size for a colour table of ``n_entries`` (2..8)."""
    return max(2, (max(n_entries, 2) - 1).bit_length())


def lzw(tile: NDArray[np.uint8], bits: int) -> bytes:
    """Pillow's LZW sub-blocks (without the terminator) of a tile of indices."""
    image = Image.fromarray(np.ascontiguousarray(tile), "L")
    return image.tobytes("gif", "L", bits, 0)


def best_tile(
    current: NDArray[np.uint8],
    changed: NDArray[np.intp],
    clear: int,
    bits: int,
) -> bytes:
    """The shortest LZW data among the candidate tiles (ties: the first).

    ``current`` holds the frame's indices in the rectangle and ``changed``
    the raster positions (sorted) of the pixels that differ from what shows.
    """
    best = b""
    for tile in tile_candidates(current, changed, clear):
        data = lzw(tile, bits)
        if not best or len(data) < len(best):
            best = data
    return best


def tile_candidates(
    current: NDArray[np.uint8], changed: NDArray[np.intp], clear: int
) -> list[NDArray[np.uint8]]:
    """The ways to write the rectangle that show the same picture (see above)."""
    flat = current.reshape(-1)
    changes = np.full(flat.size, clear, np.uint8)
    changes[changed] = flat[changed]
    out = [changes.reshape(current.shape)]
    if len(changed) == flat.size:
        return out
    # raster order alternates: gap 0, changed pixel 0, gap 1, ..., gap n (gaps
    # of unchanged pixels may be empty)
    starts, ends = np.r_[0, changed + 1], np.r_[changed, flat.size]
    colour_starts = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    inside = np.searchsorted(colour_starts, ends) - np.searchsorted(
        colour_starts, starts, side="right"
    )
    lengths = np.ones(2 * len(changed) + 1, np.intp)
    lengths[0::2] = ends - starts
    single = np.zeros(lengths.size, bool)
    single[0::2] = (inside == 0) & (ends > starts)  # one colour: keep it
    keep = np.repeat(single, lengths)
    runs = changes.copy()
    runs[keep] = flat[keep]
    out.append(runs.reshape(current.shape))
    if len(changed) > OPAQUE_TRY * flat.size:
        out.append(current)
    return out
