"""The Python API the CLI is a shell over: train, animate, plot, save."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vizlearn.lessons import KINDS, get_lesson
from vizlearn.style import Style
from vizlearn.trace import Trace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["train", "animate", "plot", "save", "provenance", "Still", "PLOT_KINDS"]

# kinds vl.plot draws beyond the regression ones (any trace with metrics / a loss)
PLOT_KINDS = ("metrics", "accuracy")


@dataclass
class Still:
    """A Figure and where it came from: ``.save(path)``, shown inline in Jupyter.

    Attribute access falls through to the Figure (``still.axes``), and
    ``still.figure`` is the matplotlib Figure itself.
    """

    figure: Figure
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def save(self, path: str | Path) -> Path:
        """Write PNG, SVG or PDF (from the extension), deterministically."""
        from vizlearn.export.still import save_figure

        return save_figure(self.figure, path, provenance=self.provenance)

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.figure.savefig(
            buf, format="png", backend="agg", metadata={"Software": None}
        )
        return buf.getvalue()

    def __getattr__(self, name: str) -> Any:
        if name == "figure":  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.figure, name)


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


# lesson (trace.meta["lesson"]) -> the renderer that animates its traces;
# any other trace with a regression curve uses frames_regression.
_ANIMATORS = {
    "mnist": "vizlearn.render.classification:frames_training",
    "boundary": "vizlearn.render.boundary:frames_boundary",
    "optimizers": "vizlearn.render.optimizers:frames_optimizers",
    "vanishing-gradients": "vizlearn.render.histograms:frames_vanishing",
}


def animate(
    trace: Trace,
    *,
    style: Style | None = None,
    fps: float = 10.0,
    hold_first_ms: int = 0,
    hold_last_ms: int = 2000,
    loop: int = 0,
):
    """An Animation of a trace over training (the lesson's own renderer).

    ``.save("x.gif")`` writes it; in Jupyter it displays inline.
    """
    from vizlearn.export.animation import Animation

    source = frames_for(trace, style=style or Style())
    return Animation(
        source,
        fps=fps,
        hold_first_ms=hold_first_ms,
        hold_last_ms=hold_last_ms,
        loop=loop,
        provenance=provenance(trace),
    )


def frames_for(trace: Trace, *, style: Style):
    """The FrameSource that animates ``trace``, chosen by the lesson that made it."""
    import importlib

    target = _ANIMATORS.get(str(trace.meta.get("lesson")))
    if target is None:
        from vizlearn.render.regression import frames_regression

        _require(
            trace, "animate", outputs=("curve", "fit", "loss"), data=("x", "t", "grid")
        )
        return frames_regression(trace, style=style)
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(trace, style=style)


def plot(
    trace: Trace,
    kind: str = "fit",
    *,
    style: Style | None = None,
    frame: int = -1,
    log: bool = False,
):
    """A Still of ``kind``: regression, fit, loss, params, metrics or accuracy.

    ``.save("x.png")`` writes it; ``.figure`` is the matplotlib Figure.
    """
    return Still(_figure(trace, kind, style or Style(), frame, log), provenance(trace))


def _figure(trace: Trace, kind: str, style: Style, frame: int, log: bool) -> Figure:
    from vizlearn.render.curves import plot_loss
    from vizlearn.render.metrics_chart import plot_metrics
    from vizlearn.render.params import plot_params
    from vizlearn.render.regression import plot_fit, plot_regression

    per_epoch = trace.meta.get("step_unit") == "epoch"  # e.g. an imported Keras log
    if kind == "metrics" or (kind == "loss" and per_epoch):
        names = ["loss"] if kind == "loss" else None
        return plot_metrics(trace, names=names, log=log, style=style)
    if kind == "accuracy":
        return plot_metrics(trace, names=["accuracy"], style=style)
    if kind in ("regression", "fit"):
        _require(trace, kind, outputs=("curve", "fit"), data=("x", "t", "grid"))
    if kind == "regression":
        _check_frame(trace, frame)
        return plot_regression(trace, frame=frame, style=style)
    if kind == "fit":
        return plot_fit(trace, style=style)
    if kind == "loss":
        return plot_loss(trace, log=log, style=style)
    if kind == "params":
        _require(trace, kind)
        return plot_params(trace, style=style)
    kinds = ", ".join([*KINDS, *PLOT_KINDS])
    raise ValueError(f"unknown kind {kind!r}; choose from {kinds}")


def _require(
    trace: Trace,
    what: str,
    *,
    outputs: tuple[str, ...] = (),
    data: tuple[str, ...] = (),
) -> None:
    """Raise ValueError naming what a figure needs that the trace didn't record."""
    missing = [f"outputs {k!r}" for k in outputs if k not in trace.outputs]
    missing += [f"data {k!r}" for k in data if k not in trace.data]
    if what == "params" and not trace.params:
        missing.append("params (rec.record(step, params={...}))")
    if missing:
        raise ValueError(
            f"{what} needs {', '.join(missing)}, which this trace "
            "did not record; try kind 'loss' or 'metrics'"
        )


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
    """Save a Still/Figure (png, svg, pdf) or an Animation (gif, webp, png)."""
    from matplotlib.figure import Figure

    from vizlearn.export.still import save_figure

    if isinstance(obj, Still):
        obj, provenance = (
            obj.figure,
            obj.provenance if provenance is None else provenance,
        )
    if isinstance(obj, Figure):
        return save_figure(obj, path, provenance=provenance)
    return obj.save(path, on_frame=on_frame)


def provenance(trace: Trace) -> dict[str, Any]:
    """Where a file came from: lesson, config, seed, versions (no paths, no dates)."""
    keys = ("lesson", "config", "seed", "vizlearn", "format_version", "diverged_at")
    return {k: trace.meta[k] for k in keys if k in trace.meta}
