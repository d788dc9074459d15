"""Two-variable test functions for optimizer paths, with analytic gradients.

Each :class:`Surface` carries the function, its gradient, the minima, and the
defaults its figure needs (start, plot range, contour levels, learning rates).
``book`` is f(x, y) = x²/20 + y² from chapter 6 of "Deep Learning from Scratch",
started at (-7, 2) with the book's learning rates.

>>> s = SURFACES["book"]
>>> float(s.f(-7.0, 2.0)), [float(g) for g in s.grad(-7.0, 2.0)]
(6.45, [-0.7, 4.0])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Surface",
    "SURFACES",
    "book",
    "rosenbrock",
    "rosenbrock_grad",
    "rosenbrock_hessian",
    "beale",
    "himmelblau",
]

Array = NDArray[np.float64]


def book(x: ArrayLike, y: ArrayLike) -> Array:
    """f(x, y) = x²/20 + y², the book's elongated bowl (minimum 0 at the origin)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return x * x / 20.0 + y * y


def book_grad(x: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
    """(df/dx, df/dy) = (x / 10, 2 y)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return x / 10.0, 2.0 * y


def rosenbrock(x: ArrayLike, y: ArrayLike) -> Array:
    """f(x, y) = (1 - x)² + 100 (y - x²)², a curved valley; minimum 0 at (1, 1)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def rosenbrock_grad(x: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
    """(-2 (1 - x) - 400 x (y - x²), 200 (y - x²))."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    valley = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * valley, 200.0 * valley


def rosenbrock_hessian(x: ArrayLike, y: ArrayLike) -> Array:
    """The second derivatives, shape ``(2, 2, *x.shape)``.

    [[2 - 400 (y - x²) + 800 x², -400 x], [-400 x, 200]].
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    dxx = 2.0 - 400.0 * (y - x * x) + 800.0 * x * x
    dxy = -400.0 * x * np.ones_like(y)
    return np.array([[dxx, dxy], [dxy, 200.0 * np.ones_like(dxx)]])


_BEALE_C = (1.5, 2.25, 2.625)


def beale(x: ArrayLike, y: ArrayLike) -> Array:
    """F = Σ_k (c_k - x + x yᵏ)² for c = (1.5, 2.25, 2.625); minimum 0 at (3, 0.5)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return sum((c - x + x * y**k) ** 2 for k, c in enumerate(_BEALE_C, 1))


def beale_grad(x: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
    """Σ_k 2 r_k (yᵏ - 1) and Σ_k 2 r_k k x yᵏ⁻¹, with r_k = c_k - x + x yᵏ."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    gx, gy = np.zeros(np.broadcast(x, y).shape), np.zeros(np.broadcast(x, y).shape)
    for k, c in enumerate(_BEALE_C, 1):
        r = c - x + x * y**k
        gx = gx + 2.0 * r * (y**k - 1.0)
        gy = gy + 2.0 * r * k * x * y ** (k - 1)
    return gx, gy


def himmelblau(x: ArrayLike, y: ArrayLike) -> Array:
    """F = (x² + y - 11)² + (x + y² - 7)², with four minima of value 0."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def himmelblau_grad(x: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
    """(4 x a + 2 b, 2 a + 4 y b), with a = x² + y - 11 and b = x + y² - 7."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


@dataclass(frozen=True)
class Surface:
    """A test function f(x, y), its gradient, and the defaults its figure uses."""

    name: str
    formula: str
    f: Callable[[ArrayLike, ArrayLike], Array]
    grad: Callable[[ArrayLike, ArrayLike], tuple[Array, Array]]
    minima: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    levels: tuple[float, ...]
    lr: dict[str, float] = field(default_factory=dict)
    steps: int = 30

    def grid(self, n: int = 200) -> tuple[Array, Array, Array]:
        """Return ``X, Y, Z`` of shape ``(n, n)`` over the plot range (for contours)."""
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.f(X, Y)


def _geometric(low: float, high: float, n: int) -> tuple[float, ...]:
    return tuple(float(v) for v in np.geomspace(low, high, n))


SURFACES: dict[str, Surface] = {
    "book": Surface(
        "book",
        "f(x, y) = x²/20 + y²",
        book,
        book_grad,
        ((0.0, 0.0),),
        start=(-7.0, 2.0),
        xlim=(-10.0, 10.0),
        ylim=(-5.0, 5.0),
        levels=(0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0),
        lr={"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "adam": 0.3},
        steps=30,
    ),
    "rosenbrock": Surface(
        "rosenbrock",
        "f(x, y) = (1 − x)² + 100 (y − x²)²",
        rosenbrock,
        rosenbrock_grad,
        ((1.0, 1.0),),
        start=(-1.2, 1.0),
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        levels=_geometric(0.1, 2000.0, 12),
        lr={"sgd": 0.002, "momentum": 0.001, "adagrad": 0.5, "adam": 0.1},
        steps=500,
    ),
    "beale": Surface(
        "beale",
        "f(x, y) = Σₖ (cₖ − x + x yᵏ)², c = (1.5, 2.25, 2.625)",
        beale,
        beale_grad,
        ((3.0, 0.5),),
        start=(1.0, 1.5),
        xlim=(-1.0, 4.5),
        ylim=(-2.0, 2.0),
        levels=_geometric(0.01, 1000.0, 16),
        lr={"sgd": 0.01, "momentum": 0.002, "adagrad": 0.5, "adam": 0.1},
        steps=200,
    ),
    "himmelblau": Surface(
        "himmelblau",
        "f(x, y) = (x² + y − 11)² + (x + y² − 7)²",
        himmelblau,
        himmelblau_grad,
        (
            (3.0, 2.0),
            (-2.805118, 3.131312),
            (-3.779310, -3.283186),
            (3.584428, -1.848126),
        ),
        start=(0.0, -1.0),
        xlim=(-5.0, 5.0),
        ylim=(-5.0, 5.0),
        levels=_geometric(0.5, 500.0, 12),
        lr={"sgd": 0.01, "momentum": 0.004, "adagrad": 0.5, "adam": 0.2},
        steps=60,
    ),
}
