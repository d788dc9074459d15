"""Per-parameter trajectories: one panel per tensor, one line per element."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from vizlearn.render.frames import new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["draw_params", "plot_params", "iteration_ticks", "plain_axes"]

_MAX_LINES = 64  # beyond this a panel shows a seeded sample of elements


def draw_params(
    ax: Axes, trace: Trace, name: str, *, style: Style, legend: bool = False
) -> list[Artist]:
    """Draw every element of parameter ``name`` against iteration; return the lines.

    ``legend`` names each element (``w_0``, ``w_1``, ... as the lesson does).
    """
    values = trace.params[name].reshape(trace.n_records, -1)
    shape = "×".join(str(s) for s in trace.params[name].shape[1:]) or "1"
    cols = np.arange(values.shape[1])
    if len(cols) > _MAX_LINES:
        cols = np.sort(np.random.default_rng(0).choice(cols, _MAX_LINES, replace=False))
        shape += ", " + style.label("shown", n=_MAX_LINES)
    lines = ax.plot(trace.steps, values[:, cols], lw=1.1, alpha=0.9)
    ax.set_title(f"{name}  ({shape})")
    ax.set_xlim(trace.steps[0], trace.steps[-1])
    ax.set_xlabel(style.label("iteration"))
    iteration_ticks(ax)
    if legend:
        letter = name[0].lower()
        for line, c in zip(lines, cols, strict=True):
            line.set_label(f"{letter}_{c}")
        ax.legend(loc="best", ncols=2 if len(cols) > 5 else 1, fontsize="small")
    return list(lines)


def iteration_ticks(ax: Axes, nbins: int = 5) -> None:
    """At most ``nbins`` round iteration ticks, 20k for 20 000 (labels never touch)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins, integer=True, min_n_ticks=3))
    last = abs(ax.get_xlim()[1])

    def label(value: float, _pos: int) -> str:
        if last >= 10_000 and value % 1000 == 0:
            return f"{value / 1000:g}k" if value else "0"
        return f"{value:,.0f}"

    ax.xaxis.set_major_formatter(FuncFormatter(label))


def plot_params(
    trace: Trace,
    *,
    names: list[str] | None = None,
    style: Style | None = None,
    tensor: str = "",
    look: str = "vizlearn",
) -> Figure:
    """One panel per parameter tensor (W1, b1, ...), in a grid, as a Figure.

    ``tensor`` draws that one alone, each element named in a legend, titled
    ``W1, lr=0.2`` as the lesson's own figures are (``look="book"`` names the
    elements in every panel).
    """
    style = style or Style()
    names = [tensor] if tensor else (names or list(trace.params))
    unknown = sorted(set(names) - set(trace.params))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(unknown)}; "
            f"the trace has {', '.join(trace.params)}"
        )
    ncols = min(2, len(names))
    nrows = math.ceil(len(names) / ncols)
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        legend = bool(tensor) or look == "book"
        for ax, name in zip(axes, names, strict=False):
            draw_params(ax, trace, name, style=style, legend=legend)
            if tensor or look == "book":
                ax.set_title(_book_title(trace, name))
            if look == "book":
                plain_axes(ax)
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        if not tensor:
            fig.suptitle(style.label("params_title"))
        fig.draw_without_rendering()
    return fig


def plain_axes(ax: Axes) -> None:
    """The look of a plain matplotlib script: no grid, a box of four spines."""
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)


def _book_title(trace: Trace, name: str) -> str:
    lr = trace.meta.get("config", {}).get("lr")
    return f"{name}, lr={lr:g}" if isinstance(lr, int | float) else name
