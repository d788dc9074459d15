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

__all__ = ["draw_params", "plot_params"]

_MAX_LINES = 64  # beyond this a panel shows a seeded sample of elements


def draw_params(ax: Axes, trace: Trace, name: str, *, style: Style) -> list[Artist]:
    """Draw every element of parameter ``name`` against iteration; return the lines."""
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
    return list(lines)


def plot_params(
    trace: Trace, *, names: list[str] | None = None, style: Style | None = None
) -> Figure:
    """One panel per parameter tensor (W1, b1, ...), in a grid, as a Figure."""
    style = style or Style()
    names = names or list(trace.params)
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
        for ax, name in zip(axes, names, strict=False):
            draw_params(ax, trace, name, style=style)
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        fig.suptitle(style.label("params_title"))
        fig.draw_without_rendering()
    return fig
