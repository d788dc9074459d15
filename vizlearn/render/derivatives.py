"""Higher-order derivatives: sin's and tanh's curves, and tanh's growing graphs.

Reads a derivatives trace (``data["x"]``, ``data["sin"]``, ``data["tanh"]``,
``data["nodes"]`` and ``data["graph{n}/kinds|edges"]``). The graphs are laid
out by :mod:`vizlearn.render.graph_layout` in DeZero's colours (variables
orange, functions light blue), scaled to one panel, so the animation shows the
graph of the n-th derivative growing frame by frame beside its node count.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, NullFormatter

from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.render.graph_layout import layout
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_derivative_curves",
    "plot_sin",
    "plot_tanh",
    "frames_growth",
    "order_name",
]

DEZERO_VARIABLE = "#ffa500"
DEZERO_FUNCTION = "#add8e6"
_MAX_LABELS = 40  # graphs up to this many nodes get their labels
_VAR_FACE, _FUNC_FACE = to_rgba(DEZERO_VARIABLE), to_rgba(DEZERO_FUNCTION)
_VAR_EDGE, _FUNC_EDGE = to_rgba("#a86c00"), to_rgba("#4a6f7d")


def _unit_path(marker: str) -> Path:
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform())


_CIRCLE, _SQUARE = _unit_path("o"), _unit_path("s")


def order_name(n: int, style: Style) -> str:
    """1st derivative / 1 階微分 (order 0: the function itself)."""
    if n == 0:
        return style.text("the function", "元の関数")
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else n % 10, "th")
    return style.text(f"{n}{suffix} derivative", f"{n} 階微分")


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _primes(n: int) -> str:
    """y, y′, y″, y‴, then y⁽⁴⁾, ... as DeZero's plots label them."""
    return ("y", "y′", "y″", "y‴")[n] if n <= 3 else f"y⁽{n}⁾".translate(_SUPERSCRIPT)


def _check(trace: Trace, key: str) -> np.ndarray:
    if key not in trace.data or "x" not in trace.data:
        raise ValueError(f"this trace has no data {key!r} (lesson 'derivatives')")
    curves = np.asarray(trace.data[key])
    if curves.ndim != 2 or curves.shape[1] != len(trace.data["x"]):
        raise ValueError(f"data {key!r} must be (orders, points)")
    return curves


def draw_derivative_curves(
    ax: Axes, trace: Trace, key: str = "sin", *, style: Style
) -> list[Artist]:
    """Each order of ``key``'s derivatives as one line, labelled as DeZero does."""
    x, curves = trace.data["x"], _check(trace, key)
    lines = []
    for n, y in enumerate(curves):
        label = f"y={key}(x)" if n == 0 else _primes(n)
        (line,) = ax.plot(x, y, label=label, lw=2.0 if n == 0 else 1.5)
        lines.append(line)
    ax.set_xlabel("x")
    ax.legend(loc="upper right", fontsize=9, framealpha=0.9)
    return lines


def plot_sin(trace: Trace, *, style: Style | None = None) -> Figure:
    """sin(x) and its 1st-3rd derivatives on [−7, 7] (DeZero step 34)."""
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        draw_derivative_curves(ax, trace, "sin", style=style)
        ax.set_title(
            style.text(
                "sin(x) and its derivatives, each by backprop on the one before",
                "sin(x) とその高階微分（逆伝播を繰り返して計算）",
            )
        )
        fig.draw_without_rendering()
    return fig


def plot_tanh(trace: Trace, *, style: Style | None = None) -> Figure:
    """The tanh function and each derivative in a panel of its own (DeZero step 35)."""
    style = style or Style()
    x, curves = trace.data["x"], _check(trace, "tanh")
    n = len(curves)
    cols = min(n, 3)
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = np.ravel(fig.subplots(-(-n // cols), cols, squeeze=False))
        cycle = style.colors["cycle"]
        for k, (ax, y) in enumerate(zip(axes, curves, strict=False)):
            ax.plot(x, y, color=cycle[k % len(cycle)])
            ax.set_title(
                "tanh(x)" if k == 0 else f"{order_name(k, style)}  {_primes(k)}",
                fontsize=9,
            )
            ax.tick_params(labelsize=7)
        for ax in axes[n:]:
            ax.set_visible(False)
        fig.suptitle(style.text("tanh and its derivatives", "tanh とその高階微分"))
        fig.draw_without_rendering()
    return fig


class _GrowthPanel:
    """Every order's graph laid out once; ``update(k)`` shows order k's."""

    def __init__(self, ax: Axes, trace: Trace, style: Style) -> None:
        self.trace, self.ax = trace, ax
        n_orders = len(trace.data["nodes"])
        self.frames = [self._laid_out(n) for n in range(n_orders)]
        ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02))
        ax.set_aspect("equal")
        ax.set_axis_off()
        for part in (*ax.spines.values(), ax.xaxis, ax.yaxis):
            part.set_visible(False)  # off for the blitter too, not only axison
        fg = style.colors["foreground"]
        self.edges = LineCollection([], colors=fg, linewidths=0.6, zorder=1)
        ax.add_collection(self.edges)
        # one collection for all nodes: a one-point collection is hard to blit
        self.nodes = ax.scatter(
            [0, 0, 0], [0, 0, 0], marker="o", zorder=2, linewidths=0.5
        )
        self.labels = [
            ax.text(
                0,
                0,
                "",
                ha="center",
                va="center",
                fontsize=7,
                color="#000000",
                zorder=3,
            )
            for _ in range(_MAX_LABELS)
        ]

    def _laid_out(self, n: int) -> dict:
        d = self.trace.data
        kinds, edges = d[f"graph{n}/kinds"], d[f"graph{n}/edges"]
        names = self.trace.meta.get("graphs", [[]] * (n + 1))[n]
        sizes = [(1.4, 1.0) if k else (1.8, 1.0) for k in kinds]
        lay = layout(
            len(kinds),
            edges.tolist(),
            sizes=sizes,
            direction="TB",
            node_gap=0.6,
            layer_gap=1.0,
        )
        x0, y0, x1, y1 = lay.bounds
        scale = min(
            1.0 / max(x1 - x0, y1 - y0, 1e-9), 1 / 14
        )  # small graphs stay small
        shift = np.array([(1 - (x1 - x0) * scale) / 2, (1 - (y1 - y0) * scale) / 2])
        xy = (lay.centers - (x0, y0)) * scale + shift
        routes = [(r - (x0, y0)) * scale + shift for r in lay.routes]
        return {
            "xy": xy,
            "kinds": kinds,
            "routes": routes,
            "scale": scale,
            "names": names if len(kinds) <= _MAX_LABELS else [],
        }

    def update(self, k: int) -> list[Artist]:
        f = self.frames[k % len(self.frames)]
        points_per_unit = self.ax.bbox.width / self.ax.figure.dpi * 72 / 1.04
        side = max(1.0, 0.9 * f["scale"] * points_per_unit)
        func = f["kinds"].astype(bool)
        self.nodes.set_offsets(f["xy"])
        self.nodes.set_paths([_SQUARE if k else _CIRCLE for k in func])
        self.nodes.set_sizes(np.where(func, side**2, (1.3 * side) ** 2))
        self.nodes.set_facecolors(np.where(func[:, None], _FUNC_FACE, _VAR_FACE))
        self.nodes.set_edgecolors(np.where(func[:, None], _FUNC_EDGE, _VAR_EDGE))
        self.edges.set_segments(f["routes"])
        for i, text in enumerate(self.labels):
            if i < len(f["names"]):
                text.set_position(f["xy"][i])
                text.set_text(f["names"][i])
                text.set_fontsize(min(8.0, max(3.0, 0.45 * side)))
            else:
                text.set_text("")
        return [self.edges, self.nodes, *self.labels]


def frames_growth(trace: Trace, *, style: Style) -> FrameSource:
    """The graph of tanh's n-th derivative, n = 0, 1, ..., beside its node count."""
    if "nodes" not in trace.data:
        raise ValueError("this trace has no derivative graphs (lesson 'derivatives')")
    counts = np.asarray(trace.data["nodes"])
    with style.context():
        fig = new_figure(style)
        graph_ax = fig.add_axes((0.02, 0.04, 0.6, 0.82))
        bar_ax = fig.add_axes((0.72, 0.14, 0.25, 0.68))
        panel = _GrowthPanel(graph_ax, trace, style)
        orders = np.arange(len(counts))
        bar_ax.set_axisbelow(True)  # the grid under the bars, as when blitted
        bars = bar_ax.bar(orders, counts, color=style.colors["muted"])
        bar_ax.set_yscale("log")
        bar_ax.set_ylim(counts.min() / 2, counts.max() * 4)  # room for the numbers
        bar_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        bar_ax.yaxis.set_minor_formatter(NullFormatter())  # no mathtext: 0.3 s less
        bar_ax.set_xticks(orders)
        bar_ax.set_xlabel(style.text("order n", "階数 n"))
        bar_ax.set_title(
            style.text("nodes in the graph", "グラフのノード数"), fontsize=10
        )
        notes = [
            bar_ax.text(o, c * 1.15, f"{c}", ha="center", va="bottom", fontsize=8)
            for o, c in zip(orders, counts, strict=True)
        ]
        title = fig.text(0.5, 0.955, " ", ha="center", va="top", fontsize=12)
        accent = style.colors["model"]

    def update(k: int) -> list[Artist]:
        k = k % len(counts)
        for i, (bar, note) in enumerate(zip(bars, notes, strict=True)):
            bar.set_color(accent if i == k else style.colors["muted"])
            note.set_visible(i <= k)
        title.set_text(
            style.text(
                f"graph of tanh's {order_name(k, style)}: {counts[k]} nodes",
                f"tanh の {order_name(k, style)}の計算グラフ：{counts[k]} ノード",
            )
            if k
            else style.text(
                f"tanh itself: {counts[0]} nodes", f"tanh そのもの：{counts[0]} ノード"
            )
        )
        return [*panel.update(k), *bars, *notes, title]

    return FrameSource(fig, update, len(counts), style)
