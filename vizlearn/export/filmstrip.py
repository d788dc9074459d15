"""Contact sheets and poster frames: chosen frames of an animation as one PNG.

A filmstrip lays the chosen frames out left to right in rows of at most
``columns`` (default: all in one row up to 4, else a near-square grid), with a
gap of the theme's grid colour between them, so a blog post can show the
course of training in one image. A poster is a single frame (by default the
last, where training ended) to show where an animation cannot play.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, PngImagePlugin

from vizlearn.export.provenance import provenance_text
from vizlearn.files import atomic_path
from vizlearn.render.frames import FrameSource
from vizlearn.style import is_transparent

__all__ = ["parse_frames", "save_filmstrip", "save_poster", "tile_frames"]

GAP = 8  # pixels between frames


def parse_frames(text: str, n_frames: int) -> list[int]:
    """'0,25,50,-1' -> [0, 25, 50, n_frames - 1]; ValueError naming the range."""
    try:
        frames = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValueError(
            f"{text!r} is not a list of frame numbers like 0,25,50,99"
        ) from None
    if not frames:
        raise ValueError("no frames chosen; give frame numbers like 0,25,50,99")
    for k in frames:
        if not -n_frames <= k < n_frames:
            raise ValueError(f"frame {k} is out of range; frames are 0..{n_frames - 1}")
    return [k % n_frames for k in frames]


def tile_frames(
    frames: Sequence[NDArray[np.uint8]],
    *,
    columns: int | None = None,
    gap: int = GAP,
    fill: Sequence[int] = (255, 255, 255, 255),
) -> NDArray[np.uint8]:
    """Lay equal-size RGBA frames out in a grid with ``gap`` pixels between."""
    n = len(frames)
    columns = columns or (n if n <= 4 else math.ceil(math.sqrt(n)))
    rows = math.ceil(n / columns)
    height, width = frames[0].shape[:2]
    sheet = np.empty(
        (rows * height + (rows - 1) * gap, columns * width + (columns - 1) * gap, 4),
        np.uint8,
    )
    sheet[...] = fill
    for i, frame in enumerate(frames):
        y, x = (i // columns) * (height + gap), (i % columns) * (width + gap)
        sheet[y : y + height, x : x + width] = frame
    return sheet


def save_filmstrip(
    source: FrameSource,
    frames: Sequence[int],
    path: str | Path,
    *,
    columns: int | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> Path:
    """Render ``frames`` of ``source`` and save them side by side as a PNG."""
    style = source.style
    transparent = is_transparent(style.theme)
    fill = (0, 0, 0, 0) if transparent else _rgba(style.colors["grid"])
    rendered = list(source.rgba(sorted(set(frames))))
    by_index = dict(zip(sorted(set(frames)), rendered, strict=True))
    sheet = tile_frames([by_index[k] for k in frames], columns=columns, fill=fill)
    return _save_png(sheet, path, provenance, transparent)


def save_poster(
    source: FrameSource,
    path: str | Path,
    *,
    frame: int = -1,
    provenance: Mapping[str, Any] | None = None,
) -> Path:
    """Save one frame (default the last) of ``source`` as a PNG."""
    (pixels,) = source.rgba([frame % source.n_frames])
    return _save_png(pixels, path, provenance, is_transparent(source.style.theme))


def _save_png(
    pixels: NDArray[np.uint8],
    path: str | Path,
    provenance: Mapping[str, Any] | None,
    transparent: bool,
) -> Path:
    """Write RGBA (or RGB when opaque) pixels as a PNG with a provenance chunk."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"a filmstrip or poster must be .png, not {path.suffix!r}")
    image = Image.fromarray(pixels if transparent else pixels[..., :3].copy())
    info = PngImagePlugin.PngInfo()
    info.add_text("vizlearn", provenance_text(provenance))
    with atomic_path(path) as tmp:
        image.save(tmp, format="PNG", pnginfo=info)
    return path


def _rgba(color: str) -> tuple[int, int, int, int]:
    """'#e5e5e5' -> (229, 229, 229, 255)."""
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(color)
    return round(r * 255), round(g * 255), round(b * 255), round(a * 255)
