"""Refuse absurd requests up front, with the estimate and the limit.

The limits are documented in README and can be lifted with ``--allow-large``
(``allow_large=True`` in Python); a few hard limits (what Agg can draw at all)
stay.
"""

from __future__ import annotations

__all__ = [
    "LimitError",
    "MAX_FRAMES",
    "MAX_PIXELS",
    "MAX_MEMORY",
    "HARD_MAX_SIDE",
    "check_animation",
    "check_memory",
]

MAX_FRAMES = 2_000
MAX_PIXELS = 25_000_000  # 25 MP, e.g. 5000 x 5000
MAX_MEMORY = 4 * 2**30  # 4 GiB
HARD_MAX_SIDE = 32_768  # Agg cannot draw larger images
_SECONDS_PER_MEGAPIXEL_FRAME = 0.012  # measured on the sin-regression animation


class LimitError(ValueError):
    """A request would need more memory or time than the limits allow."""


def _size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes < 1024 or unit == "TB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    raise AssertionError  # pragma: no cover


def check_animation(
    width: int, height: int, n_frames: int, *, allow_large: bool = False
) -> None:
    """Raise LimitError if the figure or the frame count is beyond the limits."""
    if max(width, height) > HARD_MAX_SIDE:
        raise LimitError(
            f"{width}x{height} px: a side over {HARD_MAX_SIDE} px "
            "cannot be drawn at all (a hard limit)"
        )
    pixels = width * height
    if pixels > MAX_PIXELS and not allow_large:
        raise LimitError(
            f"{width}x{height} px needs {_size(pixels * 4)} per frame buffer; the "
            f"limit is {MAX_PIXELS / 1e6:.0f} megapixels (--allow-large lifts it)"
        )
    if n_frames > MAX_FRAMES and not allow_large:
        minutes = n_frames * pixels / 1e6 * _SECONDS_PER_MEGAPIXEL_FRAME / 60
        raise LimitError(
            f"{n_frames} frames would take about {minutes:.0f} min to render; the "
            f"limit is {MAX_FRAMES} frames (--allow-large lifts it)"
        )


def check_memory(n_bytes: float, what: str, *, allow_large: bool = False) -> None:
    """Raise LimitError if ``what`` needs more than MAX_MEMORY bytes."""
    if n_bytes > MAX_MEMORY and not allow_large:
        raise LimitError(
            f"{what} needs about {_size(n_bytes)} of memory; the limit is "
            f"{_size(MAX_MEMORY)} (--allow-large lifts it)"
        )
