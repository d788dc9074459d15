"""A tuning sweep: train and validation curves per epoch, one colour per run.

Draws the runs of a sweep trace (``vizlearn.render.runs``): each has per-epoch
``train_acc``, ``test_acc``, ``train_loss`` and ``test_loss``.
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
from vizlearn.render.notes import joined, made_with
from vizlearn.render.runs import Run, read_runs
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["draw_sweep", "plot_sweep"]


def _colors(style: Style, n: int) -> list:
    cycle = style.colors["cycle"]
    if n <= len(cycle):
        return list(cycle[:n])
    from matplotlib import colormaps

    return [colormaps["viridis"](x) for x in np.linspace(0, 0.95, n)]


def draw_sweep(
    ax: Axes, runs: Sequence[Run], metric: str, *, style: Style
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
    trace: Trace, *, title: str | None = None, style: Style | None = None
) -> Figure:
    """Accuracy (left) and loss (right) of every run; legend names the varied values."""
    runs = read_runs(trace)
    style = style or Style()
    title = title if title is not None else sweep_title(trace, style)
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


def sweep_title(trace: Trace, style: Style) -> str:
    """What all runs share, e.g. 'spiral · 1 hidden layer × 10 · sigmoid · sgd lr 1'.

    Each shared setting is named on its own, so varying one (the activation,
    say) leaves the others, the network's shape included, in the title; raw
    pixels and the seed follow.
    """
    config: dict[str, Any] = dict(trace.meta.get("config", {}))
    varied = set(trace.meta.get("vary", []))
    if not config:
        return ""
    parts = [str(config["dataset"])]
    shape = _shape(config, varied, style)
    if shape:
        parts.append(shape)
    for key, text in (
        ("activation", str(config["activation"])),
        ("weight_init", style.text("init {w}", "初期値 {w}", w=config["weight_init"])),
        ("optimizer", str(config["optimizer"])),
        ("lr", f"lr {config['lr']:g}"),
        ("batch_size", style.text("batch {n}", "バッチ {n}", n=config["batch_size"])),
        ("epochs", style.text("{n} epochs", "{n} エポック", n=config["epochs"])),
    ):
        if key not in varied:
            parts.append(text)
    return joined([*parts, *made_with(trace, style)])


def _shape(config: dict[str, Any], varied: set[str], style: Style) -> str:
    """'10 hidden layers × 64', or the part of it that every run shares."""
    layers, hidden = int(config["layers"]), int(config["hidden"])
    plural = "s" if layers != 1 else ""
    if "layers" in varied and "hidden" in varied:
        return ""
    if "layers" in varied:
        return style.text("{h} units per layer", "各層 {h} ユニット", h=hidden)
    text = style.text("{n} hidden layer{s}", "隠れ層 {n} 層", n=layers, s=plural)
    return text if "hidden" in varied else f"{text} × {hidden}"
