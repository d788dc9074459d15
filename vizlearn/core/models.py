"""Multi-layer perceptron whose parameters carry the book's names (W1, b1, W2, ...)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from vizlearn.core.layers import ACTIVATIONS, Layer, Linear, Parameter, init_std

__all__ = ["MLP"]

Array = NDArray[np.floating]


class MLP:
    """Linear -> activation -> ... -> Linear, e.g. ``MLP([1, 10, 1])`` for 1-10-1.

    Parameters
    ----------
    sizes
        Layer widths from input to output, e.g. ``(784, 50, 10)``.
    activation
        Hidden activation: one of ``ACTIVATIONS`` ("sigmoid", "relu", "tanh", ...).
    weight_std
        Std of the initial weights (W ~ std * randn, b = 0): a number, "xavier" or "he".
    rng
        The generator every initial weight is drawn from.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        *,
        activation: str = "sigmoid",
        weight_std: float | str = 0.01,
        rng: np.random.Generator,
        dtype: type = np.float64,
    ) -> None:
        if len(sizes) < 2:
            raise ValueError("an MLP needs at least an input and an output size")
        if activation not in ACTIVATIONS:
            choices = ", ".join(ACTIVATIONS)
            raise ValueError(f"activation must be one of {choices}, not {activation!r}")
        self.sizes = tuple(int(s) for s in sizes)
        self.layers: list[Layer] = []
        self.linears: list[Linear] = []
        pairs = zip(self.sizes[:-1], self.sizes[1:], strict=True)
        for i, (n_in, n_out) in enumerate(pairs, 1):
            std = init_std(weight_std, n_in)
            lin = Linear.init(n_in, n_out, rng=rng, weight_std=std, dtype=dtype)
            lin.W.name, lin.b.name = f"W{i}", f"b{i}"
            self.linears.append(lin)
            self.layers.append(lin)
            if i < len(self.sizes) - 1:
                self.layers.append(ACTIVATIONS[activation]())

    def params(self) -> dict[str, Parameter]:
        """Return the parameters by name, in order W1, b1, W2, b2, ..."""
        return {p.name: p for lin in self.linears for p in lin.params()}

    def cleargrads(self) -> None:
        """Forget the gradients of the last backward pass."""
        for p in self.params().values():
            p.grad = None

    def forward(self, x: Array) -> Array:
        """Return the network output (scores, before any softmax) for ``x``."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, gy: Array, *, input_grad: bool = True) -> Array | None:
        """Backpropagate dL/dy through every layer; gradients land in ``params()``.

        Returns dL/dx, or None with ``input_grad=False``, which skips that
        product (training never needs the gradient of the input).
        """
        for layer in reversed(self.layers[1:]):
            gy = layer.backward(gy)
        return self.linears[0].backward(gy, input_grad=input_grad)
