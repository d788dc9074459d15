"""Overfitting: train vs test accuracy per epoch, without and with a regularizer.

Reads a trace of ``lessons.curve_trials.run_overfit`` (the weight-decay and
dropout lessons): one panel per run, as the book's Figures 6-20 to 6-23 draw
them (train with circles, test with squares, every 10 epochs), plus the gap
between the curves shaded and its size written, growing epoch by epoch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from numpy.typing import NDArray

from vizlearn.render.bands import Band, summarize
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "run_label",
    "valid",
    "epochs_of",
    "draw_overfit",
    "frames_overfit",
    "plot_gap",
]

_NAMES = {
    "weight_decay": (
        ("without weight decay", "Weight decay なし"),
        ("weight decay λ = {v:g}", "Weight decay λ = {v:g}"),
    ),
    "dropout": (
        ("without dropout", "Dropout なし"),
        ("dropout ratio {v:g}", "Dropout（比率 {v:g}）"),
    ),
}


def run_label(trace: Trace, i: int, style: Style) -> str:
    """The title of run ``i``: "without weight decay", "dropout ratio 0.2", ..."""
    regularizer = trace.meta.get("regularizer", "")
    strength = float(trace.meta.get("strengths", [0.0, 0.0])[i])
    without, with_ = _NAMES.get(regularizer, (("baseline", "基準"), ("{v:g}", "{v:g}")))
    en, ja = with_ if strength else without
    return style.text(en, ja, v=strength)


def valid(trace: Trace, key: str, count: str = "n_metrics") -> NDArray[np.float64]:
    """``data[key]`` with NaN where a run has no value (it diverged earlier)."""
    values = np.array(trace.data[key], dtype=np.float64)
    # (variants, seeds) counts: a Recorder flattens them to (variants,) for 1 seed
    n = np.asarray(trace.data[count]).reshape(values.shape[:-1])[..., None]
    return np.where(np.arange(values.shape[-1]) < n, values, np.nan)


def epochs_of(trace: Trace) -> NDArray[np.float64]:
    """The epoch of each evaluation."""
    per_epoch = max(1, int(trace.meta.get("iters_per_epoch", 1)))
    return np.asarray(trace.data["metric_steps"]) / per_epoch


def _xlim(epochs: NDArray) -> tuple[float, float]:
    """0 to the last epoch, with room for the last marker and tick label."""
    last = max(1.0, float(epochs[-1]))
    return -0.01 * last, 1.02 * last


class _Panel:
    """One run: train and test accuracy (mean of the seeds), the gap between them."""

    def __init__(
        self, ax: Axes, trace: Trace, i: int, style: Style, band: str, smooth: float
    ) -> None:
        epochs, cycle = epochs_of(trace), style.colors["cycle"]
        marks = np.arange(0, epochs[-1] + 1, 10)  # the book's markevery=10
        train, test = valid(trace, "train_acc")[i], valid(trace, "test_acc")[i]
        common = {"style": style, "band": band, "smooth": smooth, "marks": marks}
        self.train = Band(
            ax, epochs, train, color=cycle[0], label=style.label("train"),
            marker="o", **common,
        )  # fmt: skip
        self.test = Band(
            ax, epochs, test, color=cycle[1], label=style.label("test"),
            marker="s", **common,
        )  # fmt: skip
        self.epochs = epochs
        self.gap_mean = self.train.mean - self.test.mean
        self.shade = Polygon(
            np.zeros((1, 2)), closed=True, fc=style.colors["muted"], alpha=0.15,
            ec="none", zorder=1,
        )  # fmt: skip
        ax.add_patch(self.shade)
        self.note = ax.text(
            0.03, 0.97, "", transform=ax.transAxes, ha="left", va="top", zorder=4
        )
        self.style = style
        ax.set(xlim=_xlim(epochs), ylim=(0, 1.0))
        ax.set_title(run_label(trace, i, style))
        ax.set_xlabel(style.label("epoch"))
        ax.legend(loc="lower right")

    def update(self, epoch: float) -> list[Artist]:
        artists = self.train.update(epoch) + self.test.update(epoch)
        n = int(np.searchsorted(self.epochs, epoch, side="right"))
        top, bottom, x = self.train.mean[:n], self.test.mean[:n], self.epochs[:n]
        ok = np.isfinite(top) & np.isfinite(bottom)
        xy = np.concatenate(
            [
                np.column_stack([x[ok], top[ok]]),
                np.column_stack([x[ok], bottom[ok]])[::-1],
            ]
        )
        self.shade.set_xy(xy if len(xy) else np.zeros((1, 2)))
        gap = self.gap_mean[:n][ok]
        text = (
            self.style.text("gap {g:.2f}", "差 {g:.2f}", g=gap[-1]) if len(gap) else ""
        )
        self.note.set_text(text)
        return [self.shade, *artists, self.note]


def draw_overfit(
    axes: Sequence[Axes],
    trace: Trace,
    *,
    style: Style,
    band: str = "std",
    smooth: float = 0.0,
    epoch: float = np.inf,
) -> list[Artist]:
    """Draw each run's accuracy curves on its own Axes, up to ``epoch``."""
    panels = [_Panel(ax, trace, i, style, band, smooth) for i, ax in enumerate(axes)]
    return [a for p in panels for a in p.update(epoch)]


def frames_overfit(
    trace: Trace,
    *,
    style: Style | None = None,
    band: str = "std",
    smooth: float = 0.0,
) -> FrameSource:
    """Frame k: both panels up to epoch ``outputs["epoch"][k]``."""
    style = style or Style()
    n_runs = len(trace.data["train_acc"])
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = fig.subplots(1, n_runs, sharey=True, squeeze=False)[0]
        panels = [
            _Panel(ax, trace, i, style, band, smooth) for i, ax in enumerate(axes)
        ]
        axes[0].set_ylabel(style.label("accuracy"))
        title = fig.suptitle(" ")
    epochs = np.asarray(trace.outputs["epoch"])
    last = int(trace.meta.get("epochs", epochs[-1]))
    n_train = trace.meta.get("n_train")
    images = style.text(", {n} training images", "・訓練データ {n} 枚", n=n_train)

    def update(k: int) -> list[Artist]:
        epoch = float(epochs[k % len(epochs)])
        artists = [a for p in panels for a in p.update(epoch)]
        title.set_text(
            f"{style.label('epoch')} {epoch:g} / {last}" + (images if n_train else "")
        )
        return [*artists, title]

    return FrameSource(fig, update, len(epochs), style)


def plot_gap(
    trace: Trace,
    *,
    style: Style | None = None,
    band: str = "std",
    smooth: float = 0.0,
) -> Figure:
    """Train minus test accuracy per epoch of every run, on one chart."""
    style = style or Style()
    epochs = epochs_of(trace)
    gap = valid(trace, "train_acc") - valid(trace, "test_acc")
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        for i, runs in enumerate(gap):
            Band(
                ax, epochs, runs, style=style, band=band, smooth=smooth,
                color=style.colors["cycle"][i], label=run_label(trace, i, style),
            ).update()  # fmt: skip
        ax.axhline(0, color=style.colors["muted"], lw=0.8)
        _, low, high = summarize(gap.reshape(-1, gap.shape[-1]), "minmax")
        lo, hi = min(0.0, float(np.nanmin(low))), max(0.1, float(np.nanmax(high)))
        ax.set(xlim=_xlim(epochs), ylim=(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)))
        ax.set(xlabel=style.label("epoch"))
        ax.set_ylabel(
            style.text("train − test accuracy", "訓練データ − テストデータの認識精度")
        )
        ax.set_title(
            style.text("the overfitting gap", "過学習の大きさ（認識精度の差）")
        )
        ax.legend(loc="upper left")
        fig.draw_without_rendering()
    return fig
