"""Max pooling from a ``pooling`` trace: the kept maximum, then the gradient's way back.

Top row, forward: the feature map with the current window and its maximum
highlighted, and the output filling cell by cell. Bottom row, backward: the
output's gradient (``data/gy``) cell by cell, and the input's gradient, where
each window sends its gradient to the cell that held the maximum and zero to
the others (``data/dx`` once every window is done). ``outputs/phase`` (0
forward, 1 backward) and ``outputs/cell`` drive the frames.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from numpy.typing import NDArray

from vizlearn.render.conv import blank_axes, draw_grid
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["frames_pooling", "routed_gradient"]


def _fmt(v: float) -> str:
    return f"{v:g}"


def routed_gradient(
    arg: NDArray, gy: NDArray, shape: tuple[int, int], pool: int, stride: int, upto: int
) -> tuple[NDArray, NDArray]:
    """dL/dx after the first ``upto`` windows, and which cells they covered."""
    dx, covered = np.zeros(shape), np.zeros(shape, bool)
    OW = arg.shape[1]
    for w in range(upto):
        i, j = divmod(w, OW)
        top, left = i * stride, j * stride
        covered[top : top + pool, left : left + pool] = True
        r, c = divmod(int(arg[i, j]), pool)
        dx[top + r, left + c] += gy[i, j]
    return dx, covered


def _panel(
    ax: Axes, values: NDArray, title: str, style: Style, numbers: bool, size: int
) -> list:
    """A grid of ``values`` in an axes ``size`` cells wide (equal cells everywhere)."""
    n, m = values.shape
    ax.set_xlim(-0.6, size - 0.4)
    ax.set_ylim(size - 0.4, -0.6)
    ax.set_aspect("equal")
    blank_axes(ax)
    ax.set_title(title)
    draw_grid(ax, values, style=style, numbers=numbers)
    texts = (
        []
        if numbers
        else [
            ax.text(c, r, "", ha="center", va="center", fontsize=13)
            for r, c in np.ndindex(n, m)
        ]
    )
    return texts


def _rect(ax: Axes, size: int, color: str, *, fill: bool) -> Rectangle:
    box = Rectangle((-0.5, -0.5), size, size, fill=fill, lw=2.5, zorder=5)
    box.set_edgecolor(color)
    if fill:
        box.set(facecolor=color, alpha=0.3, lw=0)
    ax.add_patch(box)
    return box


class _Panels:
    """Four grids (x, y, dx, gy) and the boxes and texts that move."""

    def __init__(self, fig, trace: Trace, style: Style) -> None:
        d, cfg = trace.data, trace.meta.get("config", {})
        self.x, self.y, self.arg, self.gy = d["x"], d["y"], d["arg"], d["gy"]
        self.P, self.S = int(cfg.get("pool", 2)), int(cfg.get("stride", 2))
        self.style = style
        s, c = style, style.colors
        axes = fig.subplots(2, 2)
        (ax_x, ax_y), (ax_dx, ax_gy) = axes
        n = len(self.x)
        _panel(ax_x, self.x, s.text("input", "入力") + f" ({n} × {n})", s, True, n)
        self.y_texts = _panel(
            ax_y, self.y, s.text("output", "出力") + f" {self.y.shape}", s, False, n
        )
        self.dx_texts = _panel(
            ax_dx,
            np.zeros_like(self.x),
            s.text("gradient ∂L/∂x", "入力側の勾配 ∂L/∂x"),
            s,
            False,
            n,
        )
        self.gy_texts = _panel(
            ax_gy, self.y, s.text("gradient ∂L/∂y", "出力側の勾配 ∂L/∂y"), s, False, n
        )
        self.window = _rect(ax_x, self.P, c["model"], fill=False)
        self.max_x = _rect(ax_x, 1, c["model"], fill=True)
        self.cell_y = _rect(ax_y, 1, c["model"], fill=False)
        self.window_dx = _rect(ax_dx, self.P, c["data"], fill=False)
        self.max_dx = _rect(ax_dx, 1, c["data"], fill=True)
        self.cell_gy = _rect(ax_gy, 1, c["data"], fill=False)

    def update(self, phase: int, cell: int) -> tuple[list[Artist], str]:
        OW = self.y.shape[1]
        i, j = divmod(cell, OW)
        top, left = i * self.S, j * self.S
        r, c = divmod(int(self.arg[i, j]), self.P)
        for box in (self.window, self.window_dx):
            box.set_xy((left - 0.5, top - 0.5))
        for box in (self.max_x, self.max_dx):
            box.set_xy((left + c - 0.5, top + r - 0.5))
        for box in (self.cell_y, self.cell_gy):
            box.set_xy((j - 0.5, i - 0.5))
        done = cell + 1 if phase == 0 else self.y.size
        for n, t in enumerate(self.y_texts):
            t.set_text(_fmt(self.y.flat[n]) if n < done else "")
        backward = phase == 1
        upto = cell + 1 if backward else 0
        for n, t in enumerate(self.gy_texts):
            t.set_text(_fmt(self.gy.flat[n]) if n < upto else "")
            t.set_color(self.style.colors["data"])
        dx, covered = routed_gradient(
            self.arg, self.gy, self.x.shape, self.P, self.S, upto
        )
        for n, t in enumerate(self.dx_texts):
            t.set_text(_fmt(dx.flat[n]) if covered.flat[n] else "")
            t.set_color(self.style.colors["data" if dx.flat[n] else "muted"])
        for box in (self.window_dx, self.max_dx, self.cell_gy):
            box.set_visible(backward)
        window = self.x[top : top + self.P, left : left + self.P]
        if backward:
            text = self.style.text(
                "∂L/∂y = {g} flows to the maximum {m}; "
                "the other {k} in the window get 0",
                "∂L/∂y = {g} は最大値 {m} の位置へ、窓の残りの {k} 個には 0",
                g=_fmt(self.gy[i, j]),
                m=_fmt(self.y[i, j]),
                k=self.P * self.P - 1,
            )
        else:
            values = ", ".join(_fmt(v) for v in window.ravel())
            text = f"max({values}) = {_fmt(self.y[i, j])}"
        moved = [
            self.window,
            self.max_x,
            self.cell_y,
            self.window_dx,
            self.max_dx,
            self.cell_gy,
        ]
        return [*moved, *self.y_texts, *self.gy_texts, *self.dx_texts], text


def frames_pooling(trace: Trace, *, style: Style | None = None) -> FrameSource:
    """A FrameSource: each window forward, then each gradient routed back."""
    style = style or Style()
    phases = np.asarray(trace.outputs["phase"]).astype(int)
    cells = np.asarray(trace.outputs["cell"]).astype(int)
    n = int(trace.data["y"].size)
    with style.context():
        fig = new_figure(style)
        fig.subplots_adjust(left=0.05, right=0.95, top=0.86, bottom=0.1, hspace=0.3)
        panels = _Panels(fig, trace, style)
        title = fig.suptitle(" ", fontsize=13)
        caption = fig.text(0.5, 0.03, " ", ha="center", fontsize=12)

    def update(k: int) -> Sequence[Artist]:
        k %= trace.n_records
        artists, text = panels.update(int(phases[k]), int(cells[k]))
        step = int(cells[k]) + 1
        if phases[k] == 0:
            head = style.text(
                "max pooling, forward: window {i} / {n}",
                "Max プーリングの順伝播：{i} / {n} 個目の窓",
                i=step,
                n=n,
            )
        else:
            head = style.text(
                "backward: the gradient goes to the maximum, {i} / {n}",
                "逆伝播：勾配は最大値の位置へ {i} / {n}",
                i=step,
                n=n,
            )
        title.set_text(head)
        caption.set_text(text)
        return [*artists, title, caption]

    return FrameSource(fig, update, trace.n_records, style)
