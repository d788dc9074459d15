"""The fast numerical gradient equals the naive loop and agrees with backprop."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import SHARED_MNIST
from vizlearn.core import MLP, mean_squared_error, softmax_cross_entropy
from vizlearn.core.fastgrad import naive_numerical_gradients, numerical_gradients


def backprop(model, x, t, loss):
    fn = (
        softmax_cross_entropy if loss == "softmax_cross_entropy" else mean_squared_error
    )
    _, gy = fn(model.forward(x), t)
    model.backward(gy)
    return {k: p.grad.copy() for k, p in model.params().items()}


def sparse_inputs(rng, n, d):
    x = rng.random((n, d))
    x[rng.random((n, d)) < 0.6] = 0.0  # blank "pixels", as in MNIST
    return x


def rel_error(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


@pytest.mark.parametrize(
    "sizes, activation",
    [((12, 6, 4), "sigmoid"), ((12, 6, 5, 4), "tanh"), ((12, 7, 4), "identity")],
)
def test_agrees_with_backprop_and_equals_the_naive_loop(rng, sizes, activation):
    model = MLP(sizes, activation=activation, weight_std=0.5, rng=rng)
    x, t = sparse_inputs(rng, 9, sizes[0]), rng.integers(0, sizes[-1], 9)
    fast = numerical_gradients(model, x, t)
    naive = naive_numerical_gradients(model, x, t)
    exact = backprop(model, x, t, "softmax_cross_entropy")
    assert list(fast) == list(exact) == ["W1", "b1", *list(exact)[2:]]
    for name in exact:
        assert fast[name].shape == exact[name].shape
        assert rel_error(fast[name], exact[name]) < 1e-6, name
        np.testing.assert_allclose(fast[name], naive[name], rtol=0, atol=1e-10)


def test_mse_and_one_hot_targets(rng):
    model = MLP((5, 4, 3), weight_std=0.5, rng=rng)
    x, y = rng.standard_normal((6, 5)), rng.standard_normal((6, 3))
    fast = numerical_gradients(model, x, y, loss="mse")
    for name, g in backprop(model, x, y, "mse").items():
        assert rel_error(fast[name], g) < 1e-6, name
    labels = rng.integers(0, 3, 6)
    one_hot = np.eye(3)[labels]
    a = numerical_gradients(model, x, labels)
    b = numerical_gradients(model, x, one_hot)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])


def test_leaves_the_model_untouched(rng):
    model = MLP((8, 5, 3), weight_std=0.5, rng=rng, dtype=np.float32)
    before = {k: p.data.copy() for k, p in model.params().items()}
    x, t = rng.random((4, 8)).astype(np.float32), rng.integers(0, 3, 4)
    grads = numerical_gradients(model, x, t)
    naive_numerical_gradients(model, x, t, elements={"W1": [0, 3]})
    for k, p in model.params().items():
        assert p.data.dtype == np.float32
        np.testing.assert_array_equal(p.data, before[k])
        assert grads[k].dtype == np.float64


def test_naive_subset_leaves_the_rest_nan(rng):
    model = MLP((4, 3, 2), rng=rng)
    x, t = rng.random((5, 4)), rng.integers(0, 2, 5)
    naive = naive_numerical_gradients(model, x, t, elements={"W1": [0, 5]})
    assert np.isfinite(naive["W1"].ravel()[[0, 5]]).all()
    assert np.isnan(naive["W1"]).sum() == 10 and np.isnan(naive["b2"]).all()


def test_unknown_loss_is_refused(rng):
    model = MLP((4, 3, 2), rng=rng)
    with pytest.raises(
        ValueError, match="loss must be one of softmax_cross_entropy, mse"
    ):
        numerical_gradients(model, np.ones((2, 4)), np.zeros(2, int), loss="hinge")


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason="shared MNIST not present")
def test_book_network_on_mnist_agrees_to_1e6():
    from vizlearn.datasets.mnist import load_mnist

    data = load_mnist(data_dir=SHARED_MNIST, split_from_test=8000, dtype=np.float64)
    model = MLP((784, 50, 10), rng=np.random.default_rng(0))
    x, t = data.x_train[:100], data.t_train[:100]
    fast = numerical_gradients(model, x, t)
    for name, g in backprop(model, x, t, "softmax_cross_entropy").items():
        assert rel_error(fast[name], g) < 1e-6, name
        assert np.linalg.norm(fast[name] - g) / np.linalg.norm(g) < 1e-6, name
