"""Optimizers in DeZero's shape: ``setup(target)``, then ``update()`` per step."""

from __future__ import annotations

import numpy as np

from vizlearn.core.layers import Parameter

__all__ = ["Optimizer", "SGD", "Momentum", "AdaGrad", "Adam", "OPTIMIZERS"]


class Optimizer:
    """Base: holds the parameters and calls ``update_one`` on each."""

    def __init__(self) -> None:
        self.target: list[Parameter] = []

    def setup(self, target: object) -> Optimizer:
        """Attach to a model (anything with ``params()``) or to Parameters."""
        params = target.params() if hasattr(target, "params") else target
        if isinstance(params, dict):
            params = params.values()
        self.target = list(params)  # type: ignore[arg-type]
        return self

    def update(self) -> None:
        """Apply one step to every parameter that has a gradient."""
        for param in self.target:
            if param.grad is not None:
                self.update_one(param)

    def update_one(self, param: Parameter) -> None:  # pragma: no cover - abstract
        """Update a single parameter in place."""
        raise NotImplementedError


class SGD(Optimizer):
    """W <- W - lr * dL/dW."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__()
        self.lr = lr

    def update_one(self, param: Parameter) -> None:
        """Step against the gradient."""
        param.data -= self.lr * param.grad


class Momentum(Optimizer):
    """v <- momentum v - lr dL/dW; W <- W + v."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__()
        self.lr, self.momentum = lr, momentum
        self._v: dict[int, np.ndarray] = {}

    def update_one(self, param: Parameter) -> None:
        """Accumulate velocity and move by it."""
        v = self._v.setdefault(id(param), np.zeros_like(param.data))
        v *= self.momentum
        v -= self.lr * param.grad
        param.data += v


class AdaGrad(Optimizer):
    """h <- h + g^2; W <- W - lr g / (sqrt(h) + eps)."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        super().__init__()
        self.lr, self.eps = lr, eps
        self._h: dict[int, np.ndarray] = {}

    def update_one(self, param: Parameter) -> None:
        """Scale the step by the accumulated squared gradient."""
        h = self._h.setdefault(id(param), np.zeros_like(param.data))
        h += param.grad * param.grad
        param.data -= self.lr * param.grad / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba), bias correction folded into the step size as the book."""

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999
    ) -> None:
        super().__init__()
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.t = 0
        self._m: dict[int, np.ndarray] = {}
        self._v: dict[int, np.ndarray] = {}

    def update(self) -> None:
        """Advance the time step once, then update every parameter."""
        self.t += 1
        super().update()

    def update_one(self, param: Parameter) -> None:
        """Move by the bias-corrected ratio of first to second moment."""
        key = id(param)
        m = self._m.setdefault(key, np.zeros_like(param.data))
        v = self._v.setdefault(key, np.zeros_like(param.data))
        g = param.grad
        m += (1 - self.beta1) * (g - m)
        v += (1 - self.beta2) * (g * g - v)
        lr_t = self.lr * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        param.data -= lr_t * m / (np.sqrt(v) + 1e-7)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "adagrad": AdaGrad,
    "adam": Adam,
}
