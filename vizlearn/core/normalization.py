"""Batch normalization (Ioffe & Szegedy 2015), the layer of the book's section 6.3.

In training mode each feature is normalized by the mean and variance of the
minibatch, then scaled and shifted by the learned ``gamma`` and ``beta``; the
running averages of those statistics (momentum 0.9, as the book) normalize in
evaluation mode, where one example's output no longer depends on the others.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from vizlearn.core.layers import Layer, Parameter

__all__ = ["BatchNormalization"]

Array = NDArray[np.floating]


class BatchNormalization(Layer):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta, per feature of ``(batch, n)``.

    Parameters
    ----------
    size
        Features per example.
    momentum
        running = momentum * running + (1 - momentum) * batch statistic.
    eps
        Added to the variance (the book's ``10e-7``, i.e. 1e-6).

    ``training`` picks the batch statistics (True) or the running ones (False);
    ``fixed`` keeps the running statistics unchanged by a training-mode forward
    pass (a numerical gradient runs hundreds of them). The running variance
    starts at 1 (the book starts it at 0, which makes an untrained network's
    evaluation divide by sqrt(eps)).
    """

    def __init__(
        self,
        size: int,
        *,
        momentum: float = 0.9,
        eps: float = 1e-6,
        dtype: type = np.float64,
    ) -> None:
        self.gamma = Parameter(np.ones(size, dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(size, dtype=dtype), "beta")
        self.running_mean = np.zeros(size, dtype=dtype)
        self.running_var = np.ones(size, dtype=dtype)
        self.momentum, self.eps = momentum, eps
        self.training = True
        self.fixed = False

    def params(self) -> Iterator[Parameter]:
        """Yield gamma then beta."""
        yield self.gamma
        yield self.beta

    def forward(self, x: Array) -> Array:
        """Normalize ``x`` (batch statistics in training mode, running ones if not)."""
        if self.training:
            mean = x.mean(axis=0)
            xc = x - mean
            var = (xc * xc).mean(axis=0)
            if not self.fixed:
                m = self.momentum
                self.running_mean = m * self.running_mean + (1 - m) * mean
                self.running_var = m * self.running_var + (1 - m) * var
        else:
            xc, var = x - self.running_mean, self.running_var
        self._std = np.sqrt(var + self.eps)
        self._xn = xn = xc / self._std
        self._batch = self.training
        return self.gamma.data * xn + self.beta.data

    def backward(self, gy: Array) -> Array:
        """Set dL/dgamma, dL/dbeta; return dL/dx (through the batch statistics too).

        In training mode every output depends on every example through the
        batch mean and variance, which gives the two subtracted terms::

            dx = (g - mean(g) - xn * mean(g * xn)) / std,   g = gamma * gy
        """
        xn = self._xn
        self.beta.grad = gy.sum(axis=0)
        self.gamma.grad = (gy * xn).sum(axis=0)
        g = self.gamma.data * gy
        if not self._batch:  # running statistics are constants
            return g / self._std
        return (g - g.mean(axis=0) - xn * (g * xn).mean(axis=0)) / self._std
