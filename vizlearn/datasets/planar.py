"""Small 2-D classification sets generated from a seed (numpy only).

Each function returns a :class:`~vizlearn.datasets.toy.Dataset` with points
``x`` of shape ``(N, 2)`` (float64) and integer labels ``t`` of shape ``(N,)``
(int64), shuffled. The same seed always gives the same arrays.

Examples
--------
>>> data = spiral(seed=0)
>>> data.x.shape, data.t.shape
((300, 2), (300,))
>>> sorted(PLANAR)
['blobs', 'circles', 'spiral', 'xor']
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from vizlearn.datasets.toy import Dataset

__all__ = ["PLANAR", "Dataset", "blobs", "circles", "spiral", "xor"]


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


def _shuffled(x: NDArray, t: NDArray, rng: np.random.Generator) -> Dataset:
    order = rng.permutation(len(t))
    return Dataset(x[order].astype(np.float64), t[order].astype(np.int64))


def _check_count(name: str, value: int, minimum: int) -> None:
    if not value >= minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_scale(name: str, value: float) -> None:
    if not value >= 0:  # also rejects NaN
        raise ValueError(f"{name} must be >= 0, got {value!r}")
