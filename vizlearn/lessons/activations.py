"""The activation functions of the book, computed by the core layers themselves.

The derivative is what the layer's ``backward`` returns for gy = 1, so the
figure shows exactly what backprop uses.
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
    weight: float = option(2.0, "W of the linear transform y = W x + b", high=1e6)
    bias: float = option(-1.0, "b of the linear transform y = W x + b", high=1e6)
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
    from vizlearn.trace import Recorder

    config = config or ActivationsConfig()
    x, values = curves(config)
    data = {"x": x}
    for name, (y, dy) in values.items():
        data[f"y/{name}"] = y
        if dy is not None:
            data[f"dy/{name}"] = dy
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
    ),
)
