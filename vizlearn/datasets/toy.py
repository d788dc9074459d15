"""Toy regression data generated from a seed (no download needed)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Dataset", "sin_regression"]


@dataclass(frozen=True)
class Dataset:
    """Inputs ``x`` ``(N, d)`` and targets ``t`` (``(N, k)`` or labels ``(N,)``)."""

    x: NDArray
    t: NDArray

    def __len__(self) -> int:
        return len(self.x)


def sin_regression(
    n: int = 100, *, noise: float = 1.0, rng: np.random.Generator
) -> Dataset:
    """DeZero's sin data: x ~ U(0, 1), t = sin(2 pi x) + noise * U(0, 1), ``(n, 1)``."""
    x = rng.random((n, 1))
    t = np.sin(2 * np.pi * x) + noise * rng.random((n, 1))
    return Dataset(x, t)
