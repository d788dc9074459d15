"""Against overfitting, as the book's section 6.4 does it: Dropout and weight decay.

``Dropout`` zeroes each hidden output with probability ``ratio`` while training
and scales every output by ``1 - ratio`` while evaluating (the book's form, not
the "inverted" one that scales during training). Its masks come from the
generator it is given, so a seeded run drops the same units every time.

Weight decay adds ``lambda / 2 * sum(W ** 2)`` over the weights (not the
biases) to the loss, hence ``lambda * W`` to each weight's gradient.

``frozen(model)`` makes a forward pass a pure function of the inputs and
parameters: dropout reuses its last mask, batch normalization stops updating
its running statistics. The numerical gradient of a network with such layers
runs inside it, so it differentiates the same function backprop did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.core.layers import Layer, Parameter

__all__ = ["Dropout", "weight_decay_penalty", "add_weight_decay", "frozen"]

Array = NDArray[np.floating]


class Dropout(Layer):
    """y = x * mask in training (mask ~ U(0, 1) > ratio), y = x (1 - ratio) if not.

    Parameters
    ----------
    ratio
        Probability of dropping a unit, in [0, 1).
    rng
        The generator the masks are drawn from.
    """

    def __init__(self, ratio: float = 0.5, *, rng: np.random.Generator) -> None:
        if not 0 <= ratio < 1:
            raise ValueError(f"dropout ratio must be in [0, 1), got {ratio}")
        self.ratio, self.rng = float(ratio), rng
        self.training = True
        self.fixed = False
        self.mask: NDArray[np.bool_] | None = None

    def forward(self, x: Array) -> Array:
        """Drop units (a new mask per call unless ``fixed``), or scale them."""
        if not self.training:
            self._scale = 1.0 - self.ratio
            return x * x.dtype.type(self._scale)
        self._scale = None
        if not self.fixed or self.mask is None:
            self.mask = self.rng.random(x.shape) > self.ratio
        elif self.mask.shape != x.shape:
            raise ValueError(
                f"a fixed dropout mask of shape {self.mask.shape} cannot drop "
                f"inputs of shape {x.shape}"
            )
        return x * self.mask

    def backward(self, gy: Array) -> Array:
        """Let the gradient through the kept units (or scale it, evaluating)."""
        if self._scale is not None:
            return gy * gy.dtype.type(self._scale)
        return gy * self.mask


def _weights(params: Iterable[Parameter]) -> Iterator[Parameter]:
    return (p for p in params if p.name.startswith("W"))


def weight_decay_penalty(params: Iterable[Parameter], lam: float) -> float:
    """``lam / 2 * sum(W ** 2)`` over the weights W1, W2, ... (biases excluded)."""
    if not lam:
        return 0.0
    return 0.5 * lam * sum(float(np.sum(p.data * p.data)) for p in _weights(params))


def add_weight_decay(params: Iterable[Parameter], lam: float) -> None:
    """Add ``lam * W`` to the gradient of every weight W1, W2, ..."""
    if lam:
        for p in _weights(params):
            p.grad = p.grad + p.data.dtype.type(lam) * p.data


@contextmanager
def frozen(model: Any) -> Iterator[None]:
    """Inside the block, forward passes reuse dropout masks and keep running stats."""
    layers = [lay for lay in getattr(model, "layers", ()) if hasattr(lay, "fixed")]
    before = [layer.fixed for layer in layers]
    for layer in layers:
        layer.fixed = True
    try:
        yield
    finally:
        for layer, was in zip(layers, before, strict=True):
            layer.fixed = was
