"""What a CNN learns: its first-layer filters and one digit's feature maps.

The filters are drawn as the book's ``visualize_filter.py`` draws them (Figure
7-24): 8 per row, grey (``gray_r``: dark is a large weight), each filter scaled
to its own range. Reads ``outputs/filters`` ``(snapshots, 30, 1, 5, 5)``,
``outputs/conv`` and ``outputs/pool`` (one test digit's maps at each snapshot)
and ``data/digit`` of a ``cnn`` trace.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from numpy.typing import NDArray

from vizlearn.render.conv import blank_axes
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_filter_grid",
    "mosaic",
    "tile",
    "frames_filters",
    "plot_filters",
    "plot_features",
    "COLUMNS",
]

COLUMNS = 8  # filters per row, as the book's filter_show(nx=8)


def _epoch(trace: Trace, k: int) -> int:
    per_epoch = max(1, int(trace.meta.get("iters_per_epoch", 1)))
    return int(trace.steps[k]) // per_epoch


def _accuracy(trace: Trace, k: int) -> float | None:
    """Test accuracy recorded at snapshot ``k``'s step (None if none was)."""
    acc = trace.metrics.get("test_acc")
    hit = np.flatnonzero(trace.metric_steps == trace.steps[k])
    return float(acc[hit[-1]]) if acc is not None and len(hit) else None


GAP = -1.0
"""Mosaic value of the 1-pixel lines around each tile (drawn in the muted colour)."""


def mosaic(
    maps: NDArray, *, columns: int = COLUMNS, shared: bool = False
) -> NDArray[np.float64]:
    """Tile ``maps`` ``(n, h, w)`` into one image, each tile framed by ``GAP`` lines.

    Each map is scaled to [0, 1] over its own range (as ``imshow`` scales each
    of the book's filters), or over the range of all of them with ``shared``.
    The places of missing tiles in the last row are NaN (blank).
    """
    n, h, w = maps.shape
    rows = -(-n // columns)
    out = np.full((rows * (h + 1) + 1, columns * (w + 1) + 1), GAP)
    lo, hi = (float(maps.min()), float(maps.max())) if shared else (None, None)
    for i in range(rows * columns):
        r, c = tile(i, (h, w), columns)
        if i >= n:
            out[r.start - 1 : r.stop + 1, c.start - 1 : c.stop + 1] = np.nan
            continue
        a, b = (lo, hi) if shared else _range(maps[i])
        out[r, c] = (maps[i] - a) / (b - a) if b > a else 0.5
    if n % columns:  # the lines of the last tile stay
        r, c = tile(n - 1, (h, w), columns)
        out[r.start - 1 : r.stop + 1, c.stop] = GAP
    return out


def tile(k: int, shape: tuple[int, int], columns: int = COLUMNS) -> tuple[slice, slice]:
    """The rows and columns of map ``k`` in a :func:`mosaic` of maps of ``shape``."""
    (h, w), (r, c) = shape, divmod(k, columns)
    top, left = 1 + r * (h + 1), 1 + c * (w + 1)
    return slice(top, top + h), slice(left, left + w)


def draw_filter_grid(
    ax: Axes,
    maps: NDArray,
    *,
    style: Style,
    columns: int = COLUMNS,
    cmap: str = "gray_r",
) -> AxesImage:
    """Draw ``maps`` ``(n, h, w)`` as a grid of small images (one :func:`mosaic`).

    Thin lines in the muted colour frame each tile, so that dark weights stay
    visible on a dark theme and light ones on a light theme.
    """
    blank_axes(ax)
    return ax.imshow(
        mosaic(maps, columns=columns),
        cmap=blank_colormap(cmap, style),
        vmin=0.0,
        vmax=1.0,
        interpolation="nearest",
    )


def blank_colormap(name: str, style: Style):
    """The colormap ``name``: NaN in the background colour, ``GAP`` lines muted."""
    from matplotlib import colormaps

    back = style.colors["background"]
    bad = back if back != "none" else (0, 0, 0, 0)
    return colormaps[name].with_extremes(bad=bad, under=style.colors["muted"])


def _range(a: NDArray) -> tuple[float, float]:
    return float(a.min()), float(a.max())


def _filters(trace: Trace) -> NDArray:
    """``(snapshots, FN, FH, FW)``: the first input channel of every filter."""
    return np.asarray(trace.outputs["filters"])[:, :, 0]


def frames_filters(trace: Trace, *, style: Style | None = None) -> FrameSource:
    """A FrameSource: frame k shows the 30 filters after ``k`` epochs."""
    style = style or Style()
    filters = _filters(trace)
    with style.context():
        fig = new_figure(style)
        ax = fig.add_axes((0.03, 0.03, 0.94, 0.8))
        image = draw_filter_grid(ax, filters[0], style=style)
        title = fig.suptitle(" ", fontsize=13)

    def update(k: int) -> Sequence[Artist]:
        k %= trace.n_records
        image.set_data(mosaic(filters[k]))
        title.set_text(_title(trace, k, style))
        return [image, title]

    return FrameSource(fig, update, trace.n_records, style)


def _title(trace: Trace, k: int, style: Style) -> str:
    epochs = int(trace.meta.get("config", {}).get("epochs", _epoch(trace, -1)))
    text = style.text(
        "first-layer filters (W1), epoch {e} / {n}",
        "1 層目の畳み込み層のフィルター（W1）: {e} / {n} エポック",
        e=_epoch(trace, k),
        n=epochs,
    )
    acc = _accuracy(trace, k)
    if acc is not None:
        text += f"\n{style.label('test')} {style.label('accuracy')} {acc:.3f}"
    return text


def plot_filters(trace: Trace, *, style: Style | None = None) -> Figure:
    """Figure 7-24: the filters before (top) and after (bottom) training."""
    style = style or Style()
    filters = _filters(trace)
    with style.context():
        fig = new_figure(style)
        fig.suptitle(
            style.text(
                "the 30 first-layer filters (5 × 5) of SimpleConvNet",
                "SimpleConvNet の 1 層目のフィルター（5 × 5 が 30 枚）",
            ),
            fontsize=13,
        )
        for k, name, bottom in (
            (0, style.text("before training", "学習前"), 0.5),
            (-1, style.text("after training", "学習後"), 0.03),
        ):
            ax = fig.add_axes((0.05, bottom, 0.9, 0.38))
            draw_filter_grid(ax, filters[k], style=style)
            epoch = _epoch(trace, k % trace.n_records)
            ax.set_title(f"{name} ({style.text('epoch {e}', '{e} エポック', e=epoch)})")
        fig.draw_without_rendering()
    return fig


def plot_features(
    trace: Trace, *, frame: int = -1, style: Style | None = None
) -> Figure:
    """One test digit, its maps after the convolution and after 2 x 2 max pooling."""
    style = style or Style()
    k = frame % trace.n_records
    conv, pool = trace.outputs["conv"][k], trace.outputs["pool"][k]
    with style.context():
        fig = new_figure(style)
        fig.suptitle(
            style.text(
                "feature maps of one test image, epoch {e}",
                "1 枚のテスト画像の特徴マップ（{e} エポック）",
                e=_epoch(trace, k),
            ),
            fontsize=13,
        )
        ax = fig.add_axes((0.02, 0.3, 0.17, 0.4))
        ax.imshow(trace.data["digit"], cmap="gray_r", interpolation="nearest")
        blank_axes(ax)
        ax.add_patch(
            Rectangle((-0.5, -0.5), 28, 28, fill=False, ec=style.colors["muted"])
        )
        label = int(trace.data.get("digit_label", -1))
        ax.set_title(style.text("input (label {t})", "入力（正解 {t}）", t=label))
        ax.text(13.5, 29.5, "1 × 28 × 28", ha="center", va="top")
        for maps, name, left in (
            (conv, style.text("after convolution", "畳み込み層の出力"), 0.22),
            (pool, style.text("after ReLU + pooling", "ReLU・プーリング後"), 0.61),
        ):
            ax = fig.add_axes((left, 0.03, 0.37, 0.8))
            draw_filter_grid(ax, maps, style=style, columns=5)
            h, w = maps.shape[1:]
            ax.set_title(f"{name}\n{len(maps)} × {h} × {w}")
        fig.draw_without_rendering()
    return fig
