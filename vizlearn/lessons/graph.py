"""Backprop you can watch: a computational graph, its forward and backward passes.

The default is "Deep Learning from Scratch" ch. 5's shopping example
(``buy_apple_orange.py``): 2 apples at 100 yen and 3 oranges at 150 yen with
10 % tax cost 715 yen; backprop gives d(price)/d(apple) = 2.2,
d/d(apple_num) = 110, d/d(orange) = 3.3, d/d(orange_num) = 165 and
d/d(tax) = 650. ``--example apple`` is ``buy_apple.py`` (220 yen), ``affine``
and ``softmax-loss`` are the layers of §5.6 (with shapes on the edges), and
``--expr "x**2 + sin(x)" --values x=1.0`` draws any expression of + − × ÷,
powers, exp, log, sin, cos, tanh and sigmoid.

The trace holds the graph (node kinds and labels in ``meta["graph"]``, values,
gradients and the gradient that flowed back along each edge in ``data``) and
one record per animation frame: the inputs, each function of the forward pass
in topological order, the output's gradient, then each function of the
backward pass in reverse order. ``meta["holds"]`` asks the exporter to pause
on the key frames (inputs given, forward pass done, backward pass starts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option, to_dict
from vizlearn.lessons.options import LessonConfig
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.core.expr_graph import GraphSpec
    from vizlearn.trace import Trace

__all__ = [
    "GraphConfig",
    "GraphView",
    "run",
    "graph_trace",
    "frame_plan",
    "PRESET_NAMES",
    "LOOKS",
    "LESSON",
]

NAME = "graph"
PRESET_NAMES = ("apple-orange", "apple", "affine", "softmax-loss")
LOOKS = ("book", "dezero")
HOLD_MS = {"inputs": 800, "forward_done": 1200, "backward_start": 600}


@dataclass(frozen=True)
class GraphConfig(LessonConfig):
    """Which graph: one of the book's, or your own expression and its values."""

    preset: str = option(
        "apple-orange",
        "the book's ch. 5 graph: apple-orange (buy_apple_orange.py), apple "
        "(buy_apple.py), affine, softmax-loss",
        choices=PRESET_NAMES,
        flag="--example",  # --preset is the figure's size preset
    )
    expr: str = option(
        "",
        "your own expression instead, e.g. 'x**2 * sin(x)': + - * / **, exp, log, "
        "sin, cos, tanh, sigmoid",
        metavar="TEXT",
    )
    values: str = option(
        "", "the expression's variables, e.g. x=1.0,y=-2", metavar="NAME=NUMBER,..."
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.values and not self.expr:
            raise ValueError("--values needs --expr (the presets have their values)")
        if self.expr:
            from vizlearn.core.expr_text import build_expression

            try:
                build_expression(self.expr, self.values).run_backward()
            except ValueError as e:
                flag = "--values" if _about_values(str(e)) else "--expr"
                raise ValueError(f"{flag}: {e}") from None


def _about_values(message: str) -> bool:
    return any(
        key in message for key in ("NAME=NUMBER", "given twice", "function name")
    ) or ("value must be" in message)


@dataclass(frozen=True)
class GraphView:
    """How the graph is drawn."""

    look: str = option(
        "book",
        "book: operations as circles, values on the edges (ch. 5); dezero: "
        "variables and functions as DeZero's plot_dot_graph draws them",
        choices=LOOKS,
    )
    direction: str = option(
        "LR",
        "graph direction: LR (left to right) or TB (top to bottom)",
        choices=("LR", "TB"),
    )


def frame_plan(n_functions: int) -> dict[str, int]:
    """Frame indices of the key moments, for ``n_functions`` function nodes.

    Frame 0 shows the inputs, frames 1..F each function of the forward pass,
    frame F+1 the output's gradient, frames F+2..2F+1 each backward step.
    """
    f = n_functions
    return {
        "inputs": 0,
        "forward_done": f,
        "backward_start": f + 1,
        "last": 2 * f + 1,
        "n_frames": 2 * f + 2,
    }


def _pack(arrays: list[Any]) -> tuple[Any, Any, list[list[int] | None]]:
    """Variable-size arrays -> one flat float64 array, offsets and shapes."""
    import numpy as np

    flat, offsets, shapes = [], [0], []
    for a in arrays:
        if a is None:
            shapes.append(None)
            offsets.append(offsets[-1])
            continue
        a = np.asarray(a, np.float64)
        flat.append(a.ravel())
        shapes.append(list(a.shape))
        offsets.append(offsets[-1] + a.size)
    values = np.concatenate(flat) if flat else np.zeros(0)
    return values, np.array(offsets, np.int64), shapes


def graph_trace(spec: GraphSpec, *, meta: Mapping[str, Any], title: str = "") -> Trace:
    """Encode a GraphSpec as a Trace (numbers in ``data``, text in ``meta``)."""
    import numpy as np

    from vizlearn.trace import Trace

    n_edges = len(spec.edges)
    local_text = [""] * n_edges
    local_value: list[Any] = [None] * n_edges
    for f, items in spec.locals.items():
        for i, e in enumerate(k for k, (_, b) in enumerate(spec.edges) if b == f):
            if i < len(items):
                local_text[e], local_value[e] = items[i]
    data: dict[str, Any] = {
        "kinds": np.array([k == "func" for k in spec.kinds], np.int8),
        "edges": np.array(spec.edges, np.int64).reshape(-1, 2),
        "order": np.array(spec.order, np.int64),
    }
    shapes: dict[str, Any] = {}
    columns = {
        "value": spec.values,
        "grad": spec.grads,
        "flow": [spec.flows.get(e) for e in range(n_edges)],
        "local": local_value,
    }
    for key, arrays in columns.items():
        data[key], data[f"{key}_offsets"], shapes[key] = _pack(arrays)
    plan = frame_plan(len(spec.order))
    holds = {str(plan[k]): ms for k, ms in HOLD_MS.items()}
    graph = {
        "labels": spec.labels,
        "names": spec.names,
        "local_text": local_text,
        "shapes": shapes,
    }
    full = {**meta, "graph": graph, "holds": holds, "title": title}
    steps = np.arange(plan["n_frames"], dtype=np.int64)
    empty = np.zeros(0)
    return Trace(empty, empty.astype(np.int64), steps, data=data, meta=full)


def run(
    config: GraphConfig | None = None, *, on_step: Callable[[int], object] | None = None
) -> Trace:
    """Build the graph, run its forward and backward passes, return the Trace."""
    from vizlearn.core.expr_text import build_expression, build_preset

    config = config or GraphConfig()
    if config.expr:
        built, title = build_expression(config.expr, config.values), config.expr
    else:
        built, title = build_preset(config.preset), config.preset
    spec = built.run_backward()
    if on_step is not None:
        on_step(1)
    meta = {"lesson": NAME, "config": to_dict(config), "seed": 0}
    return graph_trace(spec, meta=meta, title=title)


def summary(trace: Trace) -> dict[str, Any]:
    """The output's value and every named input's scalar gradient (for ``--json``)."""
    d, labels = trace.data, trace.meta["graph"]["labels"]
    kinds, edges = d["kinds"], d["edges"]
    has_input = set(edges[:, 1].tolist())
    has_output = set(edges[:, 0].tolist())

    def scalar(key: str, i: int) -> float | None:
        lo, hi = d[f"{key}_offsets"][i], d[f"{key}_offsets"][i + 1]
        return float(d[key][lo]) if hi - lo == 1 else None

    result: dict[str, Any] = {"gradients": {}}
    for i, label in enumerate(labels):
        if kinds[i] or not label:
            continue
        if i not in has_input and scalar("grad", i) is not None:
            result["gradients"][label] = scalar("grad", i)
        if i not in has_output and scalar("value", i) is not None:
            result["output"] = scalar("value", i)
    return result


_KINDS = (
    Kind(
        "passes",
        "vizlearn.render.graph:frames_graph",
        "forward pass, then backward pass, one node at a time",
        animated=True,
        view=GraphView,
    ),
    Kind(
        "graph",
        "vizlearn.render.graph:plot_graph",
        "the graph with every value and gradient (--frame: one step of the passes)",
        timed=True,
        view=GraphView,
        texts={
            "dot": "vizlearn.render.graph_text:to_dot",
            "mermaid": "vizlearn.render.graph_text:to_mermaid",
        },
    ),
)

LESSON = Lesson(
    NAME,
    GraphConfig,
    run,
    description=(
        "backprop on a computational graph, step by step (the book's apples and "
        "oranges, or your --expr)",
        "計算グラフの順伝播と逆伝播を1ステップずつ"
        "（りんごとみかんの例、または --expr）",
    ),
    kinds=_KINDS,
    source="Deep Learning from Scratch ch. 5 (buy_apple_orange.py, layer_naive.py)",
    default_still="graph",
    summary=summary,
    steps=lambda config: 1,
    frames=lambda config: _n_frames(config),
    gallery=(
        GalleryItem(
            "graph-apple-orange",
            "passes",
            (
                "Backprop on the book's shopping graph: 715 yen forward, "
                "gradients 2.2, 110, 3.3, 165 and 650 backward",
                "りんごとみかんの計算グラフ：順伝播で 715 円、"
                "逆伝播で勾配 2.2・110・3.3・165・650",
            ),
            (
                "Animation: values fill the edges of a graph of multiply and add "
                "nodes from left to right, then gradients fill them from right to left",
                "アニメーション：乗算と加算のノードからなるグラフの辺に、左から右へ値が、"
                "続いて右から左へ勾配が書き込まれていく",
            ),
            animated=True,
        ),
        GalleryItem(
            "graph-apple-orange-ja",
            "graph",
            (
                "The same graph with every value and gradient, in Japanese",
                "すべての値と勾配を書き込んだ計算グラフ（日本語）",
            ),
            (
                "A computational graph with values above and gradients below each edge",
                "各辺の上に値、下に勾配が書かれた計算グラフ",
            ),
            style={"lang": "ja"},
        ),
        GalleryItem(
            "graph-dezero",
            "graph",
            (
                "An expression drawn as DeZero draws graphs: variables orange, "
                "functions blue",
                "DeZero 風の計算グラフ：変数はオレンジ、関数は青",
            ),
            (
                "Orange ellipses for variables and blue boxes for functions, "
                "each variable with its value and gradient",
                "変数はオレンジの楕円、関数は青い箱。各変数に値と勾配が書かれている",
            ),
            options={"expr": "tanh(x * w + b)", "values": "x=0.5,w=2,b=-0.4"},
            view={"look": "dezero"},
        ),
        GalleryItem(
            "graph-affine",
            "graph",
            (
                "The Affine layer (§5.6.2) as a graph, shapes on the edges",
                "Affine レイヤの計算グラフ（辺に形状）",
            ),
            (
                "A dot-product node and an add node with the shapes of X, W, B and Y",
                "内積ノードと加算ノード、X・W・B・Y の形状が書かれている",
            ),
            options={"preset": "affine"},
            style={"theme": "dark"},
        ),
    ),
)


def _n_frames(config: GraphConfig) -> int:
    from vizlearn.core.expr_text import build_expression, build_preset

    built = (
        build_expression(config.expr, config.values)
        if config.expr
        else build_preset(config.preset)
    )
    from vizlearn.core.expr_graph import walk

    return frame_plan(walk(built.output).n_functions)["n_frames"]
