"""Loss functions, each returning its value and its gradient wrt the prediction."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["mean_squared_error", "softmax", "softmax_cross_entropy", "LOSSES"]

Array = NDArray[np.floating]


def mean_squared_error(y: Array, t: Array) -> tuple[float, Array]:
    """DeZero's MSE: sum((y - t)^2) / len(y), and dL/dy = 2 (y - t) / len(y)."""
    diff = y - t
    n = len(diff)
    return float((diff * diff).sum() / n), (2.0 / n) * diff


def softmax(x: Array) -> Array:
    """Row-wise softmax of ``x`` with shape ``(batch, classes)``, overflow-safe."""
    z = x - x.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(y: Array, t: NDArray) -> tuple[float, Array]:
    """Mean cross-entropy of softmax(y) against labels ``t`` (indices or one-hot).

    Returns the loss value and dL/dy = (softmax(y) - onehot(t)) / batch.
    """
    n = len(y)
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    p = softmax(y)
    rows = np.arange(n)
    # clip at the dtype's smallest normal number: 1e-300 is 0.0 in float32
    tiny = np.finfo(p.dtype).tiny if p.dtype.kind == "f" else 1e-300
    loss = -np.log(np.clip(p[rows, labels], tiny, None)).mean()
    gy = p
    gy[rows, labels] -= 1.0
    gy /= n
    return float(loss), gy


LOSSES = {"mse": mean_squared_error, "softmax_cross_entropy": softmax_cross_entropy}
