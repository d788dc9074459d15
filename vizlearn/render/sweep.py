"""A tuning sweep: train and validation curves per epoch, one colour per run.

Takes runs (anything with ``label``, ``epochs`` and ``metrics`` holding
``train_acc``, ``test_acc``, ``train_loss``, ``test_loss``), e.g. the
:class:`~vizlearn.lessons.sweep.SweepRun` list that ``sweep.run`` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from vizlearn.render.frames import new_figure
from vizlearn.style import Style

__all__ = ["draw_sweep", "plot_sweep"]


def _colors(style: Style, n: int) -> list:
    cycle = style.colors["cycle"]
    if n <= len(cycle):
        return list(cycle[:n])
    from matplotlib import colormaps

    return [colormaps["viridis"](x) for x in np.linspace(0, 0.95, n)]


def draw_sweep(
    ax: Axes, runs: Sequence[Any], metric: str, *, style: Style
) -> list[Artist]:
    """Train (solid) and validation (dashed) ``metric`` ("acc" or "loss") per run."""
    artists: list[Artist] = []
    for run, color in zip(runs, _colors(style, len(runs)), strict=True):
        marker = "o" if len(run.epochs) <= 30 else None  # few epochs: show the points
        (train,) = ax.plot(
            run.epochs,
            run.metrics[f"train_{metric}"],
            color=color,
            lw=1.8,
            marker=marker,
            ms=3.5,
            label=run.label,
        )
        (val,) = ax.plot(
            run.epochs,
            run.metrics[f"test_{metric}"],
            color=color,
            lw=1.4,
            ls="--",
            marker=marker,
            ms=3.5,
            mfc="none",
        )
        artists += [train, val]
    ax.set_xlabel(style.label("epoch"))
    ax.set_ylabel(style.label("accuracy" if metric == "acc" else "loss"))
    last = max((float(r.epochs[-1]) for r in runs if len(r.epochs)), default=1.0)
    ax.set_xlim(0, max(last, 1.0))
    if metric == "acc":
        ax.set_ylim(0, 1.0)
    else:
        ax.set_ylim(bottom=0)
    return artists


def plot_sweep(
    runs: Sequence[Any], *, title: str | None = None, style: Style | None = None
) -> Figure:
    """Accuracy (left) and loss (right) of every run; legend names the varied values."""
    if not runs:
        raise ValueError("a sweep needs at least one run")
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        acc, loss = fig.subplots(1, 2)
        draw_sweep(acc, runs, "acc", style=style)
        draw_sweep(loss, runs, "loss", style=style)
        acc.set_title(style.label("accuracy"))
        loss.set_title(style.label("loss"))
        kinds = [
            Line2D(
                [],
                [],
                color=style.colors["foreground"],
                lw=1.8,
                label=style.label("train"),
            ),
            Line2D(
                [],
                [],
                color=style.colors["foreground"],
                lw=1.4,
                ls="--",
                label=style.label("validation"),
            ),
        ]
        handles, labels = acc.get_legend_handles_labels()
        fig.legend(
            handles + kinds,
            labels + [k.get_label() for k in kinds],
            loc="outside lower center",
            ncols=len(runs) + 2 if len(runs) < 5 else 4,
            fontsize=8,
        )
        if title:
            fig.suptitle(title)
        fig.draw_without_rendering()
    return fig
