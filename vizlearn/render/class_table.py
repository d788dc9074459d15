"""One class against the rest: the 2x2 table of TP, FN, FP and TN, worked out.

The Keras tuning tutorial explains precision and recall with this table: pick
one class (say 3) as "positive"; every test example is then a true positive
(a 3 predicted 3), a false negative (a 3 predicted as something else), a false
positive (another digit predicted 3) or a true negative. Precision, recall and
accuracy are printed with their formulas and the counts put in, so the
numbers can be checked by hand. Reads ``data["test_label"]`` and
``data["test_pred"]`` of a classification trace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import new_figure
from vizlearn.render.notes import with_notes
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["Counts", "class_counts", "draw_class_table", "plot_class_table"]


@dataclass(frozen=True)
class Counts:
    """TP, FN, FP and TN of one class against the rest."""

    tp: int
    fn: int
    fp: int
    tn: int

    @property
    def n(self) -> int:
        """All examples."""
        return self.tp + self.fn + self.fp + self.tn

    @property
    def precision(self) -> float:
        """TP / (TP + FP): of those predicted positive, the share right (0 if none)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN): of the positives, the share found (0 if none)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def accuracy(self) -> float:
        """(TP + TN) / all: the share of examples put on the right side."""
        return (self.tp + self.tn) / self.n if self.n else 0.0


def class_counts(t: NDArray, y: NDArray, label: int) -> Counts:
    """Counts of class ``label`` (positive) against all others (negative)."""
    actual, predicted = np.asarray(t) == label, np.asarray(y) == label
    return Counts(
        int(np.sum(actual & predicted)),
        int(np.sum(actual & ~predicted)),
        int(np.sum(~actual & predicted)),
        int(np.sum(~actual & ~predicted)),
    )


def draw_class_table(
    ax: Axes, counts: Counts, label: int, *, style: Style
) -> list[Artist]:
    """The 2x2 table: rows actual (label, not label), columns predicted; cells named."""
    cells = np.array([[counts.tp, counts.fn], [counts.fp, counts.tn]])
    names = [["TP", "FN"], ["FP", "TN"]]
    right = np.array([[1.0, 0.25], [0.25, 1.0]])  # right answers darker
    image = ax.imshow(right, cmap="Blues", vmin=0, vmax=1.6)
    artists: list[Artist] = [image]
    long = {
        "TP": style.text("true positive", "真陽性"),
        "FN": style.text("false negative", "偽陰性"),
        "FP": style.text("false positive", "偽陽性"),
        "TN": style.text("true negative", "真陰性"),
    }
    for i in range(2):
        for j in range(2):
            color = "white" if right[i, j] > 0.5 else "#222222"
            key = names[i][j]
            artists.append(
                ax.text(
                    j,
                    i,
                    f"{key}\n{cells[i, j]:,}\n",
                    ha="center",
                    va="center",
                    fontsize="x-large",
                    color=color,
                    linespacing=1.4,
                )
            )
            artists.append(
                ax.text(
                    j,
                    i + 0.3,
                    long[key],
                    ha="center",
                    va="center",
                    fontsize="small",
                    color=color,
                )
            )
    not_label = style.text("not {c}", "{c} 以外", c=label)
    ax.set_xticks([0, 1], [str(label), not_label])
    ax.set_yticks([0, 1], [str(label), not_label])
    ax.set(xlabel=style.label("predicted"), ylabel=style.label("true_label"))
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return artists


def _worked(counts: Counts, label: int, style: Style) -> list[tuple[str, ...]]:
    """(name, formula with the counts and the value, what it means) per measure."""
    c = counts
    return [
        (
            style.label("precision"),
            f"TP / (TP + FP) = {c.tp:,} / ({c.tp:,} + {c.fp:,}) = {c.precision:.4f}",
            style.text(
                "of the examples predicted {c}, the share that are {c}",
                "{c} と予測したうち、本当に {c} だった割合",
                c=label,
            ),
        ),
        (
            style.label("recall"),
            f"TP / (TP + FN) = {c.tp:,} / ({c.tp:,} + {c.fn:,}) = {c.recall:.4f}",
            style.text(
                "of the {c}s, the share predicted {c}",
                "本当の {c} のうち、{c} と予測できた割合",
                c=label,
            ),
        ),
        (
            style.label("accuracy"),
            f"(TP + TN) / N = ({c.tp:,} + {c.tn:,}) / {c.n:,} = {c.accuracy:.4f}",
            style.text(
                "the share put on the right side of '{c} or not'",
                "「{c} かどうか」を正しく分けた割合",
                c=label,
            ),
        ),
    ]


def draw_worked(ax: Axes, counts: Counts, label: int, *, style: Style) -> list[Artist]:
    """Precision, recall and accuracy: formula, the counts put in, the value."""
    ax.set_axis_off()
    artists: list[Artist] = []
    for k, (name, formula, meaning) in enumerate(_worked(counts, label, style)):
        y = 0.84 - 0.3 * k
        artists += [
            ax.text(0.0, y, name, fontsize="x-large", va="bottom"),
            ax.text(0.0, y - 0.02, formula, va="top"),
            ax.text(
                0.0,
                y - 0.09,
                meaning,
                va="top",
                fontsize="small",
                color=style.colors["muted"],
            ),
        ]
    return artists


def plot_class_table(
    trace: Trace, *, label: int = 0, style: Style | None = None
) -> Figure:
    """The table of class ``label`` (left) and its measures worked out (right)."""
    style = style or Style()
    t, y = trace.data["test_label"], trace.data["test_pred"]
    sizes = trace.meta.get("sizes")
    n_classes = int(sizes[-1]) if sizes else int(max(t.max(), y.max())) + 1
    if not 0 <= label < n_classes:
        raise ValueError(
            f"--class must be between 0 and {n_classes - 1} for this run, got {label}"
        )
    counts = class_counts(t, y, label)
    with style.context():
        fig = new_figure(style, layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.15])
        draw_class_table(left, counts, label, style=style)
        draw_worked(right, counts, label, style=style)
        title = style.text(
            "class {c} against the rest  (n = {n:,} test examples)",
            "クラス {c} とそれ以外  （テストデータ {n:,} 件）",
            c=label,
            n=counts.n,
        )
        fig.suptitle(with_notes(title, trace, style))
        fig.draw_without_rendering()
    return fig
