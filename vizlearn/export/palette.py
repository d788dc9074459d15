"""One fixed palette for a whole animation, and fast mapping of frames onto it.

Charts have few exact colours (background, text, grid, line colours) plus
antialiasing shades. `build_palette` keeps the most frequent colours of a few
reference frames exactly and fills the remaining slots with an octree
quantization of the other pixels (Pillow's fast octree: on a matplotlib chart
its worst error on the shades was 12-19 per channel, median cut's 35, at the
same mean error). Below 64 colours the frequent half may miss a thin line's
colour (a 15-colour sin-regression GIF drew the green truth line grey), so
small palettes pick colours of the frames greedily instead, each time the one
with the largest ``count * distance**2`` to those already picked: background
first, then text, grid and each line's colour, then shades. Measured on the
sin-regression animation at 1200x900 (15 / 31 / 63 colours): mean error per
pixel 0.99 / 0.59 / 0.29 -> 0.73 / 0.38 / 0.15, and the GIF 4 / 5 / 0.4 %
smaller. At 127 and 255 colours the greedy choice made the GIF 2-6 % larger,
so there the frequent half and the octree stay.

`Palette.index` maps an RGBA frame to palette
indices through a 16 MiB lookup table over all 2**24 RGB colours, filled
lazily: a colour's exact nearest palette entry is computed the first time the
colour is seen and stored. The table is allocated with ``np.zeros`` (calloc),
so only the pages of colours that occur ever use memory, and building a
palette costs no 0.8 s table fill (the eager 6-bit-cube fill it replaced).

Why a 24-bit table: the obvious alternative, Pillow's
``quantize(palette=..., dither=Dither.NONE)``, caches nearest colours per
6-bit-per-channel cell, so two palette colours that share a cell (white and a
near-white antialiasing shade) can collapse into one. It is also slower: on a
1200x900 chart frame (``python benchmarks/bench_gif_encoder.py --mapping``) the
table lookup takes 2.5 ms and Pillow's quantize 5.1 ms (with the RGBA -> RGB
copy it needs), and Pillow maps 96% of the pixels to a different colour than
their own, since white shares its cell with near-white shades.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = [
    "Palette",
    "build_palette",
    "count_colors",
    "merge_counts",
    "pack_rgb",
    "palette_from_counts",
]

MAX_COLORS = 255  # one index is left for transparency
N_EXACT = 128  # most frequent colours always kept exactly (half the palette)
ALPHA_THRESHOLD = 128  # GIF has 1-bit alpha: below this a pixel is transparent
SMALL = 64  # palettes below this many colours are picked by `_spread`
_SAMPLE = 1 << 18  # pixels given to the quantizer at most
_CANDIDATES = 1 << 16  # most frequent colours `_spread` considers
_CHUNK = 4096  # colours per distance block, bounds temporary memory (8 MiB)


@dataclass(frozen=True)
class Palette:
    """A palette of at most 255 colours and its lazily filled RGB -> index table."""

    colors: NDArray[np.uint8]
    """Palette colours, shape (n_colors, 3), most frequent first."""
    lut: NDArray[np.uint8] = field(init=False, repr=False, compare=False)
    """1 + index of the nearest colour per packed RGB key (0: not computed yet)."""

    def __post_init__(self) -> None:
        """Allocate the (lazily filled) table; palette colours map to themselves."""
        object.__setattr__(self, "lut", np.zeros(1 << 24, np.uint8))
        keys = pack_rgb(self.colors[None]).ravel()
        self.lut[keys[::-1]] = np.arange(len(keys), 0, -1)  # duplicates: first wins

    @property
    def transparent_index(self) -> int:
        """Index right after the colours, reserved for transparent pixels."""
        return len(self.colors)

    def lookup(self, keys: NDArray[np.uint32]) -> NDArray[np.uint8]:
        """Map packed RGB keys (any shape, no alpha bits) to palette indices."""
        out = self.lut[keys]
        missing = out == 0
        if missing.any():
            new = np.unique(keys[missing])
            self.lut[new] = _nearest(unpack_rgb(new), self.colors) + 1
            out[missing] = self.lut[keys[missing]]
        out -= 1
        return out

    def index(
        self, frame: NDArray[np.uint8], *, transparent: bool
    ) -> NDArray[np.uint8]:
        """Map an RGB(A) frame of shape (H, W, 3|4) to indices of shape (H, W).

        With ``transparent``, pixels whose alpha is below 128 get
        `transparent_index`; otherwise alpha is ignored.
        """
        out = self.lookup(pack_rgb(frame) & 0xFFFFFF)
        if transparent and frame.shape[2] == 4:
            out[frame[..., 3] < ALPHA_THRESHOLD] = self.transparent_index
        return out

    def to_bytes(self) -> bytes:
        """Return the GIF colour table: colours, transparent slot, zero padding."""
        n_entries = max(2, 1 << len(self.colors).bit_length())  # power of two > n
        table = np.zeros((n_entries, 3), np.uint8)
        table[: len(self.colors)] = self.colors
        return table.tobytes()


def pack_rgb(frame: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """Pack an (H, W, 3|4) uint8 frame into keys ``r | g << 8 | b << 16 (| a << 24)``.

    For RGBA frames this is a zero-copy view of the buffer as little-endian
    uint32 (when the frame is contiguous); mask with ``0xFFFFFF`` to drop alpha.
    """
    if frame.ndim != 3 or frame.shape[2] not in (3, 4) or frame.dtype != np.uint8:
        got = f"{frame.dtype} {frame.shape}"
        raise ValueError(f"expected a uint8 array of shape (H, W, 3|4), got {got}")
    if frame.shape[2] == 4:
        return np.ascontiguousarray(frame).view("<u4")[..., 0]
    rgb = frame.astype(np.uint32)
    return rgb[..., 0] | rgb[..., 1] << 8 | rgb[..., 2] << 16


def unpack_rgb(keys: NDArray[np.uint32]) -> NDArray[np.uint8]:
    """Turn packed keys of shape (n,) back into colours of shape (n, 3)."""
    return np.stack([keys & 0xFF, keys >> 8 & 0xFF, keys >> 16 & 0xFF], axis=1).astype(
        np.uint8
    )


def build_palette(
    frames: Sequence[NDArray[np.uint8]],
    *,
    transparent: bool = False,
    max_colors: int = MAX_COLORS,
) -> Palette:
    """Build the palette that keeps the colours of ``frames`` as exact as possible.

    Parameters
    ----------
    frames
        Reference frames, each of shape (H, W, 3|4) uint8, e.g. the first and
        the last frame of an animation.
    transparent
        Ignore pixels with alpha below 128 (they become the transparent index).
    max_colors
        At most this many colours (2..255); fewer make smaller GIFs.

    Returns
    -------
    Palette
        If the frames hold at most ``max_colors`` colours, all of them exactly.
        Otherwise the most frequent half exactly and octree colours for the
        rest; below 64 colours, colours of the frames spread out greedily.
    """
    keys, counts = _color_counts(frames, transparent=transparent)
    return palette_from_counts(keys, counts, max_colors=max_colors)


def palette_from_counts(
    keys: NDArray[np.uint32],
    counts: NDArray[np.int64],
    *,
    max_colors: int = MAX_COLORS,
) -> Palette:
    """The palette for colours (packed RGB keys) seen ``counts`` times each.

    All of them exactly if there are at most ``max_colors``; otherwise the
    most frequent half exactly and octree colours for the rest (below 64
    colours: spread out greedily). Deterministic: ties go to the lower key.
    """
    if not 2 <= max_colors <= MAX_COLORS:
        raise ValueError(f"max_colors must be in 2..{MAX_COLORS}, got {max_colors}")
    order = np.lexsort((keys, -counts))  # most frequent first, then by key
    keys, counts = keys[order], counts[order]
    if len(keys) <= max_colors:
        colors = unpack_rgb(keys)
    elif max_colors < SMALL:
        colors = unpack_rgb(_spread(keys, counts, max_colors))
    else:
        n_exact = min(N_EXACT, max_colors // 2)
        exact = unpack_rgb(keys[:n_exact])
        fill = _quantize(keys[n_exact:], counts[n_exact:], max_colors - n_exact)
        colors = _append_new(exact, fill)
    if len(colors) == 0:  # fully transparent reference frames
        colors = np.zeros((1, 3), np.uint8)
    return Palette(colors=colors)


def count_colors(
    keys: NDArray[np.uint32],
    weights: NDArray[np.integer] | None = None,
    *,
    transparent: bool,
) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """Distinct RGB keys among packed RGBA ``keys`` and their (weighted) counts.

    With ``transparent``, keys whose alpha is below 128 are left out.
    """
    if weights is not None:
        weights = np.broadcast_to(weights, keys.shape).ravel()
    keys = keys.ravel()
    if transparent:
        opaque = (keys >> 24) >= ALPHA_THRESHOLD
        keys = keys[opaque]
        weights = None if weights is None else weights[opaque]
    if weights is None:
        unique, counts = np.unique(keys & 0xFFFFFF, return_counts=True)
    else:
        unique, inverse = np.unique(keys & 0xFFFFFF, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights, minlength=len(unique))
    return unique.astype(np.uint32), counts.astype(np.int64)


def merge_counts(
    parts: Sequence[tuple[NDArray[np.uint32], NDArray[np.int64]]],
) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """Add up (keys, counts) pairs: the same totals in any order."""
    if not parts:
        return np.zeros(0, np.uint32), np.zeros(0, np.int64)
    keys = np.concatenate([k for k, _ in parts])
    counts = np.concatenate([c for _, c in parts])
    unique, inverse = np.unique(keys, return_inverse=True)
    totals = np.bincount(inverse.ravel(), counts, minlength=len(unique))
    return unique.astype(np.uint32), totals.astype(np.int64)


def _color_counts(
    frames: Sequence[NDArray[np.uint8]], *, transparent: bool
) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """Return the distinct packed RGB keys of ``frames`` and their pixel counts."""
    parts = []
    for frame in frames:
        packed = pack_rgb(frame).ravel()
        if transparent and frame.shape[2] == 4:
            packed = packed[frame[..., 3].ravel() >= ALPHA_THRESHOLD]
        parts.append(packed & 0xFFFFFF)
    if not parts:
        raise ValueError("need at least one palette frame")
    keys, counts = np.unique(np.concatenate(parts), return_counts=True)
    return keys.astype(np.uint32), counts.astype(np.int64)


def _quantize(
    keys: NDArray[np.uint32], counts: NDArray[np.int64], n_colors: int
) -> NDArray[np.uint8]:
    """Quantize colours weighted by their counts to at most ``n_colors`` colours."""
    pixels = np.repeat(keys, counts)
    if len(pixels) > _SAMPLE:  # deterministic subsample keeps the weights
        pixels = pixels[:: -(-len(pixels) // _SAMPLE)]
    strip = Image.fromarray(unpack_rgb(pixels)[None, :, :], "RGB")
    quantized = strip.quantize(n_colors, method=Image.Quantize.FASTOCTREE)
    n_used = len(quantized.getcolors(n_colors) or [])
    palette = np.array(quantized.getpalette()[: 3 * n_used], np.uint8)
    return palette.reshape(-1, 3)


def _append_new(base: NDArray[np.uint8], extra: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Append the colours of ``extra`` that are not already in ``base``."""
    known = set(map(tuple, base.tolist()))
    new = [c for c in extra.tolist() if tuple(c) not in known]
    unique = list(dict.fromkeys(map(tuple, new)))
    if not unique:
        return base
    return np.concatenate([base, np.array(unique, np.uint8)])


def _spread(
    keys: NDArray[np.uint32], counts: NDArray[np.int64], n_colors: int
) -> NDArray[np.uint32]:
    """Pick ``n_colors`` keys, greedily maximizing count times squared distance.

    ``keys`` come most frequent first, so the first pick is the most frequent
    colour; integer arithmetic and first-index ties keep it deterministic.
    """
    keys, counts = keys[:_CANDIDATES], counts[:_CANDIDATES]
    colors = unpack_rgb(keys).astype(np.int64)
    nearest = np.full(len(keys), np.iinfo(np.int64).max // (int(counts.max()) + 1))
    picked = []
    for _ in range(n_colors):
        i = int(np.argmax(counts * nearest))
        picked.append(i)
        nearest = np.minimum(nearest, ((colors - colors[i]) ** 2).sum(axis=1))
    return keys[picked]


def _nearest(
    colors: NDArray[np.generic], palette: NDArray[np.uint8]
) -> NDArray[np.uint8]:
    """Index of the nearest palette colour for each colour (n, 3), exactly.

    Integer arithmetic, so the result (ties: the lowest index) is the same on
    every machine and in every worker process.
    """
    pal = palette.astype(np.int64)
    pal_sq = (pal**2).sum(axis=1)
    out = np.empty(len(colors), np.uint8)
    for start in range(0, len(colors), _CHUNK):
        block = colors[start : start + _CHUNK].astype(np.int64)
        # |c - p|^2 = |c|^2 - 2 c.p + |p|^2; |c|^2 does not change the argmin
        dist = pal_sq[None, :] - 2 * (block @ pal.T)
        out[start : start + _CHUNK] = np.argmin(dist, axis=1)
    return out
