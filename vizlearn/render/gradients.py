"""Numerical gradient vs backprop: values on the diagonal, and time per iteration.

Takes arrays (name -> gradient) and times, not a Trace: the comparison is one
minibatch, not a training run. Times are measured, so unlike the other figures
this one changes a little from run to run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import new_figure
from vizlearn.render.notes import with_notes
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_gradient_scatter",
    "draw_gradient_times",
    "plot_gradients",
    "format_seconds",
]

_MAX_POINTS = 20_000  # beyond this a panel shows a seeded sample (same for all runs)


def format_seconds(s: float) -> str:
    """'1.5 min', '2.3 s', '112 ms' or '778 µs'."""
    if s >= 60:
        return f"{s / 60:.1f} min"
    if s >= 1:
        return f"{s:.1f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def draw_gradient_scatter(
    ax: Axes, name: str, backprop: NDArray, numerical: NDArray, *, style: Style
) -> list[Artist]:
    """One tensor: numerical (y) against backprop (x) per element, and the diagonal."""
    x, y = np.ravel(backprop), np.ravel(numerical)
    shown = ""
    if len(x) > _MAX_POINTS:
        keep = np.random.default_rng(0).choice(len(x), _MAX_POINTS, replace=False)
        x, y = x[keep], y[keep]
        shown = ", " + style.label("n_shown", n=f"{_MAX_POINTS:,}")
    lo, hi = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
    pad = 0.05 * (hi - lo or 1.0)
    (diag,) = ax.plot(
        [lo - pad, hi + pad],
        [lo - pad, hi + pad],
        color=style.colors["muted"],
        lw=1.0,
        ls="--",
        zorder=1,
    )
    dots = ax.scatter(
        x,
        y,
        s=5 if len(x) > 1000 else 16,
        alpha=0.6,
        color=style.colors["data"],
        lw=0,
        zorder=2,
        rasterized=True,
    )
    scale = float(np.abs(backprop).max()) or 1.0
    err = float(np.abs(np.asarray(numerical) - backprop).max()) / scale
    note = ax.text(
        0.04,
        0.96,
        f"{name}  ({np.size(backprop):,}{shown})\n"
        f"{style.label('max_rel_error')} {err:.1e}",
        transform=ax.transAxes,
        va="top",
        fontsize=8,
    )
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(lo - pad, hi + pad)
    ax.tick_params(labelsize=7)
    ax.ticklabel_format(style="sci", scilimits=(-2, 3))
    for axis in (ax.xaxis, ax.yaxis):
        axis.get_offset_text().set_fontsize(7)
    return [diag, dots, note]


def draw_gradient_times(
    ax: Axes,
    seconds: Mapping[str, float],
    *,
    naive_measured: int,
    n_params: int,
    style: Style,
) -> list[Artist]:
    """Bars on a log axis: seconds per iteration of each method, with the ratios."""
    c = style.colors
    order = [
        ("backprop", style.label("backprop"), c["truth"]),
        ("numerical", style.label("numerical_fast"), c["data"]),
        ("naive", style.label("numerical_naive"), c["model"]),
    ]
    order = [o for o in order if o[0] in seconds]
    values = [seconds[k] for k, _, _ in order]
    xs = np.arange(len(order))
    bars = ax.bar(xs, values, color=[col for _, _, col in order], width=0.6)
    if "naive" in seconds:
        bars[-1].set_hatch("//")
        bars[-1].set_alpha(0.75)
    ax.set_yscale("log")
    ax.set_axisbelow(True)
    ax.set_xticks(xs, [_wrap(label) for _, label, _ in order], fontsize=9)
    lo, hi = min(values), max(values)
    ax.set_ylim(10 ** math.floor(math.log10(lo) - 0.5), 10 ** (math.log10(hi) + 1.0))
    artists: list[Artist] = list(bars)
    for (key, _, _), x, v in zip(order, xs, values, strict=True):
        text = format_seconds(v)
        if key != "backprop" and "backprop" in seconds:
            text += f"\n×{v / seconds['backprop']:,.0f}"
        artists.append(ax.text(x, v * 1.3, text, ha="center", va="bottom", fontsize=9))
    ax.set_ylabel(style.label("seconds_per_iter") + " (log)")
    ax.grid(axis="x", visible=False)
    if "naive" in seconds:
        ax.set_xlabel(
            f"{style.label('numerical_naive')}: {style.label('extrapolated')}"
            f"\n({naive_measured:,} / {n_params:,})",
            fontsize=8,
            color=c["muted"],
        )
    return artists


def _wrap(label: str) -> str:
    """Break a long label at its comma (EN) or its bracket (JA) onto two lines."""
    for sep in (", ", "（"):
        if sep in label:
            head, tail = label.split(sep, 1)
            return (
                f"{head}{sep.strip()}\n{tail}"
                if sep == ", "
                else f"{head}\n{sep}{tail}"
            )
    return label


def plot_gradients(
    trace: Trace, *, title: str | None = None, style: Style | None = None
) -> Figure:
    """Per-tensor scatter panels (left) and the time per iteration (right)."""
    style = style or Style()
    meta = trace.meta
    names = list(meta["tensors"])
    with style.context():
        fig = new_figure(style, layout="constrained")
        left, right = fig.subfigures(1, 2, width_ratios=[1.5, 1], wspace=0.04)
        ncols = 2 if len(names) > 1 else 1
        axes = np.ravel(left.subplots(-(-len(names) // ncols), ncols, squeeze=False))
        for ax, name in zip(axes, names, strict=False):
            draw_gradient_scatter(
                ax,
                name,
                trace.data[f"backprop/{name}"],
                trace.data[f"numerical/{name}"],
                style=style,
            )
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        left.supxlabel(style.label("backprop"), fontsize=10)
        left.supylabel(style.label("numerical_grad"), fontsize=10)
        draw_gradient_times(
            right.subplots(),
            meta["seconds"],
            naive_measured=int(meta.get("naive_measured", 0)),
            n_params=int(meta.get("n_params", 0)),
            style=style,
        )
        head = title or style.label("grad_compare_title")
        fig.suptitle(with_notes(head, trace, style, seed=False))
        fig.draw_without_rendering()
    return fig
