"""Recorder fed by a loop of your own: tensors, column vectors, a compact loss."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import vizlearn as vl
from vizlearn.trace import Recorder, TraceError, as_array, require


class FakeTensor:
    """Behaves like a torch tensor that requires grad: numpy() refuses."""

    def __init__(self, values, *, grad=True, device="cuda"):
        self.values, self.grad, self.device = np.asarray(values), grad, device

    def detach(self):
        return FakeTensor(self.values, grad=False, device=self.device)

    def cpu(self):
        return FakeTensor(self.values, grad=self.grad, device="cpu")

    def numpy(self):
        if self.grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad")
        if self.device != "cpu":
            raise TypeError("can't convert cuda tensor to numpy")
        return self.values


class FakeVariable:
    """DeZero's Variable: the array is .data, no __array__."""

    def __init__(self, data):
        self.data = np.asarray(data)


class ArrayLike:
    def __init__(self, values):
        self.values = np.asarray(values)

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)


def test_tensors_variables_and_array_likes_are_recorded_as_copies():
    source = np.arange(6.0).reshape(2, 3)
    rec = Recorder()
    rec.record(0, loss=FakeTensor(0.5), params={"W1": FakeTensor(source)})
    rec.record(1, loss=FakeVariable(0.25), params={"W1": FakeVariable(source + 1)})
    rec.record(2, loss=np.float32(0.125), params={"W1": ArrayLike(source + 2)})
    source[0, 0] = 99  # the recorder copied
    tr = rec.freeze()
    assert tr.loss.tolist() == [0.5, 0.25, 0.125]
    assert tr.params["W1"][:, 0, 0].tolist() == [0, 1, 2]
    assert tr.params["W1"].dtype == np.float64


def test_not_numbers_name_the_key():
    with pytest.raises(TraceError, match="'W1' must be numeric"):
        as_array(np.array(["a"]), "W1")
    with pytest.raises(TraceError, match="'loss' must be one number, got shape"):
        Recorder().record(0, loss=[1.0, 2.0])
    rec = Recorder()
    rec.record(0, params={"W1": np.zeros((2, 3))})
    rec.record(1, params={"W1": np.zeros((3, 2))})
    with pytest.raises(TraceError, match=r"params 'W1' changes shape.*\(2, 3\)"):
        rec.freeze()


def test_column_vectors_of_the_book_animate_like_flat_ones(tmp_path):
    x = np.linspace(0, 1, 20)
    grid = np.linspace(0, 1, 30)
    col = lambda a: a.reshape(-1, 1)  # noqa: E731 - DeZero's (N, 1) shapes
    rec = Recorder(
        data={"x": col(x), "t": col(np.sin(2 * np.pi * x)), "grid": col(grid)}
    )
    for step in range(3):
        rec.record(step, loss=1.0 / (step + 1))
        rec.record(
            step,
            params={"W1": np.ones((1, 10)) * step, "b1": np.zeros(10)},
            outputs={"curve": col(grid * step), "fit": col(x * step), "loss": 0.5},
        )
    tr = rec.freeze()
    assert tr.data["x"].shape == (20,) and tr.outputs["curve"].shape == (3, 30)
    assert tr.params["W1"].shape == (3, 1, 10)  # parameters keep their shape
    style = vl.Style(width=320, height=240, dpi=40)
    gif = vl.animate(tr, style=style, hold_last_ms=0).save(tmp_path / "col.gif")
    from vizlearn.export.readback import read_animation_info

    assert read_animation_info(gif).n_frames == 3


def test_loss_of_every_iteration_costs_16_bytes():
    rec = Recorder()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for step in range(100_000):
        rec.record(step, loss=1.0 / (step + 1))
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    steps, values = rec.losses()
    assert len(steps) == 100_000 and values[-1] == 1e-5
    assert used / 100_000 < 40  # the list of (int, float) tuples took ~100
    assert rec.last_loss() == 1e-5
    tr = rec.freeze()
    assert tr.loss_steps[-1] == 99_999 and tr.loss.base is None  # an own copy


def test_require_names_what_a_figure_needs():
    rec = Recorder(data={"x": np.zeros((4, 2))})
    rec.record(0, loss=1.0)
    tr = rec.freeze()
    with pytest.raises(TraceError, match=r"^fit needs outputs/curve, data/grid, "):
        require(tr, "fit", outputs=("curve",), data=("x", "grid"))
    with pytest.raises(TraceError, match=r"params \(rec.record\(step, params="):
        require(tr, "params", params=True)
    with pytest.raises(TraceError, match=r"data/x with 1 dimension\(s\).*\(4, 2\)"):
        require(tr, "fit", data=("x",), ndim={"data/x": 1})
    require(tr, "loss")  # nothing needed, nothing raised


def test_readme_own_loop_example_runs(tmp_path, monkeypatch):
    import re
    from pathlib import Path

    from vizlearn.export.readback import read_animation_info

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("### Your own training loop", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    trace = scope["rec"].freeze()
    assert trace.steps.tolist() == list(range(0, 2001, 100))
    assert trace.loss[-1] < 0.5 * trace.loss[0]
    assert read_animation_info(tmp_path / "mine.gif").n_frames == 21
    for kind in ("fit", "loss", "params", "regression"):
        vl.plot(trace, kind, style=vl.Style(width=320, height=240, dpi=40))
