"""The activation functions of the book, computed by the core layers themselves.

The derivative is what the layer's ``backward`` returns for gy = 1, so the
figure shows exactly what backprop uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from vizlearn.lessons._options import check_range, option

__all__ = ["ActivationsConfig", "FUNCTIONS", "curves"]

FUNCTIONS = ("identity", "linear", "sigmoid", "relu", "tanh")


@dataclass(frozen=True)
class ActivationsConfig:
    """Which functions to draw and over which x range."""

    functions: tuple[str, ...] = FUNCTIONS
    weight: float = option(2.0, "W of the linear transform y = W x + b")
    bias: float = option(-1.0, "b of the linear transform y = W x + b")
    x_min: float = option(-5.0, "left end of the x range")
    x_max: float = option(5.0, "right end of the x range")
    derivatives: bool = option(False, "also draw each derivative (dashed)")

    def __post_init__(self) -> None:
        check_range(self)
        unknown = [f for f in self.functions if f not in FUNCTIONS]
        if unknown:
            raise ValueError(
                f"unknown function(s) {', '.join(unknown)}; "
                f"choose from {', '.join(FUNCTIONS)}"
            )
        if self.x_max <= self.x_min:
            raise ValueError("--x-max must be greater than --x-min")


def curves(config: ActivationsConfig | None = None, n: int = 401) -> tuple:
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


def titles(config: ActivationsConfig) -> dict[str, str]:
    """Panel titles that show the linear transform's W and b."""
    sign = "-" if config.bias < 0 else "+"
    return {"linear": f"y = {config.weight:g}x {sign} {abs(config.bias):g}"}
