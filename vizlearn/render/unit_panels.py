"""The hidden units' panels of ``boundary --units``: one small image per unit.

Each first-layer unit's output over the input plane, on cells that keep the
data's shape, in the grid that makes them largest beside the class regions,
with one colour bar. :func:`regions_share` gives the regions the width their
aspect needs at full height, so nothing is left empty above them.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["UnitPanels", "unit_grid", "unit_range", "regions_share", "UNIT_LEVELS"]

#: unit colours in 8 steps: smaller GIFs (see render/boundary.py's measurements)
UNIT_LEVELS = 8


class UnitPanels:
    """One small image per first-layer hidden unit, updated per snapshot.

    Cells keep the data's aspect (square data, square cells), the grid takes
    the column count that makes them largest in the space given, and one
    colour bar says what the colours mean.
    """

    def __init__(self, fig, trace: Trace, style: Style, *, space: tuple) -> None:
        units = trace.outputs["units"]
        self.trace, n = trace, units.shape[1]
        d = trace.data
        extent = (d["units_x"][0], d["units_x"][-1], d["units_y"][0], d["units_y"][-1])
        aspect = (extent[3] - extent[2]) / (extent[1] - extent[0])
        nrows, ncols = unit_grid(n, space[0], space[1] * 0.8, aspect)
        # rows as tall as their cells; what is left goes above and below them
        cell = min(space[0] / ncols, space[1] * 0.8 / (nrows * aspect * 1.25))
        slack = max(0.0, space[1] * 0.8 - nrows * cell * aspect * 1.25)
        pad = slack / 2 / (cell * aspect * 1.25)
        grid = fig.subplots(
            nrows + 2,
            ncols,
            squeeze=False,
            height_ratios=[pad or 1e-3, *[1] * nrows, pad or 1e-3],
        )
        for ax in [*grid[0], *grid[-1]]:
            ax.set_visible(False)
        axes = grid[1:-1].ravel()
        activation = trace.meta.get("config", {}).get("activation")
        lo, hi = unit_range(units, activation)
        cmap = matplotlib.colormaps["RdBu_r"].resampled(UNIT_LEVELS)
        self.images = []
        for i, ax in enumerate(axes):
            ax.set_axis_off()
            if i >= n:
                continue
            self.images.append(
                ax.imshow(
                    units[0, i],
                    origin="lower",
                    extent=extent,
                    aspect="equal",
                    cmap=cmap,
                    vmin=lo,
                    vmax=hi,
                    interpolation="nearest",
                )
            )
            ax.set_title(style.label("hidden_unit", i=i + 1), fontsize=7, pad=1.5)
        bar = fig.colorbar(
            self.images[0], ax=list(axes), location="bottom", shrink=0.8, aspect=25
        )
        bar.set_label(
            style.text(
                "unit output ({a})", "ユニットの出力（{a}）", a=activation or "?"
            ),
            fontsize=8,
        )
        bar.ax.tick_params(labelsize=7)
        fig.suptitle(  # two short lines: the units' column is narrow
            style.text(
                "first hidden layer:\neach unit's output",
                "1 層目の隠れ層：\n各ユニットの出力",
            ),
            fontsize=10,
        )

    def update(self, k: int) -> list[Artist]:
        """Show every unit's output at snapshot ``k``."""
        units = self.trace.outputs["units"][k % self.trace.n_records]
        for image, values in zip(self.images, units, strict=True):
            image.set_data(values)
        return list(self.images)


def unit_grid(n: int, width: float, height: float, aspect: float) -> tuple[int, int]:
    """(rows, columns) of ``n`` cells (height/width ``aspect``): the largest fit.

    Ties go to fewer columns.
    """

    def cell(ncols: int) -> float:  # the cell width that fits both ways
        nrows = -(-n // ncols)
        return min(width / ncols, height / (nrows * aspect * 1.25))  # 1.25: titles

    ncols = max(range(1, n + 1), key=lambda c: (cell(c), -c))
    return -(-n // ncols), ncols


def unit_range(units: NDArray, activation: str | None) -> tuple[float, float]:
    """The colour range: the activation's own (sigmoid 0-1, tanh -1-1), else ±max."""
    if activation == "sigmoid":
        return 0.0, 1.0
    if activation == "tanh":
        return -1.0, 1.0
    top = float(units.max()) or 1.0
    return -top, top  # relu: zero sits at the colormap's neutral middle


def regions_share(fig: Figure, trace: Trace, strip: bool) -> float:
    """The figure width's share the class regions need at full height."""
    d = trace.data
    aspect = (d["grid_y"][-1] - d["grid_y"][0]) / (d["grid_x"][-1] - d["grid_x"][0])
    w, h = fig.get_size_inches()
    fontsize = matplotlib.rcParams["font.size"] / 72  # inches (rc of the style)
    height = h - 6.5 * fontsize  # the title (two lines at most) and x labels
    if strip:
        height *= 3.2 / 4.2
    width = height / aspect + 5 * fontsize  # the y labels
    # a few units need less room: cells of at most 30 % of the height
    n = trace.outputs["units"].shape[1]
    rows, cols = unit_grid(n, w, 0.8 * h, aspect)
    cell = min(0.8 * h / (rows * aspect * 1.25), 0.3 * h)
    need = 1.15 * cols * cell
    return float(np.clip(max(width / w, 1 - need / w), 0.45, 0.75))
