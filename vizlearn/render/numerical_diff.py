"""Numerical differentiation: tangent lines, and the error of a difference over h."""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from vizlearn.render.frames import new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_tangents",
    "draw_diff_error",
    "plot_numerical_diff",
    "plot_tangents_book",
]

ZERO_BAND = 1e-16  # the error axis is linear below this, so an exact 0 shows


def draw_tangents(
    ax: Axes, trace: Trace, *, style: Style, points: list[int] | None = None
) -> list[Artist]:
    """Draw f(x) and the tangent line at each (or the chosen) point; return lines."""
    d, c = trace.data, style.colors
    x, y = d["x"], d["y"]
    (curve,) = ax.plot(x, y, color=c["data"], lw=2.2, label=trace.meta["formula"])
    lines: list[Artist] = [curve]
    chosen = range(len(d["points"])) if points is None else points
    for i in chosen:
        p, slope, b = (float(d[k][i]) for k in ("points", "slopes", "intercepts"))
        color = c["cycle"][(i + 1) % len(c["cycle"])]
        label = style.text(
            "tangent at x = {p:g}: slope {s!r}", "x = {p:g} での接線：傾き {s!r}"
        )
        lines += ax.plot(
            x,
            slope * x + b,
            "--",
            color=color,
            lw=1.5,
            label=label.format(p=p, s=slope),
        )
        lines += ax.plot([p], [slope * p + b], "o", color=color, ms=6, zorder=4)
    pad = 0.08 * float(np.ptp(y)) or 1.0
    ax.set(xlim=(x[0], x[-1]), ylim=(y.min() - pad, y.max() + pad))
    ax.set(xlabel="x", ylabel="f(x)")
    ax.legend(loc="upper left")
    return lines


def draw_diff_error(
    ax: Axes, trace: Trace, *, style: Style, legend: bool = True
) -> list[Artist]:
    """Draw each difference's error over h (log x, an exact 0 visible); return lines."""
    d, m, c = trace.data, trace.meta, style.colors
    h = d["h"]
    names = (
        ("forward", style.text("forward, float64", "前方差分（float64）"), "-"),
        ("central", style.text("central, float64", "中心差分（float64）"), "-"),
        ("central32", style.text("central, float32", "中心差分（float32）"), ":"),
    )
    lines: list[Artist] = []
    for i, (key, label, ls) in enumerate(names):
        color = c["cycle"][(i + 1) % len(c["cycle"])]
        lines += ax.plot(h, d[f"error/{key}"], ls, color=color, lw=1.8, label=label)
    book_h = m["config"]["h"]
    label = style.text("h = {h} (the book's)", "h = {h}（書籍の値）", h=_sci(book_h))
    lines.append(ax.axvline(book_h, color=c["muted"], lw=1.0, ls="--", label=label))
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=ZERO_BAND, linscale=0.5)
    ax.set(xlim=(h[0], h[-1]), ylim=(0, 1))
    ax.set_yticks([0, *(10.0**e for e in range(-16, 1, 4))])
    ax.set_xticks([10.0**e for e in range(int(np.log10(h[0])), 1, 4)])
    ax.set_xlabel("h")
    x = m["error_at"]
    ax.set_ylabel(
        style.text(
            "|error| of df/dx at x = {x:g}", "x = {x:g} での微分の誤差（絶対値）", x=x
        )
    )
    ax.annotate(
        _trap_text(trace, style),
        xy=(m["trap"]["vanishes_below"] / 3, abs(d["error/forward"][0])),
        xytext=(0.03, 0.04),
        textcoords="axes fraction",
        fontsize=8.5,
        arrowprops={"arrowstyle": "->", "color": c["foreground"], "lw": 0.8},
        bbox={"boxstyle": "round,pad=0.3", "fc": c["background"], "ec": c["grid"]},
    )
    if legend:
        ax.legend(loc="best")
    return lines


def _sci(value: float) -> str:
    """1e-4 rather than 0.0001 or 1e-04."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _trap_text(trace: Trace, style: Style) -> str:
    m = trace.meta
    trap, x = m["trap"], m["error_at"]
    return style.text(
        "h < {v:.1e}: {x:g} + h == {x:g},\nso the difference is 0:\n"
        "h = 1e-50 gives {f:g}, and\nnp.float32(1e-50) is {z:g}",
        "h < {v:.1e} では\n{x:g} + h == {x:g} となり差分は 0\n"
        "h = 1e-50 なら {f:g}\nnp.float32(1e-50) も {z:g}（丸め誤差）",
        v=trap["vanishes_below"],
        x=x,
        f=trap["forward"],
        z=trap["float32_h"],
    )


def plot_numerical_diff(trace: Trace, *, style: Style | None = None) -> Figure:
    """Tangent lines (left) and the forward/central error over h (right)."""
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        left, right = fig.subplots(1, 2)
        draw_tangents(left, trace, style=style)
        left.set_title(
            style.text("tangent lines by central difference", "中心差分による接線")
        )
        draw_diff_error(right, trace, style=style, legend=False)
        # below the panels: every spot inside the error panel has a curve nearby
        fig.legend(
            *right.get_legend_handles_labels(), loc="outside lower right", ncols=4
        )
        right.set_title(style.text("error against the step h", "刻み幅 h と誤差"))
        fig.suptitle(style.text("numerical differentiation", "数値微分"))
        fig.draw_without_rendering()
    return fig


def plot_tangents_book(trace: Trace, *, style: Style | None = None) -> Figure:
    """The book's Figure 4-7: one plain panel per tangent (no grid, full frame)."""
    style = style or Style()
    d, c = trace.data, style.colors
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = fig.subplots(1, len(d["points"]), squeeze=False).ravel()
        for i, ax in enumerate(axes):
            slope, b = float(d["slopes"][i]), float(d["intercepts"][i])
            ax.plot(d["x"], d["y"], color=c["cycle"][0], lw=1.5)
            ax.plot(d["x"], slope * d["x"] + b, color=c["cycle"][1], lw=1.5)
            ax.set(xlabel="x", ylabel="f(x)")
            ax.grid(False)
            ax.spines[["top", "right"]].set_visible(True)
            ax.set_box_aspect(0.75)  # the book's 4:3 plot boxes
        fig.draw_without_rendering()
    return fig
