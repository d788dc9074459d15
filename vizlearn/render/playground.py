"""What the boundary lesson draws for TensorFlow Playground's controls.

The test points (hollow), the heat map of a regression set's prediction
(plane, gauss), the train and test loss per epoch under the regions, and the
confusion matrix of any snapshot. ``render/boundary.py`` composes them.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from vizlearn.render.frames import new_figure
from vizlearn.render.metrics import draw_confusion
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "HeatPanel",
    "LossStrip",
    "draw_test_points",
    "class_names",
    "has_loss_strip",
    "plot_boundary_confusion",
]

HEAT_LEVELS = 16  # colour bands of the heat map: contour-like, and small GIFs
HEAT_CMAP = "RdBu_r"


def class_names(trace: Trace, style: Style) -> list[str]:
    """'class 0', ... or, for --data, the file's own labels ('class -1', ...)."""
    n = int(trace.meta.get("n_classes", int(trace.data["t"].max()) + 1))
    labels = trace.meta.get("labels") or list(range(n))
    return [style.label("class", k=v) for v in labels]


def draw_test_points(
    ax: Axes, trace: Trace, colors: list[str], *, style: Style
) -> list[Artist]:
    """The held-out points, hollow, in their class's colour; [] without a test set."""
    d = trace.data
    if "x_test" not in d:
        return []
    points = []
    for k, color in enumerate(colors):
        x = d["x_test"][d["t_test"] == k]
        points.append(
            ax.scatter(
                x[:, 0],
                x[:, 1],
                s=22,
                facecolors="none",
                edgecolors=color,
                linewidths=1.4,
                zorder=3,
            )
        )
    # the legend's entry: a hollow circle in the text colour, drawn nowhere
    ax.scatter(
        [],
        [],
        s=22,
        facecolors="none",
        edgecolors=style.colors["foreground"],
        linewidths=1.4,
        label=style.label("test"),
    )
    return points


class HeatPanel:
    """A regression set's prediction as a heat map, data on top, per snapshot."""

    def __init__(
        self, ax: Axes, trace: Trace, title: Callable[[int], str], *, style: Style
    ) -> None:
        d = trace.data
        self.trace, self.title_of = trace, title
        targets = [d["t"].ravel()] + ([d["t_test"].ravel()] if "t_test" in d else [])
        top = float(np.abs(np.concatenate(targets)).max()) or 1.0
        cmap = matplotlib.colormaps[HEAT_CMAP].resampled(HEAT_LEVELS)
        norm = Normalize(-top, top)
        extent = (d["grid_x"][0], d["grid_x"][-1], d["grid_y"][0], d["grid_y"][-1])
        self.image = ax.imshow(
            np.zeros((len(d["grid_y"]), len(d["grid_x"]))),
            origin="lower",
            extent=extent,
            aspect="auto",
            cmap=cmap,
            norm=norm,
            interpolation="nearest",
            zorder=1,
        )
        # dark edges in every theme: the map is pale wherever the target is 0
        common = {"cmap": cmap, "norm": norm, "edgecolors": "#333333", "zorder": 3}
        self.points = [
            ax.scatter(
                *d["x"].T,
                c=d["t"].ravel(),
                s=16,
                linewidths=0.5,
                label=style.label("train"),
                **common,
            )
        ]
        if "x_test" in d:
            self.points.append(
                ax.scatter(
                    *d["x_test"].T,
                    c=d["t_test"].ravel(),
                    s=24,
                    marker="D",
                    linewidths=1.2,
                    label=style.label("test"),
                    **common,
                )
            )
        ax.figure.colorbar(
            self.image, ax=ax, shrink=0.8, label=style.label("prediction")
        )
        ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="x₁", ylabel="x₂")
        ax.set_aspect("equal", adjustable="box")
        ax.grid(False)
        spines = [sp for sp in ax.spines.values() if sp.get_visible()]
        self.frame = [*spines, ax.xaxis, ax.yaxis]
        self.legend = ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
        self.title = ax.set_title(" ")

    def update(self, k: int) -> list[Artist]:
        """Show the prediction of snapshot ``k``."""
        k = k % self.trace.n_records
        self.image.set_data(self.trace.outputs["value"][k])
        self.title.set_text(self.title_of(k))
        return [self.image, *self.frame, *self.points, self.legend, self.title]


def has_loss_strip(trace: Trace) -> bool:
    """Whether the trace has a test split, whose loss gets a strip under the map."""
    return "test_loss" in trace.metrics


class LossStrip:
    """Train and test loss per epoch (log axis), drawn up to each snapshot."""

    def __init__(self, ax: Axes, trace: Trace, *, style: Style) -> None:
        m, c = trace.meta, style.colors
        self.trace = trace
        per_epoch = max(int(m.get("iters_per_epoch", 1)), 1)
        self.epochs = trace.metric_steps / per_epoch
        self.lines = []
        for name, color, label in (
            ("train_loss", c["data"], style.label("train")),
            ("test_loss", c["model"], style.label("test")),
        ):
            (line,) = ax.plot([], [], color=color, lw=1.6, label=label)
            self.lines.append((line, trace.metrics[name]))
        values = np.concatenate(
            [trace.metrics["train_loss"], trace.metrics["test_loss"]]
        )
        positive = values[values > 0]
        low, high = (positive.min(), positive.max()) if positive.size else (1e-3, 1.0)
        if high > 10 * low:  # a log axis only when it spans a decade
            ax.set_yscale("log")
            ax.yaxis.set_minor_formatter(NullFormatter())  # 2×10⁻¹, 3×10⁻¹ crowd
        ax.set(xlim=(0, max(float(self.epochs[-1]), 1.0)), ylim=(low / 1.5, high * 1.5))
        ax.set(xlabel=style.label("epoch"), ylabel=style.label("loss"))
        stopped = m.get("stopped_at")
        if stopped is not None:
            at = stopped / per_epoch
            ax.axvline(at, color=c["muted"], ls="--", lw=1.0)
            ax.annotate(
                style.text("stopped: {u}", "停止：{u}", u=m.get("until", "")),
                (at, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(-4, -4),
                textcoords="offset points",
                ha="right",
                va="top",
                fontsize=8,
            )
        self.legend = ax.legend(loc="lower left", fontsize=8, ncols=2)  # losses fall
        # drawn above the lines in a full redraw, so redrawn after them here
        spines = [sp for sp in ax.spines.values() if sp.get_visible()]
        self.frame = [*spines, ax.xaxis, ax.yaxis]

    def update(self, k: int) -> list[Artist]:
        """The losses of the epochs up to snapshot ``k``."""
        step = int(self.trace.steps[k % self.trace.n_records])
        shown = self.trace.metric_steps <= step
        for line, values in self.lines:
            line.set_data(self.epochs[shown], values[shown])
        return [*(line for line, _ in self.lines), *self.frame, self.legend]


def _matrix(t: np.ndarray, pred: np.ndarray, n: int) -> np.ndarray:
    t, pred = t.astype(int), np.rint(pred).astype(int)
    return np.bincount(t * n + pred, minlength=n * n).reshape(n, n)


def plot_boundary_confusion(
    trace: Trace, *, frame: int = -1, style: Style | None = None
) -> Figure:
    """The confusion matrix of snapshot ``frame`` on the training (and test) data."""
    style = style or Style()
    if trace.meta.get("task") == "regression" or "pred" not in trace.outputs:
        raise ValueError(
            "the confusion matrix needs a classification run of the boundary lesson "
            "(plane and gauss are regression sets)"
        )
    k = frame % trace.n_records
    n, d = int(trace.meta["n_classes"]), trace.data
    parts = [("train", d["t"], trace.outputs["pred"][k])]
    if "test_pred" in trace.outputs:
        parts.append(("test", d["t_test"], trace.outputs["test_pred"][k]))
    names = [str(v) for v in trace.meta.get("labels") or range(n)]
    with style.context():
        fig = new_figure(style, layout="constrained")
        for ax, (role, t, pred) in zip(
            fig.subplots(1, len(parts), squeeze=False)[0], parts, strict=True
        ):
            cm = _matrix(t, pred, n)
            draw_confusion(ax, cm, style=style)
            ax.set_xticks(range(n), names)
            ax.set_yticks(range(n), names)
            accuracy = 100 * np.trace(cm) / max(cm.sum(), 1)
            ax.set_title(
                f"{style.label(role)}   {style.label('accuracy')} {accuracy:.1f}%"
            )
        step = int(trace.steps[k])
        fig.suptitle(
            f"{style.label('confusion')}   {style.label('iteration')} {step:,}"
        )
        fig.draw_without_rendering()
    return fig
