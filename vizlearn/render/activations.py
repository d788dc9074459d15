"""Activation functions and their derivatives (takes arrays, not a Trace)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import new_figure
from vizlearn.style import Style

__all__ = ["draw_activation", "plot_activations"]

Curve = tuple[NDArray[np.float64], NDArray[np.float64] | None]


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


def plot_activations(
    x: NDArray,
    curves: Mapping[str, Curve],
    *,
    titles: Mapping[str, str] | None = None,
    style: Style | None = None,
) -> Figure:
    """One panel per function in ``curves`` (name -> (y, dy or None)), in a grid."""
    style = style or Style()
    titles = titles or {}
    n = len(curves)
    ncols = min(n, 3)
    nrows = -(-n // ncols)
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, (name, (y, dy)) in zip(axes, curves.items(), strict=False):
            draw_activation(
                ax, x, y, dy, title=titles.get(name, style.label(name)), style=style
            )
        for ax in axes[n:]:
            ax.set_visible(False)
        fig.suptitle(style.label("activations_title"))
        fig.draw_without_rendering()
    return fig
