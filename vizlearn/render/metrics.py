"""Classifier metrics: confusion matrix, per-class precision/recall, mistakes.

Reads the final test predictions a classification Trace keeps in ``data``
(``test_label``, ``test_pred``, ``mis_index``, ``mis_x``, and ``test_x`` for
2-D data sets).
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import new_figure
from vizlearn.render.notes import class_names, joined, made_with
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_confusion",
    "draw_precision_recall",
    "draw_misclassified_points",
    "plot_confusion",
    "plot_misclassified",
]


def _confusion(t: NDArray, y: NDArray, n: int) -> NDArray:
    return np.bincount(t * n + y, minlength=n * n).reshape(n, n)


def _n_classes(trace: Trace) -> int:
    t, y = trace.data["test_label"], trace.data["test_pred"]
    sizes = trace.meta.get("sizes")
    return int(sizes[-1]) if sizes else int(max(t.max(), y.max())) + 1


def draw_confusion(
    ax: Axes, cm: NDArray, *, style: Style, names: tuple[str, ...] | None = None
) -> list[Artist]:
    """Counts as a heat map (row = true, column = predicted), numbers in the cells.

    ``names`` label the classes on the axes where a label is not its digit.
    """
    n = len(cm)
    rows = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, rows, out=np.zeros(cm.shape), where=rows > 0)
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    artists: list[Artist] = [image]
    size = 8 if n <= 10 else 6
    for i in range(n):
        for j in range(n):
            if cm[i, j] == 0:
                continue
            color = "white" if share[i, j] > 0.5 else "#222222"
            artists.append(
                ax.text(
                    j,
                    i,
                    str(int(cm[i, j])),
                    ha="center",
                    va="center",
                    fontsize=size,
                    color=color,
                )
            )
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    if names is not None and len(names) == n:
        ax.set_xticklabels(names, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticklabels(names)
    ax.set(xlabel=style.label("predicted"), ylabel=style.label("true_label"))
    ax.grid(False)
    ax.set_title(style.label("confusion"))
    return artists


def draw_precision_recall(
    ax: Axes,
    precision: NDArray,
    recall: NDArray,
    *,
    style: Style,
    names: tuple[str, ...] | None = None,
) -> list[Artist]:
    """Per-class precision and recall as bars from 0, class 0 at the top, values on.

    The axis starts at 0 (a bar's length is its value); the differences
    between classes are read from the printed values. The legend sits above
    the bars, so it covers none of them.
    """
    n = len(precision)
    ys = np.arange(n)
    artists: list[Artist] = []
    for shift, values, color, key in (
        (-0.2, precision, style.colors["data"], "precision"),
        (0.2, recall, style.colors["model"], "recall"),
    ):
        bars = ax.barh(ys + shift, values, 0.38, color=color, label=style.label(key))
        artists += list(bars)
        size = 7 if n <= 10 else 5
        ink = _ink_on(color)
        for y, v in zip(ys + shift, values, strict=True):
            inside = v > 0.25  # the value inside the bar's end, else after it
            artists.append(
                ax.text(
                    v - 0.01 if inside else v + 0.01,
                    y,
                    f"{v:.3f}",
                    ha="right" if inside else "left",
                    va="center",
                    fontsize=size,
                    color=ink if inside else style.colors["foreground"],
                )
            )
    ax.set_xlim(0.0, 1.0)
    ax.set_yticks(ys)
    if names is not None and len(names) == n:
        ax.set_yticklabels(names)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_ylabel(style.text("class", "クラス"))
    ax.set_axisbelow(True)
    ax.grid(axis="y", visible=False)
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=2,
        fontsize=9,
        frameon=False,
        borderaxespad=0.2,
    )
    return artists


def _ink_on(color: str) -> str:
    """White on a dark bar, near-black on a light one (the dark theme's pastels)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "#1a1a1a"


def plot_confusion(trace: Trace, *, style: Style | None = None) -> Figure:
    """Confusion matrix (left) and per-class precision and recall (right)."""
    style = style or Style()
    t, y = trace.data["test_label"], trace.data["test_pred"]
    cm = _confusion(t, y, _n_classes(trace))
    hits = np.diag(cm).astype(float)
    precision = np.divide(hits, cm.sum(0), out=np.zeros(len(cm)), where=cm.sum(0) > 0)
    recall = np.divide(hits, cm.sum(1), out=np.zeros(len(cm)), where=cm.sum(1) > 0)
    with style.context():
        fig = new_figure(style, layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1.6, 1])
        names = class_names(trace)
        draw_confusion(left, cm, style=style, names=names)
        draw_precision_recall(right, precision, recall, style=style, names=names)
        accuracy = float((t == y).mean())
        title = f"{style.label('accuracy')} {accuracy:.4f}  (n = {len(t):,})"
        fig.suptitle(joined([title, *made_with(trace, style)]))
        fig.draw_without_rendering()
    return fig


def draw_misclassified_points(ax: Axes, trace: Trace, *, style: Style) -> list[Artist]:
    """2-D test points coloured by true class; mistakes edged in the predicted one."""
    x, t, y = trace.data["test_x"], trace.data["test_label"], trace.data["test_pred"]
    cycle = style.colors["cycle"]
    colors = np.array([cycle[int(c) % len(cycle)] for c in t])
    right = ax.scatter(x[t == y, 0], x[t == y, 1], s=14, c=colors[t == y], alpha=0.5)
    wrong = t != y
    ring = [cycle[int(c) % len(cycle)] for c in y[wrong]]
    miss = ax.scatter(
        x[wrong, 0],
        x[wrong, 1],
        s=60,
        c=colors[wrong],
        marker="X",
        edgecolors=ring,
        linewidths=1.5,
    )
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(f"{style.label('misclassified')}: {int(wrong.sum())} / {len(t)}")
    return [right, miss]


def plot_misclassified(
    trace: Trace, *, count: int = 40, style: Style | None = None
) -> Figure:
    """A grid of misclassified test images, "true → predicted" over each."""
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        if "test_x" in trace.data:  # 2-D data: a scatter instead of images
            draw_misclassified_points(fig.subplots(), trace, style=style)
            fig.draw_without_rendering()
            return fig
        _image_grid(fig, trace, count, style)
        fig.draw_without_rendering()
    return fig


def _image_grid(fig: Figure, trace: Trace, count: int, style: Style) -> None:
    index, images = trace.data["mis_index"], trace.data["mis_x"]
    t, y = trace.data["test_label"], trace.data["test_pred"]
    k = min(count, len(index))
    ncols = 8 if k > 24 else max(1, min(k, 6))
    nrows = max(1, -(-k // ncols))
    axes = np.ravel(fig.subplots(nrows, ncols, squeeze=False))
    side = int(round(np.sqrt(images.shape[1]))) if k else 28
    names = class_names(trace)
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= k:
            continue
        ax.imshow(images[i].reshape(side, side), cmap="gray_r", vmin=0, vmax=255)
        j = int(index[i])
        a, b = int(t[j]), int(y[j])
        text, size = f"{a} → {b}", 9
        if names is not None and max(a, b) < len(names):
            text, size = f"{names[a]} → {names[b]}", 7
        ax.set_title(text, fontsize=size, color=style.colors["model"], pad=2)
    wrong = int((t != y).sum())
    title = (
        f"{style.label('misclassified')}  ({style.label('true_label')} → "
        f"{style.label('predicted')}; {k} / {wrong} / {len(t):,})"
    )
    fig.suptitle(joined([title, *made_with(trace, style)]))
