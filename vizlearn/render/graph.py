"""A computational graph drawn by vizlearn itself: the forward pass, then the backward.

Reads a graph trace (:func:`vizlearn.render.graph_text.decode_graph`). Two
looks: ``"book"`` draws operations as circles and each variable as an edge
with its value above and its gradient below, as ch. 5 of "Deep Learning from
Scratch" does; ``"dezero"`` draws variables as orange ellipses and functions
as light blue boxes, as DeZero's ``plot_dot_graph`` does. The layout is
:mod:`vizlearn.render.graph_layout` (no Graphviz). Frame k of the animation
is ``Graph.state(k)``: values appear in topological order, then gradients in
reverse order, with the local derivative each node multiplies by ("× tax =
1.1") next to the node being worked on.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.render.graph_panel import GraphPanel
from vizlearn.render.graph_text import Graph, State, decode_graph, format_value
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["draw_graph", "plot_graph", "frames_graph", "GraphPanel"]

_AX_RECT = (0.02, 0.1, 0.96, 0.78)  # the graph's area; title above, equation below


def _title(g: Graph, s: State, style: Style, plan_last: bool) -> str:
    n = len(g.order)
    if s.phase == "forward":
        head = style.text("Forward pass", "順伝播")
        if s.step == 0:
            return head + style.text(": the inputs", "：入力")
        return head + f"  {s.step} / {n}"
    head = style.text("Backward pass", "逆伝播")
    if s.step == 0:
        return head + style.text(": start from d(output) = 1", "：出力側から 1 を流す")
    if plan_last:
        return head + style.text(": every gradient", "：すべての勾配")
    return head + f"  {s.step} / {n}"


def _name(g: Graph, v: int) -> str:
    return g.labels[v] or format_value(g.value[v])


def _d(name: str) -> str:
    """∂x, or ∂(X·W) for a name with an operator in it."""
    return f"∂({name})" if any(c in name for c in "·×+−÷*/ ") else f"∂{name}"


_INFIX = ("+", "−", "×", "÷")


def _top_name(g: Graph) -> str:
    """What the gradients are of: the output (f if unnamed), or L if seeded by dL/dy."""
    top = next((o for o in g.outputs() if g.grad[o] is not None), None)
    if top is None or not np.all(g.grad[top] == 1):
        return "L"
    return g.labels[top] or "f"


def _equation(g: Graph, s: State, style: Style) -> str:
    """The step in words: apple_price = apple × apple_num = 200, or its gradients."""
    if s.active is None:
        if s.phase == "backward" and s.step == 0:
            top = _top_name(g)
            outs = [o for o in g.outputs() if g.grad[o] is not None]
            return "   ".join(
                f"∂{top}/∂{g.labels[o] or top} = {format_value(g.grad[o])}"
                for o in outs
            )
        return ""
    f = s.active
    inputs = [g.edges[e][0] for e in g.inputs_of(f)]
    outs = g.outputs_of(f)
    if s.phase == "forward":
        sym = g.labels[f]
        names = [_name(g, v) for v in inputs]
        if sym in _INFIX and len(names) == 2:
            rhs = f" {sym} ".join(names)
        elif sym.startswith("x") and len(names) == 1 and len(sym) > 1:  # x², x^0.5
            rhs = names[0] + sym[1:]
        else:
            rhs = f"{sym}({', '.join(names)})"
        value = format_value(g.value[outs[0]]) if outs else ""
        lhs = f"{g.labels[outs[0]]} = " if outs and g.labels[outs[0]] else ""
        return f"{lhs}{rhs} = {value}"
    top_name = _top_name(g)
    out = outs[0] if outs else None
    gy = g.grad[out] if out is not None else None
    if gy is not None and gy.size == 1:
        upstream = format_value(gy)
    else:
        upstream = f"∂{top_name}/{_d(_name(g, out))}" if out is not None else ""
    parts = []
    for e in g.inputs_of(f):
        v, flow, local = g.edges[e][0], g.flow[e], g.local_text[e]
        if flow is None:
            continue
        if local.startswith("Σ"):
            local = f"{local} of {upstream} = "
        elif local.startswith(("×", "·")):
            local = f"{upstream} {local} = "
        elif local.endswith("·"):
            local = f"{local} {upstream} = "
        elif local:
            local += " = "
        parts.append(f"∂{top_name}/{_d(_name(g, v))} = {local}{format_value(flow)}")
    return "   ".join(parts)


def _figure(graph: Graph, style: Style, look: str, direction: str):
    fig = new_figure(style)
    ax = fig.add_axes(_AX_RECT)
    panel = GraphPanel(fig, ax, graph, style, look=look, direction=direction)
    title = fig.text(0.5, 0.955, " ", ha="center", va="top", fontsize=12)
    equation = fig.text(0.5, 0.045, " ", ha="center", va="center", fontsize=10.5)
    if graph.title:
        fig.text(
            0.985,
            0.955,
            graph.title,
            ha="right",
            va="top",
            fontsize=8,
            color=style.colors["muted"],
        )

    def update(k: int) -> list[Artist]:
        k = k % graph.n_frames
        s = graph.state(k)
        title.set_text(_title(graph, s, style, k == graph.n_frames - 1))
        title.set_color(
            style.colors["model"]
            if s.phase == "backward"
            else style.colors["foreground"]
        )
        equation.set_text(_equation(graph, s, style) or " ")
        return [*panel.update(k), title, equation]

    return fig, update


def frames_graph(
    trace: Trace, *, style: Style, look: str = "book", direction: str = "LR"
) -> FrameSource:
    """The passes frame by frame: values forward, then gradients backward."""
    graph = decode_graph(trace)
    with style.context():
        fig, update = _figure(graph, style, look, direction)
    return FrameSource(fig, update, graph.n_frames, style)


def plot_graph(
    trace: Trace,
    *,
    style: Style | None = None,
    look: str = "book",
    direction: str = "LR",
    frame: int = -1,
) -> Figure:
    """The graph at one frame of the passes (default: the last, every gradient)."""
    style = style or Style()
    graph = decode_graph(trace)
    if not -graph.n_frames <= frame < graph.n_frames:
        raise ValueError(
            f"--frame must be between {-graph.n_frames} and {graph.n_frames - 1}, "
            f"got {frame}"
        )
    with style.context():
        fig, update = _figure(graph, style, look, direction)
        update(frame)
        fig.draw_without_rendering()
    return fig


def draw_graph(
    ax: Axes,
    trace: Trace,
    frame: int = -1,
    *,
    style: Style,
    look: str = "book",
    direction: str = "LR",
) -> list[Artist]:
    """Draw the graph at ``frame`` onto ``ax`` (fitted to it); return its texts."""
    panel = GraphPanel(
        ax.figure, ax, decode_graph(trace), style, look=look, direction=direction
    )
    return panel.update(frame)
