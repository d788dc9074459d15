"""Fixtures for renderer tests: a small committed trace; baselines in baseline/."""

from __future__ import annotations

from pathlib import Path

import pytest

from vizlearn.trace import Trace, load_trace

DATA = Path(__file__).parents[1] / "data"
BASELINE = Path(__file__).parent / "baseline"


@pytest.fixture(scope="session")
def sin_trace() -> Trace:
    """Sin regression, 40 points, 6000 iterations, 13 snapshots."""
    return load_trace(DATA / "sin_small.npz")


@pytest.fixture
def vl_snapshot_dir() -> Path:
    """Baselines for vizlearn's ``vl_image_snapshot`` plugin: tests/render/baseline/.

    Refresh with ``pytest tests/render --vizlearn-update``, then look at them.
    """
    return BASELINE
