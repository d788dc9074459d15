"""Minibatch samplers: examples seen so far, repeats, and the accuracy each reached."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

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

__all__ = ["draw_coverage", "draw_sampler_accuracy", "draw_repeats", "plot_samplers"]


def draw_coverage(
    ax: Axes,
    coverage: Mapping[str, NDArray],
    *,
    n_train: int,
    batch_size: int,
    style: Style,
    epochs_shown: float = 4.0,
) -> list[Artist]:
    """Fraction of examples seen vs iteration, one line per sampler, plus 1 - e^-k.

    The x axis covers ``epochs_shown`` epochs (or the whole run if shorter):
    after that every line sits at 1.
    """
    per_epoch = n_train / batch_size
    n = len(next(iter(coverage.values())))
    end = int(min(n - 1, np.ceil(epochs_shown * per_epoch)))
    steps = np.arange(end + 1)
    colors = style.colors["cycle"]
    artists: list[Artist] = []
    for i, (name, cov) in enumerate(coverage.items()):
        (line,) = ax.plot(
            steps,
            cov[: end + 1],
            color=colors[i % len(colors)],
            lw=2.0,
            label=style.label(name),
        )
        artists.append(line)
    fine = np.linspace(0, end, 400)
    (theory,) = ax.plot(
        fine,
        1 - np.exp(-fine * batch_size / n_train),
        ls=":",
        lw=2.0,
        color=style.colors["foreground"],
        label=style.label("theory"),
    )
    artists.append(theory)
    for k in range(1, int(end / per_epoch) + 1):
        ax.axvline(
            k * per_epoch,
            color=style.colors["muted"],
            lw=0.8,
            ls="--",
            alpha=0.6,
            zorder=0,
        )
    ax.axhline(1 - np.exp(-1), color=style.colors["muted"], lw=0.6, alpha=0.6)
    ax.text(
        end,
        1 - np.exp(-1),
        " 1 − 1/e ≈ 0.632",
        va="bottom",
        ha="right",
        fontsize=8,
        color=style.colors["muted"],
    )
    ax.set(
        xlim=(0, end),
        ylim=(0, 1.03),
        xlabel=style.label("iteration"),
        ylabel=style.label("coverage"),
    )
    top = ax.secondary_xaxis(
        "top", functions=(lambda s: s / per_epoch, lambda e: e * per_epoch)
    )
    top.set_xlabel(style.label("epoch"))
    ax.legend(loc="lower right")
    return artists


def draw_sampler_accuracy(
    ax: Axes,
    accuracy: Mapping[str, tuple[float, float]],
    *,
    role: str = "test",
    style: Style,
) -> list[Artist]:
    """Final ``role`` ("train" or "test") accuracy per sampler on a zoomed axis.

    The samplers end within a few thousandths of each other, invisible on a
    0-1 axis: the axis spans just the measured values (a margin of at least
    0.002 around them), every value is printed beside its point and the
    spread (max - min) under the axis.
    """
    names = list(accuracy)
    xs = np.arange(len(names))
    k = 0 if role == "train" else 1
    color = style.colors["data" if role == "train" else "model"]
    ys = [accuracy[n][k] for n in names]
    lo, hi = min(ys), max(ys)
    pad = max(0.3 * (hi - lo), 0.002)
    (points,) = ax.plot(
        xs, ys, ls="none", marker="o" if k == 0 else "s", ms=7, color=color
    )
    artists: list[Artist] = [points]
    for x, y in zip(xs, ys, strict=True):
        artists.append(
            ax.annotate(
                f"{y:.4f}",
                (x, y),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        )
    ax.set(xlim=(-0.5, len(names) - 0.3), ylim=(lo - pad, hi + pad))
    ax.set_ylabel(style.label(role))
    ax.grid(axis="x", visible=False)
    ax.set_xticks(xs, [_wrap(style.label(n)) for n in names], fontsize=8)
    spread = style.text("max − min = {d:.4f}", "最大 − 最小 = {d:.4f}", d=hi - lo)
    artists.append(
        ax.text(
            0.02,
            0.96,
            spread,
            transform=ax.transAxes,
            va="top",
            fontsize=8,
            color=style.colors["muted"],
        )
    )
    return artists


def draw_repeats(
    ax: Axes,
    repeats: Mapping[str, Sequence[int]],
    *,
    n_train: int,
    batch_size: int,
    style: Style,
) -> list[Artist]:
    """A table, one column per sampler: first-epoch repeats and unseen examples."""
    ax.set_axis_off()
    rows = [
        style.text("repeats within a minibatch", "ミニバッチ内の重複"),
        style.text("repeats across minibatches", "ミニバッチ間の重複"),
        style.text("examples never drawn", "一度も使われない訓練データ"),
    ]
    fg, grid = style.colors["foreground"], style.colors["grid"]
    counts = np.array([list(v) for v in repeats.values()]).T
    n_cols = len(repeats)
    first = 0.34  # the row names' share of the width
    width = (1 - first) / n_cols
    line = 1 / (len(rows) + 1.3)
    artists: list[Artist] = []
    for j, name in enumerate(repeats):
        x = first + (j + 0.5) * width
        artists.append(
            ax.text(
                x,
                1 - 0.65 * line,
                " ".join(style.label(name).split()),
                ha="center",
                va="center",
                fontsize=9,
                color=style.colors["muted"],
            )
        )
    for i, (label, row) in enumerate(zip(rows, counts, strict=True)):
        y = 1 - (i + 1.8) * line
        artists.append(ax.text(0.0, y, label, va="center", fontsize=9, color=fg))
        for j, value in enumerate(row):
            x = first + (j + 0.5) * width
            artists.append(
                ax.text(
                    x,
                    y,
                    f"{int(value):,}",
                    ha="center",
                    va="center",
                    fontsize=10,
                    color=fg,
                )
            )
        artists.append(ax.axhline(y + 0.5 * line, color=grid, lw=0.8))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.set_title(
        style.text(
            "the first epoch's {k} minibatches: draws that repeat an example",
            "最初の1エポック（ミニバッチ {k} 個）で重複して取り出された回数",
            k=f"{-(-n_train // batch_size):,}",
        ),
        fontsize=9,
    )
    return artists


def _wrap(label: str) -> str:
    """Two short lines: at spaces (EN), or every 6 characters (JA has no spaces)."""
    if " " in label:
        return textwrap.fill(label, 10, break_long_words=False)
    return "\n".join(label[i : i + 6] for i in range(0, len(label), 6))


def plot_samplers(trace: Trace, *, style: Style | None = None) -> Figure:
    """Coverage per sampler (left); final accuracies, zoomed, and repeats (right)."""
    style = style or Style()
    names = list(trace.meta["samplers"])
    coverage = {k: trace.data[f"coverage/{k}"] for k in names}
    accuracy = {
        run.label: (
            float(run.metrics["train_acc"][-1]),
            float(run.metrics["test_acc"][-1]),
        )
        for run in read_runs(trace)
    }
    repeats = {
        k: trace.data[f"repeats/{k}"] for k in names if f"repeats/{k}" in trace.data
    }
    n_train, batch_size = int(trace.meta["n_train"]), int(trace.meta["batch_size"])
    with style.context():
        fig = new_figure(style, layout="constrained")
        grid = fig.add_gridspec(
            2 if repeats else 1,
            2,
            width_ratios=[1.3, 1],
            height_ratios=[3, 1] if repeats else [1],
        )
        draw_coverage(
            fig.add_subplot(grid[0, 0]),
            coverage,
            n_train=n_train,
            batch_size=batch_size,
            style=style,
        )
        cell = grid[0, 1].subgridspec(2, 1)
        train = fig.add_subplot(cell[0])
        test = fig.add_subplot(cell[1])
        draw_sampler_accuracy(train, accuracy, role="train", style=style)
        draw_sampler_accuracy(test, accuracy, role="test", style=style)
        train.tick_params(labelbottom=False)
        train.set_title(
            style.text("final accuracy (axes zoomed)", "最終的な認識精度（軸を拡大）")
        )
        if repeats:  # (a trace written before they were counted has none)
            draw_repeats(
                fig.add_subplot(grid[1, :]),
                repeats,
                n_train=n_train,
                batch_size=batch_size,
                style=style,
            )
        batch = style.text("batch", "バッチサイズ")
        title = f"{style.label('coverage')}  (N = {n_train:,}, {batch} = {batch_size})"
        fig.suptitle(with_notes(title, trace, style))
        fig.draw_without_rendering()
    return fig
