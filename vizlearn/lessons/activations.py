"""The activation functions of the book, computed by the core layers themselves.

The derivative is what the layer's ``backward`` returns for gy = 1, so the
figure shows exactly what backprop uses. Kinds: ``panels`` (vizlearn's, one
panel per function), ``overlay`` (the DeZero sin-regression lesson's figure:
sigmoid, ReLU and tanh on one axis, y from -1.1 to 1.6), ``linear`` (its
identity and linear transform y = Wx + b, W = -6 and b = 10 by default) and
``book`` ("Deep Learning from Scratch" ch. 3: ``sig_step_compare.py``, the step
function dashed over the sigmoid, and ``relu.py``, both on [-5, 5) with the
book's y limits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vizlearn.config import option, to_dict
from vizlearn.lessons.options import LessonConfig
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["ActivationsConfig", "FUNCTIONS", "curves", "run", "LESSON"]

NAME = "activations"
FUNCTIONS = ("identity", "linear", "sigmoid", "relu", "tanh")
POINTS = 401


@dataclass(frozen=True)
class ActivationsConfig(LessonConfig):
    """Which functions to draw and over which x range."""

    functions: tuple[str, ...] = option(
        FUNCTIONS,
        "function to draw (repeatable; default: all)",
        choices=FUNCTIONS,
        multiple=True,
        flag="--function",
    )
    weight: float = option(
        -6.0, "W of the linear transform y = W x + b", low=-1e6, high=1e6
    )
    bias: float = option(
        10.0, "b of the linear transform y = W x + b", low=-1e6, high=1e6
    )
    x_min: float = option(-5.0, "left end of the x range", low=-1e6, high=1e6)
    x_max: float = option(5.0, "right end of the x range", low=-1e6, high=1e6)
    derivatives: bool = option(False, "also draw each derivative (dashed)")

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.functions:
            raise ValueError(f"--function must be one of {', '.join(FUNCTIONS)}")
        if self.x_max <= self.x_min:
            raise ValueError("--x-max must be greater than --x-min")


def curves(config: ActivationsConfig | None = None, n: int = POINTS) -> tuple:
    """Return ``x`` and name -> (y, dy or None) for every requested function."""
    import numpy as np

    from vizlearn.core import ACTIVATIONS, Linear

    config = config or ActivationsConfig()
    x = np.linspace(config.x_min, config.x_max, n)
    out: dict = {}
    for name in config.functions:
        if name == "linear":
            layer = Linear(np.array([[config.weight]]), np.array([config.bias]))
        else:
            layer = ACTIVATIONS[name]()
        y = layer.forward(x[:, None])[:, 0]
        dy = layer.backward(np.ones((n, 1)))[:, 0] if config.derivatives else None
        out[name] = (y, dy)
    return x, out


def run(
    config: ActivationsConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """The curves as a Trace: ``data["x"]``, ``data["y/NAME"]``, ``data["dy/NAME"]``."""
    from dataclasses import replace

    import numpy as np

    from vizlearn.trace import Recorder

    config = config or ActivationsConfig()
    x, values = curves(config)
    data = {"x": x}
    for name, (y, dy) in values.items():
        data[f"y/{name}"] = y
        if dy is not None:
            data[f"dy/{name}"] = dy
    every = replace(config, functions=FUNCTIONS, derivatives=False)
    _, all_curves = curves(every)  # the other kinds draw fixed sets of functions
    for name, (y, _) in all_curves.items():
        data.setdefault(f"y/{name}", y)
    data["y/step"] = (x > 0).astype(np.float64)  # the book's step_function
    meta = {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": None,
        "functions": list(config.functions),
    }
    return Recorder(meta=meta, data=data).freeze()


LESSON = Lesson(
    NAME,
    ActivationsConfig,
    run,
    description=(
        "activation functions and their derivatives, as backprop computes them",
        "活性化関数とその微分（逆伝播で使う値）",
    ),
    kinds=(
        Kind(
            "panels",
            "vizlearn.render.activations:plot_activations",
            "one panel per function (--derivatives for dy/dx)",
        ),
        Kind(
            "overlay",
            "vizlearn.render.activations:plot_overlay",
            "sigmoid, ReLU and tanh on one axis, as the DeZero lesson draws them",
        ),
        Kind(
            "linear",
            "vizlearn.render.activations:plot_linear",
            "identity and the linear transform y = Wx + b (--weight, --bias)",
        ),
        Kind(
            "book",
            "vizlearn.render.activations:plot_book",
            "ch. 3: step function (dashed) over sigmoid, and ReLU, with the book's "
            "axis limits",
        ),
    ),
    source="DeZero step 43 / 'Deep Learning from Scratch' ch. 3 activation functions",
    steps=lambda config: 0,
    frames=lambda config: 1,
    gallery=(
        GalleryItem(
            "activations",
            "panels",
            (
                "Activation functions and their derivatives, as backprop computes them",
                "活性化関数とその微分（逆伝播で使う値）",
            ),
            (
                "Five panels: identity, linear, sigmoid, ReLU and tanh, each with "
                "its derivative dashed",
                "恒等関数、線形変換、シグモイド関数、ReLU、tanh の5枚。破線は微分",
            ),
            options={"derivatives": True},
        ),
        GalleryItem(
            "activations-overlay",
            "overlay",
            (
                "Sigmoid, ReLU and tanh on one axis, as the sin-regression lesson "
                "shows them",
                "シグモイド関数、ReLU、tanh を 1 つの図に重ねて（sin 回帰の授業の図）",
            ),
            (
                "Three curves on one plot: the S-shaped sigmoid from 0 to 1, tanh "
                "from -1 to 1 and ReLU rising from 0",
                "1 つの図に 3 本の曲線：0 から 1 の S 字のシグモイド、-1 から 1 の "
                "tanh、0 から上がる ReLU",
            ),
        ),
        GalleryItem(
            "activations-book",
            "book",
            (
                "The step function and the sigmoid, and ReLU ('Deep Learning from "
                "Scratch' ch. 3)",
                "ステップ関数とシグモイド関数、ReLU 関数（『ゼロから作るDeep "
                "Learning』3 章）",
            ),
            (
                "Left: a dashed step from 0 to 1 at x = 0 over the smooth sigmoid; "
                "right: ReLU, zero then a straight line",
                "左：x = 0 で 0 から 1 に跳ぶ破線のステップ関数と"
                "なめらかなシグモイド関数。右：0 のあと直線になる ReLU",
            ),
        ),
    ),
)
