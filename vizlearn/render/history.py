"""Train vs validation accuracy per epoch, drawn the way the Keras tutorial does.

The tutorial plots ``history.history['accuracy']`` and ``['val_accuracy']``
with plain ``plt.plot``: two solid lines (matplotlib's first two colours, blue
and orange), no markers, titled "model accuracy", ``accuracy`` over ``epoch``,
a ``train`` / ``validation`` legend in the upper left. Keras evaluates after
each epoch, never before the first one, so the untrained model's point
(epoch 0 of a vizlearn trace) is left out and epochs count from 1, as Keras
prints them. A sweep gets one such chart per run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import new_figure
from vizlearn.render.notes import with_notes
from vizlearn.render.runs import read_runs
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["METRICS", "draw_history", "plot_history", "plot_history_runs"]

METRICS = ("accuracy", "loss")
MAX_PANELS = 16  # a sweep beyond this reads better overlaid (--kind curves)


def _keys(metric: str) -> tuple[str, str]:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    short = "acc" if metric == "accuracy" else "loss"
    return f"train_{short}", f"test_{short}"


def _after_epochs(steps: NDArray, per_epoch: int) -> tuple[NDArray, NDArray]:
    """Epoch numbers of the evaluations after training started, and their mask."""
    keep = np.asarray(steps) > 0
    return np.asarray(steps)[keep] / max(1, per_epoch), keep


def draw_history(
    ax: Axes,
    epochs: NDArray,
    train: NDArray,
    validation: NDArray,
    *,
    metric: str = "accuracy",
    title: str | None = None,
    style: Style,
) -> list[Artist]:
    """Two solid lines, train (blue) and validation (orange), as Keras' History."""
    blue, orange = style.colors["cycle"][:2]
    (a,) = ax.plot(epochs, train, color=blue, label=style.label("train"))
    (b,) = ax.plot(epochs, validation, color=orange, label=style.label("validation"))
    name = style.label(metric)
    ax.set(xlabel=style.label("epoch"), ylabel=name)
    ax.set_title(
        title if title is not None else style.text("model {m}", "モデルの{m}", m=name)
    )
    legend = ax.legend(loc="upper left")
    if len(epochs) and float(np.max(epochs)) >= 2:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 1.5
    return [a, b, legend]


def plot_history(
    trace: Trace, *, metric: str = "accuracy", style: Style | None = None
) -> Figure:
    """One run's train and validation ``metric`` per epoch (a classifier's trace)."""
    style = style or Style()
    train_key, val_key = _keys(metric)
    missing = [k for k in (train_key, val_key) if k not in trace.metrics]
    if missing:
        raise ValueError(f"this trace has no per-epoch {', '.join(missing)}")
    epochs, keep = _after_epochs(
        trace.metric_steps, int(trace.meta.get("iters_per_epoch", 1))
    )
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        draw_history(
            ax,
            epochs,
            trace.metrics[train_key][keep],
            trace.metrics[val_key][keep],
            metric=metric,
            style=style,
        )
        notes = with_notes("", trace, style)
        if notes:
            fig.suptitle(notes, fontsize="medium", color=style.colors["muted"])
        fig.draw_without_rendering()
    return fig


def plot_history_runs(
    trace: Trace, *, metric: str = "accuracy", style: Style | None = None
) -> Figure:
    """A sweep: one Keras-style chart per run, titled by its varied values."""
    style = style or Style()
    train_key, val_key = _keys(metric)
    runs = read_runs(trace)
    if len(runs) > MAX_PANELS:
        raise ValueError(
            f"{len(runs)} runs make too many charts (at most {MAX_PANELS}); "
            "draw them overlaid with --kind curves"
        )
    with style.context():
        fig = new_figure(style, layout="constrained")
        ncols = min(len(runs), 3 if len(runs) != 4 else 2)
        axes = np.ravel(
            fig.subplots(-(-len(runs) // ncols), ncols, squeeze=False, sharey=True)
        )
        for i, (ax, run) in enumerate(zip(axes, runs, strict=False)):
            epochs, keep = _after_epochs(run.metric_steps, run.iters_per_epoch)
            draw_history(
                ax,
                epochs,
                run.metrics[train_key][keep],
                run.metrics[val_key][keep],
                metric=metric,
                title=run.label,
                style=style,
            )
            if i % ncols:  # the shared y axis is named once per row
                ax.set_ylabel("")
        _hide(axes[len(runs) :])
        fig.suptitle(
            with_notes(
                style.text("model {m}", "モデルの{m}", m=style.label(metric)),
                trace,
                style,
            )
        )
        fig.draw_without_rendering()
    return fig


def _hide(axes: Sequence[Axes]) -> None:
    for ax in axes:
        ax.set_visible(False)
