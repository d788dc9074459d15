"""The convolution of a ``conv`` trace: input, filter and output, cell by cell.

Frame k fills the output up to cell ``outputs/filled[k]``; the window on the
(zero-padded) input and the filter's weights inside it move with it, and the
line below spells out the sum of products of the current cell. Beside it, the
output-size formula ``OH = (H + 2P - FH) / S + 1`` with the run's numbers.
Several channels are stacked planes, front to back (Figure 7-8). A small input
shows every number; an MNIST digit is drawn as an image.

This module runs past 300 lines because it is one lesson's renderer: the
grids, the frames and the formula panel share its drawing helpers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from numpy.typing import NDArray

from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "blank_axes",
    "frames_conv",
    "draw_grid",
    "size_formula",
    "products_text",
    "NUMBERS_UP_TO",
]

NUMBERS_UP_TO = 12
"""Padded inputs up to this size show their numbers; larger ones are images."""
DEPTH = 0.45  # cells each plane behind the first is shifted right and up


def _fmt(v: float) -> str:
    text = f"{v:g}" if float(v).is_integer() else f"{v:.2f}"
    return text.replace("-", "−")


def _factor(v: float) -> str:
    """A number as the second factor of a product: negatives in parentheses."""
    return f"({_fmt(v)})" if v < 0 else _fmt(v)


def size_formula(H: int, FH: int, P: int, S: int, *, style: Style) -> str:
    """``OH = (H + 2P − FH) / S + 1 = (4 + 2·0 − 3) / 1 + 1 = 2`` with the numbers."""
    span = H + 2 * P - FH
    out = span // S + 1
    exact = "" if span % S == 0 else f" = ⌊{span / S:g}⌋ + 1"
    head = style.text("output size", "出力サイズ")
    return (
        f"{head}  OH = (H + 2P − FH) / S + 1\n"
        f"= ({H} + 2·{P} − {FH}) / {S} + 1{exact} = {out}"
    )


def products_text(window: NDArray, W: NDArray, b: float, value: float) -> str:
    """The sum of products of one output cell, written out (summed per channel)."""
    if window.shape[0] == 1 and window.size <= 16:
        terms = [
            f"{_fmt(a)}·{_factor(w)}"
            for a, w in zip(window.ravel(), W.ravel(), strict=True)
        ]
        mid = len(terms) // 2 + 1
        text = " + ".join(terms[:mid]) + "\n+ " + " + ".join(terms[mid:])
    elif window.size <= 64:
        sums = (window * W).sum(axis=(1, 2))
        text = " + ".join(f"ch{c + 1} {_fmt(s)}" for c, s in enumerate(sums))
    else:
        text = "Σ window × filter"
    bias = f" + b {_fmt(b)}" if b else ""
    return f"{text}{bias} = {_fmt(value)}"


def draw_grid(
    ax: Axes,
    values: NDArray,
    *,
    style: Style,
    origin: tuple[float, float] = (0.0, 0.0),
    numbers: bool = True,
    shade: NDArray | None = None,
    face: str | None = None,
) -> list[Artist]:
    """Draw ``values`` ``(h, w)`` as a grid of cells; return the patches and texts.

    Cell (r, c) is centred at ``origin + (c, r)``; ``shade`` marks the cells
    (padding) drawn grey.
    """
    c = style.colors
    x0, y0 = origin
    artists: list[Artist] = []
    for (r, col), v in np.ndenumerate(values):
        grey = shade is not None and shade[r, col]
        rect = Rectangle(
            (x0 + col - 0.5, y0 + r - 0.5),
            1,
            1,
            facecolor=c["grid"] if grey else (face or c["background"]),
            edgecolor=c["muted"],
            lw=0.8,
        )
        ax.add_patch(rect)
        artists.append(rect)
        if numbers:
            color = c["muted"] if grey else c["foreground"]
            artists.append(
                ax.text(
                    x0 + col, y0 + r, _fmt(v), ha="center", va="center", color=color
                )
            )
    return artists


def blank_axes(ax: Axes) -> None:
    """No frame, ticks or axis lines, even when a blit redraws an axes' static parts.

    ``set_axis_off`` alone leaves the axis artists visible to code that draws
    them one by one.
    """
    ax.set_axis_off()
    for artist in (ax.xaxis, ax.yaxis, *ax.spines.values()):
        artist.set_visible(False)


def _setup(ax: Axes, width: float, height: float, title: str) -> None:
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(height - 0.4, -0.6)
    ax.set_aspect("equal")
    blank_axes(ax)
    ax.set_title(title)


def _frame(ax: Axes, n: int, style: Style) -> Rectangle:
    """A border around an ``n x n`` image (its white pixels meet the background)."""
    return ax.add_patch(
        Rectangle((-0.5, -0.5), n, n, fill=False, ec=style.colors["muted"], lw=0.8)
    )


class _Panels:
    """The three panels and the artists that move."""

    def __init__(self, fig, trace: Trace, style: Style) -> None:
        d, cfg = trace.data, trace.meta.get("config", {})
        self.x, self.W, self.y = d["x"], d["W"], d["y"]
        self.b = float(d["b"][0])
        self.P, self.S = int(cfg.get("pad", 0)), int(cfg.get("stride", 1))
        self.C, H, _ = self.x.shape
        self.FH = self.W.shape[1]
        self.padded = np.pad(self.x, [(0, 0), (self.P, self.P), (self.P, self.P)])
        self.numbers = self.padded.shape[1] <= NUMBERS_UP_TO
        self.style = style
        n_in, n_out = self.padded.shape[1], self.y.shape[0]
        depth = DEPTH * (self.C - 1)
        ratios = (n_in + depth, self.FH + depth, n_out + 0.5)
        if not self.numbers:  # images: the filter's numbers must stay readable
            ratios = (3.0, 2.0, 3.0)
        grid = fig.add_gridspec(2, 3, width_ratios=ratios, height_ratios=(3, 1))
        self.ax_in, self.ax_w, self.ax_out = (
            fig.add_subplot(grid[0, i]) for i in range(3)
        )
        self.ax_text = fig.add_subplot(grid[1, :])
        blank_axes(self.ax_text)
        self._draw_input(n_in, depth)
        self._draw_filter(depth)
        self._draw_output(n_out)
        self.expr = self.ax_text.text(0.0, 0.75, "", va="top", ha="left", fontsize=12)
        self.ax_text.text(
            1.0,
            0.75,
            size_formula(H, self.FH, self.P, self.S, style=style),
            va="top",
            ha="right",
            fontsize=11,
            color=style.colors["muted"],
        )

    def _planes(
        self, ax: Axes, planes: NDArray, shade: NDArray | None, face: str
    ) -> None:
        """Back planes first, each ``DEPTH`` right and up; numbers on the front."""
        for c in reversed(range(len(planes))):
            origin = (c * DEPTH, -c * DEPTH)
            front = c == 0
            draw_grid(
                ax,
                planes[c],
                style=self.style,
                origin=origin,
                numbers=front,
                shade=shade,
                face=face if front else self.style.colors["grid"],
            )

    def _draw_input(self, n: int, depth: float) -> None:
        s = self.style
        title = s.text("input", "入力データ") + f" ({self.C} × {n} × {n})"
        _setup(self.ax_in, n + depth, n, title)
        self.ax_in.set_ylim(n - 0.4, -0.6 - depth)
        if self.numbers:
            shade = np.ones(self.padded.shape[1:], bool)
            shade[self.P : n - self.P, self.P : n - self.P] = False
            self._planes(self.ax_in, self.padded, shade, s.colors["background"])
        else:
            self.ax_in.imshow(self.padded[0], cmap="gray_r", interpolation="nearest")
            _frame(self.ax_in, n, s)
        self.window = Rectangle(
            (-0.5, -0.5),
            self.FH,
            self.FH,
            fill=False,
            lw=2.5,
            ec=s.colors["model"],
            zorder=5,
        )
        self.ax_in.add_patch(self.window)
        self.weights = [
            self.ax_in.text(
                0,
                0,
                "",
                fontsize=7,
                ha="right",
                va="bottom",
                color=s.colors["model"],
                zorder=6,
            )
            for _ in range(self.FH * self.FH if self.numbers else 0)
        ]

    def _draw_filter(self, depth: float) -> None:
        s = self.style
        title = s.text("filter", "フィルター") + f" ({self.C} × {self.FH} × {self.FH})"
        _setup(self.ax_w, self.FH + depth, self.FH, title)
        self.ax_w.set_ylim(self.FH + 0.6, -0.6 - depth)
        self._planes(self.ax_w, self.W, None, s.colors["background"])
        self.ax_w.text(
            -0.1,
            0.5,
            "⊛",
            fontsize=22,
            ha="right",
            va="center",
            color=s.colors["muted"],
            transform=self.ax_w.transAxes,
        )

    def _draw_output(self, n: int) -> None:
        s = self.style
        _setup(self.ax_out, n + 1, n, s.text("output", "出力データ") + f" ({n} × {n})")
        self.ax_out.text(
            -0.04,
            0.5,
            "→",
            fontsize=22,
            ha="right",
            va="center",
            transform=self.ax_out.transAxes,
        )
        if self.numbers:
            draw_grid(self.ax_out, self.y, style=s, numbers=False)
            self.cells = [
                self.ax_out.text(j, i, "", ha="center", va="center", fontsize=14)
                for i, j in np.ndindex(*self.y.shape)
            ]
            self.image = None
        else:
            self.cells = []
            lim = float(np.abs(self.y).max()) or 1.0
            self.border = _frame(self.ax_out, n, s)  # above the image: redrawn with it
            signed = bool((self.y < 0).any())  # edges: red/blue; sums: the input's grey
            self.image = self.ax_out.imshow(
                np.full(self.y.shape, np.nan),
                cmap="RdBu_r" if signed else "gray_r",
                vmin=-lim if signed else 0.0,
                vmax=lim,
                interpolation="nearest",
            )
        self.current = Rectangle(
            (-0.5, -0.5), 1, 1, fill=False, lw=2.5, ec=s.colors["model"], zorder=5
        )
        self.ax_out.add_patch(self.current)

    def update(self, filled: int) -> list[Artist]:
        OW = self.y.shape[1]
        i, j = divmod(filled - 1, OW)
        top, left = i * self.S, j * self.S
        self.window.set_xy((left - 0.5, top - 0.5))
        self.current.set_xy((j - 0.5, i - 0.5))
        for k, text in enumerate(self.weights):
            r, c = divmod(k, self.FH)
            text.set_position((left + c + 0.45, top + r + 0.45))
            text.set_text(f"×{_fmt(self.W[0, r, c])}")
        for n, text in enumerate(self.cells):
            text.set_text(_fmt(self.y.flat[n]) if n < filled else "")
        moved: list[Artist] = [self.window, self.current, *self.weights, *self.cells]
        if self.image is not None:
            shown = np.full(self.y.size, np.nan)
            shown[:filled] = self.y.ravel()[:filled]
            self.image.set_data(shown.reshape(self.y.shape))
            moved += [self.image, self.border]
        window = self.padded[:, top : top + self.FH, left : left + self.FH]
        self.expr.set_text(products_text(window, self.W, self.b, self.y[i, j]))
        return [*moved, self.expr]


def frames_conv(trace: Trace, *, style: Style | None = None) -> FrameSource:
    """A FrameSource: frame k fills the output up to ``outputs/filled[k]`` cells."""
    style = style or Style()
    filled = np.asarray(trace.outputs["filled"]).astype(int)
    with style.context():
        fig = new_figure(style)
        fig.subplots_adjust(left=0.03, right=0.97, top=0.86, bottom=0.04, wspace=0.3)
        panels = _Panels(fig, trace, style)
        title = fig.suptitle(" ", fontsize=13)

    def update(k: int) -> Sequence[Artist]:
        k %= trace.n_records
        cells = panels.y.size
        title.set_text(
            style.text(
                "convolution: output cell {n} / {m}",
                "畳み込み演算：出力 {n} / {m} 個目",
                n=int(filled[k]),
                m=cells,
            )
        )
        return [*panels.update(int(filled[k])), title]

    return FrameSource(fig, update, trace.n_records, style)
