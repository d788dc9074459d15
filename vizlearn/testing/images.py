"""Pixels for the snapshot plugin: load, render, compare, and draw a diff.

Imported only when a snapshot fixture is first called, so a pytest session
that never compares an image never imports numpy, matplotlib or Pillow here.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "ANIMATION_SUFFIXES",
    "animation_path",
    "compare_pixels",
    "image_rms",
    "load_rgba",
    "render_still",
    "save_failure_images",
    "to_rgba",
]

ANIMATION_SUFFIXES = (".gif", ".webp", ".apng")


def to_rgba(obj: Any) -> NDArray[np.uint8]:
    """A Figure, image path or RGB(A) array as an RGBA uint8 array (H, W, 4)."""
    return render_still(obj)[0]


def render_still(obj: Any) -> tuple[NDArray, bytes]:
    """Return (RGBA pixels, PNG bytes to store as the baseline) for a still."""
    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image

    if isinstance(getattr(obj, "figure", None), Figure):  # a vizlearn Still
        obj = obj.figure
    if isinstance(obj, Figure):
        buf = io.BytesIO()
        # Agg whatever the backend, the figure's own dpi, no version/date text.
        obj.savefig(
            buf, format="png", backend="agg", dpi="figure", metadata={"Software": None}
        )
        png = buf.getvalue()
        return load_rgba(io.BytesIO(png)), png
    if isinstance(obj, (str, Path)):
        return _png(load_rgba(Path(obj)))
    array = np.asarray(obj)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise TypeError(
            "vl_image_snapshot takes a Figure, an image path or an "
            f"(H, W, 3|4) array, not {type(obj).__name__} {array.shape}"
        )
    if array.dtype != np.uint8:
        if array.dtype.kind != "f" or array.min() < 0 or array.max() > 1:
            raise TypeError("an image array must be uint8, or floats in [0, 1]")
        array = np.round(array * 255).astype(np.uint8)
    return _png(np.asarray(Image.fromarray(array).convert("RGBA")))


def _png(rgba: NDArray) -> tuple[NDArray, bytes]:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format="png")
    return rgba, buf.getvalue()


def load_rgba(source: Path | io.BytesIO) -> NDArray:
    """An image file as RGBA uint8 pixels (H, W, 4)."""
    import numpy as np
    from PIL import Image

    with Image.open(source) as im:
        return np.asarray(im.convert("RGBA"))


def image_rms(expected: NDArray, actual: NDArray) -> float:
    """RMS difference on 0-255 over RGB (RGBA if either has transparency)."""
    import numpy as np

    if expected.shape != actual.shape:
        raise ValueError(f"sizes differ: {expected.shape} vs {actual.shape}")
    opaque = (expected[..., 3] == 255).all() and (actual[..., 3] == 255).all()
    channels = slice(0, 3) if opaque else slice(0, 4)
    diff = expected[..., channels].astype(np.float64) - actual[..., channels]
    return float(np.sqrt(np.mean(diff**2)))


def compare_pixels(
    expected: NDArray, actual: NDArray, tol: float
) -> tuple[str | None, float | None]:
    """(None, rms) if equal within ``tol``, else (a one-line difference, rms)."""
    import numpy as np

    if expected.shape != actual.shape:
        (h, w), (h2, w2) = expected.shape[:2], actual.shape[:2]
        return f"size differs: expected {w}x{h} px, got {w2}x{h2} px", None
    rms = image_rms(expected, actual)
    if rms <= tol:
        return None, rms
    n = int(np.any(expected != actual, axis=-1).sum())
    return f"RMS difference {rms:.3f} > tolerance {tol:g} ({n:,} pixels differ)", rms


def save_failure_images(
    stem: Path, expected: NDArray, actual: NDArray
) -> dict[str, Path]:
    """Save ``<stem>-expected/actual/diff.png``; return them by kind."""
    import numpy as np
    from PIL import Image

    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = {
        k: stem.with_name(f"{stem.name}-{k}.png")
        for k in ("expected", "actual", "diff")
    }
    Image.fromarray(expected).save(paths["expected"])
    Image.fromarray(actual).save(paths["actual"])
    if expected.shape != actual.shape:
        del paths["diff"]
        return paths
    # the expected image faded to light grey, differing pixels in red
    grey = expected[..., :3].mean(axis=-1, keepdims=True) * 0.25 + 190
    diff = np.abs(expected.astype(np.int16) - actual).max(axis=-1)
    strength = np.clip(diff * 10, 0, 255)[..., None] / 255
    red = np.array([230.0, 0, 0])
    out = (grey * (1 - strength) + red * strength).astype(np.uint8)
    Image.fromarray(out).save(paths["diff"])
    return paths


def animation_path(obj: Any, folder: Callable[[], Path], stem: str) -> Path | None:
    """The file to compare if ``obj`` is an animation (saving an Animation first).

    ``folder()`` gives a scratch folder for saving a vizlearn Animation.
    """
    if hasattr(obj, "save") and hasattr(obj, "n_frames"):  # vizlearn Animation
        return Path(obj.save(folder() / f"{stem}.gif"))
    if not isinstance(obj, (str, Path)):
        return None
    path = Path(obj)
    if path.suffix.lower() in ANIMATION_SUFFIXES:
        return path
    if path.suffix.lower() == ".png":
        from PIL import Image

        with Image.open(path) as im:
            return path if getattr(im, "n_frames", 1) > 1 else None
    return None
