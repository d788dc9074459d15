"""The expression engine's functions: exp, log, sin, cos, tanh, sigmoid, ch. 5 layers.

Each one keeps its forward, its backward (written with Functions, so it can be
differentiated again) and the local derivative the backward pass prints.
"""

from __future__ import annotations

import numpy as np

from vizlearn.core.expr import (
    Array,
    BroadcastTo,
    Function,
    Variable,
    input_name,
)

__all__ = [
    "Exp",
    "Log",
    "Sin",
    "Cos",
    "Tanh",
    "Sigmoid",
    "MatMul",
    "Transpose",
    "Sum",
    "Softmax",
    "CrossEntropy",
    "FUNCTIONS",
]


class Exp(Function):
    """y = exp(x)."""

    symbol = "exp"

    def forward(self, x: Array) -> Array:
        """Return exp(x)."""
        return np.exp(x)

    def backward(self, gy: Variable) -> Variable:
        """Gradient: gy × exp(x) (the output itself)."""
        return gy * self._y()

    def local(self, i: int) -> tuple[str, Array | None]:
        """× exp(x)."""
        return f"× exp({input_name(self._x(0), 'x')})", self._y().data


class Log(Function):
    """y = log(x), the natural logarithm."""

    symbol = "log"

    def forward(self, x: Array) -> Array:
        """Return log(x)."""
        return np.log(x)

    def backward(self, gy: Variable) -> Variable:
        """Gradient: gy / x."""
        return gy / self._x(0)

    def local(self, i: int) -> tuple[str, Array | None]:
        """× 1/x."""
        x = self._x(0)
        return f"× 1/{input_name(x, 'x')}", 1.0 / x.data


class Sin(Function):
    """y = sin(x)."""

    symbol = "sin"

    def forward(self, x: Array) -> Array:
        """Return sin(x)."""
        return np.sin(x)

    def backward(self, gy: Variable) -> Variable:
        """Gradient: gy × cos(x)."""
        return gy * Cos()(self._x(0))

    def local(self, i: int) -> tuple[str, Array | None]:
        """× cos(x)."""
        x = self._x(0)
        return f"× cos({input_name(x, 'x')})", np.cos(x.data)


class Cos(Function):
    """y = cos(x)."""

    symbol = "cos"

    def forward(self, x: Array) -> Array:
        """Return cos(x)."""
        return np.cos(x)

    def backward(self, gy: Variable) -> Variable:
        """Gradient: gy × −sin(x)."""
        return gy * -Sin()(self._x(0))

    def local(self, i: int) -> tuple[str, Array | None]:
        """× −sin(x)."""
        x = self._x(0)
        return f"× −sin({input_name(x, 'x')})", -np.sin(x.data)


class Tanh(Function):
    """y = tanh(x)."""

    symbol = "tanh"

    def forward(self, x: Array) -> Array:
        """Return tanh(x)."""
        return np.tanh(x)

    def backward(self, gy: Variable) -> Variable:
        """Gradient: gy × (1 − y²), as DeZero writes it."""
        y = self._y()
        return gy * (1 - y * y)

    def local(self, i: int) -> tuple[str, Array | None]:
        """× (1 − y²)."""
        return "× (1 − y²)", 1.0 - self._y().data ** 2


class Sigmoid(Function):
    """y = 1 / (1 + exp(−x))."""

    symbol = "σ"

    def forward(self, x: Array) -> Array:
        """Return the logistic function of x (overflow-free)."""
        return 0.5 * np.tanh(0.5 * x) + 0.5

    def backward(self, gy: Variable) -> Variable:
        """Gradient: gy × y (1 − y)."""
        y = self._y()
        return gy * y * (1 - y)

    def local(self, i: int) -> tuple[str, Array | None]:
        """× y(1 − y)."""
        y = self._y().data
        return "× y(1 − y)", y * (1.0 - y)


class MatMul(Function):
    """Y = X · W (the book's affine layer without its bias)."""

    symbol = "dot"

    def forward(self, x: Array, W: Array) -> Array:
        """Return x @ W."""
        return x @ W

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        """Gradient: gy · Wᵀ to X, Xᵀ · gy to W."""
        x, W = self.inputs
        return MatMul()(gy, Transpose()(W)), MatMul()(Transpose()(x), gy)

    def local(self, i: int) -> tuple[str, Array | None]:
        """· Wᵀ or Xᵀ ·."""
        x, W = self.inputs
        return (
            ("· " + input_name(W, "W") + "ᵀ", None)
            if i == 0
            else (
                input_name(x, "X") + "ᵀ ·",
                None,
            )
        )


class Transpose(Function):
    """Y = Xᵀ."""

    symbol = "ᵀ"

    def forward(self, x: Array) -> Array:
        """Return x.T."""
        return x.T

    def backward(self, gy: Variable) -> Variable:
        """The gradient transposed back."""
        return Transpose()(gy)


class Sum(Function):
    """The sum over the last axis (keeping it) or over everything."""

    symbol = "Σ"

    def __init__(self, axis: int | None = None) -> None:
        self.axis = axis

    def forward(self, x: Array) -> Array:
        """Return the sum."""
        if self.axis is None:
            return np.asarray(x.sum())
        return x.sum(axis=self.axis, keepdims=True)

    def backward(self, gy: Variable) -> Variable:
        """Every element gets the gradient of the sum."""
        return BroadcastTo(self._x(0).shape)(gy)

    def local(self, i: int) -> tuple[str, Array | None]:
        """× 1 for every element."""
        return "× 1", np.float64(1.0)


class Softmax(Function):
    """y = exp(a) / Σ exp(a) over the last axis."""

    symbol = "Softmax"

    def forward(self, a: Array) -> Array:
        """Return the softmax (the largest score subtracted first)."""
        e = np.exp(a - a.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def backward(self, gy: Variable) -> Variable:
        """Gradient: y ⊙ gy − y Σ(y ⊙ gy): with the cross entropy after it, y − t."""
        y = self._y()
        yg = y * gy
        return yg - y * Sum(axis=-1)(yg)

    def local(self, i: int) -> tuple[str, Array | None]:
        """Local derivative: y ⊙ (g − Σ y g)."""
        return "y(g − Σyg)", None


class CrossEntropy(Function):
    """L = −Σ t log y for a one-hot (or probability) target t; t gets no gradient."""

    symbol = "Cross Entropy Error"

    def forward(self, y: Array, t: Array) -> Array:
        """Return −Σ t log y."""
        return np.asarray(-(t * np.log(y)).sum())

    def backward(self, gy: Variable) -> tuple[Variable, None]:
        """Gradient: gy × (−t / y) to y; none to t."""
        y, t = self.inputs
        return gy * (-t / y), None

    def local(self, i: int) -> tuple[str, Array | None]:
        """× −t/y."""
        y, t = self.inputs
        return (
            (f"× −{input_name(t, 't')}/{input_name(y, 'y')}", -t.data / y.data)
            if i == 0
            else (
                "",
                None,
            )
        )


FUNCTIONS: dict[str, type[Function]] = {
    "exp": Exp,
    "log": Log,
    "sin": Sin,
    "cos": Cos,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
}
"""The functions an expression may call, by name."""
