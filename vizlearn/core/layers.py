"""Layers with ``forward`` next to ``backward``, in DeZero's vocabulary.

Every lesson's minibatches pass through ``Linear`` and the activations, so
their arithmetic is written once with as few temporary arrays as the formula
allows (in-place steps on the array a layer returns), always with the same
operations in the same order as the plain formula: the results are equal bit
for bit.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Parameter",
    "Layer",
    "Identity",
    "Linear",
    "Sigmoid",
    "ReLU",
    "Tanh",
    "ACTIVATIONS",
    "init_std",
]

Array = NDArray[np.floating]


class Parameter:
    """A trainable array and the gradient that ``backward`` leaves in it."""

    __slots__ = ("data", "grad", "name")

    def __init__(self, data: Array, name: str = "") -> None:
        self.data = data
        self.grad: Array | None = None
        self.name = name

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.data.shape})"


class Layer:
    """Base layer: ``forward(x)``, ``backward(gy)``, ``params()``."""

    def params(self) -> Iterator[Parameter]:
        """Yield this layer's parameters (none for activations)."""
        return iter(())

    def forward(self, x: Array) -> Array:  # pragma: no cover - abstract
        """Compute the output for input ``x`` of shape ``(batch, ...)``."""
        raise NotImplementedError

    def backward(self, gy: Array) -> Array:  # pragma: no cover - abstract
        """Given dL/dy, store parameter gradients and return dL/dx."""
        raise NotImplementedError

    def __call__(self, x: Array) -> Array:
        """Same as ``forward(x)``."""
        return self.forward(x)


class Identity(Layer):
    """y = x (the output layer of a regression network)."""

    def forward(self, x: Array) -> Array:
        """Return ``x`` unchanged."""
        return x

    def backward(self, gy: Array) -> Array:
        """Pass the gradient through."""
        return gy


class Linear(Layer):
    """y = x W + b, with ``W`` of shape ``(in_size, out_size)``."""

    def __init__(self, W: Array, b: Array) -> None:
        self.W = Parameter(W, "W")
        self.b = Parameter(b, "b")
        self._x: Array | None = None

    @classmethod
    def init(
        cls,
        in_size: int,
        out_size: int,
        *,
        rng: np.random.Generator,
        weight_std: float = 0.01,
        dtype: type = np.float64,
    ) -> Linear:
        """Create a layer with W ~ weight_std * randn and b = 0."""
        W = (weight_std * rng.standard_normal((in_size, out_size))).astype(dtype)
        return cls(W, np.zeros(out_size, dtype=dtype))

    def params(self) -> Iterator[Parameter]:
        """Yield W then b."""
        yield self.W
        yield self.b

    def forward(self, x: Array) -> Array:
        """Compute ``x @ W + b``."""
        self._x = x
        y = x @ self.W.data
        b = self.b.data
        if y.dtype != b.dtype:  # e.g. float32 inputs, float64 bias: upcast
            return y + b
        y += b
        return y

    def backward(self, gy: Array, *, input_grad: bool = True) -> Array | None:
        """Set dL/dW = x^T gy and dL/db = sum(gy); return gy W^T.

        ``input_grad=False`` skips dL/dx (None is returned): for the first
        layer of a network nothing needs it, and it costs as much as dL/dW.
        """
        assert self._x is not None, "backward() called before forward()"
        self.W.grad = self._x.T @ gy
        self.b.grad = np.add.reduce(gy, axis=0)  # gy.sum(axis=0)
        return gy @ self.W.data.T if input_grad else None


class Sigmoid(Layer):
    """y = 1 / (1 + exp(-x)); dy/dx = y (1 - y)."""

    def forward(self, x: Array) -> Array:
        """Apply the logistic function elementwise (overflow-safe)."""
        # tanh form avoids exp overflow warnings for large |x|
        y = np.multiply(x, 0.5)
        if isinstance(y, np.ndarray) and y.dtype.kind == "f":
            np.tanh(y, out=y)  # 0.5 * tanh(0.5 * x) + 0.5, in place
            y *= 0.5
            y += 0.5
        else:  # a scalar
            y = 0.5 * np.tanh(y) + 0.5
        self._y = y
        return y

    def backward(self, gy: Array) -> Array:
        """Return gy * y * (1 - y)."""
        g = gy * self._y
        if not isinstance(g, np.ndarray):  # scalars
            return g * (1.0 - self._y)
        g *= 1.0 - self._y  # g has the wider dtype of gy and y
        return g


class ReLU(Layer):
    """y = max(0, x); dy/dx = 1 where x > 0."""

    def forward(self, x: Array) -> Array:
        """Zero out the negative inputs."""
        self._mask = x > 0
        return x * self._mask

    def backward(self, gy: Array) -> Array:
        """Let the gradient through where the input was positive."""
        return gy * self._mask


class Tanh(Layer):
    """y = tanh(x); dy/dx = 1 - y^2."""

    def forward(self, x: Array) -> Array:
        """Apply tanh elementwise."""
        self._y = y = np.tanh(x)
        return y

    def backward(self, gy: Array) -> Array:
        """Return gy * (1 - y^2)."""
        return gy * (1.0 - self._y * self._y)


ACTIVATIONS: dict[str, type[Layer]] = {
    "sigmoid": Sigmoid,
    "relu": ReLU,
    "tanh": Tanh,
    "identity": Identity,
}


def init_std(scheme: str | float, fan_in: int) -> float:
    """Return the weight std for an init scheme: a number, "xavier" or "he"."""
    if isinstance(scheme, (int, float)):
        return float(scheme)
    if scheme == "xavier":
        return float(np.sqrt(1.0 / fan_in))
    if scheme == "he":
        return float(np.sqrt(2.0 / fan_in))
    raise ValueError(f"weight init must be a number, 'xavier' or 'he', not {scheme!r}")
