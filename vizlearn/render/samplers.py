"""Minibatch samplers: training examples seen so far, and the accuracy each reached."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import new_figure
from vizlearn.render.runs import read_runs
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["draw_coverage", "draw_sampler_accuracy", "plot_samplers"]


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
    ax: Axes, accuracy: Mapping[str, tuple[float, float]], *, style: Style
) -> list[Artist]:
    """Grouped bars: final train and test accuracy per sampler, values on top."""
    names = list(accuracy)
    xs = np.arange(len(names))
    c = style.colors
    train = [accuracy[k][0] for k in names]
    test = [accuracy[k][1] for k in names]
    b1 = ax.bar(xs - 0.2, train, 0.38, color=c["data"], label=style.label("train"))
    b2 = ax.bar(xs + 0.2, test, 0.38, color=c["model"], label=style.label("test"))
    artists: list[Artist] = [*b1, *b2]
    for bars, values in ((b1, train), (b2, test)):
        for bar, v in zip(bars, values, strict=True):
            artists.append(
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    v + 0.01,
                    f"{v:.3f}",
                    ha="center",
                    va="bottom",
                    fontsize=8,
                )
            )
    ax.set_xticks(xs, [_wrap(style.label(k)) for k in names], fontsize=9)
    ax.set(ylim=(0, 1.12), ylabel=style.label("accuracy"))
    ax.set_axisbelow(True)
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper center", ncols=2)
    ax.set_title(style.label("final_accuracy"))
    return artists


def _wrap(label: str) -> str:
    """Two short lines: at spaces (EN), or every 6 characters (JA has no spaces)."""
    if " " in label:
        return textwrap.fill(label, 12)
    return "\n".join(label[i : i + 6] for i in range(0, len(label), 6))


def plot_samplers(trace: Trace, *, style: Style | None = None) -> Figure:
    """Coverage per sampler (left) and the final accuracies (right)."""
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
    n_train, batch_size = int(trace.meta["n_train"]), int(trace.meta["batch_size"])
    with style.context():
        fig = new_figure(style, layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1.5, 1])
        draw_coverage(
            left, coverage, n_train=n_train, batch_size=batch_size, style=style
        )
        draw_sampler_accuracy(right, accuracy, style=style)
        fig.suptitle(
            f"{style.label('coverage')}  (N = {n_train:,}, batch = {batch_size})"
        )
        fig.draw_without_rendering()
    return fig
