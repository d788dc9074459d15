"""im2col step by step, from an ``im2col`` trace.

Top: the input (its channels as stacked planes) with the current window, and
the filters. Bottom: the column matrix filling row by row (one row per window,
channel blocks separated), the filter matrix filling column by column, their
product and the product reshaped into ``(N, FN, OH, OW)`` maps. ``outputs/phase``
(0 rows, 1 columns, 2 product, 3 reshape) and ``outputs/index`` drive the
frames; ``data/x``, ``W``, ``col``, ``col_W`` and ``out`` are the arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from numpy.typing import NDArray

from vizlearn.render.conv import blank_axes
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["frames_im2col", "phase_title", "draw_planes"]

DEPTH = 0.25  # of a plane's size: how far each plane behind is shifted


def phase_title(phase: int, shapes: dict[str, tuple[int, ...]], style: Style) -> str:
    """What a phase does, with the real shapes, e.g. (1, 3, 7, 7) → (9, 75)."""
    x, w, col, cw, out = (str(shapes[k]) for k in ("x", "W", "col", "col_W", "out"))
    prod = str((shapes["col"][0], shapes["col_W"][1]))
    texts = (
        (
            "1. each window becomes a row: im2col {x} → {col}",
            "1. 窓を 1 行に展開：im2col {x} → {col}",
        ),
        (
            "2. each filter becomes a column: W {w} → {cw}",
            "2. フィルターを 1 列に：W {w} → {cw}",
        ),
        (
            "3. one matrix product: {col} · {cw} = {p}",
            "3. 1 回の行列積：{col} · {cw} = {p}",
        ),
        ("4. reshape back: {p} → {out}", "4. 形を戻す：{p} → {out}"),
    )
    en, ja = texts[phase]
    return style.text(en, ja, x=x, w=w, col=col, cw=cw, p=prod, out=out)


def draw_planes(
    ax: Axes, planes: NDArray, *, x0: float, norm: Normalize, cmap: str, style: Style
) -> list[AxesImage]:
    """Draw ``planes`` ``(C, h, w)`` stacked, the first in front; return the images.

    Each plane behind is shifted right and up by ``DEPTH`` of its size.
    """
    C, h, w = planes.shape
    shift = DEPTH * max(h, w)
    images = []
    for c in range(C):
        left, top = x0 + c * shift, -c * shift
        extent = (left - 0.5, left + w - 0.5, top + h - 0.5, top - 0.5)
        z = 2 * (C - c)  # the first plane on top
        images.append(
            ax.imshow(
                planes[c],
                cmap=cmap,
                norm=norm,
                extent=extent,
                interpolation="nearest",
                zorder=z,
            )
        )
        edge = Rectangle((left - 0.5, top - 0.5), w, h, fill=False, zorder=z + 0.5)
        edge.set(edgecolor=style.colors["muted"], lw=0.8)
        ax.add_patch(edge)
        images[-1].edge = edge  # drawn with its plane (a blit redraws both)
    return images


def _limits(ax: Axes, width: float, h: int, C: int) -> None:
    """Axes limits that hold stacked planes ``width`` wide and ``h`` high."""
    shift = DEPTH * h
    ax.set_xlim(-0.6, width + (C - 1) * shift - 0.4)
    ax.set_ylim(h - 0.4, -(C - 1) * shift - 0.6)


def _box(ax: Axes, style: Style, **kw) -> Rectangle:
    box = Rectangle((0, 0), 1, 1, fill=False, lw=2.2, zorder=50, **kw)
    box.set_edgecolor(style.colors["model"])
    ax.add_patch(box)
    return box


def _matrix(
    ax: Axes, shape: tuple[int, int], norm: Normalize, cmap: str, title: str
) -> AxesImage:
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():  # the image would cover them when blitted
        spine.set_visible(False)
    return ax.imshow(
        np.full(shape, np.nan),
        cmap=cmap,
        norm=norm,
        aspect="auto",
        interpolation="nearest",
    )


class _Artists:
    """Every panel, and ``update(phase, index)`` that moves them."""

    def __init__(self, fig, trace: Trace, style: Style) -> None:
        d, cfg = trace.data, trace.meta.get("config", {})
        self.x, self.W, self.col, self.col_W, self.out = (
            d[k] for k in ("x", "W", "col", "col_W", "out")
        )
        self.S, self.P = int(cfg.get("stride", 1)), int(cfg.get("pad", 0))
        self.N, self.C, H, _ = self.x.shape
        self.FN, _, self.FH, _ = self.W.shape
        self.OH = self.out.shape[2]
        self.padded = np.pad(self.x, [(0, 0), (0, 0), (self.P,) * 2, (self.P,) * 2])
        self.style = style
        self.shapes = {
            "x": self.x.shape,
            "W": self.W.shape,
            "col": self.col.shape,
            "col_W": self.col_W.shape,
            "out": self.out.shape,
        }
        xn = Normalize(0, max(1.0, float(self.x.max())))
        wn = Normalize(
            -float(np.abs(self.W).max() or 1), float(np.abs(self.W).max() or 1)
        )
        lim = float(np.abs(self.out).max()) or 1.0
        on = Normalize(-lim, lim)
        grid = fig.add_gridspec(
            2, 4, width_ratios=(4, 0.9, 0.9, 1.6), height_ratios=(1, 1.1)
        )
        self._top(fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1:]), xn, wn)
        s = style
        self.m_col = _matrix(
            fig.add_subplot(grid[1, 0]),
            self.col.shape,
            xn,
            "Blues",
            f"im2col(x) {self.col.shape}",
        )
        ax_col = self.m_col.axes
        block = self.FH * self.FH
        self.separators = [  # channel blocks of each row; above the image, so
            ax_col.axvline(c * block - 0.5, color=s.colors["background"], lw=2.5)
            for c in range(1, self.C)  # redrawn with it
        ]
        ax_col.set_xlabel(
            s.text(
                "C·FH·FW = {n} values per window",
                "1 行 = C·FH·FW = {n} 個",
                n=self.col.shape[1],
            )
        )
        ax_col.set_ylabel(
            s.text("N·OH·OW = {n} windows", "N·OH·OW = {n} 個の窓", n=len(self.col))
        )
        self.m_w = _matrix(
            fig.add_subplot(grid[1, 1]),
            self.col_W.shape,
            wn,
            "RdBu_r",
            f"W {self.col_W.shape}",
        )
        self.m_w.axes.set_xlabel("FN")
        shape = (len(self.col), self.FN)
        self.m_out = _matrix(
            fig.add_subplot(grid[1, 2]), shape, on, "PuOr_r", f"= {shape}"
        )
        self.ax_maps = fig.add_subplot(grid[1, 3])
        blank_axes(self.ax_maps)
        self.maps = self.ax_maps.imshow(
            np.full((self.OH, self.FN * (self.OH + 1) - 1), np.nan),
            cmap="PuOr_r",
            norm=on,
            interpolation="nearest",
        )
        self.ax_maps.set_title(s.text("reshaped", "形を戻す") + f"\n{self.out.shape}")
        self.row_box = _box(ax_col, s)
        self.col_box = _box(self.m_w.axes, s)

    def _top(self, ax_in: Axes, ax_f: Axes, xn: Normalize, wn: Normalize) -> None:
        s = self.style
        for ax in (ax_in, ax_f):
            blank_axes(ax)
            ax.set_aspect("equal")
        self.planes = draw_planes(
            ax_in, self.padded[0], x0=0, norm=xn, cmap="Blues", style=s
        )
        ax_in.set_title(s.text("input", "入力データ") + f" {self.x.shape}")
        self.window = _box(ax_in, s)
        self.window.set_width(self.FH)
        self.window.set_height(self.FH)
        step = self.FH * (1 + DEPTH * max(self.C - 1, 0)) + 1.5
        for f in range(self.FN):
            draw_planes(ax_f, self.W[f], x0=f * step, norm=wn, cmap="RdBu_r", style=s)
        ax_f.set_title(s.text("filters", "フィルター") + f" {self.W.shape}")
        self.filter_box = _box(ax_f, s)
        self.filter_box.set_width(self.FH)
        self.filter_box.set_height(self.FH)
        self.step = step
        H = self.padded.shape[2]
        _limits(ax_in, H, H, self.C)
        _limits(ax_f, (self.FN - 1) * step + self.FH, self.FH, self.C)

    def update(self, phase: int, index: int) -> list[Artist]:
        rows, CK = self.col.shape
        n = index // (self.OH * self.OH) if phase == 0 else 0
        planes: list[Artist] = []
        if self.N > 1:  # the window's image changes: redraw the planes
            for c, image in enumerate(self.planes):
                image.set_data(self.padded[n, c])
                planes += [image, image.edge]
        shown = np.full(self.col.shape, np.nan)
        shown[: index + 1 if phase == 0 else rows] = self.col[
            : index + 1 if phase == 0 else rows
        ]
        self.m_col.set_data(shown)
        weights = np.full(self.col_W.shape, np.nan)
        if phase >= 1:
            upto = index + 1 if phase == 1 else self.FN
            weights[:, :upto] = self.col_W[:, :upto]
        self.m_w.set_data(weights)
        product = (
            self.col @ self.col_W if phase >= 2 else np.full((rows, self.FN), np.nan)
        )
        self.m_out.set_data(product)
        maps = np.full(self.maps.get_array().shape, np.nan)
        if phase == 3:
            for f in range(self.FN):
                maps[:, f * (self.OH + 1) : f * (self.OH + 1) + self.OH] = self.out[
                    0, f
                ]
        self.maps.set_data(maps)
        i, j = divmod(index % (self.OH * self.OH), self.OH)
        self.window.set_xy((j * self.S - 0.5, i * self.S - 0.5))
        self.window.set_visible(phase == 0)
        self.row_box.set_bounds(-0.5, index - 0.5, CK, 1)
        self.row_box.set_visible(phase == 0)
        self.col_box.set_bounds(index - 0.5, -0.5, 1, CK)
        self.col_box.set_visible(phase == 1)
        self.filter_box.set_xy((index * self.step - 0.5, -0.5))
        self.filter_box.set_visible(phase == 1)
        return [
            *planes,
            self.m_col,
            *self.separators,
            self.m_w,
            self.m_out,
            self.maps,
            self.window,
            self.row_box,
            self.col_box,
            self.filter_box,
        ]


def frames_im2col(trace: Trace, *, style: Style | None = None) -> FrameSource:
    """A FrameSource: rows, then columns, then the product, then the reshape."""
    style = style or Style()
    phases = np.asarray(trace.outputs["phase"]).astype(int)
    indices = np.asarray(trace.outputs["index"]).astype(int)
    with style.context():
        fig = new_figure(style)
        fig.subplots_adjust(
            left=0.06, right=0.98, top=0.86, bottom=0.08, wspace=0.25, hspace=0.35
        )
        panels = _Artists(fig, trace, style)
        title = fig.suptitle(" ", fontsize=13)

    def update(k: int) -> Sequence[Artist]:
        k %= trace.n_records
        title.set_text(phase_title(int(phases[k]), panels.shapes, style))
        return [*panels.update(int(phases[k]), int(indices[k])), title]

    return FrameSource(fig, update, trace.n_records, style)
