"""Loss charts, and a loss panel with a cursor that follows an animation."""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from vizlearn.render.frames import new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["draw_loss", "plot_loss", "LossCursor"]


def draw_loss(
    ax: Axes, trace: Trace, *, style: Style, log: bool = False
) -> list[Artist]:
    """Draw the loss per iteration (and where training diverged); return the line."""
    (line,) = ax.plot(
        trace.loss_steps,
        trace.loss,
        color=style.colors["model"],
        lw=1.4,
        label=style.label("loss"),
    )
    ax.set(xlabel=style.label("iteration"), ylabel=style.label("loss"))
    _cap_explosion(ax, trace.loss, log)  # before the log scale autoscales on 1e300s
    if log:
        _plain_log_axis(ax)
    if len(trace.loss_steps):
        ax.set_xlim(0, max(int(trace.loss_steps[-1]), int(trace.steps.max(initial=0))))
        from vizlearn.render.params import iteration_ticks

        iteration_ticks(ax, nbins=6)
    artists: list[Artist] = [line]
    if trace.diverged_at is not None:
        k = trace.diverged_at
        artists.append(ax.axvline(k, color=style.colors["muted"], ls=":", lw=1.2))
        artists.append(
            ax.annotate(
                style.label("diverged", k=k),
                (k, 1),
                xycoords=("data", "axes fraction"),
                ha="right",
                va="top",
                xytext=(-4, -4),
                textcoords="offset points",
                color=style.colors["foreground"],
            )
        )
    return artists


def _cap_explosion(ax: Axes, loss: np.ndarray, log: bool) -> None:
    """Keep a diverging run readable: show up to 10^6 times the initial loss."""
    if len(loss) == 0:
        return
    first = abs(float(loss[0])) or 1.0
    cap = first * 1e6 if log else first * 10
    if float(loss.max()) > cap:
        bottom = max(float(loss.min()) * 0.8, 1e-300) if log else 0.0
        ax.set_ylim(bottom, cap)


def _plain_log_axis(ax: Axes) -> None:
    """Log y axis labelled 0.1, 0.2, 0.5, 1 when it spans few decades."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    lo, hi = ax.get_ylim() if not ax.get_autoscaley_on() else ax.dataLim.intervaly
    if lo > 0 and hi / lo < 1e3:
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())


def plot_loss(
    trace: Trace,
    *,
    log: bool = False,
    style: Style | None = None,
    look: str = "vizlearn",
) -> Figure:
    """Loss per iteration as a Figure (``log=True`` for a log y axis).

    ``look="book"`` titles it as the lesson does: "Mean Squared Error, lr=0.2".
    A trace that records its loss per epoch (an imported Keras log) gets the
    loss panel of `plot_metrics` instead.
    """
    if trace.meta.get("step_unit") == "epoch" or not len(trace.loss):
        from vizlearn.render.metrics_chart import plot_metrics

        return plot_metrics(trace, names=["loss"], log=log, style=style)
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        draw_loss(ax, trace, style=style, log=log)
        ax.set_title(
            _book_title(trace) if look == "book" else style.label("loss_curve")
        )
        fig.draw_without_rendering()
    return fig


def _book_title(trace: Trace) -> str:
    config = trace.meta.get("config", {})
    name = "Mean Squared Error" if trace.meta.get("task") == "regression" else "Loss"
    lr = config.get("lr")
    return f"{name}, lr={lr:g}" if isinstance(lr, int | float) else name


def _few_log_ticks(ax: Axes, most: int) -> None:
    """At most ``most`` labelled ticks on a log axis: 1, 2, 5 steps, or decades."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    lo, hi = ax.get_ylim()
    for subs in ((1.0, 2.0, 5.0), (1.0, 3.0), (1.0,)):
        ticks = [
            m * 10.0**e
            for e in range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
            for m in subs
            if lo <= m * 10.0**e <= hi
        ]
        if len(ticks) <= most or subs == (1.0,):
            break
    ax.yaxis.set_major_locator(LogLocator(subs=subs))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


class LossCursor:
    """A small loss panel (log y) whose marker follows the animation's frame."""

    def __init__(
        self, ax: Axes, trace: Trace, style: Style, *, few_ticks: bool = False
    ) -> None:
        """Draw the loss on ``ax``; ``few_ticks``: label decades only (short panels)."""
        self.trace = trace
        log = bool(np.all(trace.loss > 0))
        draw_loss(ax, trace, style=style, log=log)
        if log:  # a short panel: at most 4 labels, never 0.3 0.4 0.5 ... crammed
            _few_log_ticks(ax, 1 if few_ticks else 4)
        ax.set_xlabel(style.label("iteration"), labelpad=1)
        lo, hi = ax.get_xlim()
        ax.set_xlim(lo - 0.01 * (hi - lo), hi + 0.01 * (hi - lo))  # room for the dot
        fg = style.colors["foreground"]
        # above the spines (zorder 2.5), as blitting draws it after them
        self.vline = ax.axvline(0, color=fg, lw=0.8, alpha=0.6, zorder=2.6)
        (self.dot,) = ax.plot([], [], "o", ms=5, color=fg, zorder=5)

    def update(self, k: int) -> list[Artist]:
        """Move the cursor to snapshot ``k``."""
        step = int(self.trace.steps[k])
        self.vline.set_xdata([step, step])
        self.dot.set_data([step], [float(self.trace.outputs["loss"][k])])
        return [self.vline, self.dot]
