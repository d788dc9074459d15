"""Minibatch samplers: shapes, duplicates, epoch coverage, determinism, errors."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.core.samplers import (
    SAMPLERS,
    batches_per_epoch,
    epoch_shuffle,
    with_replacement,
    without_replacement,
)


def take(batches, k):
    return [next(batches) for _ in range(k)]


def test_with_replacement_draws_uniform_indices_with_duplicates(rng):
    batches = take(with_replacement(50, 40, rng), 200)
    assert all(b.shape == (40,) for b in batches)
    flat = np.concatenate(batches)
    assert flat.min() == 0 and flat.max() == 49
    # 40 draws out of 50 almost surely repeat one (birthday problem)
    assert sum(len(np.unique(b)) < 40 for b in batches) > 190
    counts = np.bincount(flat, minlength=50)
    assert counts.min() > 100 and counts.max() < 220  # about 160 each


def test_without_replacement_has_no_duplicates_within_a_batch(rng):
    for batch in take(without_replacement(50, 40, rng), 100):
        assert len(np.unique(batch)) == 40
        assert batch.min() >= 0 and batch.max() < 50


def test_epoch_shuffle_visits_every_example_once_per_epoch(rng):
    batches = take(epoch_shuffle(10, 4, rng), 9)  # 3 epochs of 4 + 4 + 2
    assert [len(b) for b in batches] == [4, 4, 2] * 3
    epochs = [np.sort(np.concatenate(batches[i : i + 3])) for i in (0, 3, 6)]
    for epoch in epochs:
        np.testing.assert_array_equal(epoch, np.arange(10))
    first, second = np.concatenate(batches[:3]), np.concatenate(batches[3:6])
    assert not np.array_equal(first, second)  # a fresh permutation each epoch


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_equal_seeds_give_equal_batches(name):
    a = take(SAMPLERS[name](100, 7, np.random.default_rng(3)), 30)
    b = take(SAMPLERS[name](100, 7, np.random.default_rng(3)), 30)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_coverage_after_one_epoch_matches_theory():
    n, batch = 2000, 100
    seen = {}
    for name, sampler in SAMPLERS.items():
        mask = np.zeros(n, bool)
        for idx in take(sampler(n, batch, np.random.default_rng(0)), n // batch):
            mask[idx] = True
        seen[name] = mask.mean()
    assert seen["epoch-shuffle"] == 1.0
    expected = 1 - np.exp(-1.0)  # 1 - (1 - 1/n)^n
    assert abs(seen["with-replacement"] - expected) < 0.03
    assert abs(seen["without-replacement"] - expected) < 0.03


def test_bad_sizes_are_refused(rng):
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        next(with_replacement(10, 0, rng))
    with pytest.raises(ValueError, match="exceeds the 10 training examples"):
        next(without_replacement(10, 11, rng))
    with pytest.raises(ValueError, match="at least one example"):
        next(epoch_shuffle(0, 1, rng))


def test_batches_per_epoch():
    assert batches_per_epoch(8000, 100) == 80
    assert batches_per_epoch(10, 4) == 3
    assert batches_per_epoch(10, 100) == 1
