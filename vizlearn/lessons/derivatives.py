"""Higher-order derivatives by backprop on backprop (DeZero steps 33-35).

``backward(create_graph=True)`` builds the graph of the gradient itself, so it
can be differentiated again. Step 34: sin and its 1st-3rd derivatives on
[−7, 7] (200 points). Step 35: tanh's n-th derivatives, and the graph that
computes the n-th derivative at x = 1, which grows fast with n: 3, 11, 22,
48, 110, 268 nodes for orders 0-5 (the same counts as DeZero's own graphs).

The trace holds the curves (``data["x"]``, ``data["sin"]`` of shape
``(4, points)``, ``data["tanh"]`` of shape ``(orders + 1, points)``), the node
counts (``data["nodes"]``), and each order's graph
(``data["graph{n}/kinds"]``, ``data["graph{n}/edges"]``, labels in
``meta["graphs"]``); one record per order, the frames of the growth animation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option, to_dict
from vizlearn.lessons.options import LessonConfig
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["DerivativesConfig", "run", "LESSON"]

NAME = "derivatives"
SIN_ORDERS = 3  # DeZero step 34 plots y, y', y'' and y'''


@dataclass(frozen=True)
class DerivativesConfig(LessonConfig):
    """How far to differentiate, and where."""

    orders: int = option(
        5,
        "highest derivative of tanh (its graph grows fast: 268 nodes at 5)",
        low=1,
        high=7,
    )
    x: float = option(1.0, "where the graphs of the derivatives are built (step 35)")
    points: int = option(200, "points on [−7, 7] for the curves", low=10, high=10_000)


def run(
    config: DerivativesConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Differentiate sin and tanh again and again; return the curves and graphs."""
    import numpy as np

    from vizlearn.core.expr_text import derivative_graphs
    from vizlearn.trace import Trace

    config = config or DerivativesConfig()
    x = np.linspace(-7.0, 7.0, config.points)
    sin_values, _ = derivative_graphs("sin", x, SIN_ORDERS)
    tanh_values, _ = derivative_graphs("tanh", x, config.orders)
    _, graphs = derivative_graphs("tanh", np.float64(config.x), config.orders)
    data: dict[str, Any] = {
        "x": x,
        "sin": np.array(sin_values),
        "tanh": np.array(tanh_values),
        "nodes": np.array([len(g.kinds) for g in graphs], np.int64),
    }
    labels = []
    for n, g in enumerate(graphs):
        data[f"graph{n}/kinds"] = np.array([k == "func" for k in g.kinds], np.int8)
        data[f"graph{n}/edges"] = np.array(g.edges, np.int64).reshape(-1, 2)
        labels.append([name or "" for name in g.names])
        if on_step is not None:
            on_step(n + 1)
    meta = {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": 0,
        "graphs": labels,
        "holds": {"0": 800, str(config.orders): 1500},
    }
    steps = np.arange(config.orders + 1, dtype=np.int64)
    empty = np.zeros(0)
    return Trace(empty, empty.astype(np.int64), steps, data=data, meta=meta)


def summary(trace: Trace) -> dict[str, Any]:
    """Node counts of the graph of each order (for ``--json``)."""
    return {"nodes_per_order": [int(n) for n in trace.data["nodes"]]}


_QUICK = {"orders": 3, "points": 60}

LESSON = Lesson(
    NAME,
    DerivativesConfig,
    run,
    description=(
        "higher-order derivatives by backprop on backprop: sin, tanh and the "
        "growing graphs (DeZero steps 33-35)",
        "逆伝播の逆伝播で高階微分：sin と tanh、そして大きくなる計算グラフ"
        "（DeZero ステップ 33〜35）",
    ),
    kinds=(
        Kind(
            "growth",
            "vizlearn.render.derivatives:frames_growth",
            "the graph of tanh's n-th derivative for n = 0, 1, 2, ... and its size",
            animated=True,
        ),
        Kind(
            "sin",
            "vizlearn.render.derivatives:plot_sin",
            "sin and its 1st-3rd derivatives on [−7, 7] (DeZero step 34)",
        ),
        Kind(
            "tanh",
            "vizlearn.render.derivatives:plot_tanh",
            "tanh and its n-th derivatives, one panel each (DeZero step 35)",
        ),
    ),
    source="DeZero steps 33-35 (step34.py, step35.py)",
    default_still="sin",
    summary=summary,
    steps=lambda config: config.orders + 1,
    frames=lambda config: config.orders + 1,
    gallery=(
        GalleryItem(
            "derivatives-sin",
            "sin",
            (
                "sin(x) and its 1st-3rd derivatives, each by backprop on the one "
                "before (DeZero step 34)",
                "sin(x) とその 1〜3 階微分"
                "（逆伝播を繰り返して計算、DeZero ステップ 34）",
            ),
            (
                "Four waves on [−7, 7]: sin, cos, −sin and −cos",
                "[−7, 7] 上の4本の波：sin、cos、−sin、−cos",
            ),
            quick=_QUICK,
        ),
        GalleryItem(
            "derivatives-growth",
            "growth",
            (
                "The graph of tanh's n-th derivative grows with n: 3, 11, 22, 48, "
                "110, 268 nodes",
                "tanh の n 階微分の計算グラフは n とともに大きくなる："
                "3・11・22・48・110・268 ノード",
            ),
            (
                "Animation: a computational graph of orange and blue nodes gets "
                "larger each frame, beside a bar chart of its node count",
                "アニメーション：オレンジと青のノードの計算グラフがフレームごとに大きくなり、"
                "横の棒グラフがノード数を示す",
            ),
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "derivatives-tanh-ja",
            "tanh",
            (
                "tanh and its derivatives, in Japanese",
                "tanh とその高階微分（日本語）",
            ),
            (
                "Small panels, one per order, each a curve on [−7, 7]",
                "階数ごとの小さなパネル。それぞれ [−7, 7] 上の曲線",
            ),
            quick=_QUICK,
            style={"lang": "ja"},
        ),
    ),
)
