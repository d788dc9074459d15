"""The gradient race: W1's gradient filling up in measured time, two ways.

Reads a gradient-race trace: ``data["backprop"]`` and ``data["numerical"]``
(W1's shape, e.g. 784 x 50), ``data["computed"]`` (which weights the
numerical loop reached), and its clock: ``data["done"]`` weights after
``data["seconds"]``. An MNIST W1 is drawn as a mosaic of 50 images of 28 x 28
(one per hidden unit), so the book's one-weight-at-a-time loop visibly sweeps
all 50 images pixel by pixel, while backprop's map is full after one forward
and one backward pass. The last frame shows |numerical − backprop| on a log
scale.

This module runs past 300 lines because it is one lesson's renderer: the
race frames and the difference figure share its mosaics and clock.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm, Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter
from numpy.typing import NDArray

from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "mosaic",
    "format_seconds",
    "frames_race",
    "plot_difference",
    "draw_difference",
    "clock_at",
]

_COLS = 5  # hidden units per mosaic row: 50 units make a tall 10 x 5 mosaic


def format_seconds(s: float, style: Style | None = None) -> str:
    """0.12 ms, 1.5 s, 3.2 min, 4.1 h or 2.3 days (分, 時間, 日 in Japanese)."""
    ja = style is not None and style.lang == "ja"
    for limit, unit, scale in (
        (1e-3, "µs", 1e-6),
        (1.0, "ms", 1e-3),
        (60.0, "秒" if ja else "s", 1.0),
        (3600.0, "分" if ja else "min", 60.0),
        (86400.0, "時間" if ja else "h", 3600.0),
    ):
        if s < limit:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 86400:.3g} {'日' if ja else 'days'}"


def mosaic(W: NDArray, image_shape: tuple[int, int] | None) -> NDArray[np.float64]:
    """W1 (inputs, units) as one image per unit in a grid, NaN between them."""
    W = np.asarray(W, np.float64)
    if image_shape is None or math.prod(image_shape) != W.shape[0]:
        return W  # e.g. 2 x 50 for planar data: the matrix itself
    h, w = image_shape
    units = W.shape[1]
    cols = min(_COLS, units)
    rows = -(-units // cols)
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for j in range(units):
        r, c = divmod(j, cols)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = W[
            :, j
        ].reshape(h, w)
    return out


def _checked(trace: Trace) -> dict:
    d = trace.data
    keys = ("backprop", "numerical", "computed", "done", "seconds")
    if any(k not in d for k in keys):
        raise ValueError("this trace holds no gradient race (lesson 'gradient-race')")
    if not (d["backprop"].shape == d["numerical"].shape == d["computed"].shape):
        raise ValueError("the race's gradients must have one shape")
    if d["backprop"].ndim != 2 or len(d["done"]) != len(d["seconds"]) < 2:
        raise ValueError("the race's clock must have a reading per chunk")
    shape = trace.meta.get("image_shape")
    return {**d, "image_shape": tuple(shape) if shape else None}


def clock_at(trace: Trace, k: int) -> tuple[float, int, bool, bool]:
    """Frame ``k``: (seconds on the clock, weights done, backprop done, last frame)."""
    d, n = trace.data, trace.n_records
    k = k % n
    total, bp = float(d["seconds"][-1]), float(trace.meta["backprop_seconds"])
    if k == 0:
        return 0.0, 0, False, False
    times = np.linspace(bp, total, max(n - 2, 2))
    t = float(times[min(k - 1, len(times) - 1)])
    done = int(np.floor(np.interp(t, d["seconds"], d["done"])))
    return t, done, True, k == n - 1


def _masked(values: NDArray, keep: NDArray, image_shape) -> NDArray:
    """The mosaic of ``values`` with NaN where ``keep`` is False."""
    return mosaic(np.where(keep, values, np.nan), image_shape)


class _Race:
    """Three panels: numerical, backprop, difference; ``update(k)`` is frame k.

    The mosaics are coloured once (RGBA); a frame only picks which pixels of
    them show, so matplotlib never re-normalizes or re-maps an image.
    """

    def __init__(self, fig: Figure, trace: Trace, style: Style) -> None:
        self.trace, self.style = trace, style
        self.d = d = _checked(trace)
        axes = fig.subplots(1, 3)
        bp, shape = d["backprop"], d["image_shape"]
        top = float(np.percentile(np.abs(bp), 99.5)) or 1.0
        grads = ScalarMappable(Normalize(-top, top), _cmap("RdBu_r", style))
        diff = np.abs(d["numerical"] - bp)
        reached = diff[d["computed"]]
        lo = max(float(reached[reached > 0].min(initial=1.0)), 1e-16)
        hi = max(float(reached.max(initial=0.0)), lo * 10)
        diffs = ScalarMappable(LogNorm(lo, hi), _cmap("magma", style))
        self.rgba = {
            "num": grads.to_rgba(mosaic(d["numerical"], shape), bytes=True),
            "bp": grads.to_rgba(mosaic(bp, shape), bytes=True),
            "diff": diffs.to_rgba(mosaic(np.clip(diff, lo, None), shape), bytes=True),
        }
        self.bad = np.round(np.array(to_rgba(_bad(style))) * 255).astype(np.uint8)
        index = mosaic(np.arange(bp.size, dtype=float).reshape(bp.shape), shape)
        self.inside = ~np.isnan(index)  # pixels of a weight (not a gap)
        self.flat_index = index[self.inside].astype(np.intp)
        blank = self._pick("bp", np.zeros(bp.size, bool))
        self.images = [
            ax.imshow(blank, interpolation="nearest", aspect="equal") for ax in axes
        ]
        for ax, (en, ja) in zip(axes, _TITLES, strict=True):
            ax.set_title(style.text(en, ja), fontsize=9)
            ax.set(xticks=[], yticks=[])
            ax.grid(False)
            for spine in ax.spines.values():  # the images are drawn over them
                spine.set_visible(False)
        ticks = MaxNLocator(5, symmetric=True)
        fig.colorbar(
            grads,
            ticks=ticks,
            ax=axes[:2],
            orientation="horizontal",
            fraction=0.05,
            pad=0.02,
            aspect=40,
        ).set_label("∂L/∂W1")
        bar = fig.colorbar(
            diffs, ax=axes[2], orientation="horizontal", fraction=0.05, pad=0.02
        )
        bar.formatter = FuncFormatter(lambda v, _: f"{v:.0e}")  # no mathtext
        bar.ax.xaxis.set_minor_formatter(NullFormatter())
        bar.update_ticks()
        bar.set_label(style.text("log scale", "対数スケール"))
        # blank x labels keep room in the layout for the counters drawn over them
        self.texts = []
        for ax in axes:
            ax.set_xlabel("\n".join(" " * _LINES), fontsize=8, labelpad=0)
            self.texts.append(
                ax.text(
                    0.5,
                    -0.01,
                    " ",
                    transform=ax.transAxes,
                    ha="center",
                    va="top",
                    fontsize=8,
                )
            )
        self._state: tuple = (None, None, None)

    def _pick(self, key: str, show: NDArray) -> NDArray:
        """The coloured mosaic ``key`` where ``show`` (flat, W1 order), else blank."""
        visible = np.zeros(self.inside.shape, bool)
        visible[self.inside] = show[self.flat_index]
        rgba = np.where(visible[..., None], self.rgba[key], self.bad)
        rgba[~self.inside] = 0  # the gaps between the units' images
        return rgba

    def update(self, k: int) -> list[Artist]:
        t, done, bp_done, last = clock_at(self.trace, k)
        d = self.d
        computed = d["computed"].reshape(-1)
        state = (done, bp_done, last)
        before, self._state = self._state, state
        if state[0] != before[0]:  # only what changed is set: the rest stays fresh
            reached = np.arange(computed.size) < done
            self.images[0].set_data(self._pick("num", reached & computed))
        if state[1] != before[1]:
            self.images[1].set_data(self._pick("bp", np.full(computed.size, bp_done)))
        if state[2] != before[2]:
            self.images[2].set_data(self._pick("diff", computed & last))
        texts = (
            self._numerical_text(t, done),
            self._backprop_text(bp_done),
            self._difference_text(last),
        )
        for artist, text in zip(self.texts, texts, strict=True):
            artist.set_text(_lines(text))
        return [*self.images, *self.texts]

    def _numerical_text(self, t: float, done: int) -> str:
        s, size = self.style, self.d["backprop"].size
        total, clock = int(self.d["computed"].sum()), format_seconds(t, s)
        text = s.text(
            f"t = {clock}\n{done:,} / {size:,} weights\n{2 * done:,} forward passes",
            f"t = {clock}\n{done:,} / {size:,} 個の重み\n順伝播 {2 * done:,} 回",
        )
        if total < size:
            text += s.text(
                f"\n(timed: first {total:,})", f"\n（計測：最初の {total:,} 個）"
            )
        return text

    def _backprop_text(self, done: bool) -> str:
        if not done:
            return " "
        sec = format_seconds(float(self.trace.meta["backprop_seconds"]), self.style)
        return self.style.text(
            f"all at once in {sec}\n1 forward + 1 backward pass",
            f"{sec} で全部\n順伝播 1 回 + 逆伝播 1 回",
        )

    def _difference_text(self, last: bool) -> str:
        m = self.trace.meta
        per_weight = float(m["numerical_seconds_per_weight"])
        n_params, iters = int(m["n_params"]), int(m.get("train_iters", 10_000))
        num = format_seconds(per_weight * n_params * iters, self.style)
        bp = format_seconds(float(m["backprop_seconds"]) * iters, self.style)
        batch = int(m.get("batch", 0))
        head = ""
        if last:
            diff = np.abs(self.d["numerical"] - self.d["backprop"])[self.d["computed"]]
            head = self.style.text(
                f"mean {diff.mean():.2g}\n", f"平均 {diff.mean():.2g}\n"
            )
        return head + self.style.text(
            f"{iters:,} iterations,\n{n_params:,} parameters, batch {batch}:\n"
            f"numerical {num}, backprop {bp}",
            f"{iters:,} 回の学習\n（パラメータ {n_params:,} 個、バッチ {batch}）\n"
            f"数値微分 {num}、誤差逆伝播法 {bp}",
        )


_LINES = 4  # lines of every counter, so the frozen layout fits them all


def _lines(text: str) -> str:
    """``text`` padded (or cut) to ``_LINES`` lines."""
    lines = text.split("\n")[:_LINES]
    return "\n".join(lines + [" "] * (_LINES - len(lines)))


_TITLES = (
    ("numerical, one weight at a time", "数値微分（1 つずつ）"),
    ("backprop", "誤差逆伝播法"),
    ("|numerical − backprop|", "|数値微分 − 誤差逆伝播法|"),
)


def _bad(style: Style) -> str:
    """The colour of a weight not computed yet."""
    return style.colors["grid"] if style.colors["background"] != "none" else "#e5e5e5"


def _cmap(name: str, style: Style):
    import matplotlib as mpl

    return mpl.colormaps[name].with_extremes(bad=_bad(style))


def frames_race(trace: Trace, *, style: Style) -> FrameSource:
    """The race frame by frame: the clock runs; W1 fills in two ways."""
    with style.context():
        fig = new_figure(style, layout="constrained")
        # panels apart, so the blitter redraws only the image that changes
        fig.get_layout_engine().set(wspace=0.12)
        race = _Race(fig, trace, style)
        fig.suptitle(
            style.text(
                "The gradient race on W1 (times measured on this machine)",
                "W1 の勾配の競争（このマシンでの実測時間）",
            ),
            fontsize=11,
        )
    return FrameSource(fig, race.update, trace.n_records, style)


def draw_difference(ax: Axes, trace: Trace, *, style: Style) -> list[Artist]:
    """|numerical − backprop| of every weight reached, log colour scale."""
    d = _checked(trace)
    diff = np.abs(d["numerical"] - d["backprop"])
    lo = max(float(diff[d["computed"] & (diff > 0)].min(initial=1.0)), 1e-16)
    image = ax.imshow(
        _masked(np.clip(diff, lo, None), d["computed"], d["image_shape"]),
        cmap=_cmap("magma", style),
        norm=LogNorm(lo, max(float(diff.max()), lo * 10)),
        interpolation="nearest",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return [image]


def plot_difference(trace: Trace, *, style: Style | None = None) -> Figure:
    """|numerical − backprop| for every weight of W1 on a log scale, with its mean."""
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        (image,) = draw_difference(ax, trace, style=style)
        bar = fig.colorbar(image, ax=ax, shrink=0.8)
        bar.formatter = FuncFormatter(lambda v, _: f"{v:.0e}")
        bar.ax.yaxis.set_minor_formatter(NullFormatter())
        bar.update_ticks()
        bar.set_label(style.text("|numerical − backprop|", "|数値微分 − 誤差逆伝播法|"))
        d = trace.data
        mean = float(np.abs(d["numerical"] - d["backprop"])[d["computed"]].mean())
        ax.set_title(
            style.text(
                f"W1: mean |numerical − backprop| = {mean:.2g} (gradient_check.py)",
                f"W1：|数値微分 − 誤差逆伝播法| の平均 = {mean:.2g}"
                "（gradient_check.py）",
            )
        )
        fig.draw_without_rendering()
    return fig
