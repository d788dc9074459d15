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

__all__ = [
    "draw_activation",
    "plot_activations",
    "plot_overlay",
    "plot_linear",
    "plot_book",
]


def draw_activation(
    ax: Axes,
    x: NDArray,
    y: NDArray,
    dy: NDArray | None,
    *,
    title: str,
    style: Style,
    legend: bool = True,
) -> list[Artist]:
    """Draw one function (and its derivative, dashed) on ``ax``; return the lines.

    ``legend=False`` leaves the legend to the caller (one for a grid of panels).
    """
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
        if legend:
            ax.legend(loc="best")
    _zero_lines(ax, style)
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
        handles: list[Artist] = []
        for ax, name in zip(axes, names, strict=False):
            title = _linear_title(config) if name == "linear" else style.label(name)
            dy = d.get(f"dy/{name}")
            lines = draw_activation(
                ax, d["x"], d[f"y/{name}"], dy, title=title, style=style, legend=False
            )
            handles = handles if len(handles) >= len(lines) else lines
        spare = axes[len(names) :]
        for ax in spare:
            ax.set_visible(False)
        fig.suptitle(style.label("activations_title"))
        # one legend for every panel, where it covers no curve: an empty cell
        # of the grid, or below the panels
        if len(handles) < 2:  # no derivatives drawn: the titles say it all
            pass
        elif spare.size:
            spare[0].set_visible(True)
            spare[0].axis("off")
            spare[0].legend(handles=handles, loc="center", fontsize="large")
        else:
            fig.legend(handles=handles, loc="outside lower center", ncols=2)
        fig.draw_without_rendering()
    return fig


def _zero_lines(ax: Axes, style: Style) -> None:
    """The x and y axes through the origin, in the muted colour."""
    ax.axhline(0, color=style.colors["muted"], lw=0.8)
    ax.axvline(0, color=style.colors["muted"], lw=0.8)


def _linear_title(config: Mapping[str, float]) -> str:
    """``y = 2x - 1``: the linear transform's W and b."""
    weight, bias = config.get("weight", 1.0), config.get("bias", 0.0)
    sign = "−" if bias < 0 else "+"
    return f"y = {weight:g}x {sign} {abs(bias):g}".replace("-", "−")


def _single(trace: Trace, style: Style, title: str) -> tuple[Figure, Axes]:
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        ax.set_title(title)
        ax.set_xlim(trace.data["x"][0], trace.data["x"][-1])
    return fig, ax


def plot_overlay(trace: Trace, *, style: Style | None = None) -> Figure:
    """Sigmoid, ReLU and tanh on one axis, y from -1.1 to 1.6 (the lesson's figure)."""
    style = style or Style()
    fig, ax = _single(trace, style, style.label("activations_title"))
    with style.context():
        for name in ("sigmoid", "relu", "tanh"):
            ax.plot(trace.data["x"], trace.data[f"y/{name}"], label=style.label(name))
        ax.set_ylim(-1.1, 1.6)
        _zero_lines(ax, style)
        ax.set(xlabel="x", ylabel="y")
        ax.legend(loc="upper left")
        fig.draw_without_rendering()
    return fig


def plot_linear(trace: Trace, *, style: Style | None = None) -> Figure:
    """Identity and the linear transform y = Wx + b on one axis."""
    style = style or Style()
    config = trace.meta.get("config", {})
    fig, ax = _single(
        trace, style, f"{style.label('identity')}, {style.label('linear')}"
    )
    with style.context():
        x = trace.data["x"]
        ax.plot(x, trace.data["y/identity"], label=f"{style.label('identity')}: y = x")
        ax.plot(x, trace.data["y/linear"], label=_linear_title(config))
        _zero_lines(ax, style)
        ax.set(xlabel="x", ylabel="y")
        ax.legend(loc="best")
        fig.draw_without_rendering()
    return fig


def plot_book(trace: Trace, *, style: Style | None = None) -> Figure:
    """The book's ch. 3 figures: step (dashed) over sigmoid, and ReLU, plain axes."""
    from vizlearn.render.params import plain_axes

    style = style or Style()
    x, d = trace.data["x"], trace.data
    with style.context():
        fig = new_figure(style, layout="constrained")
        left, right = fig.subplots(1, 2)
        left.plot(x, d["y/sigmoid"], label=style.label("sigmoid"))
        left.plot(
            x, d["y/step"], "--", color=style.colors["foreground"], label=_step(style)
        )
        left.set_ylim(-0.1, 1.1)  # sig_step_compare.py
        left.legend(loc="upper left")
        right.plot(x, d["y/relu"], label=style.label("relu"))
        right.set_ylim(-1.0, 5.5)  # relu.py
        right.legend(loc="upper left")
        for ax in (left, right):
            plain_axes(ax)
            ax.set_xlim(-5.0, 5.0)
            ax.set(xlabel="x", ylabel="y")
        fig.draw_without_rendering()
    return fig


def _step(style: Style) -> str:
    return style.text("step function", "ステップ関数")
