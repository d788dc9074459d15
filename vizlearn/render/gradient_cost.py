"""Why backprop is faster: the measured cost of one gradient against the network size.

Reads ``data["cost/..."]`` of a gradients trace: for each hidden size, the
number of parameters P and the measured seconds of one forward pass, one
backprop gradient, the vectorized numerical gradient and the book's
one-parameter-at-a-time loop (timed on a subset, scaled to all P). Left: the
seconds against P (log-log). Right: the same times in units of one forward
pass, beside the counts that explain them: the loop runs 2 forward passes per
parameter (2P), backprop one forward and one backward pass whatever P.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from vizlearn.render.frames import new_figure
from vizlearn.render.gradients import format_seconds
from vizlearn.render.notes import with_notes
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["draw_cost_seconds", "draw_cost_passes", "plot_gradient_cost"]


def _series(style: Style) -> list[tuple[str, str, str, str]]:
    """(key, label, colour, line style) of each method, slowest first."""
    c = style.colors
    return [
        ("naive", style.label("numerical_naive"), c["model"], "--"),
        ("numerical", style.label("numerical_fast"), c["data"], "-"),
        ("backprop", style.label("backprop"), c["truth"], "-"),
    ]


def draw_cost_seconds(ax: Axes, trace: Trace, *, style: Style) -> list[Artist]:
    """Seconds per gradient against the number of parameters, one line per method."""
    d = trace.data
    n = d["cost/n_params"]
    artists: list[Artist] = []
    for key, label, color, ls in _series(style):
        seconds = d[f"cost/{key}"]
        (line,) = ax.plot(
            n, seconds, marker="o", ms=5, color=color, ls=ls, lw=1.8, label=label
        )
        artists.append(line)
        artists.append(
            ax.annotate(
                format_seconds(float(seconds[-1])),
                (n[-1], seconds[-1]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=color,
            )
        )
    ratio = float(d["cost/naive"][-1] / d["cost/backprop"][-1])
    artists.append(
        ax.text(  # between the vectorized and the backprop lines, right side
            0.97,
            0.30,
            style.text(
                "at P = {p:,}: one at a time takes\n×{r:,.0f} the time of backprop",
                "P = {p:,} では1個ずつの数値微分は\n誤差逆伝播法の {r:,.0f} 倍の時間",
                p=int(n[-1]),
                r=ratio,
            ),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            multialignment="right",
        )
    )
    ax.set(xscale="log", yscale="log")
    ax.set_xlabel(style.text("parameters P (log)", "パラメータの数 P（対数）"))
    ax.set_ylabel(style.text("seconds per gradient (log)", "勾配1回の秒数（対数）"))
    ax.set_xlim(n[0] / 1.5, n[-1] * 3.0)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(style.text("measured time", "計測した時間"))
    return artists


def draw_cost_passes(ax: Axes, trace: Trace, *, style: Style) -> list[Artist]:
    """The times in forward passes, with 2P and "1 forward + 1 backward" drawn in."""
    d = trace.data
    n, forward = d["cost/n_params"], d["cost/forward"]
    c = style.colors
    fine = np.geomspace(n[0], n[-1], 50)
    (theory,) = ax.plot(
        fine,
        2 * fine,
        color=c["model"],
        lw=6,
        alpha=0.25,
        solid_capstyle="butt",
        label=style.text(
            "2P: 2 forward passes per parameter", "2P：パラメータ1個につき順伝播2回"
        ),
    )
    artists: list[Artist] = [theory]
    for key, label, color, ls in _series(style):
        if key == "numerical":
            continue  # vizlearn's shortcut, not a count the book makes
        (line,) = ax.plot(
            n,
            d[f"cost/{key}"] / forward,
            marker="o",
            ms=5,
            color=color,
            ls=ls,
            label=style.text("{m}: measured", "{m}：計測値", m=label),
        )
        artists.append(line)
    ax.axhspan(1.5, 3.5, color=c["truth"], alpha=0.12, lw=0)
    artists.append(
        ax.text(
            n[0],
            4.5,
            style.text(
                "backprop: 1 forward + 1 backward pass, whatever P",
                "誤差逆伝播法：P によらず順伝播1回＋逆伝播1回",
            ),
            fontsize=8,
            color=c["foreground"],
            va="bottom",
        )
    )
    ax.set(xscale="log", yscale="log", ylim=(0.5, float(2 * n[-1]) * 8))
    ax.set_xlabel(style.text("parameters P (log)", "パラメータの数 P（対数）"))
    ax.set_ylabel(
        style.text("cost in forward passes (log)", "順伝播何回分の時間か（対数）")
    )
    ax.set_xlim(n[0] / 1.5, n[-1] * 1.5)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(style.text("counted in forward passes", "順伝播の回数で数えると"))
    return artists


def plot_gradient_cost(trace: Trace, *, style: Style | None = None) -> Figure:
    """Time per gradient against P (left) and in forward passes (right)."""
    style = style or Style()
    d = trace.data
    with style.context():
        fig = new_figure(style, layout="constrained")
        left, right = fig.subplots(1, 2)
        draw_cost_seconds(left, trace, style=style)
        draw_cost_passes(right, trace, style=style)
        sizes = ", ".join(str(int(h)) for h in d["cost/hidden"])
        batch = int(trace.meta.get("batch", 0))
        title = style.text(
            "why is backprop so much faster?\n"
            "one gradient of {b} examples, hidden units {s}",
            "なぜ誤差逆伝播法は速いのか\n"
            "{b} 件のミニバッチの勾配1回、隠れ層のユニット {s}",
            b=batch,
            s=sizes,
        )
        fig.suptitle(with_notes(title, trace, style, seed=False))
        measured = int(np.max(d["cost/naive_measured"]))
        fig.supxlabel(
            style.text(
                "one at a time: timed on {k} parameters per network, scaled to all P",
                "1個ずつの数値微分：各ネットワークで {k} 個を計測し P 個分に換算",
                k=measured,
            ),
            fontsize=8,
            color=style.colors["muted"],
        )
        fig.draw_without_rendering()
    return fig
