"""Small 2-D data sets generated from a seed, and what a Playground does to them.

The classification sets (``PLANAR``) return a
:class:`~vizlearn.datasets.toy.Dataset` with points ``x`` of shape ``(N, 2)``
(float64) and integer labels ``t`` of shape ``(N,)`` (int64), shuffled; the
regression sets (``REGRESSION``: TensorFlow Playground's plane and gauss,
scaled from [-6, 6]² to [-1, 1]²) give float targets ``t`` of shape ``(N, 1)``.
The same seed always gives the same arrays. ``generate`` makes any of them
with its own noise setting; ``split`` holds out test points; ``feature_matrix``
builds Playground's input features (x1, x2, x1x2, x1sq, x2sq, sin1, sin2).

Examples
--------
>>> data = spiral(seed=0)
>>> data.x.shape, data.t.shape
((300, 2), (300,))
>>> sorted(PLANAR), sorted(REGRESSION)
(['blobs', 'circles', 'spiral', 'xor'], ['gauss', 'plane'])
>>> feature_matrix(np.array([[1.0, 2.0]]), ("x1", "x1x2", "x2sq")).tolist()
[[1.0, 2.0, 4.0]]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from vizlearn.datasets.toy import Dataset

__all__ = [
    "PLANAR",
    "REGRESSION",
    "FEATURES",
    "NOISE_PARAMETER",
    "Dataset",
    "blobs",
    "circles",
    "spiral",
    "xor",
    "plane",
    "gauss",
    "generate",
    "split",
    "feature_matrix",
]


def spiral(
    n_per_class: int = 100, n_classes: int = 3, *, noise: float = 0.2, seed: int = 0
) -> Dataset:
    """Interleaved spiral arms, as DeZero's ``get_spiral``.

    Point ``i`` of arm ``j`` has radius ``r = i / n_per_class`` and angle
    ``theta = 4.0 * j + 4.0 * r + noise * randn``; it sits at
    ``(r * sin(theta), r * cos(theta))``.

    Parameters
    ----------
    n_per_class
        Points per arm (DeZero: 100).
    n_classes
        Number of arms, one class each (DeZero: 3).
    noise
        Standard deviation of the angle jitter in radians (DeZero: 0.2).
    seed
        Seed for ``np.random.default_rng``.

    Returns
    -------
    Dataset
        ``x`` ``(n_per_class * n_classes, 2)``, ``t`` in ``0..n_classes-1``.
    """
    _check_count("n_per_class", n_per_class, 1)
    _check_count("n_classes", n_classes, 2)
    _check_scale("noise", noise)
    rng = np.random.default_rng(seed)
    t = np.repeat(np.arange(n_classes), n_per_class)
    radius = np.tile(np.arange(n_per_class) / n_per_class, n_classes)
    theta = 4.0 * t + 4.0 * radius + noise * rng.standard_normal(t.size)
    x = np.column_stack([radius * np.sin(theta), radius * np.cos(theta)])
    return _shuffled(x, t, rng)


def circles(
    n: int = 300, *, noise: float = 0.1, factor: float = 0.5, seed: int = 0
) -> Dataset:
    """Two concentric circles: the outer one (radius 1) is class 0, the inner class 1.

    Parameters
    ----------
    n
        Total points; the outer circle gets ``n // 2``.
    noise
        Standard deviation of Gaussian noise added to each coordinate.
    factor
        Radius of the inner circle, in ``(0, 1)``.
    seed
        Seed for ``np.random.default_rng``.

    Returns
    -------
    Dataset
        ``x`` ``(n, 2)``, ``t`` in ``{0, 1}``.
    """
    _check_count("n", n, 2)
    _check_scale("noise", noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor}")
    rng = np.random.default_rng(seed)
    t = (np.arange(n) >= n // 2).astype(np.int64)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(t == 0, 1.0, factor)
    x = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _shuffled(x + noise * rng.standard_normal(x.shape), t, rng)


def xor(n: int = 300, *, noise: float = 0.05, seed: int = 0) -> Dataset:
    """Points in the square ``[-1, 1]^2``, class 1 where the coordinates' signs differ.

    Parameters
    ----------
    n
        Total points, drawn uniformly.
    noise
        Standard deviation of Gaussian jitter added after labelling, so a few
        points near the axes land in the other class's quadrant.
    seed
        Seed for ``np.random.default_rng``.

    Returns
    -------
    Dataset
        ``x`` ``(n, 2)``, ``t`` in ``{0, 1}``.
    """
    _check_count("n", n, 1)
    _check_scale("noise", noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 2))
    t = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    return Dataset(x + noise * rng.standard_normal(x.shape), t)


def blobs(
    n: int = 300, n_classes: int = 3, *, std: float = 0.3, seed: int = 0
) -> Dataset:
    """Gaussian clusters centred evenly on the unit circle, one class each.

    Parameters
    ----------
    n
        Total points, split as evenly as possible across the classes.
    n_classes
        Number of clusters; cluster ``k`` is centred at angle ``2 pi k / n_classes``.
    std
        Standard deviation of each cluster.
    seed
        Seed for ``np.random.default_rng``.

    Returns
    -------
    Dataset
        ``x`` ``(n, 2)``, ``t`` in ``0..n_classes-1``.
    """
    _check_count("n", n, 1)
    _check_count("n_classes", n_classes, 2)
    _check_scale("std", std)
    rng = np.random.default_rng(seed)
    t = np.arange(n) % n_classes
    angle = 2 * np.pi * t / n_classes
    centres = np.column_stack([np.cos(angle), np.sin(angle)])
    return _shuffled(centres + std * rng.standard_normal((n, 2)), t, rng)


#: Name -> generator; each accepts ``seed=`` and returns a :class:`Dataset`.
PLANAR: dict[str, Callable[..., Dataset]] = {
    "spiral": spiral,
    "circles": circles,
    "xor": xor,
    "blobs": blobs,
}


def plane(n: int = 300, *, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Playground's "plane": t = 0.6 (x1 + x2) on the square [-1, 1]².

    ``noise`` (0 to 1, Playground's 0 to 50 %) labels each point by a point
    shifted by up to ``noise`` in each coordinate, so nearby points disagree.
    """
    return _regression(n, noise, seed, lambda x: 0.6 * (x[:, 0] + x[:, 1]))


# Playground's six bumps (centre x, centre y, sign) on [-6, 6]²
_BUMPS = (
    (-4, 2.5, 1),
    (0, 2.5, -1),
    (4, 2.5, 1),
    (-4, -2.5, -1),
    (0, -2.5, 1),
    (4, -2.5, -1),
)
#: The bumps of :func:`gauss`, scaled to [-1, 1]²
GAUSSIANS = tuple((cx / 6, cy / 6, sign) for cx, cy, sign in _BUMPS)


def gauss(n: int = 300, *, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Playground's "gauss": six signed cones of radius 1/3, the strongest one wins.

    t = sign * max(0, 1 - 3 d) for the bump (at ``GAUSSIANS``) where that is
    largest in size; ``noise`` as in :func:`plane`.
    """

    def label(x: NDArray) -> NDArray:
        best = np.zeros(len(x))
        for cx, cy, sign in GAUSSIANS:
            d = np.hypot(x[:, 0] - cx, x[:, 1] - cy)
            value = sign * np.clip(1.0 - 3.0 * d, 0.0, 1.0)
            best = np.where(np.abs(value) > np.abs(best), value, best)
        return best

    return _regression(n, noise, seed, label)


def _regression(n: int, noise: float, seed: int, label: Callable) -> Dataset:
    _check_count("n", n, 2)
    _check_scale("noise", noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 2))
    shifted = x + noise * rng.uniform(-1.0, 1.0, (n, 2))
    return Dataset(x, label(shifted)[:, None].astype(np.float64))


#: Name -> regression generator; each accepts ``seed=`` and ``noise=``.
REGRESSION: dict[str, Callable[..., Dataset]] = {"plane": plane, "gauss": gauss}

#: The keyword each generator's noise goes by.
NOISE_PARAMETER = {
    "spiral": "noise",
    "circles": "noise",
    "xor": "noise",
    "blobs": "std",
    "plane": "noise",
    "gauss": "noise",
}


def generate(name: str, *, seed: int = 0, noise: float | None = None) -> Dataset:
    """The data set ``name`` (classification or regression); noise None: its default."""
    make = PLANAR.get(name) or REGRESSION.get(name)
    if make is None:
        raise ValueError(
            f"unknown data set {name!r}; choose from "
            f"{', '.join([*PLANAR, *REGRESSION])}"
        )
    if noise is None:
        return make(seed=seed)
    return make(seed=seed, **{NOISE_PARAMETER[name]: noise})


def split(data: Dataset, test_ratio: float, *, seed: int) -> tuple[Dataset, Dataset]:
    """(train, test): a seeded shuffle, then the last ``round(N * ratio)`` are test."""
    n_test = round(len(data) * test_ratio)
    if not 0 < n_test < len(data):
        side = "test" if not n_test else "training"
        raise ValueError(
            f"a test ratio of {test_ratio:g} leaves no {side} points of {len(data)}"
        )
    order = np.random.default_rng([seed, 19]).permutation(len(data))
    train, test = order[:-n_test], order[-n_test:]
    return Dataset(data.x[train], data.t[train]), Dataset(data.x[test], data.t[test])


#: Playground's input features of a point (x1, x2), each a function of x (N, 2)
FEATURES: dict[str, Callable[[NDArray], NDArray]] = {
    "x1": lambda x: x[:, 0],
    "x2": lambda x: x[:, 1],
    "x1x2": lambda x: x[:, 0] * x[:, 1],
    "x1sq": lambda x: x[:, 0] ** 2,
    "x2sq": lambda x: x[:, 1] ** 2,
    "sin1": lambda x: np.sin(x[:, 0]),
    "sin2": lambda x: np.sin(x[:, 1]),
}


def feature_matrix(x: NDArray, names: tuple[str, ...]) -> NDArray[np.float64]:
    """The columns ``names`` (keys of ``FEATURES``) of points ``x`` (N, 2): (N, k)."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown or not names:
        raise ValueError(
            f"features must be some of {', '.join(FEATURES)}, got {', '.join(names)}"
        )
    return np.column_stack([FEATURES[n](x) for n in names]).astype(np.float64)


def _shuffled(x: NDArray, t: NDArray, rng: np.random.Generator) -> Dataset:
    order = rng.permutation(len(t))
    return Dataset(x[order].astype(np.float64), t[order].astype(np.int64))


def _check_count(name: str, value: int, minimum: int) -> None:
    if not value >= minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_scale(name: str, value: float) -> None:
    if not value >= 0:  # also rejects NaN
        raise ValueError(f"{name} must be >= 0, got {value!r}")
