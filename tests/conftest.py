"""Shared fixtures: Agg backend, seeded generator, figure cleanup."""

from __future__ import annotations

import os

# Tiny matrix products are slower with several BLAS threads on a shared 2-core
# machine (measured 6x under load); tests run one thread, before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator so every test is reproducible."""
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _no_pyplot_figures():
    """Renderers must not use pyplot: a figure left open in pyplot fails the test."""
    yield
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    leaked = plt.get_fignums()
    plt.close("all")
    assert not leaked, f"{len(leaked)} pyplot figure(s) left open: use Figure()"
