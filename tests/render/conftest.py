"""Fixtures for renderer tests: a small committed trace and an image comparison."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.testing.compare import compare_images

from vizlearn.trace import Trace, load_trace

DATA = Path(__file__).parents[1] / "data"
BASELINE = Path(__file__).parent / "baseline"


@pytest.fixture(scope="session")
def sin_trace() -> Trace:
    """Sin regression, 40 points, 6000 iterations, 13 snapshots."""
    return load_trace(DATA / "sin_small.npz")


def assert_matches_baseline(
    fig_or_rgba: Figure | np.ndarray, name: str, tmp_path: Path, tol: float = 2.0
) -> None:
    """Compare against tests/render/baseline/NAME.png (RMS on 0-255).

    Set VIZLEARN_UPDATE_BASELINES=1 to (re)write the baseline instead.
    """
    from PIL import Image

    actual = tmp_path / f"{name}.png"
    if isinstance(fig_or_rgba, Figure):
        fig_or_rgba.savefig(actual, metadata={"Software": None})
    else:
        Image.fromarray(fig_or_rgba).save(actual)
    expected = BASELINE / f"{name}.png"
    if os.environ.get("VIZLEARN_UPDATE_BASELINES") or not expected.exists():
        expected.write_bytes(actual.read_bytes())
        if not os.environ.get("VIZLEARN_UPDATE_BASELINES"):
            pytest.fail(f"baseline {expected} was missing; wrote it, look at it, rerun")
    result = compare_images(str(expected), str(actual), tol=tol)
    assert result is None, result
