"""``graph(y)``: draw the computational graph behind any DeZero-shaped variable.

A variable needs DeZero's attributes: ``creator`` (the function that made it,
or None), ``data``, and optionally ``grad`` and ``name``; a function needs
``inputs`` and ``outputs`` (variables or weak references to them). A DeZero
user's own ``Variable`` works as it is, and so do vizlearn's
(:mod:`vizlearn.core.expr`)::

    import numpy as np
    from dezero import Variable
    import vizlearn as vl

    x = Variable(np.array(2.0), name="x")
    y = x**2 + 3 * x
    y.backward()
    vl.graph(y).save("graph.png")  # DeZero's colours: variables orange, functions blue
    vl.graph(y, look="book", animate=True).save("graph.gif")  # the passes, step by step
    print(vl.graph_text(y, "mermaid"))  # for GitHub, Zenn or Qiita Markdown
"""

from __future__ import annotations

from typing import Any

from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["graph", "graph_text", "trace_of"]


def trace_of(y: Any, *, title: str = "") -> Trace:
    """The graph behind ``y`` (a variable or a list of them) as a graph Trace."""
    from vizlearn.core.expr_graph import walk
    from vizlearn.lessons.graph import graph_trace

    spec = walk(y)
    return graph_trace(spec, meta={"lesson": "graph", "seed": 0}, title=title)


def graph(
    y: Any,
    *,
    look: str = "dezero",
    direction: str = "TB",
    animate: bool = False,
    frame: int = -1,
    style: Style | None = None,
    fps: float = 2.0,
):
    """Draw the graph behind ``y``: a Still (``.save("g.png")``) or an Animation.

    Parameters
    ----------
    look
        "dezero" (variables orange, functions light blue, as ``plot_dot_graph``)
        or "book" (operations as circles, values and gradients on the edges).
    animate
        An Animation of the forward pass, then the backward pass (with holds
        on the key frames) instead of one still.
    frame
        Which step of the passes the still shows (default: the last).
    """
    from vizlearn.api import Still, provenance

    style = style or Style()
    trace = trace_of(y)
    if animate:
        from vizlearn.export.animation import Animation
        from vizlearn.render.graph import frames_graph

        source = frames_graph(trace, style=style, look=look, direction=direction)
        holds = {int(k): int(v) for k, v in trace.meta["holds"].items()}
        return Animation(source, fps=fps, holds=holds, provenance=provenance(trace))
    from vizlearn.render.graph import plot_graph

    figure = plot_graph(trace, style=style, look=look, direction=direction, frame=frame)
    return Still(figure, provenance(trace))


def graph_text(y: Any, format: str = "mermaid", *, look: str | None = None) -> str:
    """The graph behind ``y`` as Mermaid (``"mermaid"``) or Graphviz ``"dot"`` text."""
    from vizlearn.render.graph_text import to_dot, to_mermaid

    trace = trace_of(y)
    if format == "dot":
        return to_dot(trace, look=look or "dezero")
    if format == "mermaid":
        return to_mermaid(trace, look=look or "book")
    raise ValueError(f"format must be dot or mermaid, not {format!r}")
