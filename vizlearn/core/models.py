"""Multi-layer perceptron whose parameters carry the book's names (W1, b1, W2, ...).

With ``batch_norm``, ``dropout`` or ``weight_decay`` it is the book's
``MultiLayerNetExtend``: each hidden layer is Linear -> [BatchNorm] ->
activation -> [Dropout], batch norm adds ``gamma1``, ``beta1``, ..., and the
weight-decay term joins the gradient in ``backward`` (the loss term is
``penalty()``). With none of them the network is exactly the plain MLP.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from vizlearn.core.layers import ACTIVATIONS, Layer, Linear, Parameter, init_std
from vizlearn.core.normalization import BatchNormalization
from vizlearn.core.regularization import (
    Dropout,
    add_weight_decay,
    weight_decay_penalty,
)

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
        The generator every initial weight is drawn from; dropout masks are
        drawn from it afterwards.
    batch_norm
        Batch normalization after every hidden Linear (parameters gamma_i, beta_i).
    dropout
        Dropout ratio after every hidden activation (0: no Dropout layers).
    weight_decay
        lambda of the L2 penalty lambda / 2 * sum(W ** 2) (0: none).
    """

    def __init__(
        self,
        sizes: Sequence[int],
        *,
        activation: str = "sigmoid",
        weight_std: float | str = 0.01,
        rng: np.random.Generator,
        dtype: type = np.float64,
        batch_norm: bool = False,
        dropout: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        if len(sizes) < 2:
            raise ValueError("an MLP needs at least an input and an output size")
        if activation not in ACTIVATIONS:
            choices = ", ".join(ACTIVATIONS)
            raise ValueError(f"activation must be one of {choices}, not {activation!r}")
        if not (weight_decay >= 0 and np.isfinite(weight_decay)):
            raise ValueError(f"weight decay must be >= 0, got {weight_decay}")
        self.sizes = tuple(int(s) for s in sizes)
        self.weight_decay = float(weight_decay)
        self.layers: list[Layer] = []
        self.linears: list[Linear] = []
        self._training = True
        pairs = zip(self.sizes[:-1], self.sizes[1:], strict=True)
        for i, (n_in, n_out) in enumerate(pairs, 1):
            std = init_std(weight_std, n_in)
            lin = Linear.init(n_in, n_out, rng=rng, weight_std=std, dtype=dtype)
            lin.W.name, lin.b.name = f"W{i}", f"b{i}"
            self.linears.append(lin)
            self.layers.append(lin)
            if i < len(self.sizes) - 1:
                self.layers.append(ACTIVATIONS[activation]())
                if batch_norm:
                    self.layers.insert(-1, _batch_norm(i, n_out, dtype))
                if dropout:  # draws its masks from rng only when it runs
                    self.layers.append(Dropout(dropout, rng=rng))

    @property
    def training(self) -> bool:
        """Training mode (batch statistics, dropout on) or evaluation mode."""
        return self._training

    @training.setter
    def training(self, value: bool) -> None:
        self._training = bool(value)
        for layer in self.layers:
            if hasattr(layer, "training"):
                layer.training = self._training

    def params(self) -> dict[str, Parameter]:
        """Return the parameters by name: W1, b1, [gamma1, beta1,] W2, b2, ..."""
        return {p.name: p for layer in self.layers for p in layer.params()}

    def cleargrads(self) -> None:
        """Forget the gradients of the last backward pass."""
        for p in self.params().values():
            p.grad = None

    def penalty(self) -> float:
        """The weight-decay term of the loss: lambda / 2 * sum(W ** 2) (0 without)."""
        return weight_decay_penalty(self.params().values(), self.weight_decay)

    def forward(self, x: Array) -> Array:
        """Return the network output (scores, before any softmax) for ``x``."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, gy: Array, *, input_grad: bool = True) -> Array | None:
        """Backpropagate dL/dy through every layer; gradients land in ``params()``.

        Returns dL/dx, or None with ``input_grad=False``, which skips that
        product (training never needs the gradient of the input). With weight
        decay, lambda * W is added to each weight's gradient.
        """
        for layer in reversed(self.layers[1:]):
            gy = layer.backward(gy)
        gx = self.linears[0].backward(gy, input_grad=input_grad)
        if self.weight_decay:
            add_weight_decay(self.params().values(), self.weight_decay)
        return gx


def _batch_norm(i: int, size: int, dtype: type) -> BatchNormalization:
    bn = BatchNormalization(size, dtype=dtype)
    bn.gamma.name, bn.beta.name = f"gamma{i}", f"beta{i}"
    return bn
