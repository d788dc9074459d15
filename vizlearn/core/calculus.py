"""Numerical differentiation and the descents built on it (DLfS ch. 4, DeZero 28-29).

The book's ``numerical_diff`` is the central difference with h = 1e-4; the
forward difference and other steps are here to show why. ``gradient_descent``
takes any gradient function (the book passes the numerical gradient), and
Newton's method divides by the second derivative (1-D) or solves with the
Hessian (n-D), analytic or from central differences of the gradient.

>>> [round(numerical_diff(function_1, x), 6) for x in (5.0, 10.0)]
[0.2, 0.3]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from vizlearn.core.gradients import numerical_grad

__all__ = [
    "BOOK_H",
    "forward_diff",
    "central_diff",
    "numerical_diff",
    "tangent_line",
    "numerical_gradient",
    "gradient_field",
    "numerical_hessian",
    "gradient_descent",
    "newton_1d",
    "newton",
    "iterations_within",
    "function_1",
    "function_2",
    "quartic",
    "quartic_grad",
    "quartic_grad2",
]

Array = NDArray[np.float64]
BOOK_H = 1e-4
"""The book's step: small, but far above the rounding floor."""


def forward_diff(f: Callable, x: ArrayLike, h: float = BOOK_H) -> Array:
    """(f(x + h) - f(x)) / h: the forward difference, error of order h."""
    return (f(x + h) - f(x)) / h


def central_diff(f: Callable, x: ArrayLike, h: float = BOOK_H) -> Array:
    """(f(x + h) - f(x - h)) / 2h: the central difference, error of order h²."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_diff(f: Callable[[float], float], x: float) -> float:
    """The book's ``numerical_diff``: the central difference with h = 1e-4."""
    return float(central_diff(f, x, BOOK_H))


def tangent_line(
    f: Callable[[float], float], x: float, h: float = BOOK_H
) -> tuple[float, float]:
    """Slope and intercept of the tangent at ``x``, the slope by central difference."""
    slope = float(central_diff(f, x, h))
    return slope, float(f(x)) - slope * x


def numerical_gradient(
    f: Callable[[Array], float], x: Array, h: float = BOOK_H
) -> Array:
    """The book's ``numerical_gradient(f, x)``: f takes the array ``x`` itself.

    Each element is perturbed in place by ±h (then restored), as the book does.
    """
    return numerical_grad(lambda: f(x), x, eps=h)


def gradient_field(
    f: Callable[[Array, Array], Array], X: ArrayLike, Y: ArrayLike, h: float = BOOK_H
) -> tuple[Array, Array]:
    """(∂f/∂x0, ∂f/∂x1) of ``f(x0, x1)`` at every grid point, by central difference."""
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    return (
        (f(X + h, Y) - f(X - h, Y)) / (2 * h),
        (f(X, Y + h) - f(X, Y - h)) / (2 * h),
    )


def numerical_hessian(
    grad: Callable[[Array], Array], x: ArrayLike, h: float = BOOK_H
) -> Array:
    """The Hessian ``(n, n)`` at ``x`` from central differences of the gradient."""
    x = np.array(x, dtype=np.float64)
    H = np.empty((x.size, x.size))
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        H[:, i] = (np.asarray(grad(x + step)) - np.asarray(grad(x - step))) / (2 * h)
    return (H + H.T) / 2


def gradient_descent(
    grad: Callable[[Array], Array], x0: ArrayLike, lr: float, steps: int
) -> Array:
    """The path ``(steps + 1, n)`` of x ← x - lr ∇f(x) from ``x0`` (row k: k updates).

    ``grad`` may perturb its argument in place (the numerical gradient does):
    it gets the current point, which is copied into the path afterwards.
    """
    x = np.array(x0, dtype=np.float64)
    path = np.empty((steps + 1, *x.shape))
    path[0] = x
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging lr may overflow
        for k in range(1, steps + 1):
            x -= lr * np.asarray(grad(x))
            path[k] = x
    return path


def newton_1d(
    grad: Callable[[float], float],
    grad2: Callable[[float], float],
    x0: float,
    iters: int,
) -> Array:
    """The path ``(iters + 1,)`` of x ← x - f'(x) / f''(x) (DeZero step 29)."""
    path = np.empty(iters + 1)
    path[0] = x = float(x0)
    for k in range(1, iters + 1):
        x = x - grad(x) / grad2(x)
        path[k] = x
    return path


def newton(
    grad: Callable[[Array], Array],
    hessian: Callable[[Array], Array],
    x0: ArrayLike,
    iters: int,
) -> Array:
    """The path ``(iters + 1, n)`` of x ← x - H(x)⁻¹ ∇f(x), solved, never inverted."""
    x = np.array(x0, dtype=np.float64)
    path = np.empty((iters + 1, x.size))
    path[0] = x
    for k in range(1, iters + 1):
        x = x - np.linalg.solve(hessian(x), grad(x))
        path[k] = x
    return path


def iterations_within(path: ArrayLike, target: ArrayLike, tol: float) -> int | None:
    """The first k with ‖path[k] - target‖ < tol (None: the path never gets there)."""
    path = np.asarray(path, dtype=np.float64)
    offset = path - np.asarray(target, dtype=np.float64)
    distance = np.abs(offset) if offset.ndim == 1 else np.linalg.norm(offset, axis=1)
    hits = np.flatnonzero(distance < tol)
    return int(hits[0]) if hits.size else None


# --- the books' example functions ----------------------------------------------


def function_1(x: ArrayLike) -> Array:
    """f(x) = 0.01 x² + 0.1 x (DLfS ch. 4's numerical differentiation example)."""
    x = np.asarray(x)
    return 0.01 * x**2 + 0.1 * x


def function_2(x: Array) -> float:
    """f(x) = x[0]² + x[1]² (DLfS ch. 4's gradient example, minimum at the origin)."""
    return x[0] ** 2 + x[1] ** 2


def quartic(x: ArrayLike) -> Array:
    """f(x) = x⁴ - 2x² (DeZero step 29), minima at x = ±1."""
    x = np.asarray(x, dtype=np.float64)
    return x**4 - 2 * x**2


def quartic_grad(x: float) -> float:
    """f'(x) = 4x³ - 4x."""
    return 4 * x**3 - 4 * x


def quartic_grad2(x: float) -> float:
    """f''(x) = 12x² - 4 (the book's ``gx2``)."""
    return 12 * x**2 - 4
