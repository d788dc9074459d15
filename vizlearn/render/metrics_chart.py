"""Charts of any recorded metrics: one panel per metric, train and validation together.

Names are grouped the way Keras and the book name them: ``loss`` with
``val_loss``, ``accuracy`` with ``val_accuracy`` (``acc`` counts as accuracy),
``train_acc`` with ``test_acc``. Works on an imported Keras log as well as on
a trace recorded by your own loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from vizlearn.render.frames import new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["metric_groups", "draw_metric", "plot_metrics", "plot_accuracy"]

_PREFIXES = (("val_", "validation"), ("test_", "test"), ("train_", "train"))
_ALIASES = {"acc": "accuracy", "lr": "learning_rate"}


def _split(name: str) -> tuple[str, str]:
    """'val_acc' -> ('accuracy', 'validation'); 'loss' -> ('loss', 'train')."""
    role = "train"
    for prefix, r in _PREFIXES:
        if name.startswith(prefix):
            name, role = name[len(prefix) :], r
            break
    return _ALIASES.get(name, name), role


def metric_groups(trace: Trace) -> dict[str, list[str]]:
    """Panel name -> metric names in it; loss first, accuracy next, then the rest."""
    groups: dict[str, list[str]] = {}
    if len(trace.loss) and not any(_split(k)[0] == "loss" for k in trace.metrics):
        groups["loss"] = ["<trace.loss>"]
    for name in trace.metrics:
        groups.setdefault(_split(name)[0], []).append(name)
    order = {"loss": 0, "accuracy": 1}
    return dict(sorted(groups.items(), key=lambda kv: order.get(kv[0], 2)))


def _unit(trace: Trace) -> str:
    return str(trace.meta.get("step_unit", "iteration"))


def draw_metric(
    ax: Axes,
    trace: Trace,
    group: str,
    names: Sequence[str],
    *,
    style: Style,
    log: bool = False,
) -> list[Artist]:
    """Draw the metrics ``names`` (one panel ``group``) on ``ax``; return the lines."""
    colors = {
        "train": style.colors["data"],
        "validation": style.colors["model"],
        "test": style.colors["model"],
    }
    lines = []
    for name in names:
        if name == "<trace.loss>":
            x, y, role = trace.loss_steps, trace.loss, "train"
        else:
            x, y, role = trace.metric_steps, trace.metrics[name], _split(name)[1]
        marker = "o" if len(x) <= 40 else None
        (line,) = ax.plot(
            x,
            y,
            marker=marker,
            ms=4,
            color=colors[role],
            ls="--" if role != "train" else "-",
            label=style.label(role),
        )
        lines.append(line)
    ax.set(
        xlabel=style.label(_unit(trace)),
        ylabel=style.label(group),
        title=style.label(group),
    )
    if _unit(trace) == "epoch":
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 1.5
    values = np.concatenate([line.get_ydata() for line in lines])
    if group == "accuracy" and values.min() >= 0 and values.max() <= 1:
        ax.set_ylim(0, 1.02)
    if log and (values > 0).all():
        ax.set_yscale("log")
    if len(lines) > 1:
        ax.legend(loc="best")
    return lines


def plot_metrics(
    trace: Trace,
    *,
    names: Sequence[str] | None = None,
    log: bool = False,
    style: Style | None = None,
) -> Figure:
    """One panel per metric group; ``names`` picks groups, e.g. ["loss", "accuracy"]."""
    style = style or Style()
    groups = metric_groups(trace)
    if not groups:
        raise ValueError("the trace has no loss and no metrics to chart")
    if names:
        unknown = [n for n in names if n not in groups]
        if unknown:
            raise ValueError(
                f"no metric {', '.join(unknown)}; the trace has {', '.join(groups)}"
            )
        groups = {n: groups[n] for n in names}
    with style.context():
        fig = new_figure(style, layout="constrained")
        cols = min(3, len(groups))
        rows = -(-len(groups) // cols)
        axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
        for ax, (group, members) in zip(axes, groups.items(), strict=False):
            draw_metric(
                ax, trace, group, members, style=style, log=log and group == "loss"
            )
        for ax in axes[len(groups) :]:
            ax.set_visible(False)
        fig.draw_without_rendering()
    return fig


def plot_accuracy(trace: Trace, *, style: Style | None = None) -> Figure:
    """The accuracy panel of `plot_metrics` alone."""
    return plot_metrics(trace, names=["accuracy"], style=style)
