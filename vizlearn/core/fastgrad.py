"""The numerical gradient of an MLP's loss, exact and hundreds of times faster.

The book's ``numerical_gradient`` perturbs one parameter at a time and runs a
full forward pass for ``f(w + h)`` and another for ``f(w - h)``: for the
784-50-10 network that is 2 x 39 760 forward passes of the whole minibatch.

Most of that work is repeated. Perturbing one weight ``W_k[i, j]`` by ``±h``
changes one number per example: the pre-activation ``a_k[n, j]`` of unit ``j``,
by ``±h * h_{k-1}[n, i]`` (``h_0 = x``). So this module runs the forward pass
once, and then, for every (example, weight) pair at once, pushes the two
perturbed values through unit ``j``'s activation, adds the change to the next
layer as a rank-one update and runs only the layers after it. An example whose
input ``h_{k-1}[n, i]`` is exactly zero (a blank MNIST pixel, a silent ReLU) sees
no change at all and is skipped: it adds exactly 0 to the difference.

The result is still the central difference ``(f(w + h) - f(w - h)) / 2h`` of
the mean loss, for every parameter: only arithmetic that cannot change it is
left out (per-example differences are summed instead of differencing two sums,
which loses less precision).

Each hidden layer may have its own elementwise activation. A network with
batch normalization (which mixes the examples of a batch: one weight moves
every example's output) or dropout takes the book's loop instead, inside
:func:`~vizlearn.core.regularization.frozen`: dropout keeps the mask of the
last training forward pass and batch normalization its running statistics,
so the result is the gradient of the same function backprop differentiated.
Weight decay's term lambda / 2 * sum(W ** 2) is part of the loss either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from vizlearn.core.gradients import numerical_grad
from vizlearn.core.layers import ACTIVATIONS, Layer, Linear
from vizlearn.core.models import MLP
from vizlearn.core.regularization import frozen

__all__ = ["numerical_gradients", "naive_numerical_gradients"]

Array = NDArray[np.float64]
_CHUNK = 1 << 19  # elements of the largest temporary array (4 MB in float64)
_LOSSES = ("softmax_cross_entropy", "mse")


class _Net:
    """A float64 copy of an MLP with its forward pass cached (a_k, h_k per layer)."""

    def __init__(self, model: MLP, x: NDArray, t: NDArray, loss: str) -> None:
        if loss not in _LOSSES:
            raise ValueError(f"loss must be one of {', '.join(_LOSSES)}, not {loss!r}")
        self.W = [lin.W.data.astype(np.float64) for lin in model.linears]
        self.b = [lin.b.data.astype(np.float64) for lin in model.linears]
        # fresh activation layers, so the model's cached forward state is untouched
        self.acts: list[Layer] = [type(layer)() for layer in model.layers[1::2]]
        self.loss = loss
        t = np.asarray(t)
        self.t = t.argmax(axis=1) if loss != "mse" and t.ndim == 2 else t
        self.h = [np.asarray(x, dtype=np.float64)]  # h[0] = x
        self.a: list[Array] = []
        for k in range(len(self.W)):
            self.a.append(self.h[k] @ self.W[k] + self.b[k])
            if k < len(self.W) - 1:
                self.h.append(self.f(k, self.a[k]))
        self.top = self.a[-1].max(axis=1)  # each example's top score

    def f(self, k: int, a: Array) -> Array:
        """Hidden layer ``k``'s activation of its pre-activation ``a``."""
        return self.acts[k].forward(a)

    def loss_change(self, k: int, n: NDArray, delta: Array) -> Array:
        """Change of example n's loss when a_k[n, j] moves by +delta vs -delta.

        ``n`` and ``delta`` have shape ``(rows,)``; the result is ``(rows, n_out)``,
        one column per unit ``j`` of layer ``k``.
        """
        losses = self._losses(self._scores(k, n, delta), n)
        if not np.isfinite(losses).all():  # exp overflowed: a huge perturbation
            losses = self._losses(self._scores(k, n, delta), n, safe=True)
        return losses[0] - losses[1]

    def _scores(self, k: int, n: NDArray, delta: Array) -> Array:
        """Network outputs ``(2, rows, n_out, out)`` with a_k[n, j] moved by ±delta."""
        last = len(self.W) - 1
        signed = np.stack([delta, -delta])[:, :, None, None]  # (2, rows, 1, 1)
        if k == last:  # output layer: score j of the example moves
            return self.a[k][n][None, :, None, :] + signed * np.eye(self.W[k].shape[1])
        a0, h0 = self.a[k][n], self.h[k + 1][n]  # (rows, n_out)
        dh = self.f(k, a0 + signed[..., 0]) - h0  # (2, rows, n_out): unit j's change
        y = dh[..., None] * self.W[k + 1]  # a rank-one change of the next layer
        y += self.a[k + 1][n][None, :, None, :]
        for m in range(k + 2, len(self.W)):
            y = self.f(m - 1, y) @ self.W[m] + self.b[m]
        return y

    def _losses(self, y: Array, n: NDArray, safe: bool = False) -> Array:
        """Per-example loss of ``y`` ``(2, rows, j, out)``; overwrites ``y``."""
        ones = np.ones(y.shape[-1])
        if self.loss == "mse":
            y -= self.t[n][:, None, :]
            return (y * y) @ ones
        # log-sum-exp minus the label's score; shift by the unperturbed top score
        # (the row maximum in the rare safe path) so that exp stays in range
        picked = y[:, np.arange(len(n)), :, self.t[n]].transpose(1, 0, 2)
        shift = y.max(axis=-1) if safe else self.top[n][:, None]
        y -= shift[..., None]
        np.exp(y, out=y)
        return np.log(y @ ones) + shift - picked  # matmul: fast sums of short rows

    def gradient(
        self, k: int, n: NDArray, delta: Array, owner: NDArray, size: int, eps: float
    ) -> Array:
        """Add row r's loss changes to row ``owner[r]`` (sorted) of the gradient."""
        n_out = self.W[k].shape[1]
        width = max(w.shape[1] for w in self.W[k:])  # widest temporary per unit
        step = max(1, _CHUNK // (2 * n_out * width))
        grad = np.zeros((size, n_out))
        for s in range(0, len(n), step):
            part = slice(s, s + step)
            change = self.loss_change(k, n[part], delta[part])
            keys, starts = np.unique(owner[part], return_index=True)
            grad[keys] += np.add.reduceat(change, starts, axis=0)
        return grad / (2 * eps * len(self.h[0]))


def numerical_gradients(
    model: MLP,
    x: NDArray,
    t: NDArray,
    *,
    loss: str = "softmax_cross_entropy",
    eps: float = 1e-4,
) -> dict[str, Array]:
    """Central-difference gradient of the mean loss for every parameter, in float64.

    Parameters
    ----------
    model
        Any :class:`~vizlearn.core.models.MLP`. Linear layers and elementwise
        activations take the fast path; batch normalization or dropout the
        book's loop (exact too, but one forward pass per element).
    x, t
        The minibatch: inputs ``(N, in)`` and labels ``(N,)`` / one-hot / targets.
    loss
        "softmax_cross_entropy" or "mse".
    eps
        The step ``h`` of ``(f(w + h) - f(w - h)) / 2h``.

    Returns
    -------
    dict
        ``{"W1": (in, n1), "b1": (n1,), ...}``, like ``model.params()``.
    """
    if not _plain(model):
        return naive_numerical_gradients(model, x, t, loss=loss, eps=eps)
    net = _Net(model, x, t, loss)
    grads: dict[str, Array] = {}
    for k, lin in enumerate(model.linears):
        n_in = net.W[k].shape[0]
        i, ex = np.nonzero(net.h[k].T)  # sorted by input i; zero inputs change nothing
        delta = eps * net.h[k][ex, i]
        grads[lin.W.name] = net.gradient(k, ex, delta, i, n_in, eps)
        every = np.arange(len(net.h[0]))
        bias = net.gradient(k, every, np.full(len(every), eps), every * 0, 1, eps)
        grads[lin.b.name] = bias[0]
        # the exact derivative of lambda/2 w^2, which the central difference
        # of a quadratic also gives (up to rounding)
        grads[lin.W.name] += getattr(model, "weight_decay", 0.0) * net.W[k]
    return grads


def _plain(model: MLP) -> bool:
    """Linear, activation, Linear, ..., Linear: the layout the fast path needs."""
    acts = tuple(ACTIVATIONS.values())
    layers, linears = getattr(model, "layers", ()), getattr(model, "linears", ())
    return (
        len(layers) == 2 * len(linears) - 1
        and all(isinstance(layer, Linear) for layer in layers[::2])
        and all(type(layer) in acts for layer in layers[1::2])
    )


def naive_numerical_gradients(
    model: MLP,
    x: NDArray,
    t: NDArray,
    *,
    loss: str = "softmax_cross_entropy",
    eps: float = 1e-4,
    elements: dict[str, Sequence[int]] | None = None,
) -> dict[str, Array]:
    """The book's loop: perturb one element, run a full forward pass, for each element.

    ``elements`` limits the loop to some flat indices per parameter (to time it
    on a subset and extrapolate); the others are left as NaN. The model is
    evaluated in float64 and restored exactly. Dropout keeps its last mask and
    batch normalization its running statistics (see ``frozen``); the loss
    includes the model's weight-decay ``penalty()``.
    """
    from vizlearn.core.losses import LOSSES

    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(_LOSSES)}, not {loss!r}")
    loss_fn = LOSSES[loss]
    params = model.params()
    saved = {k: p.data for k, p in params.items()}
    x64 = np.asarray(x, dtype=np.float64)
    penalty = getattr(model, "penalty", lambda: 0.0)
    grads = {}
    try:
        for p in params.values():
            p.data = p.data.astype(np.float64)

        def f() -> float:
            return loss_fn(model.forward(x64), t)[0] + penalty()

        with frozen(model):
            for name, p in params.items():
                indices = _indices(elements, name, p.data.size)
                grads[name] = numerical_grad(f, p.data, eps=eps, indices=indices)
    finally:
        for name, p in params.items():
            p.data = saved[name]
    if not _plain(model):  # leave the caches of batch norm as its unperturbed pass
        with frozen(model):
            model.forward(np.asarray(x))
    return grads


def _indices(
    elements: dict[str, Sequence[int]] | None, name: str, size: int
) -> Iterable[int]:
    if elements is None:
        return range(size)
    return elements.get(name, ())
