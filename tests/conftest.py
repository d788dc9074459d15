"""Shared fixtures: Agg backend, seeded generator, figure cleanup."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

SHARED_MNIST = Path(
    os.environ.get(
        "VIZLEARN_MNIST_DIR", Path(__file__).resolve().parents[2] / "shared/data/mnist"
    )
)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator so every test is reproducible."""
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _close_pyplot_figures():
    """Renderers must not use pyplot; close anything a test opened anyway."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
