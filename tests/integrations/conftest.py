"""Helpers shared by the framework tests: what vizlearn's own lesson records."""

from __future__ import annotations

import os

import numpy as np
import pytest

import vizlearn as vl

# Keras 3 runs on the torch backend here (set before anything imports keras).
os.environ.setdefault("KERAS_BACKEND", "torch")

SMALL = {"width": 320, "height": 240, "dpi": 40}
KINDS = ("regression", "fit", "loss", "params")  # the sin-regression lesson's stills


@pytest.fixture(scope="session")
def lesson_trace() -> vl.Trace:
    """vizlearn's own sin regression: the shapes a foreign loop should match."""
    return vl.train("sin-regression", iters=100, frames=5)


def sin_data(seed: int = 0, n: int = 100) -> dict[str, np.ndarray]:
    """DeZero's sin data set as (N, 1) column vectors, and a grid."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 1))
    t = np.sin(2 * np.pi * x) + rng.random((n, 1))
    return {"x": x, "t": t, "grid": np.linspace(0, 1, 200).reshape(-1, 1)}


def assert_draws_like_the_lesson(trace: vl.Trace, lesson: vl.Trace, tmp_path) -> None:
    """Same parameter names and shapes, same outputs and data; every kind draws."""
    shapes = lambda d: {k: v.shape[1:] for k, v in d.items()}  # noqa: E731
    assert shapes(trace.params) == shapes(lesson.params)
    assert shapes(trace.outputs) == shapes(lesson.outputs)
    assert {k: v.shape for k, v in trace.data.items() if k != "truth"} == {
        k: v.shape for k, v in lesson.data.items() if k != "truth"
    }
    style = vl.Style(**SMALL)
    for kind in KINDS:
        path = vl.plot(trace, kind, style=style).save(tmp_path / f"{kind}.png")
        assert path.stat().st_size > 1000
    gif = vl.animate(trace, style=style, hold_last_ms=0).save(tmp_path / "a.gif")
    from vizlearn.export.readback import read_animation_info

    assert read_animation_info(gif).n_frames == trace.n_records
