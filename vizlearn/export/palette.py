"""One fixed palette for a whole animation, and fast mapping of frames onto it.

Charts have few exact colours (background, text, grid, line colours) plus
antialiasing shades. `build_palette` keeps the most frequent colours of a few
reference frames exactly and fills the remaining slots with an octree
quantization of the other pixels (Pillow's fast octree: on a matplotlib chart
its worst error on the shades was 12-19 per channel, median cut's 35, at the
same mean error). `Palette.index` maps an RGBA frame to palette
indices through a 16 MiB lookup table over all 2**24 RGB colours, so every
palette colour maps to itself exactly and any other colour to a near one.

Why a full 24-bit table: the obvious alternative, Pillow's
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
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = ["Palette", "build_palette", "pack_rgb"]

MAX_COLORS = 255  # one index is left for transparency
N_EXACT = 128  # most frequent colours always kept exactly
ALPHA_THRESHOLD = 128  # GIF has 1-bit alpha: below this a pixel is transparent
_SAMPLE = 1 << 18  # pixels given to the quantizer at most
_CHUNK = 1 << 15  # cube cells per distance block, bounds temporary memory


@dataclass(frozen=True)
class Palette:
    """A palette of at most 255 colours and its RGB -> index lookup table."""

    colors: NDArray[np.uint8]
    """Palette colours, shape (n_colors, 3), most frequent first."""
    lut: NDArray[np.uint8]
    """Index of the nearest colour for every packed RGB key, shape (2**24,)."""

    @property
    def transparent_index(self) -> int:
        """Index right after the colours, reserved for transparent pixels."""
        return len(self.colors)

    def index(
        self, frame: NDArray[np.uint8], *, transparent: bool
    ) -> NDArray[np.uint8]:
        """Map an RGB(A) frame of shape (H, W, 3|4) to indices of shape (H, W).

        With ``transparent``, pixels whose alpha is below 128 get
        `transparent_index`; otherwise alpha is ignored.
        """
        packed = pack_rgb(frame)
        out = self.lut[packed & 0xFFFFFF]
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
    uint32; mask with ``0xFFFFFF`` to drop alpha.
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
    frames: Sequence[NDArray[np.uint8]], *, transparent: bool = False
) -> Palette:
    """Build the palette that keeps the colours of ``frames`` as exact as possible.

    Parameters
    ----------
    frames
        Reference frames, each of shape (H, W, 3|4) uint8, e.g. the first and
        the last frame of an animation.
    transparent
        Ignore pixels with alpha below 128 (they become the transparent index).

    Returns
    -------
    Palette
        If the frames hold at most 255 colours, all of them exactly. Otherwise
        the 128 most frequent colours exactly and up to 127 octree colours for
        the rest.
    """
    keys, counts = _color_counts(frames, transparent=transparent)
    order = np.argsort(-counts, kind="stable")  # ties stay in key order
    keys, counts = keys[order], counts[order]
    if len(keys) <= MAX_COLORS:
        colors = unpack_rgb(keys)
    else:
        exact = unpack_rgb(keys[:N_EXACT])
        fill = _quantize(keys[N_EXACT:], counts[N_EXACT:], MAX_COLORS - N_EXACT)
        colors = _append_new(exact, fill)
    if len(colors) == 0:  # fully transparent reference frames
        colors = np.zeros((1, 3), np.uint8)
    lut = _build_lut(colors)
    lut[keys] = _nearest(unpack_rgb(keys), colors)  # exact nearest for known colours
    return Palette(colors=colors, lut=lut)


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


def _nearest(
    colors: NDArray[np.generic], palette: NDArray[np.uint8]
) -> NDArray[np.uint8]:
    """Return the index of the nearest palette colour for each colour (n, 3)."""
    pal = palette.astype(np.float32)
    pal_sq = (pal**2).sum(axis=1)
    out = np.empty(len(colors), np.uint8)
    for start in range(0, len(colors), _CHUNK):
        block = colors[start : start + _CHUNK].astype(np.float32)
        # |c - p|^2 = |c|^2 - 2 c.p + |p|^2; |c|^2 does not change the argmin
        dist = pal_sq[None, :] - 2.0 * block @ pal.T
        out[start : start + _CHUNK] = np.argmin(dist, axis=1)
    return out


def _build_lut(palette: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Nearest palette index for every packed RGB key, via the 6-bit cube."""
    levels = np.arange(64, dtype=np.float32) * 4 + 1.5  # cell centres
    b, g, r = np.meshgrid(levels, levels, levels, indexing="ij")
    cells = np.stack([r.ravel(), g.ravel(), b.ravel()], axis=1)
    cube = _nearest(cells, palette).reshape(64, 64, 64)  # axes (b, g, r)
    for axis in range(3):
        cube = np.repeat(cube, 4, axis=axis)
    lut = cube.reshape(-1)  # index b << 16 | g << 8 | r == packed key
    lut[pack_rgb(palette[None]).ravel()] = np.arange(len(palette))  # exact
    return lut
