"""Minibatch samplers: endless generators of index arrays, one per iteration.

They follow DeZero's ``DataLoader`` contract written as generators: each
``next()`` is one iteration's minibatch, given as the indices into the training
set (``x[idx], t[idx]`` is the batch). The generator is passed in explicitly, so
two runs with equal seeds see equal batches.

==========================  ====================================================
sampler                     what one iteration draws
==========================  ====================================================
``with_replacement``        ``batch_size`` indices, duplicates allowed: the book's
                            ``np.random.choice(train_size, batch_size)``
``without_replacement``     ``batch_size`` distinct indices, batches independent
``epoch_shuffle``           consecutive slices of a fresh permutation per epoch
==========================  ====================================================

>>> rng = np.random.default_rng(0)
>>> batches = epoch_shuffle(10, 4, rng)
>>> [len(next(batches)) for _ in range(4)]
[4, 4, 2, 4]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "with_replacement",
    "without_replacement",
    "epoch_shuffle",
    "SAMPLERS",
    "batches_per_epoch",
]

Batches = Iterator[NDArray[np.intp]]


def _check(n: int, batch_size: int, *, distinct: bool) -> None:
    if n < 1:
        raise ValueError(f"the training set must hold at least one example, got {n}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if distinct and batch_size > n:
        raise ValueError(
            f"batch_size {batch_size} exceeds the {n} training examples; "
            "a batch without replacement cannot be larger than the data"
        )


def with_replacement(n: int, batch_size: int, rng: np.random.Generator) -> Batches:
    """Yield ``batch_size`` indices drawn uniformly from ``0..n-1``, duplicates allowed.

    This is the book's ``batch_mask = np.random.choice(train_size, batch_size)``.
    """
    _check(n, batch_size, distinct=False)
    while True:
        yield rng.integers(0, n, size=batch_size)


def without_replacement(n: int, batch_size: int, rng: np.random.Generator) -> Batches:
    """Yield ``batch_size`` distinct indices per batch, each batch drawn afresh."""
    _check(n, batch_size, distinct=True)
    while True:
        yield rng.choice(n, size=batch_size, replace=False)


def epoch_shuffle(n: int, batch_size: int, rng: np.random.Generator) -> Batches:
    """Yield consecutive slices of a fresh permutation; reshuffle every epoch.

    Each epoch visits every example exactly once. When ``batch_size`` does not
    divide ``n`` the last batch of an epoch is smaller, as in DeZero's
    ``DataLoader``.
    """
    _check(n, batch_size, distinct=False)
    while True:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start : start + batch_size]


def batches_per_epoch(n: int, batch_size: int) -> int:
    """Iterations that make one epoch: ``ceil(n / batch_size)``, at least 1."""
    return max(1, -(-n // batch_size))


SAMPLERS: dict[str, Callable[[int, int, np.random.Generator], Batches]] = {
    "with-replacement": with_replacement,
    "without-replacement": without_replacement,
    "epoch-shuffle": epoch_shuffle,
}
