"""Gradient descent against Newton's method: paths with their iteration counts."""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from vizlearn.render.frames import new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_rosenbrock",
    "draw_quartic",
    "draw_distances",
    "plot_newton",
    "plot_rosenbrock",
]

MILESTONE = 1000  # gradient descent gets a dot every this many iterations
_ZERO_BAND = 1e-16  # the distance axis is linear below this, so an exact 0 shows


def _colors(style: Style) -> dict[str, str]:
    c = style.colors
    return {"gd": c["data"], "newton": c["model"]}


def _count(trace: Trace, name: str, style: Style) -> str:
    """'70 iterations to within 0.001' or '10,000 iterations, 0.012 away'."""
    m = trace.meta
    k, tol = m["arrived"][name], m["config"]["tol"]
    gone = m.get("diverged", {}).get(name)
    if gone is not None:
        return style.text("diverged at iteration {k:,}", "{k:,} 回目で発散", k=gone)
    if k is not None:
        return style.text(
            "{k:,} iterations to within {t:g}", "{k:,} 回で {t:g} 以内", k=k, t=tol
        )
    n = len(trace.data[name]) - 1
    d = m["final_distance"][name]
    return style.text(
        "{n:,} iterations, still {d:.2g} away",
        "{n:,} 回でもまだ {d:.2g} 離れている",
        n=n,
        d=d,
    )


def _method(trace: Trace, name: str, style: Style) -> str:
    config = trace.meta["config"]
    if name.startswith("gd"):
        lr = config["lr_1d" if name.endswith("_1d") else "lr"]
        return style.text(
            "gradient descent, lr {lr:g}", "勾配降下法（学習率 {lr:g}）", lr=lr
        )
    if name.endswith("_1d"):
        return style.text("Newton's method", "ニュートン法")
    hessian = config["hessian"]
    return style.text(
        "Newton, {h} Hessian",
        "ニュートン法（{h}ヘッセ行列）",
        h=style.text(
            hessian, {"analytic": "解析的な", "numerical": "数値微分の"}[hessian]
        ),
    )


def _label(trace: Trace, name: str, style: Style) -> str:
    colon = style.text(":", "：")
    return f"{_method(trace, name, style)}{colon}\n{_count(trace, name, style)}"


def draw_rosenbrock(ax: Axes, trace: Trace, *, style: Style) -> list[Artist]:
    """Draw Rosenbrock's contours, both paths and the minimum; return the paths."""
    d, m, c = trace.data, trace.meta, style.colors
    colors = _colors(style)
    levels = np.asarray(m["levels"])
    ax.contour(
        d["X"],
        d["Y"],
        d["Z"],
        levels=levels,
        norm=LogNorm(levels[0], levels[-1]),
        cmap="viridis",
        linewidths=0.8,
        alpha=0.6,
        zorder=1,
    )
    gd, newton = d["gd"], d["newton"]
    lines = ax.plot(
        *gd.T, color=colors["gd"], lw=2.0, zorder=3, label=_label(trace, "gd", style)
    )
    every = gd[::MILESTONE]
    lines += ax.plot(
        *every.T,
        "o",
        color=colors["gd"],
        ms=4,
        zorder=3,
        label=style.text("every {n:,} iterations", "{n:,} 回ごと", n=MILESTONE),
    )
    lines += ax.plot(
        *newton.T,
        "o-",
        color=colors["newton"],
        ms=6,
        lw=1.4,
        mec=c["background"],
        zorder=4,
        label=_label(trace, "newton", style),
    )
    ax.plot(
        [1],
        [1],
        "*",
        ms=14,
        color=c["foreground"],
        zorder=5,
        label=style.label("minimum"),
    )
    ax.plot(*gd[0], "s", ms=7, color=c["foreground"], zorder=5)
    ax.annotate(
        style.text("start", "開始点"), gd[0], xytext=(8, 6), textcoords="offset points"
    )
    ax.set(xlim=m["xlim"], ylim=m["ylim"], xlabel="x0", ylabel="x1")
    ax.set_title(m["formula"])
    ax.grid(False)
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    return lines


def draw_quartic(ax: Axes, trace: Trace, *, style: Style) -> list[Artist]:
    """Draw x⁴ - 2x² with both methods' iterates; return the iterates."""
    d, c = trace.data, style.colors
    colors = _colors(style)
    ax.plot(d["x_1d"], d["y_1d"], color=c["muted"], lw=1.6)
    lines: list[Artist] = []
    for name, marker, size in (("gd_1d", "o", 3.5), ("newton_1d", "o", 7)):
        x = d[name]
        lines += ax.plot(
            x,
            x**4 - 2 * x**2,
            marker,
            ms=size,
            color=colors[name.removesuffix("_1d")],
            mec=c["background"],
            mew=0.6,
            label=_label(trace, name, style),
            zorder=3,
        )
    for k, x in enumerate(d["newton_1d"][:3]):  # later ones crowd x = 1
        ax.annotate(
            str(k),
            (x, x**4 - 2 * x**2),
            xytext=(6, 4),
            textcoords="offset points",
            color=colors["newton"],
            fontsize=8,
        )
    ax.set(
        xlim=(d["x_1d"][0], d["x_1d"][-1]), ylim=(-1.6, 9), xlabel="x", ylabel="f(x)"
    )
    ax.set_title(trace.meta["formula_1d"])
    ax.legend(loc="upper center", fontsize=8)
    return lines


def draw_distances(ax: Axes, trace: Trace, *, style: Style) -> list[Artist]:
    """Draw each path's distance to its minimum per iteration; return the lines."""
    d, m = trace.data, trace.meta
    colors = _colors(style)
    lines: list[Artist] = []
    for name in ("gd", "newton", "gd_1d", "newton_1d"):
        offset = np.atleast_2d(d[name].T).T - np.asarray(m["targets"][name])
        distance = np.linalg.norm(offset, axis=1)
        ls = "--" if name.endswith("_1d") else "-"
        where = "x⁴ − 2x²" if name.endswith("_1d") else "Rosenbrock"
        lines += ax.plot(
            np.arange(len(distance)),
            distance,
            ls,
            color=colors[name.split("_")[0]],
            lw=1.8,
            label=f"{_method(trace, name, style)}, {where}",
        )
    tol = m["config"]["tol"]
    ax.axhline(tol, color=style.colors["muted"], lw=0.9, ls=":")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_yscale("symlog", linthresh=_ZERO_BAND, linscale=0.5)
    ax.set_yticks([0, *(10.0**e for e in range(-16, 1, 4))])
    longest = max(len(d[name]) for name in ("gd", "newton", "gd_1d", "newton_1d"))
    ax.set(xlim=(0, longest * 1.2), ylim=(0, 10), xlabel=style.label("iteration"))
    ax.set_ylabel(style.text("distance to the minimum", "最小値までの距離"))
    # the curves fall at the left and run along the top: the right middle is free
    ax.legend(loc="center right", fontsize=8)
    return lines


def plot_newton(trace: Trace, *, style: Style | None = None) -> Figure:
    """Rosenbrock paths (left), x⁴ - 2x² (top right), distances (bottom right)."""
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = fig.subplot_mosaic([["rosen", "quartic"], ["rosen", "distance"]])
        draw_rosenbrock(axes["rosen"], trace, style=style)
        draw_quartic(axes["quartic"], trace, style=style)
        draw_distances(axes["distance"], trace, style=style)
        fig.suptitle(
            style.text(
                "gradient descent against Newton's method", "勾配降下法とニュートン法"
            )
        )
        fig.draw_without_rendering()
    return fig


def plot_rosenbrock(trace: Trace, *, style: Style | None = None) -> Figure:
    """Rosenbrock's contours with gradient descent's and Newton's paths."""
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        draw_rosenbrock(fig.subplots(), trace, style=style)
        fig.draw_without_rendering()
    return fig
