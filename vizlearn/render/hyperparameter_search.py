"""A random hyper-parameter search: the best trials' curves, and where they lie.

Reads a trace of the ``hyperparameter-search`` lesson: ``data/order`` ranks the
trials by final validation accuracy, ``data/lr`` and ``data/weight_decay`` hold
their values, ``data/test_acc`` their validation accuracy per epoch (and
``data/train_acc`` the training one). ``frames_top`` is the book's Figure 6-24
(Best-1 ... Best-20, validation solid, training dashed) growing epoch by
epoch; ``frames_scatter`` its Figure 6-25 (lr x weight decay, log axes),
coloured by the validation accuracy at that epoch, the best trial starred.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist

from vizlearn.render.bands import Band
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.render.overfit import epochs_of, valid
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["frames_top", "frames_scatter", "value_text"]

_COLUMNS = 5


def value_text(lr: float, weight_decay: float) -> str:
    """``lr 3.2e-03  wd 1.1e-06``: the values of one trial, short."""
    return f"lr {lr:.1e}\nwd {weight_decay:.1e}"


def _title(trace: Trace, style: Style, epoch: float) -> str:
    last = int(trace.meta.get("epochs", 0))
    n = len(trace.data["order"])
    head = style.text(
        "random search, {n} trials — ", "ランダムサーチ・{n} 回の試行 — ", n=n
    )
    return head + f"{style.label('epoch')} {epoch:g} / {last}"


def frames_top(
    trace: Trace,
    *,
    style: Style | None = None,
    top: int = 20,
    band: str = "std",
    smooth: float = 0.0,
) -> FrameSource:
    """Frame k: the ``top`` best trials' accuracy curves up to frame k's epoch."""
    style = style or Style()
    order = np.asarray(trace.data["order"])[:top]
    rows = -(-len(order) // _COLUMNS)
    epochs, cycle = epochs_of(trace), style.colors["cycle"]
    val, train = valid(trace, "test_acc"), valid(trace, "train_acc")
    bands, notes = [], []  # the notes sit over the curves: redrawn where they pass
    with style.context():
        fig = new_figure(style, layout="constrained")
        grid = fig.subplots(rows, _COLUMNS, sharex=True, sharey=True, squeeze=False)
        for rank, ax in enumerate(grid.flat):
            if rank >= len(order):
                ax.set_visible(False)
                continue
            i = int(order[rank])
            common = {"style": style, "band": band, "smooth": smooth, "linewidth": 1.3}
            bands.append(Band(ax, epochs, val[i], color=cycle[0], **common))
            bands.append(
                Band(ax, epochs, train[i], color=cycle[1], linestyle="--", **common)
            )
            ax.set_title(f"Best-{rank + 1}", fontsize=9, pad=2)
            text = value_text(trace.data["lr"][i], trace.data["weight_decay"][i])
            notes.append(ax.text(
                0.97, 0.05, text,
                transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
                color=style.colors["muted"], zorder=3,
            ))  # fmt: skip
            ax.set(ylim=(0, 1), xlim=(0, max(1.0, float(epochs[-1]))))
            ax.tick_params(labelsize=7)
        _legend(fig, style, cycle)
        visible = [ax for ax in grid[-1] if ax.get_visible()] or list(grid[-2])
        visible[len(visible) // 2].set_xlabel(style.label("epoch"), fontsize=9)
        title = fig.suptitle(" ")
    at = np.asarray(trace.outputs["epoch"])

    def update(k: int) -> list[Artist]:
        epoch = float(at[k % len(at)])
        title.set_text(_title(trace, style, epoch))
        return [a for b in bands for a in b.update(epoch)] + notes + [title]

    return FrameSource(fig, update, len(at), style)


def _legend(fig, style: Style, cycle) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=cycle[0], label=style.label("validation")),
        Line2D([], [], color=cycle[1], ls="--", label=style.label("train")),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8)
    fig.supylabel(style.label("accuracy"), fontsize=9)


def frames_scatter(trace: Trace, *, style: Style | None = None) -> FrameSource:
    """Frame k: every trial at (lr, weight decay), coloured by validation accuracy."""
    style = style or Style()
    lr, wd = np.asarray(trace.data["lr"]), np.asarray(trace.data["weight_decay"])
    val = valid(trace, "test_acc").mean(axis=1)  # (trials, evaluations), seed mean
    steps = np.asarray(trace.data["metric_steps"])
    best = int(trace.data["order"][0])
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        points = ax.scatter(
            lr, wd, c=np.zeros(len(lr)), cmap="viridis", vmin=0, vmax=1, s=36,
            edgecolors=style.colors["foreground"], linewidths=0.3, zorder=3,
        )  # fmt: skip
        star = ax.scatter(
            [lr[best]], [wd[best]], marker="*", s=260, facecolors="none",
            edgecolors=style.colors["model"], linewidths=1.4, zorder=4,
            label=style.text("best", "最良"),
        )  # fmt: skip
        ax.set(xscale="log", yscale="log")
        ax.set_xlabel(style.label("learning_rate"))
        ax.set_ylabel("weight decay")
        bar = fig.colorbar(points, ax=ax)
        bar.set_label(style.text("validation accuracy", "検証データの認識精度"))
        ax.legend(loc="upper left")
        title = ax.set_title(" ")
    at = np.asarray(trace.steps)
    epochs = np.asarray(trace.outputs["epoch"])

    def update(k: int) -> list[Artist]:
        k %= len(at)
        col = max(0, int(np.searchsorted(steps, at[k], side="right")) - 1)
        shown = np.nan_to_num(val[:, col], nan=0.0)
        points.set_array(shown)
        star.set_visible(k == len(at) - 1)
        title.set_text(_title(trace, style, float(epochs[k])))
        return [points, star, title]

    return FrameSource(fig, update, len(at), style)
