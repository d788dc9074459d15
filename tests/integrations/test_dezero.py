"""dezero_params on DeZero's Layer API (PyPI's dezero 0.0.13 no longer imports on
NumPy >= 1.24, which removed ``np.int``; a small stand-in with the same
``Layer``/``Parameter`` shape is tested instead, and the real one if it imports).
"""

from __future__ import annotations

import numpy as np
import pytest

import vizlearn as vl
from tests.integrations.conftest import assert_draws_like_the_lesson, sin_data
from vizlearn.integrations.dezero import dezero_params


class Parameter:
    def __init__(self, data, name=None):
        self.data, self.name = data, name


class Layer:
    """DeZero's Layer: attributes that are Parameters or Layers go in _params."""

    def __init__(self):
        self._params = set()

    def __setattr__(self, name, value):
        if isinstance(value, (Parameter, Layer)):
            self._params.add(name)
        super().__setattr__(name, value)


class Linear(Layer):
    def __init__(self, in_size, out_size, rng):
        super().__init__()
        self.W = Parameter(rng.normal(0, 1, (in_size, out_size)) * 0.01, "W")
        self.b = Parameter(np.zeros(out_size), "b")

    def __call__(self, x):
        return x @ self.W.data + self.b.data


class MLP(Layer):
    """DeZero's MLP: l0, l1, ... attributes and the same layers in a list."""

    def __init__(self, sizes, rng):
        super().__init__()
        self.layers = []
        for i, (a, b) in enumerate(zip(sizes, sizes[1:], strict=False)):
            layer = Linear(a, b, rng)
            setattr(self, f"l{i}", layer)
            self.layers.append(layer)


def test_book_names_follow_the_forward_order():
    model = MLP([1, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1], np.random.default_rng(0))
    names = list(dezero_params(model))
    assert names[:4] == ["W1", "b1", "W2", "b2"] and names[-2:] == ["W12", "b12"]
    assert dezero_params(model)["W12"].shape == (4, 1)  # l11, not l2 ("l11" < "l2")
    path = dezero_params(model, names="path")
    assert "l11.W" in path and path["l0.W"].shape == (1, 4)
    with pytest.raises(TypeError, match="expected a DeZero Layer or Model"):
        dezero_params(object())


def test_an_unsized_linear_is_named_in_the_error():
    model = MLP([1, 3, 1], np.random.default_rng(0))
    model.l1.W.data = None  # DeZero's Linear(out_size) before its first call
    with pytest.raises(ValueError, match="parameter l1.W has no data yet"):
        dezero_params(model)


def test_a_dezero_style_loop_draws_like_the_lesson(lesson_trace, tmp_path):
    data = sin_data()
    rng = np.random.default_rng(0)
    model = MLP([1, 10, 1], rng)
    sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    rec = vl.Recorder(data=data)
    for i in range(101):
        h = sigmoid(model.l0(data["x"]))
        y = model.l1(h)
        loss = np.mean((y - data["t"]) ** 2)
        if i % 25 == 0:
            curve = model.l1(sigmoid(model.l0(data["grid"])))
            rec.record(
                i,
                params=dezero_params(model),
                outputs={"curve": curve, "fit": y, "loss": loss},
            )
        if i == 100:
            break
        rec.record(i, loss=loss)
        gy = 2 * (y - data["t"]) / len(y)  # plain backprop of the 1-10-1 net
        gh = gy @ model.l1.W.data.T * h * (1 - h)
        model.l1.W.data -= 0.2 * h.T @ gy
        model.l1.b.data -= 0.2 * gy.sum(0)
        model.l0.W.data -= 0.2 * data["x"].T @ gh
        model.l0.b.data -= 0.2 * gh.sum(0)
    assert_draws_like_the_lesson(rec.freeze(), lesson_trace, tmp_path)


def test_the_real_dezero_if_it_imports():
    try:
        import dezero
    except Exception as e:  # noqa: BLE001 - 0.0.13 raises AttributeError (np.int)
        pytest.skip(f"dezero does not import here: {type(e).__name__}: {e}"[:120])
    model = dezero.models.MLP((10, 1))
    model(np.zeros((2, 1)))  # sizes W
    assert list(dezero_params(model)) == ["W1", "b1", "W2", "b2"]
