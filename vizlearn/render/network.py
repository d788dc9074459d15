"""A network diagram from real weights: nodes in columns, edges by sign and size.

Reads a network trace (lesson ``network``): ``params`` W1...Wn of shape
``(frames, in, out)``, ``outputs["h0"]``...``["hn"]`` (each layer's output for
one input) and ``["g1"]``...``["gn"]`` (the loss gradient at each
pre-activation). Edges are blue for positive and red for negative weights, as
wide as |w| up to a percentile; nodes are filled by activation (viridis over
the layer's range). Above ``max_nodes`` units a layer shows its most
important units (largest summed |w|) and a "…" with the count of the rest.
``pulse`` sweeps a signal through the last snapshot instead of following
training: forward fills the layers from the input, backward fills them with
the gradient from the output.

This module runs past 300 lines because it is one lesson's renderer: the
layout, the frames and the still figures share its drawing helpers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_network",
    "plot_network",
    "frames_network",
    "shown_units",
    "PULSE_STEPS",
]

PULSE_STEPS = 3  # frames per layer the signal crosses


def _weights(trace: Trace) -> list[NDArray]:
    weights, k = [], 1
    while f"W{k}" in trace.params:
        W = np.asarray(trace.params[f"W{k}"])
        if W.ndim != 3 or (weights and W.shape[1] != weights[-1].shape[2]):
            raise ValueError(f"W{k} is not a weight matrix per snapshot")
        weights.append(W)
        k += 1
    if not weights or "h0" not in trace.outputs:
        raise ValueError("this trace holds no network signals (lesson 'network')")
    return weights


def shown_units(weights: list[NDArray], max_nodes: int) -> list[NDArray[np.intp]]:
    """Per layer, the units drawn: all, or the most important ``max_nodes - 1``."""
    sizes = [weights[0].shape[1], *[W.shape[2] for W in weights]]
    shown = []
    for k, n in enumerate(sizes):
        if n <= max_nodes:
            shown.append(np.arange(n))
            continue
        score = np.zeros(n)
        if k > 0:
            score += np.abs(weights[k - 1][-1]).sum(axis=0)
        if k < len(weights):
            score += np.abs(weights[k][-1]).sum(axis=1)
        keep = np.sort(np.argsort(-score, kind="stable")[: max_nodes - 1])
        shown.append(keep)
    return shown


@dataclass
class _Layout:
    xy: list[NDArray]  # per layer: (shown, 2) node centres
    more: list[int]  # per layer: units not drawn


class _Diagram:
    """Nodes, edges and labels of the net; ``show(...)`` colours one state."""

    def __init__(
        self,
        ax: Axes,
        trace: Trace,
        style: Style,
        *,
        max_nodes: int,
        direction: str,
        clip: float,
    ) -> None:
        if direction not in ("LR", "TB"):
            raise ValueError(f"direction must be LR or TB, not {direction!r}")
        self.trace, self.style, self.ax = trace, style, ax
        self.W = _weights(trace)
        self.shown = shown_units(self.W, max_nodes)
        self.lay = self._place(direction)
        c = style.colors
        self.pos, self.neg = np.array(to_rgba(c["data"])), np.array(to_rgba(c["model"]))
        pooled = np.concatenate(
            [np.abs(W[:, a][:, :, b]).ravel() for W, a, b in self._pairs()]
        )
        self.top = float(np.percentile(pooled, clip)) or 1.0
        self.edges = []
        for xy0, xy1 in zip(self.lay.xy, self.lay.xy[1:], strict=False):
            segs = np.stack(np.broadcast_arrays(xy0[:, None], xy1[None, :]), axis=2)
            lc = LineCollection(segs.reshape(-1, 2, 2), zorder=1, capstyle="round")
            ax.add_collection(lc)
            self.edges.append(lc)
        xy = np.concatenate(self.lay.xy)
        self.nodes = ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=self._node_size(),
            zorder=3,
            edgecolors=c["foreground"],
            linewidths=0.8,
        )
        self.norms = self._norms()
        self._labels(direction)
        pad = 0.8
        left = 4.0 if direction == "TB" else pad  # TB: the layer names on the left
        ax.set(
            xlim=(xy[:, 0].min() - left, xy[:, 0].max() + pad),
            ylim=(xy[:, 1].min() - pad - 0.4, xy[:, 1].max() + pad + 0.6),
        )
        ax.set_axis_off()
        for part in (*ax.spines.values(), ax.xaxis, ax.yaxis):
            part.set_visible(False)  # off for the blitter too, not only axison

    def _pairs(self):
        for k, W in enumerate(self.W):
            yield W, self.shown[k], self.shown[k + 1]

    def _place(self, direction: str) -> _Layout:
        xy, more = [], []
        sizes = [self.W[0].shape[1], *[W.shape[2] for W in self.W]]
        tallest = max(len(s) for s in self.shown)
        gap = max(2.2, tallest / 3)  # columns apart in proportion to the tallest
        for k, units in enumerate(self.shown):
            m = len(units)
            along = (np.arange(m) - (m - 1) / 2)[::-1]
            across = np.full(m, k * gap)
            pts = (
                np.column_stack([across, along])
                if direction == "LR"
                else (np.column_stack([along[::-1], -across]))
            )
            xy.append(pts)
            more.append(sizes[k] - m)
        return _Layout(xy, more)

    def _node_size(self) -> float:
        tallest = max(len(s) for s in self.shown)
        return float(np.clip(2600 / tallest, 30, 500))

    def _norms(self) -> dict[str, list[Normalize]]:
        out = self.trace.outputs
        norms: dict[str, list[Normalize]] = {"h": [], "g": []}
        for k, units in enumerate(self.shown):
            h = np.asarray(out[f"h{k}"])[:, units]
            norms["h"].append(
                Normalize(float(h.min()), float(max(h.max(), h.min() + 1e-12)))
            )
            g = np.asarray(out[f"g{k}"])[:, units] if f"g{k}" in out else np.zeros(1)
            top = float(np.abs(g).max()) or 1e-12
            norms["g"].append(Normalize(-top, top))
        return norms

    def _labels(self, direction: str) -> None:
        s, n = self.style, len(self.shown)
        for k, xy in enumerate(self.lay.xy):
            if k == 0:
                name = s.text("input", "入力層")
            elif k == n - 1:
                name = s.text("output", "出力層")
            else:
                name = s.text(f"hidden {k}", f"隠れ層 {k}")
            size = len(self.shown[k]) + self.lay.more[k]
            head = xy[0] + ((0, 0.9) if direction == "LR" else (-0.9, 0))
            ha = "center" if direction == "LR" else "right"
            self.ax.text(*head, f"{name} ({size})", ha=ha, va="bottom", fontsize=9)
            if self.lay.more[k]:
                tail = xy[-1] + ((0, -0.8) if direction == "LR" else (0.9, 0))
                mark = "⋮" if direction == "LR" else "…"
                self.ax.text(
                    *tail,
                    f"{mark} +{self.lay.more[k]}",
                    ha="center",
                    va="top",
                    fontsize=8,
                    color=s.colors["muted"],
                )

    def show(self, r: int, lit: float | None = None, signal: str = "h") -> list[Artist]:
        """Colour snapshot ``r``; ``lit`` is how far a pulse got (None: all)."""
        grey = np.array(to_rgba(self.style.colors["grid"]))
        faces = []
        for k, units in enumerate(self.shown):
            key = f"{signal}{k}"
            on = lit is None or (k <= lit if signal == "h" else k >= lit)
            if key in self.trace.outputs and on:
                cmap = "viridis" if signal == "h" else "coolwarm"
                values = np.asarray(self.trace.outputs[key][r])[units]
                faces.append(_colormap(cmap)(self.norms[signal][k](values)))
            else:
                faces.append(np.tile(grey, (len(units), 1)))
        self.nodes.set_facecolors(np.concatenate(faces))
        for k, ((W, a, b), lc) in enumerate(
            zip(self._pairs(), self.edges, strict=True)
        ):
            w = W[r][np.ix_(a, b)].ravel()
            rgba = np.where((w >= 0)[:, None], self.pos, self.neg)
            rgba[:, 3] = self._edge_alpha(k, lit, signal)
            lc.set_color(rgba)
            lc.set_linewidth(0.2 + 2.8 * np.minimum(np.abs(w) / self.top, 1.0))
        return [*self.edges, self.nodes]

    def _edge_alpha(self, k: int, lit: float | None, signal: str) -> float:
        if lit is None:
            return 0.75
        crossing = lit - k if signal == "h" else (k + 1) - lit  # 1: the signal passed
        return float(np.clip(0.12 + 0.88 * crossing, 0.12, 1.0))


def _colormap(name: str):
    import matplotlib as mpl

    return mpl.colormaps[name]


def _title(trace: Trace, r: int, style: Style) -> str:
    step = int(trace.steps[r])
    text = f"{style.label('iteration')} {step:,}"
    if "loss" in trace.outputs:
        text += f"   {style.label('loss')} {float(trace.outputs['loss'][r]):.4g}"
    return text


def _pulse_title(lit: float, n_layers: int, signal: str, style: Style) -> str:
    if signal == "h":
        k = min(int(np.floor(lit)), n_layers - 1)
        return style.text(
            f"forward pass: layer {k} of {n_layers - 1}",
            f"順伝播：第 {k} 層 / {n_layers - 1}",
        )
    k = max(int(np.ceil(lit)), 1)
    return style.text(
        f"backward pass: gradient at layer {k}", f"逆伝播：第 {k} 層の勾配"
    )


def _figure(trace: Trace, style: Style, max_nodes: int, direction: str, clip: float):
    fig = new_figure(style)
    ax = fig.add_axes((0.02, 0.08, 0.96, 0.82))
    diagram = _Diagram(
        ax, trace, style, max_nodes=max_nodes, direction=direction, clip=clip
    )
    title = fig.text(0.5, 0.96, " ", ha="center", va="top", fontsize=12)
    fig.text(
        0.5,
        0.03,
        style.text(
            "edges: blue w > 0, red w < 0, width |w|   nodes: activation for one input",
            "辺：青は正、赤は負の重み（太さは大きさ）　ノード：ある入力に対する活性",
        ),
        ha="center",
        va="center",
        fontsize=8,
        color=style.colors["muted"],
    )
    return fig, diagram, title


def frames_network(
    trace: Trace,
    *,
    style: Style,
    max_nodes: int = 12,
    direction: str = "LR",
    clip: float = 95.0,
    pulse: str = "none",
) -> FrameSource:
    """The diagram over training, or (``pulse``) a signal sweeping the last snapshot."""
    if pulse not in ("none", "forward", "backward"):
        raise ValueError(f"pulse must be none, forward or backward, not {pulse!r}")
    with style.context():
        fig, diagram, title = _figure(trace, style, max_nodes, direction, clip)
    n_layers = len(diagram.shown)
    if pulse == "none":

        def update(k: int) -> list[Artist]:
            r = k % trace.n_records
            title.set_text(_title(trace, r, style))
            return [*diagram.show(r), title]

        return FrameSource(fig, update, trace.n_records, style)
    signal = "h" if pulse == "forward" else "g"
    n_frames = (n_layers - 1) * PULSE_STEPS + 1

    def pulse_update(k: int) -> list[Artist]:
        step = (k % n_frames) / PULSE_STEPS
        lit = step if signal == "h" else (n_layers - 1) - step
        title.set_text(_pulse_title(lit, n_layers, signal, style))
        return [*diagram.show(trace.n_records - 1, lit, signal), title]

    return FrameSource(fig, pulse_update, n_frames, style)


def draw_network(
    ax: Axes,
    trace: Trace,
    frame: int = -1,
    *,
    style: Style,
    max_nodes: int = 12,
    direction: str = "LR",
    clip: float = 95.0,
) -> list[Artist]:
    """Draw the diagram at snapshot ``frame`` onto ``ax``; return its artists."""
    diagram = _Diagram(
        ax, trace, style, max_nodes=max_nodes, direction=direction, clip=clip
    )
    return diagram.show(frame % trace.n_records)


def plot_network(
    trace: Trace,
    *,
    style: Style | None = None,
    frame: int = -1,
    max_nodes: int = 12,
    direction: str = "LR",
    clip: float = 95.0,
) -> Figure:
    """The diagram at one snapshot (default: the last), for slides."""
    style = style or Style()
    n = trace.n_records
    if not -n <= frame < n:
        raise ValueError(f"--frame must be between {-n} and {n - 1}, got {frame}")
    with style.context():
        fig, diagram, title = _figure(trace, style, max_nodes, direction, clip)
        diagram.show(frame % n)
        title.set_text(_title(trace, frame % n, style))
        fig.draw_without_rendering()
    return fig
