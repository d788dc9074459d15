"""Tests for the seeded 2-D classification sets."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.datasets.planar import PLANAR, blobs, circles, spiral, xor
from vizlearn.datasets.toy import Dataset


@pytest.mark.parametrize("name", sorted(PLANAR))
def test_shapes_and_dtypes(name: str) -> None:
    data = PLANAR[name](seed=1)
    assert isinstance(data, Dataset)
    assert data.x.shape == (len(data.t), 2)
    assert data.x.dtype == np.float64
    assert data.t.dtype == np.int64
    assert np.isfinite(data.x).all()


@pytest.mark.parametrize("name", sorted(PLANAR))
def test_same_seed_same_arrays(name: str) -> None:
    first, second = PLANAR[name](seed=7), PLANAR[name](seed=7)
    np.testing.assert_array_equal(first.x, second.x)
    np.testing.assert_array_equal(first.t, second.t)


@pytest.mark.parametrize("name", sorted(PLANAR))
def test_different_seed_different_points(name: str) -> None:
    assert not np.array_equal(PLANAR[name](seed=0).x, PLANAR[name](seed=1).x)


def test_spiral_follows_dezero_geometry() -> None:
    data = spiral(50, 4, noise=0.0)
    assert np.bincount(data.t).tolist() == [50] * 4
    radius = np.hypot(data.x[:, 0], data.x[:, 1])
    # radius = i / n_per_class for i = 0..n-1, once per arm
    expected = np.tile(np.arange(50) / 50, 4)
    np.testing.assert_allclose(np.sort(radius), np.sort(expected), atol=1e-12)
    theta = np.arctan2(data.x[:, 0], data.x[:, 1])  # x = r sin, y = r cos
    mask = radius > 0
    want = 4.0 * data.t[mask] + 4.0 * radius[mask]
    np.testing.assert_allclose(np.cos(theta[mask] - want), 1.0, atol=1e-9)


def test_spiral_is_shuffled() -> None:
    assert not np.all(np.diff(spiral().t) >= 0)


def test_circles_radii() -> None:
    data = circles(200, noise=0.0, factor=0.3)
    radius = np.hypot(data.x[:, 0], data.x[:, 1])
    np.testing.assert_allclose(radius[data.t == 0], 1.0)
    np.testing.assert_allclose(radius[data.t == 1], 0.3)
    assert np.bincount(data.t).tolist() == [100, 100]


def test_xor_labels_without_noise() -> None:
    data = xor(500, noise=0.0)
    np.testing.assert_array_equal(data.t, (data.x[:, 0] * data.x[:, 1] < 0))
    assert np.abs(data.x).max() <= 1.0


def test_blobs_balanced_and_centred() -> None:
    data = blobs(300, 3, std=0.01)
    assert np.bincount(data.t).tolist() == [100, 100, 100]
    for k in range(3):
        centre = data.x[data.t == k].mean(axis=0)
        angle = 2 * np.pi * k / 3
        np.testing.assert_allclose(centre, [np.cos(angle), np.sin(angle)], atol=0.01)


@pytest.mark.parametrize(
    ("function", "kwargs"),
    [
        (spiral, {"n_classes": 1}),
        (spiral, {"noise": -0.1}),
        (circles, {"factor": 1.0}),
        (circles, {"noise": float("nan")}),
        (xor, {"n": 0}),
        (blobs, {"std": -1.0}),
        (blobs, {"n_classes": 0}),
    ],
)
def test_bad_arguments_raise_value_error(function, kwargs) -> None:
    with pytest.raises(ValueError, match="must be"):
        function(**kwargs)
