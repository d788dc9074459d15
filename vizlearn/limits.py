"""Refuse absurd requests up front, with the estimate and the limit.

The limits are documented in README and can be lifted with ``--allow-large``
(``allow_large=True`` in Python); a few hard limits (what Agg can draw at all)
stay. Every ``check_*`` raises `LimitError` with one line: what was asked, the
estimate (memory or time), the limit and the hint. The ``*_bytes``, ``*_size``
and ``*_frames`` functions only estimate, for callers that add things up.
Base layer: nothing from vizlearn is imported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = [
    "LimitError",
    "MAX_FRAMES",
    "MAX_PIXELS",
    "MAX_MEMORY",
    "MAX_SECONDS",
    "HARD_MAX_SIDE",
    "BYTES_PER_ITERATION",
    "TRACE_LOAD_FACTOR",
    "check_animation",
    "check_filmstrip",
    "check_iterations",
    "check_memory",
    "check_repeats",
    "check_time",
    "check_video_frames",
    "check_workers",
    "filmstrip_size",
    "size_text",
    "video_frames",
]

MAX_FRAMES = 2_000
MAX_PIXELS = 25_000_000  # 25 MP, e.g. 5000 x 5000
MAX_MEMORY = 4 * 2**30  # 4 GiB
MAX_SECONDS = 600  # 10 minutes of work for one command
HARD_MAX_SIDE = 32_768  # Agg cannot draw larger images
_SECONDS_PER_MEGAPIXEL_FRAME = 0.012  # measured on the sin-regression animation
#: Memory a training loop keeps per iteration until the trace is frozen (the
#: loss and step as Python objects in the Recorder, plus the classification
#: lessons' per-iteration bookkeeping); measured by issue 13 at ~440 bytes.
BYTES_PER_ITERATION = 440
#: Peak memory of loading a trace, as a multiple of the bytes its arrays
#: declare: the arrays read, then the Trace's own read-only copies, plus what
#: rendering derives (measured 2.1x: 800 MB of params peaked at 1.69 GB).
TRACE_LOAD_FACTOR = 2.5
_HINT = "(--allow-large lifts it)"


class LimitError(ValueError):
    """A request would need more memory or time than the limits allow."""


def size_text(n_bytes: float) -> str:
    """1536 -> '1.5 KB' (binary units, one decimal)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes < 1024 or unit == "TB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    raise AssertionError  # pragma: no cover


_size = size_text  # the old private name


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:,.0f} days"


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


def check_time(seconds: float, what: str, *, allow_large: bool = False) -> None:
    """Raise LimitError if ``what`` is estimated to take more than MAX_SECONDS."""
    if seconds > MAX_SECONDS and not allow_large:
        raise LimitError(
            f"{what} would take about {_duration(seconds)}; the limit is "
            f"{_duration(MAX_SECONDS)} {_HINT}"
        )


# ---- filmstrips ---------------------------------------------------------------


def filmstrip_size(
    width: int, height: int, n_frames: int, *, columns: int | None = None, gap: int = 8
) -> tuple[int, int]:
    """(width, height) of the contact sheet `export.filmstrip.tile_frames` builds."""
    n = max(1, n_frames)
    columns = columns or (n if n <= 4 else math.ceil(math.sqrt(n)))
    rows = math.ceil(n / columns)
    return columns * width + (columns - 1) * gap, rows * height + (rows - 1) * gap


def check_filmstrip(
    width: int,
    height: int,
    n_frames: int,
    *,
    columns: int | None = None,
    gap: int = 8,
    allow_large: bool = False,
) -> None:
    """Raise LimitError if a filmstrip sheet is beyond the pixel limits.

    The frames are held as RGBA next to the sheet, so memory is about twice
    the sheet's 4 bytes per pixel.
    """
    sheet_w, sheet_h = filmstrip_size(width, height, n_frames, columns=columns, gap=gap)
    what = f"a filmstrip of {n_frames} frames of {width}x{height} px"
    if max(sheet_w, sheet_h) > HARD_MAX_SIDE:
        raise LimitError(
            f"{what} is {sheet_w}x{sheet_h} px: a side over {HARD_MAX_SIDE} px "
            "cannot be written (a hard limit); choose fewer frames or --columns"
        )
    pixels = sheet_w * sheet_h
    if pixels > MAX_PIXELS and not allow_large:
        raise LimitError(
            f"{what} is a {pixels / 1e6:.0f}-megapixel sheet ({sheet_w}x{sheet_h}, "
            f"about {_size(2 * 4 * pixels)} of memory); the limit is "
            f"{MAX_PIXELS / 1e6:.0f} megapixels {_HINT}"
        )


# ---- video holds ----------------------------------------------------------------


def video_frames(durations_ms: Iterable[float], fps: float) -> int:
    """Frames an MP4 at ``fps`` encodes: holds repeat frames (as `video.repeats`)."""
    shown, elapsed = 0, 0.0
    for ms in durations_ms:
        elapsed += ms * fps / 1000
        shown += max(1, round(elapsed) - shown)
    return shown


def check_video_frames(
    durations_ms: Iterable[float],
    fps: float,
    width: int,
    height: int,
    *,
    allow_large: bool = False,
) -> None:
    """Raise LimitError if holds expand an MP4 past MAX_FRAMES encoded frames."""
    durations = list(durations_ms)
    n = video_frames(durations, fps)
    if n > MAX_FRAMES and not allow_large:
        seconds = n * width * height / 1e6 * _SECONDS_PER_MEGAPIXEL_FRAME
        raise LimitError(
            f"the holds make the MP4 {n} frames at {fps:g} fps ({len(durations)} "
            f"drawn, {sum(durations) / 1000:.0f} s long; about {_duration(seconds)} "
            f"to encode); the limit is {MAX_FRAMES} frames {_HINT}"
        )


# ---- training and timing -------------------------------------------------------


def check_iterations(
    iters: int,
    *,
    bytes_per_iteration: float = BYTES_PER_ITERATION,
    seconds_per_iteration: float = 0.0,
    option: str = "--iters",
    allow_large: bool = False,
) -> None:
    """Raise LimitError if ``iters`` iterations grow the trace or take too long."""
    check_memory(
        iters * bytes_per_iteration,
        f"{option} {iters} (about {bytes_per_iteration:.0f} bytes kept per iteration)",
        allow_large=allow_large,
    )
    check_time(
        iters * seconds_per_iteration, f"{option} {iters}", allow_large=allow_large
    )


def check_repeats(
    count: int,
    seconds_each: float,
    option: str,
    *,
    bytes_each: float = 0.0,
    allow_large: bool = False,
) -> None:
    """Raise LimitError if ``count`` repetitions (warm-up, timing) are too many.

    E.g. ``check_repeats(warmup, 1e-3, "--warmup", bytes_each=440)``.
    """
    check_memory(count * bytes_each, f"{option} {count}", allow_large=allow_large)
    check_time(count * seconds_each, f"{option} {count}", allow_large=allow_large)


def check_workers(
    jobs: int,
    bytes_per_worker: float,
    *,
    base_bytes: float = 0.0,
    allow_large: bool = False,
) -> None:
    """Raise LimitError if ``jobs`` worker processes together need too much memory."""
    check_memory(
        base_bytes + jobs * bytes_per_worker,
        f"--jobs {jobs} (about {_size(bytes_per_worker)} per worker)",
        allow_large=allow_large,
    )
