"""Regression curve over training: data, predicted curve, residuals, loss."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from vizlearn.render.curves import LossCursor
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_regression",
    "plot_regression",
    "plot_fit",
    "animate_regression",
    "frames_regression",
]


_MIN_LEGEND_WIDTH = 480  # pixels


class _RegressionArtists:
    """The artists of one regression panel and how to move them to frame k."""

    def __init__(self, ax: Axes, trace: Trace, style: Style, residuals: bool) -> None:
        c, d = style.colors, trace.data
        self.trace, self.style = trace, style
        self.points = ax.scatter(
            d["x"],
            d["t"],
            s=14,
            color=c["data"],
            alpha=0.8,
            zorder=3,
            label=style.label("data"),
        )
        if "truth" in d:
            ax.plot(
                d["grid"],
                d["truth"],
                ls="--",
                lw=1.2,
                color=c["truth"],
                alpha=0.8,
                label=style.label("truth"),
            )
        self.residuals = LineCollection(
            [],
            colors=c["residual"],
            linewidths=0.8,
            zorder=2,
            label=style.label("residual"),
        )
        self.residuals.set_visible(residuals)
        ax.add_collection(self.residuals)
        (self.curve,) = ax.plot(
            [], [], color=c["model"], lw=2.2, zorder=4, label=style.label("prediction")
        )
        self.title = ax.set_title(" ")
        ax.set(xlabel=style.label("input"), ylabel=style.label("output"))
        lo, hi = float(d["grid"][0]), float(d["grid"][-1])
        ax.set_xlim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
        ax.set_ylim(*_ylim(trace))
        self.legend = ax.legend(loc="upper right", ncols=2)
        # a thumbnail has no room for a legend: it would cover the data
        self.legend.set_visible(style.width >= _MIN_LEGEND_WIDTH)

    def update(self, k: int) -> list[Artist]:
        tr, style = self.trace, self.style
        x, t, fit = tr.data["x"], tr.data["t"], tr.outputs["fit"][k]
        self.curve.set_data(tr.data["grid"], tr.outputs["curve"][k])
        self.residuals.set_segments(np.stack([np.c_[x, t], np.c_[x, fit]], axis=1))
        title = _title(tr, k, style)
        self.title.set_text(title)
        # points and legend sit above the moving lines, so they are redrawn too
        # (where the lines reach them; see vizlearn.render.frames)
        return [self.residuals, self.points, self.curve, self.legend, self.title]


def _ylim(trace: Trace) -> tuple[float, float]:
    """Limits that hold the data and the predicted curves, so axes never jump.

    Curves that run far off (a diverging run) are clipped at twice the data's
    span beyond it, so the data stays readable.
    """
    t = trace.data["t"]
    lo, hi = float(t.min()), float(t.max())
    span = hi - lo or 1.0
    curves = trace.outputs["curve"]
    lo = max(min(lo, float(curves.min())), lo - 2 * span)
    hi = min(max(hi, float(curves.max())), hi + 2 * span)
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


def _title(trace: Trace, k: int, style: Style) -> str:
    k = k % trace.n_records
    step, last = int(trace.steps[k]), int(trace.meta.get("config", {}).get("iters", 0))
    loss = float(trace.outputs["loss"][k])
    text = f"{style.label('iteration')} {step:,}"
    text += f" / {last:,}" if last else ""
    text += f"   {style.label('loss')} {_number(loss)}"
    if trace.diverged_at is not None and k == trace.n_records - 1:
        text += "   " + style.label("diverged", k=trace.diverged_at)
    return text


def _number(value: float) -> str:
    """0.0912 as 0.0912; 5.8e+304 (a diverging run) as 5.827e+304."""
    return f"{value:.4f}" if 1e-3 <= abs(value) < 1e4 else f"{value:.4g}"


def draw_regression(
    ax: Axes, trace: Trace, frame: int = -1, *, style: Style, residuals: bool = True
) -> list[Artist]:
    """Draw data, curve and residuals at snapshot ``frame``; return moving artists."""
    return _RegressionArtists(ax, trace, style, residuals).update(frame)


def frames_regression(
    trace: Trace,
    *,
    style: Style | None = None,
    loss_panel: bool = True,
    residuals: bool = True,
) -> FrameSource:
    """The regression animation as a FrameSource: curve panel over a loss panel."""
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        if loss_panel:
            top, bottom = fig.subplots(2, 1, height_ratios=[3, 1])
        else:
            top, bottom = fig.subplots(), None
        panel = _RegressionArtists(top, trace, style, residuals)
        small = style.width < _MIN_LEGEND_WIDTH  # a thumbnail: few loss ticks
        cursor = (
            LossCursor(bottom, trace, style, few_ticks=small)
            if bottom is not None
            else None
        )

    def update(k: int) -> Sequence[Artist]:
        arts = panel.update(k)
        return arts + cursor.update(k) if cursor else arts

    return FrameSource(fig, update, trace.n_records, style)


def plot_regression(
    trace: Trace,
    *,
    frame: int = -1,
    style: Style | None = None,
    loss_panel: bool = True,
    residuals: bool = True,
) -> Figure:
    """A still of the regression animation at snapshot ``frame``."""
    source = frames_regression(
        trace, style=style, loss_panel=loss_panel, residuals=residuals
    )
    return source.still(frame % trace.n_records)


def plot_fit(trace: Trace, *, style: Style | None = None) -> Figure:
    """The final fit: data, the trained curve and its residuals."""
    return plot_regression(trace, frame=-1, style=style, loss_panel=False)


def animate_regression(
    trace: Trace, *, style: Style | None = None, interval_ms: int = 100
) -> FuncAnimation:
    """Matplotlib FuncAnimation of the curve (and residuals) over training."""
    return frames_regression(trace, style=style).animation(interval_ms=interval_ms)
