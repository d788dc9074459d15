"""A graph trace read back, its state at each frame, and as DOT or Mermaid text.

``decode_graph(trace)`` checks the arrays a graph trace holds (a trace file is
untrusted input) and returns a :class:`Graph`; ``Graph.state(k)`` says what
frame k of the passes shows. ``to_dot`` writes Graphviz text in DeZero's
colours (``plot_dot_graph``: variables orange, functions light blue boxes) or
the book's look; ``to_mermaid`` writes a Mermaid flowchart, which GitHub, Zenn
and Qiita render in Markdown. Neither needs matplotlib or Graphviz.

This module runs past 300 lines because it decodes an untrusted graph trace,
gives each frame's state and writes two text formats (DOT, Mermaid) with
their escaping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vizlearn.trace import Trace

__all__ = [
    "Graph",
    "State",
    "decode_graph",
    "book_edges",
    "to_dot",
    "to_mermaid",
    "format_value",
]

Array = NDArray[np.float64]
_VECTOR_MAX = 4  # vectors up to this size are written out, larger arrays by shape


def _fmt(value: float, digits: int = 6) -> str:
    text = f"{float(value):.{digits}g}"
    return "0" if text == "-0" else text.replace("-", "−")


def format_value(value: Array | None, *, shape_only: bool = False) -> str:
    """715, (0.3, 0.2, 0.5) or a shape like (2, 3) for larger arrays."""
    if value is None:
        return ""
    if value.ndim == 0 and not shape_only:
        return _fmt(value)
    if value.ndim == 1 and value.size <= _VECTOR_MAX and not shape_only:
        return "(" + ", ".join(_fmt(v, 3) for v in value) + ")"
    return (
        "("
        + ", ".join(str(n) for n in value.shape)
        + ("," if value.ndim == 1 else "")
        + ")"
    )


@dataclass(frozen=True)
class State:
    """What one frame shows: values, gradients, flows, the node being worked on."""

    phase: str
    """"forward" or "backward"."""
    step: int
    """Functions done in this phase (0 .. F)."""
    active: int | None
    values: frozenset[int]
    grads: frozenset[int]
    flows: frozenset[int]
    """Input edges whose backward gradient is shown."""


@dataclass(frozen=True)
class Graph:
    """A computational graph as a graph trace records it."""

    kinds: list[str]
    labels: list[str]
    edges: list[tuple[int, int]]
    order: list[int]
    value: list[Array | None]
    grad: list[Array | None]
    flow: list[Array | None]
    local_text: list[str]
    local_value: list[Array | None]
    title: str = ""
    names: list[str] | None = None
    """DeZero's labels: functions by class name (Mul); default: ``labels``."""

    def name(self, i: int) -> str:
        """DeZero's label of node ``i``."""
        return (self.names or self.labels)[i]

    @property
    def n_frames(self) -> int:
        """Frames of the passes: inputs, F forward steps, seed, F backward steps."""
        return 2 * len(self.order) + 2

    def leaves(self) -> list[int]:
        """Variables no function made (the inputs)."""
        made = {b for a, b in self.edges if self.kinds[a] == "func"}
        return [i for i, k in enumerate(self.kinds) if k == "var" and i not in made]

    def outputs(self) -> list[int]:
        """Variables no function uses (where the backward pass starts)."""
        used = {a for a, b in self.edges if self.kinds[a] == "var"}
        return [i for i, k in enumerate(self.kinds) if k == "var" and i not in used]

    def inputs_of(self, f: int) -> list[int]:
        """Input edges (indices into ``edges``) of function ``f``, in order."""
        return [e for e, (_, b) in enumerate(self.edges) if b == f]

    def outputs_of(self, f: int) -> list[int]:
        """Output variables of function ``f``."""
        return [b for a, b in self.edges if a == f]

    def state(self, k: int) -> State:
        """What frame ``k`` (negative: from the end) shows."""
        n_f, k = len(self.order), k % self.n_frames
        values = set(self.leaves())
        if k <= n_f:
            for f in self.order[:k]:
                values.update(self.outputs_of(f))
            active = self.order[k - 1] if k else None
            return State(
                "forward", k, active, frozenset(values), frozenset(), frozenset()
            )
        values = {i for i, kind in enumerate(self.kinds) if kind == "var"}
        done = self.order[::-1][: k - n_f - 1]
        flows = {e for f in done for e in self.inputs_of(f)}
        grads = set(self.outputs())
        consumers: dict[int, list[int]] = {}
        for e, (a, _) in enumerate(self.edges):
            if self.kinds[a] == "var":
                consumers.setdefault(a, []).append(e)
        for v, uses in consumers.items():
            if all(e in flows for e in uses):
                grads.add(v)
        grads = {v for v in grads if self.grad[v] is not None}
        active = done[-1] if done else None
        return State(
            "backward",
            len(done),
            active,
            frozenset(values),
            frozenset(grads),
            frozenset(flows),
        )


def _unpack(data, key: str, shapes: list, n: int) -> list[Array | None]:
    flat, offsets = data[key], data[f"{key}_offsets"]
    if len(offsets) != n + 1 or len(shapes) != n:
        raise ValueError(f"the graph's '{key}' does not match its {n} entries")
    out: list[Array | None] = []
    for i, shape in enumerate(shapes):
        lo, hi = int(offsets[i]), int(offsets[i + 1])
        if shape is None:
            out.append(None)
            continue
        if not (0 <= lo <= hi <= len(flat)) or int(np.prod(shape)) != hi - lo:
            raise ValueError(f"the graph's '{key}' {i} has the wrong size")
        out.append(np.asarray(flat[lo:hi], np.float64).reshape(shape))
    return out


def decode_graph(trace: Trace) -> Graph:
    """The Graph a graph trace holds; ValueError (one line) if it holds none."""
    d, meta = trace.data, trace.meta
    g = meta.get("graph")
    needed = ("kinds", "edges", "order", "value", "grad", "flow", "local")
    if not isinstance(g, dict) or any(k not in d for k in needed):
        raise ValueError("this trace holds no computational graph (lesson 'graph')")
    try:
        kinds = ["func" if k else "var" for k in d["kinds"].tolist()]
        n, edges = len(kinds), [(int(a), int(b)) for a, b in d["edges"].reshape(-1, 2)]
        labels = [str(s) for s in g["labels"]]
        shapes, local_text = g["shapes"], [str(s) for s in g["local_text"]]
        if len(labels) != n or len(local_text) != len(edges):
            raise ValueError("labels do not match the nodes")
        for a, b in edges:
            if not (0 <= a < n and 0 <= b < n) or kinds[a] == kinds[b]:
                raise ValueError(f"edge {a}->{b} is not variable-function")
        order = [int(f) for f in d["order"]]
        if sorted(order) != [i for i, k in enumerate(kinds) if k == "func"]:
            raise ValueError("the forward order is not the function nodes")
        return Graph(
            kinds,
            labels,
            edges,
            order,
            _unpack(d, "value", shapes["value"], n),
            _unpack(d, "grad", shapes["grad"], n),
            _unpack(d, "flow", shapes["flow"], len(edges)),
            local_text,
            _unpack(d, "local", shapes["local"], len(edges)),
            str(meta.get("title", "")),
            _names(g, n) or None,
        )
    except (KeyError, TypeError, IndexError) as e:
        raise ValueError(
            f"the trace's graph is malformed ({type(e).__name__})"
        ) from None
    except ValueError as e:
        raise ValueError(f"the trace's graph is malformed: {e}") from None


def _names(g: dict, n: int) -> list[str]:
    names = g.get("names")
    if names is None:
        return []
    if not isinstance(names, list) or len(names) != n:
        raise ValueError("names do not match the nodes")
    return [str(s) for s in names]


# --- text formats ----------------------------------------------------------------


def _var_lines(g: Graph, i: int, state: State) -> list[str]:
    lines = [g.labels[i]] if g.labels[i] else []
    if i in state.values and g.value[i] is not None:
        lines.append(format_value(g.value[i]))
    if i in state.grads:
        lines.append("∂ " + format_value(g.grad[i]))
    return lines


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(trace: Trace, *, frame: int = -1, look: str = "dezero") -> str:
    """Graphviz DOT text of the graph at ``frame`` (default: all values, gradients).

    ``look="dezero"`` is DeZero's ``get_dot_graph`` look (variables orange,
    functions light blue boxes); ``"book"`` draws operations as circles with
    each value above and gradient below on the edges.
    """
    g = decode_graph(trace)
    s = g.state(frame)
    out = ["digraph g {", "rankdir=LR" if look == "book" else "rankdir=TB"]
    for i, kind in enumerate(g.kinds):
        if kind == "func":
            shape = "circle" if look == "book" else "box"
            label = g.labels[i] if look == "book" else g.name(i)
            out.append(
                f'f{i} [label="{_dot_escape(label)}", color=lightblue, '
                f"style=filled, shape={shape}]"
            )
        elif look == "dezero":
            label = _dot_escape("\n".join(_var_lines(g, i, s)))
            out.append(f'v{i} [label="{label}", color=orange, style=filled]')
    if look == "dezero":
        out += [
            f"{'v' if g.kinds[a] == 'var' else 'f'}{a} -> "
            f"{'v' if g.kinds[b] == 'var' else 'f'}{b}"
            for a, b in g.edges
        ]
    else:
        out += _dot_book_edges(g, s)
    out.append("}")
    return "\n".join(out) + "\n"


def _edge_text(g: Graph, var: int, flow: Array | None, state: State, e: int | None):
    value = format_value(g.value[var]) if var in state.values else ""
    if e is None:  # the edge to an output: its gradient is the seed
        grad = format_value(g.grad[var]) if var in state.grads else ""
    else:
        grad = format_value(flow) if e in state.flows and flow is not None else ""
    return value, grad


def book_edges(g: Graph):
    """Edges of the book's look: (source, target, variable, input edge or None).

    Sources and targets are function nodes ("f3") or ports of inputs ("in5")
    and outputs ("out0").
    """
    creator = {b: a for a, b in g.edges if g.kinds[a] == "func"}
    for e, (v, f) in enumerate(g.edges):
        if g.kinds[v] == "var":
            src = f"f{creator[v]}" if v in creator else f"in{v}"
            yield src, f"f{f}", v, e
    for v in g.outputs():
        if v in creator:
            yield f"f{creator[v]}", f"out{v}", v, None


def _dot_book_edges(g: Graph, s: State) -> list[str]:
    out = []
    ports = set()
    for src, dst, v, e in book_edges(g):
        for port in (src, dst):
            if port.startswith(("in", "out")) and port not in ports:
                ports.add(port)
                out.append(
                    f'{port} [label="{_dot_escape(g.labels[v])}", shape=plaintext]'
                )
        value, grad = _edge_text(g, v, g.flow[e] if e is not None else None, s, e)
        label = _dot_escape(value + (f"\n{grad}" if grad else ""))
        attrs = f' [label="{label}", fontcolor=black]' if label else ""
        out.append(f"{src} -> {dst}{attrs}")
    return out


def _mermaid_escape(text: str) -> str:
    for a, b in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(a, b)
    return text


def to_mermaid(trace: Trace, *, frame: int = -1, look: str = "book") -> str:
    """A Mermaid flowchart of the graph (GitHub, Zenn and Qiita draw it).

    ``look="book"``: operations as circles, values and gradients on the edges;
    ``"dezero"``: variables as orange stadiums, functions as light blue boxes.
    """
    g = decode_graph(trace)
    s = g.state(frame)
    out = ["flowchart LR"]
    for i, kind in enumerate(g.kinds):
        text = _mermaid_escape(g.labels[i] if look == "book" else g.name(i))
        if kind == "func":
            out.append(f'  f{i}(("{text}"))' if look == "book" else f'  f{i}["{text}"]')
        elif look == "dezero":
            lines = "<br/>".join(map(_mermaid_escape, _var_lines(g, i, s))) or " "
            out.append(f'  v{i}(["{lines}"])')
    if look == "dezero":
        for a, b in g.edges:
            pa, pb = ("v", "f") if g.kinds[a] == "var" else ("f", "v")
            out.append(f"  {pa}{a} --> {pb}{b}")
        out.append("  classDef var fill:#ffa500,color:#000")
        out.append("  classDef func fill:#add8e6,color:#000")
        names = [f"v{i}" for i, k in enumerate(g.kinds) if k == "var"]
        out.append("  class " + ",".join(names) + " var")
    else:
        ports = set()
        for src, dst, v, e in book_edges(g):
            for port in (src, dst):
                if port.startswith(("in", "out")) and port not in ports:
                    ports.add(port)
                    out.append(f'  {port}["{_mermaid_escape(g.labels[v]) or " "}"]')
            value, grad = _edge_text(g, v, g.flow[e] if e is not None else None, s, e)
            label = _mermaid_escape(value + (f" / ∂ {grad}" if grad else ""))
            out.append(
                f'  {src} -- "{label}" --> {dst}' if label else f"  {src} --> {dst}"
            )
        out.append("  classDef func fill:#add8e6,color:#000")
    funcs = [f"f{i}" for i, k in enumerate(g.kinds) if k == "func"]
    out.append("  class " + ",".join(funcs) + " func")
    return "\n".join(out) + "\n"
