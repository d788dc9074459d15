"""Numerical gradients by central difference: the oracle backprop is checked against."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from numpy.typing import NDArray

__all__ = ["numerical_grad", "gradient_check"]


def numerical_grad(
    f: Callable[[], float],
    x: NDArray[np.floating],
    *,
    eps: float = 1e-4,
    indices: Iterable[int] | None = None,
) -> NDArray[np.float64]:
    """Return df/dx by central difference, perturbing ``x`` in place elementwise.

    ``f`` takes no argument and reads ``x`` itself (as the book's
    ``numerical_gradient(f, x)`` does); ``x`` is restored afterwards.
    ``indices`` limits the loop to those flat indices (to time it on a subset);
    the other elements of the result are NaN.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError(
            "numerical_grad needs a contiguous array it can perturb in place"
        )
    if indices is None:
        indices = range(flat.size)
    else:
        gflat[:] = np.nan
    for i in indices:
        orig = flat[i]
        flat[i] = orig + eps
        f_plus = f()
        flat[i] = orig - eps
        f_minus = f()
        flat[i] = orig
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def gradient_check(
    f: Callable[[], float],
    x: NDArray[np.floating],
    analytic: NDArray[np.floating],
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    eps: float = 1e-4,
) -> bool:
    """Tell whether ``analytic`` matches the numerical gradient of ``f`` at ``x``."""
    num = numerical_grad(f, x, eps=eps)
    return bool(np.allclose(analytic, num, rtol=rtol, atol=atol))
