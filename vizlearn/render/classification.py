"""Classification training: loss per iteration and train/test accuracy per epoch.

Both charts grow with training in the animation: frame ``k`` shows everything
recorded up to snapshot ``k`` (``trace.steps[k]``). Axes are fixed to the
whole run, so nothing jumps; lines are updated in place. The title says how
the model was made where it matters (numerical gradient, raw pixels, seed).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.render.notes import made_with, with_notes
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "KINDS",
    "draw_training_loss",
    "draw_accuracy",
    "frames_training",
    "frames_loss",
    "frames_accuracy",
    "plot_training",
    "animate_training",
    "smooth",
]

KINDS = ("both", "loss", "accuracy")


def smooth(values: NDArray, window: int) -> NDArray:
    """Trailing moving average (the first points average what exists so far)."""
    window = max(1, min(int(window), len(values)))
    c = np.cumsum(np.concatenate([[0.0], values]))
    out = np.empty(len(values))
    out[window:] = (c[window + 1 :] - c[1:-window]) / window
    out[:window] = c[1 : window + 1] / np.arange(1, window + 1)
    return out


def _epochs(trace: Trace) -> NDArray:
    return trace.metric_steps / max(1, int(trace.meta.get("iters_per_epoch", 1)))


class _LossArtists:
    """Raw minibatch loss (faint) and its per-epoch moving average."""

    def __init__(self, ax: Axes, trace: Trace, style: Style) -> None:
        c = style.colors
        self.steps, self.raw = trace.loss_steps, trace.loss
        window = int(trace.meta.get("iters_per_epoch", 1))
        self.avg = smooth(trace.loss, window) if len(trace.loss) else trace.loss
        (self.line,) = ax.plot(
            [],
            [],
            lw=0.6,
            alpha=0.35,
            color=c["model"],
            label=style.label("minibatch_loss"),
        )
        (self.mean,) = ax.plot(
            [], [], lw=1.8, color=c["model"], label=style.label("moving_average")
        )
        ax.set(xlabel=style.label("iteration"), ylabel=style.label("loss"))
        last = int(trace.meta.get("config", {}).get("iters", 0)) or int(
            self.steps[-1] + 1 if len(self.steps) else 1
        )
        ax.set_xlim(0, last)
        top = float(np.quantile(self.raw, 0.995)) if len(self.raw) else 1.0
        ax.set_ylim(0, top * 1.05 or 1.0)
        self.legend = ax.legend(loc="upper right")  # above the lines: redrawn too
        ax.set_title(style.label("loss_curve"))

    def update(self, step: int) -> list[Artist]:
        n = int(np.searchsorted(self.steps, step, side="left"))
        self.line.set_data(self.steps[:n], self.raw[:n])
        self.mean.set_data(self.steps[:n], self.avg[:n])
        return [self.line, self.mean, self.legend]


class _AccuracyArtists:
    """Train (solid) and test (dashed) accuracy per epoch, as the book draws them."""

    def __init__(self, ax: Axes, trace: Trace, style: Style) -> None:
        c = style.colors
        self.steps, self.epochs = trace.metric_steps, _epochs(trace)
        self.train = trace.metrics.get("train_acc", np.zeros(len(self.steps)))
        self.test = trace.metrics.get("test_acc", np.zeros(len(self.steps)))
        marker = "o" if len(self.steps) <= 40 else None
        (self.tr,) = ax.plot(
            [], [], marker=marker, ms=4, color=c["data"], label=style.label("train")
        )
        (self.te,) = ax.plot(
            [], [], ls="--", color=c["model"], label=style.label("test")
        )
        ax.set(xlabel=style.label("epoch"), ylabel=style.label("accuracy"))
        ax.set_xlim(0, max(1.0, float(self.epochs[-1]) if len(self.epochs) else 1.0))
        ax.set_ylim(0, 1.0)
        self.legend = ax.legend(loc="lower right")  # above the lines: redrawn too
        ax.set_title(style.label("accuracy_curve"))
        # the latest numbers, above the legend (the curves live near the top)
        self.numbers = ax.text(
            0.97,
            0.24,
            "",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            multialignment="right",
        )
        self.names = style.label("train"), style.label("test")

    def update(self, step: int) -> list[Artist]:
        n = int(np.searchsorted(self.steps, step, side="right"))
        self.tr.set_data(self.epochs[:n], self.train[:n])
        self.te.set_data(self.epochs[:n], self.test[:n])
        if n:
            a, b = self.names
            self.numbers.set_text(
                f"{a} {self.train[n - 1]:.3f}\n{b} {self.test[n - 1]:.3f}"
            )
        return [self.tr, self.te, self.legend, self.numbers]


def draw_training_loss(
    ax: Axes, trace: Trace, *, step: int | None = None, style: Style
) -> list[Artist]:
    """Draw the loss per iteration up to ``step`` (default: all); return the lines."""
    end = int(trace.loss_steps[-1]) + 1 if step is None and len(trace.loss) else step
    return _LossArtists(ax, trace, style).update(end or 0)


def draw_accuracy(
    ax: Axes, trace: Trace, *, step: int | None = None, style: Style
) -> list[Artist]:
    """Draw train/test accuracy per epoch up to ``step`` (default: all)."""
    end = (
        int(trace.metric_steps[-1])
        if step is None and len(trace.metric_steps)
        else step
    )
    return _AccuracyArtists(ax, trace, style).update(end or 0)


def frames_training(
    trace: Trace, *, kind: str = "both", style: Style | None = None
) -> FrameSource:
    """A FrameSource: frame k shows the charts up to snapshot ``trace.steps[k]``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = fig.subplots(1, 2) if kind == "both" else [fig.subplots()]
        panels: list = []
        if kind in ("both", "loss"):
            panels.append(_LossArtists(axes[0], trace, style))
        if kind in ("both", "accuracy"):
            panels.append(_AccuracyArtists(axes[-1], trace, style))
        suptitle = None
        if kind == "both":
            suptitle = fig.suptitle(" ")
        elif made_with(trace, style):  # a single chart: how it was made, fixed
            fig.suptitle(with_notes("", trace, style))
    total = int(trace.meta.get("config", {}).get("iters", 0))

    def update(k: int) -> Sequence[Artist]:
        step = int(trace.steps[k % trace.n_records])
        artists = [a for panel in panels for a in panel.update(step)]
        if suptitle is not None:
            text = f"{style.label('iteration')} {step:,}" + (
                f" / {total:,}" if total else ""
            )
            text = with_notes(text, trace, style)
            if (
                trace.diverged_at is not None
                and k % trace.n_records == trace.n_records - 1
            ):
                text += "   " + style.label("diverged", k=trace.diverged_at)
            suptitle.set_text(text)
            artists.append(suptitle)
        return artists

    return FrameSource(fig, update, trace.n_records, style)


def frames_loss(trace: Trace, *, style: Style | None = None) -> FrameSource:
    """The loss panel of `frames_training` alone."""
    return frames_training(trace, kind="loss", style=style)


def frames_accuracy(trace: Trace, *, style: Style | None = None) -> FrameSource:
    """The accuracy panel of `frames_training` alone."""
    return frames_training(trace, kind="accuracy", style=style)


def plot_training(
    trace: Trace, *, kind: str = "both", frame: int = -1, style: Style | None = None
) -> Figure:
    """A still of the training charts at snapshot ``frame`` (default: the end)."""
    source = frames_training(trace, kind=kind, style=style)
    return source.still(frame % trace.n_records)


def animate_training(
    trace: Trace,
    *,
    kind: str = "both",
    style: Style | None = None,
    interval_ms: int = 100,
) -> FuncAnimation:
    """Matplotlib FuncAnimation of the charts growing with training."""
    return frames_training(trace, kind=kind, style=style).animation(
        interval_ms=interval_ms
    )
