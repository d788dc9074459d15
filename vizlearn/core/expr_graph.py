"""Backprop over an expression graph, and reading any DeZero-shaped graph.

``backward`` runs each function's backward in reverse generation order, as
DeZero's ``Variable.backward`` does. ``walk`` turns the graph behind any
variable with DeZero's attributes (``creator``, ``inputs``, ``outputs``,
``data``, ``grad``, ``name``) into a :class:`GraphSpec` of plain lists: what
the lessons record and the renderers draw. DeZero itself is never imported.
"""

from __future__ import annotations

import heapq
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vizlearn.core.expr import Array, Function, Variable

__all__ = ["backward", "walk", "GraphSpec"]


def _graph_variables(y: Variable) -> list[Variable]:
    """Every variable ``y`` depends on (through creators), ``y`` included."""
    seen, stack, out = {id(y)}, [y], []
    while stack:
        v = stack.pop()
        out.append(v)
        if v.creator is not None:
            for x in v.creator.inputs:
                if id(x) not in seen:
                    seen.add(id(x))
                    stack.append(x)
    return out


def backward(
    y: Variable, *, grad: Any = None, create_graph: bool = False
) -> list[Function]:
    """Fill ``grad`` of every variable ``y`` depends on; return functions in order.

    ``grad`` is dL/dy (default: ones, so L = sum(y)). Gradients of an earlier
    backward are cleared first, so calling it again on a derivative's graph
    computes that derivative's derivative (DeZero steps 33-35). Without
    ``create_graph`` the gradients are constants (their graph is dropped).
    Returns the functions in the order their ``backward`` ran.
    """
    variables = _graph_variables(y)
    for v in variables:
        v.grad = None
    seed = np.ones_like(y.data) if grad is None else np.asarray(grad, np.float64)
    y.grad = Variable(seed)
    order: list[Function] = []
    heap: list[tuple[int, int, Function]] = []
    queued: set[int] = set()

    def push(f: Function | None) -> None:
        if f is not None and id(f) not in queued:
            queued.add(id(f))
            heapq.heappush(heap, (-f.generation, len(queued), f))

    push(y.creator)
    while heap:  # the latest generation first: all of a variable's uses are done
        f = heapq.heappop(heap)[2]
        order.append(f)
        gys = f.backward(*(o.grad for o in f.outputs))
        gxs = gys if isinstance(gys, tuple) else (gys,)
        f.input_grads = [None if g is None else g.data for g in gxs]  # per edge
        for x, gx in zip(f.inputs, gxs, strict=True):
            if gx is None:
                continue
            x.grad = gx if x.grad is None else x.grad + gx
            push(x.creator)
    if not create_graph:
        for v in variables:
            if v.grad is not None:
                v.grad = Variable(v.grad.data)
    return order


# --- reading any DeZero-shaped graph ---------------------------------------------


@dataclass
class GraphSpec:
    """A computational graph as plain lists: what the lessons record and draw.

    Nodes are variables (``kind "var"``) and functions (``"func"``); edges go
    input variable -> function -> output variable. ``order`` lists the
    functions in a topological (forward) order. For every function,
    ``locals[f]`` holds one (text, value) per input: what the backward pass
    multiplies by (empty text when the graph's functions don't say).
    """

    kinds: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    """DeZero's label of each node: a function's class name (Mul), a variable's name."""
    values: list[Array | None] = field(default_factory=list)
    grads: list[Array | None] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    locals: dict[int, list[tuple[str, Array | None]]] = field(default_factory=dict)
    flows: dict[int, Array] = field(default_factory=dict)
    """Per input edge (index into ``edges``): the gradient that flowed back along
    it, i.e. this use's share of the variable's gradient (when the graph says)."""

    @property
    def n_functions(self) -> int:
        """How many function nodes."""
        return self.kinds.count("func")

    @property
    def n_variables(self) -> int:
        """How many variable nodes."""
        return self.kinds.count("var")

    def inputs_of(self, f: int) -> list[int]:
        """The input variables of function node ``f``, in order."""
        return [a for a, b in self.edges if b == f]

    def outputs_of(self, f: int) -> list[int]:
        """The output variables of function node ``f``."""
        return [b for a, b in self.edges if a == f]


def _deref(v: Any) -> Any:
    """DeZero keeps a function's outputs as weak references."""
    return v() if isinstance(v, weakref.ReferenceType) else v


def _array(value: Any) -> Array | None:
    value = getattr(value, "data", value)  # a gradient may be a Variable
    if value is None:
        return None
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


_DEZERO_SYMBOLS = {"Add": "+", "Sub": "−", "Mul": "×", "Div": "÷", "Neg": "−"}


def _function_label(f: Any) -> str:
    """The book's sign for the node (×, +, exp); DeZero's class name otherwise."""
    symbol = getattr(f, "symbol", None)
    if isinstance(symbol, str):
        return symbol
    name = type(f).__name__
    return _DEZERO_SYMBOLS.get(name, name.lower() if len(name) <= 4 else name)


def walk(outputs: Any, *, max_nodes: int = 10_000) -> GraphSpec:
    """The graph behind ``outputs`` (a variable or a list of them), as a GraphSpec.

    Works on any objects of DeZero's shape: a variable has ``creator`` (a
    function or None), ``data``, optionally ``grad`` and ``name``; a function
    has ``inputs`` and ``outputs`` (variables or weak references to them).
    """
    outs = list(outputs) if isinstance(outputs, list | tuple) else [outputs]
    spec, index = GraphSpec(), {}

    def node(obj: Any, kind: str) -> int:
        if id(obj) not in index:
            if len(index) >= max_nodes:
                raise ValueError(f"the graph has more than {max_nodes} nodes")
            index[id(obj)] = len(spec.kinds)
            spec.kinds.append(kind)
            if kind == "var":
                spec.labels.append(str(getattr(obj, "name", "") or ""))
                spec.names.append(spec.labels[-1])
                spec.values.append(_array(getattr(obj, "data", None)))
                spec.grads.append(_array(getattr(obj, "grad", None)))
            else:
                spec.labels.append(_function_label(obj))
                spec.names.append(type(obj).__name__)
                spec.values.append(None)
                spec.grads.append(None)
        return index[id(obj)]

    funcs: dict[int, Any] = {}
    stack = [_deref(v) for v in outs]
    for v in stack:
        node(v, "var")
    while stack:
        f = getattr(stack.pop(), "creator", None)
        if f is None or id(f) in index:
            continue
        fi = node(f, "func")
        funcs[fi] = f
        fresh, flows = [], getattr(f, "input_grads", None) or []
        for i, x in enumerate(f.inputs):
            if id(x) not in index:
                fresh.append(x)
            if i < len(flows) and flows[i] is not None:
                spec.flows[len(spec.edges)] = np.asarray(flows[i], np.float64)
            spec.edges.append((node(x, "var"), fi))
        for y in (_deref(o) for o in f.outputs):
            if y is not None:
                spec.edges.append((fi, node(y, "var")))
        stack.extend(reversed(fresh))  # the first input is explored first
    spec.order = _topological(spec, sorted(funcs))
    for fi, f in funcs.items():
        local = getattr(f, "local", None)
        n = len(f.inputs)
        spec.locals[fi] = (
            [(t, _array(v)) for t, v in (local(i) for i in range(n))]
            if callable(local)
            else [("", None)] * n
        )
    return spec


def _topological(spec: GraphSpec, funcs: list[int]) -> list[int]:
    """Functions in forward order (Kahn's algorithm; ties: first discovered first)."""
    producer = {b: a for a, b in spec.edges if spec.kinds[a] == "func"}
    consumers: dict[int, list[int]] = {f: [] for f in funcs}
    waiting = dict.fromkeys(funcs, 0)
    for a, b in spec.edges:
        if spec.kinds[b] == "func" and a in producer:
            consumers[producer[a]].append(b)
            waiting[b] += 1
    ready = [f for f in funcs if not waiting[f]]
    heapq.heapify(ready)
    done: list[int] = []
    while ready:
        f = heapq.heappop(ready)
        done.append(f)
        for g in consumers[f]:
            waiting[g] -= 1
            if not waiting[g]:
                heapq.heappush(ready, g)
    if len(done) != len(funcs):
        raise ValueError("the graph has a cycle")
    return done
