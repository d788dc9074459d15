"""The Python API the CLI is a shell over: train, animate, plot, save."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from vizlearn.lessons import KINDS, get_lesson
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["train", "animate", "plot", "save", "provenance"]


def train(
    lesson: str = "sin-regression",
    *,
    on_step: Callable[[int], Any] | None = None,
    allow_large: bool = False,
    **options: Any,
) -> Trace:
    """Run a lesson with ``options`` overriding its defaults; return the Trace.

    Runs estimated to need more than ``vizlearn.limits.MAX_MEMORY`` are refused
    unless ``allow_large=True``.

    >>> trace = train("sin-regression", lr=0.1, iters=200, frames=5)  # doctest: +SKIP
    """
    info = get_lesson(lesson)
    config = info.config_class()(**options)
    check_budget(info, config, allow_large=allow_large)
    return info.load().run(config, on_step=on_step)


def check_budget(info, config, *, allow_large: bool = False) -> None:
    """Refuse a run whose memory estimate is beyond the limit (LimitError)."""
    from vizlearn.limits import check_memory

    estimate = getattr(info.load(), "estimate_bytes", None)
    if estimate is not None:
        check_memory(estimate(config), f"this {info.name} run", allow_large=allow_large)


def animate(
    trace: Trace,
    *,
    style: Style | None = None,
    fps: float = 10.0,
    hold_first_ms: int = 0,
    hold_last_ms: int = 2000,
    loop: int = 0,
):
    """An Animation of the regression curve over training; ``.save("x.gif")``."""
    from vizlearn.export.animation import Animation
    from vizlearn.render.regression import frames_regression

    source = frames_regression(trace, style=style or Style())
    return Animation(
        source,
        fps=fps,
        hold_first_ms=hold_first_ms,
        hold_last_ms=hold_last_ms,
        loop=loop,
        provenance=provenance(trace),
    )


def plot(
    trace: Trace,
    kind: str = "fit",
    *,
    style: Style | None = None,
    frame: int = -1,
    log: bool = False,
):
    """A still Figure of ``kind``: regression, fit, loss or params."""
    from vizlearn.render.curves import plot_loss
    from vizlearn.render.params import plot_params
    from vizlearn.render.regression import plot_fit, plot_regression

    style = style or Style()
    if kind == "regression":
        _check_frame(trace, frame)
        return plot_regression(trace, frame=frame, style=style)
    if kind == "fit":
        return plot_fit(trace, style=style)
    if kind == "loss":
        return plot_loss(trace, log=log, style=style)
    if kind == "params":
        return plot_params(trace, style=style)
    raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")


def _check_frame(trace: Trace, frame: int) -> None:
    n = trace.n_records
    if not -n <= frame < n:
        raise ValueError(f"--frame must be between {-n} and {n - 1}, got {frame}")


def save(
    obj: Any,
    path: str | Path,
    *,
    provenance: Mapping[str, Any] | None = None,
    on_frame: Callable[[int], Any] | None = None,
) -> Path:
    """Save a Figure (png/svg/pdf) or an Animation (gif/webp/png) to ``path``."""
    from matplotlib.figure import Figure

    from vizlearn.export.still import save_figure

    if isinstance(obj, Figure):
        return save_figure(obj, path, provenance=provenance)
    return obj.save(path, on_frame=on_frame)


def provenance(trace: Trace) -> dict[str, Any]:
    """Where a file came from: lesson, config, seed, versions (no paths, no dates)."""
    keys = ("lesson", "config", "seed", "vizlearn", "format_version", "diverged_at")
    return {k: trace.meta[k] for k in keys if k in trace.meta}
