"""Loss functions, each returning its value and its gradient wrt the prediction.

``softmax`` and ``softmax_cross_entropy`` run on every minibatch of every
classification lesson, so they are written for speed with the same arithmetic
as the plain formulas (the results are equal bit for bit): the row maximum is
taken along the rows of a transposed copy (numpy reduces a short row about ten
times slower), the exponentials and the division happen in place, and the mean
is numpy's own (a sum, divided in float64, rounded to the dtype).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["mean_squared_error", "softmax", "softmax_cross_entropy", "LOSSES"]

Array = NDArray[np.floating]

_FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_SHORT_ROW = 64  # classes up to which the transposed maximum is faster


def mean_squared_error(y: Array, t: Array) -> tuple[float, Array]:
    """DeZero's MSE: sum((y - t)^2) / len(y), and dL/dy = 2 (y - t) / len(y)."""
    diff = y - t
    n = len(diff)
    return float((diff * diff).sum() / n), (2.0 / n) * diff


def _row_max(x: Array) -> Array:
    """``x.max(axis=1, keepdims=True)`` (the same values), fast for few columns."""
    if x.shape[1] > _SHORT_ROW or not x.shape[0]:
        return x.max(axis=1, keepdims=True)
    return np.maximum.reduce(x.T.copy(), axis=0)[:, None]


def softmax(x: Array) -> Array:
    """Row-wise softmax of ``x`` with shape ``(batch, classes)``, overflow-safe."""
    z = x - _row_max(x)
    if z.dtype.kind != "f":  # integer scores: exp gives float64
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= np.add.reduce(z, axis=1, keepdims=True)
    return z


def softmax_cross_entropy(y: Array, t: NDArray) -> tuple[float, Array]:
    """Mean cross-entropy of softmax(y) against labels ``t`` (indices or one-hot).

    Returns the loss value and dL/dy = (softmax(y) - onehot(t)) / batch.
    """
    n = len(y)
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    p = softmax(y)
    rows = np.arange(n)
    picked = p[rows, labels]
    # clip at the dtype's smallest normal number: 1e-300 is 0.0 in float32
    tiny = np.finfo(p.dtype).tiny if p.dtype.kind == "f" else 1e-300
    logs = np.log(np.maximum(picked, tiny))  # np.clip(picked, tiny, None)
    p[rows, labels] = picked - 1.0  # p becomes dL/dy
    p /= n
    return -_mean(logs), p


def _mean(values: Array) -> float:
    """``float(values.mean())``: the sum, divided in float64, rounded to its dtype."""
    if values.dtype not in _FAST_DTYPES or not len(values):
        return float(values.mean())
    return float(values.dtype.type(float(np.add.reduce(values)) / len(values)))


LOSSES = {"mse": mean_squared_error, "softmax_cross_entropy": softmax_cross_entropy}
