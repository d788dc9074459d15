"""Backprop of every layer and loss against the central-difference gradient."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.core import (
    MLP,
    Identity,
    Linear,
    ReLU,
    Sigmoid,
    Tanh,
    gradient_check,
    mean_squared_error,
    numerical_grad,
    softmax,
    softmax_cross_entropy,
)

RTOL = 1e-6


def _weighted_sum_check(layer, x, rng):
    """Check dL/dx for L = sum(w * layer(x)) with random weights w."""
    w = rng.standard_normal(layer.forward(x).shape)
    layer.forward(x)
    gx = layer.backward(w.copy())
    num = numerical_grad(lambda: float((w * layer.forward(x)).sum()), x)
    np.testing.assert_allclose(gx, num, rtol=RTOL, atol=1e-9)


@pytest.mark.parametrize("cls", [Identity, Sigmoid, Tanh])
def test_activation_backward_matches_numerical(cls, rng):
    x = rng.standard_normal((4, 5))
    _weighted_sum_check(cls(), x, rng)


def test_relu_backward_matches_numerical_away_from_kink(rng):
    x = rng.standard_normal((4, 5))
    x[np.abs(x) < 1e-2] = 0.5  # the derivative is undefined at 0
    _weighted_sum_check(ReLU(), x, rng)


def test_relu_zeroes_negatives():
    y = ReLU().forward(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(y, [[0.0, 0.0, 2.0]])


def test_sigmoid_is_safe_for_large_inputs():
    with np.errstate(all="raise"):
        y = Sigmoid().forward(np.array([[-1000.0, 0.0, 1000.0]]))
    np.testing.assert_allclose(y, [[0.0, 0.5, 1.0]])


def test_linear_parameter_and_input_gradients(rng):
    layer = Linear.init(3, 4, rng=rng, weight_std=1.0)
    x = rng.standard_normal((5, 3))
    w = rng.standard_normal((5, 4))

    def loss() -> float:
        return float((w * layer.forward(x)).sum())

    layer.forward(x)
    gx = layer.backward(w)
    for p in (layer.W, layer.b):
        assert gradient_check(loss, p.data, p.grad, rtol=RTOL)
    np.testing.assert_allclose(gx, numerical_grad(loss, x), rtol=RTOL)


def test_mse_value_and_gradient(rng):
    y, t = rng.standard_normal((6, 1)), rng.standard_normal((6, 1))
    value, gy = mean_squared_error(y, t)
    assert value == pytest.approx(((y - t) ** 2).sum() / 6)
    num = numerical_grad(lambda: mean_squared_error(y, t)[0], y)
    np.testing.assert_allclose(gy, num, rtol=RTOL)


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_cross_entropy_gradient(rng, one_hot):
    y = rng.standard_normal((5, 4))
    t = rng.integers(0, 4, size=5)
    target = np.eye(4)[t] if one_hot else t
    value, gy = softmax_cross_entropy(y.copy(), target)
    expected = -np.log(softmax(y)[np.arange(5), t]).mean()
    assert value == pytest.approx(expected)
    num = numerical_grad(lambda: softmax_cross_entropy(y.copy(), target)[0], y)
    np.testing.assert_allclose(gy, num, rtol=RTOL, atol=1e-10)


def test_softmax_handles_huge_scores():
    p = softmax(np.array([[1000.0, 0.0], [0.0, -1000.0]]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert np.isfinite(p).all()


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
def test_mlp_backprop_matches_numerical_for_every_parameter(rng, activation):
    model = MLP([3, 5, 4, 2], activation=activation, weight_std=1.0, rng=rng)
    x, t = rng.standard_normal((6, 3)), rng.integers(0, 2, size=6)

    def loss() -> float:
        return softmax_cross_entropy(model.forward(x), t)[0]

    _, gy = softmax_cross_entropy(model.forward(x), t)
    model.backward(gy)
    for name, p in model.params().items():
        num = numerical_grad(loss, p.data)
        np.testing.assert_allclose(p.grad, num, rtol=1e-5, atol=1e-9, err_msg=name)


def test_mlp_names_parameters_as_the_book(rng):
    model = MLP([784, 50, 10], rng=rng)
    shapes = {k: p.data.shape for k, p in model.params().items()}
    assert shapes == {"W1": (784, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}


def test_mlp_initialisation_is_seeded():
    a = MLP([1, 10, 1], rng=np.random.default_rng(0)).params()["W1"].data
    b = MLP([1, 10, 1], rng=np.random.default_rng(0)).params()["W1"].data
    np.testing.assert_array_equal(a, b)
    assert a.std() == pytest.approx(0.01, rel=0.6)


def test_mlp_rejects_unknown_activation(rng):
    with pytest.raises(ValueError, match="sigmoid, relu, tanh"):
        MLP([1, 2, 1], activation="softsign", rng=rng)


def test_cleargrads(rng):
    model = MLP([2, 3, 1], rng=rng)
    model.backward(mean_squared_error(model(np.ones((1, 2))), np.zeros((1, 1)))[1])
    assert all(p.grad is not None for p in model.params().values())
    model.cleargrads()
    assert all(p.grad is None for p in model.params().values())


def test_backward_can_skip_the_input_gradient(rng):
    model = MLP([3, 4, 2], weight_std=1.0, rng=rng)
    x, t = rng.standard_normal((5, 3)), rng.integers(0, 2, size=5)
    _, gy = softmax_cross_entropy(model.forward(x), t)
    gx = model.backward(gy.copy())
    full = {k: p.grad.copy() for k, p in model.params().items()}
    model.forward(x)
    assert model.backward(gy.copy(), input_grad=False) is None
    for k, p in model.params().items():
        np.testing.assert_array_equal(p.grad, full[k])
    assert gx.shape == x.shape


def test_cross_entropy_in_float32_stays_finite_when_a_probability_underflows():
    y = np.array([[200.0, -200.0]], dtype=np.float32)  # p(class 1) underflows to 0
    value, _ = softmax_cross_entropy(y, np.array([1]))
    assert np.isfinite(value) and value > 80  # -log(float32 tiny) = 87.3


def test_numerical_grad_on_chosen_indices_leaves_the_rest_nan(rng):
    x = rng.standard_normal(6)
    g = numerical_grad(lambda: float((x**2).sum()), x, indices=[1, 4])
    np.testing.assert_allclose(g[[1, 4]], 2 * x[[1, 4]], rtol=1e-6)
    assert np.isnan(g[[0, 2, 3, 5]]).all()
