"""Decision boundaries: class regions shaded by the network's prediction, data on top.

Reads a classification trace with ``outputs["classes"]`` and
``outputs["confidence"]`` (``(frames, grid, grid)``) on the grid
``data["grid_x"]``, ``data["grid_y"]``; optional ``outputs["units"]``
(``(frames, hidden, g, g)``) adds one small panel per hidden unit. A
regression trace (``outputs["value"]``) is a heat map instead, a test split
(``data["x_test"]``, ``metrics["test_loss"]``) adds hollow test points and a
loss strip (:mod:`vizlearn.render.playground`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.render.playground import (
    HeatPanel,
    LossStrip,
    class_names,
    draw_test_points,
    has_loss_strip,
)
from vizlearn.render.unit_panels import UnitPanels, regions_share
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_boundary",
    "plot_boundary",
    "animate_boundary",
    "frames_boundary",
    "region_image",
]

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
# `boundary --units` (60 frames, 960x720) made a 4.5 MB GIF: smooth gradients
# (bilinear upsampling, 8 confidence steps, 256-step unit colours) that change
# every frame took 75 KB a frame. Measured GIF sizes: unit colours in 16 steps
# 3.4 MB; drawn as cells (nearest) 2.3 MB; main panel as cells too 1.56 MB; 8 unit
# steps 1.26 MB; 4 confidence steps 0.98 MB. The bands read like contour lines.
CONFIDENCE_LEVELS = 4  # (UNIT_LEVELS = 8: render/unit_panels.py)


def region_image(
    classes: NDArray,
    confidence: NDArray,
    n_classes: int,
    *,
    style: Style,
    levels: int | None = CONFIDENCE_LEVELS,
) -> NDArray[np.float64]:
    """RGB image ``(g, g, 3)``: the predicted class's colour, paler where unsure.

    A cell is paler the nearer its probability is to 1 / n_classes.

    The confidence is shown in ``levels`` steps (None: continuous). The steps
    read like contour bands and keep animated GIFs about half the size.
    """
    colors = np.array([to_rgb(c) for c in _class_colors(n_classes, style)])
    bg = np.array(to_rgb(_background(style)))
    chance = 1.0 / n_classes
    sure = np.clip((confidence - chance) / (1.0 - chance), 0.0, 1.0)
    if levels:
        sure = np.round(sure * levels) / levels
    alpha = (0.12 + 0.38 * sure)[..., None]
    return (1 - alpha) * bg + alpha * colors[classes.astype(int)]


def _class_colors(n_classes: int, style: Style) -> list[str]:
    cycle = style.colors["cycle"]
    return [cycle[i % len(cycle)] for i in range(n_classes)]


def _background(style: Style) -> str:
    bg = style.colors["background"]
    return "#ffffff" if bg == "none" else bg


class _BoundaryPanel:
    """The shaded regions and the data; ``update(k)`` shows snapshot k."""

    def __init__(self, ax: Axes, trace: Trace, style: Style) -> None:
        d, c = trace.data, style.colors
        self.trace, self.style = trace, style
        self.n_classes = int(trace.meta.get("n_classes", int(d["t"].max()) + 1))
        extent = (d["grid_x"][0], d["grid_x"][-1], d["grid_y"][0], d["grid_y"][-1])
        blank = np.zeros((len(d["grid_y"]), len(d["grid_x"]), 3))
        self.image = ax.imshow(
            blank,
            origin="lower",
            extent=extent,
            aspect="auto",
            interpolation="nearest",
            zorder=1,
        )
        self.points = []
        colors, names = _class_colors(self.n_classes, style), class_names(trace, style)
        for k, color in enumerate(colors):
            x = d["x"][d["t"] == k]
            self.points.append(
                ax.scatter(
                    x[:, 0],
                    x[:, 1],
                    s=16,
                    marker=MARKERS[k % len(MARKERS)],
                    color=color,
                    edgecolors=c["foreground"],
                    linewidths=0.5,
                    zorder=3,
                    label=names[k],
                )
            )
        self.points += draw_test_points(ax, trace, colors, style=style)
        ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="x₁", ylabel="x₂")
        ax.set_aspect("equal", adjustable="box")  # the data's true shape
        ax.grid(False)
        spines = [sp for sp in ax.spines.values() if sp.get_visible()]
        self.frame = [*spines, ax.xaxis, ax.yaxis]
        self.legend = ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
        self.title = ax.set_title(" ")

    def update(self, k: int) -> list[Artist]:
        """Shade the regions predicted at snapshot ``k`` and retitle."""
        tr = self.trace
        k = k % tr.n_records
        rgb = region_image(
            tr.outputs["classes"][k],
            tr.outputs["confidence"][k],
            self.n_classes,
            style=self.style,
        )
        self.image.set_data(rgb)
        self.title.set_text(_title(tr, k, style=self.style))
        # spines, ticks, data and legend overlap the image: redraw them after it
        return [self.image, *self.frame, *self.points, self.legend, self.title]


def _title(trace: Trace, k: int, *, style: Style) -> str:
    m, step = trace.meta, int(trace.steps[k])
    per_epoch = int(m.get("iters_per_epoch", 0))
    if per_epoch:
        last = int(m.get("iters", step)) // per_epoch
        text = f"{style.label('epoch')} {step / per_epoch:.0f} / {last}"
    else:
        text = f"{style.label('iteration')} {step:,}"
    out = trace.outputs
    text += _scores(
        out, k, "data_loss" if "data_loss" in out else "loss", "accuracy", style
    )
    if "test_loss" in out:  # a second line: the held-out points' scores
        scores = _scores(out, k, "test_loss", "test_accuracy", style).lstrip()
        text += f"\n{style.label('test')}{style.text(': ', '：')}{scores}"
    if trace.diverged_at is not None and k == trace.n_records - 1:
        text += "   " + style.label("diverged", k=trace.diverged_at)
    return text


def _scores(out: Mapping, k: int, loss: str, accuracy: str, style: Style) -> str:
    """'   loss 0.123   accuracy 95.0%' of snapshot ``k`` (accuracy if recorded)."""
    text = f"   {style.label('loss')} {float(out[loss][k]):.3f}"
    if accuracy in out:
        text += f"   {style.label('accuracy')} {100 * float(out[accuracy][k]):.1f}%"
    return text


def draw_boundary(
    ax: Axes, trace: Trace, frame: int = -1, *, style: Style
) -> list[Artist]:
    """Draw class regions at snapshot ``frame`` with the data on top; return artists."""
    return _BoundaryPanel(ax, trace, style).update(frame)


def frames_boundary(
    trace: Trace, *, style: Style | None = None, units: bool | None = None
) -> FrameSource:
    """The boundary over training as a FrameSource (hidden-unit panels if recorded)."""
    style = style or Style()
    units = "units" in trace.outputs if units is None else units
    if units and "units" not in trace.outputs:
        raise ValueError("this trace has no hidden-unit outputs; train with --units")
    with style.context():
        fig = new_figure(style, layout="constrained")
        extra: list = []
        ax, below, right, space = _layout(
            fig, trace, units=units, strip=has_loss_strip(trace)
        )
        if trace.meta.get("task") == "regression":
            title = partial(_title, trace, style=style)
            panel = HeatPanel(ax, trace, title, style=style)
        else:
            panel = _BoundaryPanel(ax, trace, style)
        if below is not None:
            extra.append(LossStrip(below, trace, style=style))
        if right is not None:
            extra.append(UnitPanels(right, trace, style, space=space))

    def update(k: int) -> Sequence[Artist]:
        return [a for p in (panel, *extra) for a in p.update(k)]

    return FrameSource(fig, update, trace.n_records, style)


def _layout(fig: Figure, trace: Trace, *, units: bool, strip: bool) -> tuple:
    """The regions' Axes, the loss strip's (or None), the units' subfigure (or None).

    With unit panels the regions take the width their aspect needs at the
    figure's full height (no empty band above or below them), the units the
    rest, and ``space`` is the units' box in inches.
    """
    left, right, space = fig, None, None
    if units:
        share = regions_share(fig, trace, strip)  # of the width, for the regions
        left, right = fig.subfigures(1, 2, width_ratios=[share, 1 - share], wspace=0.01)
        w, h = fig.get_size_inches()
        space = (w * (1 - share), h)
    if strip:  # a test split: its loss under the regions
        ax, below = left.subplots(2, 1, height_ratios=[3.2, 1])
        return ax, below, right, space
    return left.subplots(), None, right, space


def plot_boundary(
    trace: Trace,
    *,
    frame: int = -1,
    style: Style | None = None,
    units: bool | None = None,
) -> Figure:
    """A still of the boundary at snapshot ``frame`` (default: after training)."""
    return frames_boundary(trace, style=style, units=units).still(
        frame % trace.n_records
    )


def animate_boundary(
    trace: Trace, *, style: Style | None = None, interval_ms: int = 100
) -> FuncAnimation:
    """Matplotlib FuncAnimation of the class regions over training."""
    return frames_boundary(trace, style=style).animation(interval_ms=interval_ms)
