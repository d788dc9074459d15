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
from vizlearn.render.params import plain_axes
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_regression",
    "plot_regression",
    "plot_fit",
    "plot_data",
    "animate_regression",
    "frames_regression",
]


_MIN_LEGEND_WIDTH = 480  # pixels


class _RegressionArtists:
    """The artists of one regression panel and how to move them to frame k.

    ``look="book"`` draws it as the lesson's own script does: plain axes, data
    as a scatter, the prediction in red ("predict"), dotted grey residuals, and
    ``iter:K, lr=..., loss=...`` as a left-hand title under "Neural Network".
    """

    def __init__(
        self, ax: Axes, trace: Trace, style: Style, residuals: bool, look: str
    ) -> None:
        c, d = style.colors, trace.data
        self.trace, self.style, self.book = trace, style, look == "book"
        book = self.book
        self.points = ax.scatter(
            d["x"],
            d["t"],
            s=10 if book else 14,
            color=c["data"],
            alpha=1.0 if book else 0.8,
            zorder=3,
            label=style.label("data"),
        )
        if "truth" in d and not book:
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
            linestyles=":" if book else "-",
            zorder=2,
            label=style.label("residual"),
        )
        self.residuals.set_visible(residuals)
        ax.add_collection(self.residuals)
        (self.curve,) = ax.plot(
            [],
            [],
            color=c["model"],
            lw=1.5 if book else 2.2,
            zorder=4,
            label="predict" if book else style.label("prediction"),
        )
        lo, hi = float(d["grid"][0]), float(d["grid"][-1])
        ax.set_xlim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
        ax.set_ylim(*_ylim(trace))
        if book:
            self._book_axes(ax, style)
        else:
            self._vizlearn_axes(ax, style)

    def _vizlearn_axes(self, ax: Axes, style: Style) -> None:
        ax.set(xlabel=style.label("input"), ylabel=style.label("output"))
        # above the plot, in one row: it never covers a point or the curve
        self.legend = ax.legend(
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncols=4,
            frameon=False,
            borderaxespad=0.3,
            handlelength=1.6,
        )
        # a thumbnail has no room for a legend
        self.legend.set_visible(style.width >= _MIN_LEGEND_WIDTH)
        self.title = ax.figure.suptitle(" ")

    def _book_axes(self, ax: Axes, style: Style) -> None:
        plain_axes(ax)
        ax.set(xlabel="x", ylabel="y")
        ax.set_title("Neural Network")
        self.title = ax.set_title(" ", loc="left")
        self.legend = ax.legend(loc="upper right")
        self.legend.set_visible(style.width >= _MIN_LEGEND_WIDTH)

    def update(self, k: int) -> list[Artist]:
        tr, style = self.trace, self.style
        x, t, fit = tr.data["x"], tr.data["t"], tr.outputs["fit"][k]
        self.curve.set_data(tr.data["grid"], tr.outputs["curve"][k])
        self.residuals.set_segments(np.stack([np.c_[x, t], np.c_[x, fit]], axis=1))
        self.title.set_text(_book_title(tr, k) if self.book else _title(tr, k, style))
        # the points (and the book look's legend) sit above the moving lines, so
        # they are redrawn too where the lines reach them (vizlearn.render.frames);
        # vizlearn's legend is above the axes, where nothing moves
        moving = [self.residuals, self.points, self.curve]
        return (
            [*moving, self.legend, self.title] if self.book else [*moving, self.title]
        )


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
    config = trace.meta.get("config", {})
    step, last = int(trace.steps[k]), int(config.get("iters", 0))
    loss = float(trace.outputs["loss"][k])
    text = f"{style.label('iteration')} {step:,}"
    text += f" / {last:,}" if last else ""
    if "lr" in config:
        text += f"   {style.text('learning rate', '学習係数')} {config['lr']:g}"
    text += f"   {style.label('loss')} {_number(loss)}"
    if trace.diverged_at is not None and k == trace.n_records - 1:
        text += "   " + style.label("diverged", k=trace.diverged_at)
    return text


def _book_title(trace: Trace, k: int) -> str:
    """``iter:4000, lr=0.2, loss=0.2122``, as the lesson's script prints it."""
    k = k % trace.n_records
    lr = trace.meta.get("config", {}).get("lr")
    loss = float(trace.outputs["loss"][k])
    lr_text = f", lr={lr:g}" if lr is not None else ""
    return f"iter:{int(trace.steps[k])}{lr_text}, loss={_number(loss)}"


def _number(value: float) -> str:
    """0.0912 as 0.0912; 5.8e+304 (a diverging run) as 5.827e+304."""
    return f"{value:.4f}" if 1e-3 <= abs(value) < 1e4 else f"{value:.4g}"


def draw_regression(
    ax: Axes,
    trace: Trace,
    frame: int = -1,
    *,
    style: Style,
    residuals: bool = True,
    look: str = "vizlearn",
) -> list[Artist]:
    """Draw data, curve and residuals at snapshot ``frame``; return moving artists."""
    return _RegressionArtists(ax, trace, style, residuals, look).update(frame)


def frames_regression(
    trace: Trace,
    *,
    style: Style | None = None,
    loss_panel: bool = True,
    residuals: bool = True,
    look: str = "vizlearn",
) -> FrameSource:
    """The regression animation as a FrameSource: curve panel over a loss panel.

    ``look="book"``: the lesson's own figure (no loss panel, see
    `_RegressionArtists`).
    """
    style = style or Style()
    loss_panel = loss_panel and look != "book"
    with style.context():
        fig = new_figure(style, layout="constrained")
        if loss_panel:
            top, bottom = fig.subplots(2, 1, height_ratios=[3, 1])
        else:
            top, bottom = fig.subplots(), None
        panel = _RegressionArtists(top, trace, style, residuals, look)
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
    look: str = "vizlearn",
) -> Figure:
    """A still of the regression animation at snapshot ``frame``."""
    source = frames_regression(
        trace, style=style, loss_panel=loss_panel, residuals=residuals, look=look
    )
    return source.still(frame % trace.n_records)


def plot_fit(
    trace: Trace, *, style: Style | None = None, look: str = "vizlearn"
) -> Figure:
    """The final fit: data, the trained curve and its residuals."""
    return plot_regression(trace, frame=-1, style=style, loss_panel=False, look=look)


def plot_data(
    trace: Trace, *, style: Style | None = None, look: str = "vizlearn"
) -> Figure:
    """The data set before training, titled with the formula it was drawn from."""
    style = style or Style()
    d, config = trace.data, trace.meta.get("config", {})
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        book = look == "book"
        ax.scatter(d["x"], d["t"], s=10 if book else 16, color=style.colors["data"])
        if book:
            plain_axes(ax)
            ax.set(xlabel="x", ylabel="y")
        else:
            ax.set(xlabel=style.label("input"), ylabel=style.label("output"))
        ax.set_title(_formula(config, len(d["x"]), style))
        fig.draw_without_rendering()
    return fig


def _formula(config: dict, n: int, style: Style) -> str:
    """``y = sin(2πx) + ε,  x, ε ~ U(0, 1),  N = 100`` (or the user's own data)."""
    if "noise" not in config:
        name = config.get("data") or ""
        return style.text(
            "your data{f}  (N = {n})",
            "あなたのデータ{f}（N = {n}）",
            f=(f": {name}" if name else ""),
            n=n,
        )
    noise = float(config["noise"])
    eps = "ε ~ U(0, 1)" if noise == 1.0 else f"ε ~ U(0, {noise:g})"
    return f"y = sin(2πx) + ε,   x ~ U(0, 1),   {eps},   N = {n}"


def animate_regression(
    trace: Trace, *, style: Style | None = None, interval_ms: int = 100
) -> FuncAnimation:
    """Matplotlib FuncAnimation of the curve (and residuals) over training."""
    return frames_regression(trace, style=style).animation(interval_ms=interval_ms)
