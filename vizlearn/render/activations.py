"""Activation functions and their derivatives, one panel each."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["draw_activation", "plot_activations"]


def draw_activation(
    ax: Axes,
    x: NDArray,
    y: NDArray,
    dy: NDArray | None,
    *,
    title: str,
    style: Style,
) -> list[Artist]:
    """Draw one function (and its derivative, dashed) on ``ax``; return the lines."""
    c = style.colors
    lines = ax.plot(x, y, color=c["model"], lw=2.0, label="y")
    if dy is not None:
        lines += ax.plot(
            x,
            dy,
            color=c["data"],
            lw=1.4,
            ls="--",
            label=f"dy/dx ({style.label('derivative')})",
        )
        ax.legend(loc="upper left")
    ax.axhline(0, color=c["muted"], lw=0.8)
    ax.axvline(0, color=c["muted"], lw=0.8)
    ax.set_title(title)
    ax.set_xlim(x[0], x[-1])
    return lines


def plot_activations(trace: Trace, *, style: Style | None = None) -> Figure:
    """One panel per function of an activations trace, in a grid."""
    style = style or Style()
    d, meta = trace.data, trace.meta
    names = list(meta["functions"])
    config = meta.get("config", {})
    ncols = min(len(names), 3)
    nrows = -(-len(names) // ncols)
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, name in zip(axes, names, strict=False):
            title = _linear_title(config) if name == "linear" else style.label(name)
            dy = d.get(f"dy/{name}")
            draw_activation(ax, d["x"], d[f"y/{name}"], dy, title=title, style=style)
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        fig.suptitle(style.label("activations_title"))
        fig.draw_without_rendering()
    return fig


def _linear_title(config: Mapping[str, float]) -> str:
    """``y = 2x - 1``: the linear transform's W and b."""
    weight, bias = config.get("weight", 1.0), config.get("bias", 0.0)
    sign = "-" if bias < 0 else "+"
    return f"y = {weight:g}x {sign} {abs(bias):g}"
