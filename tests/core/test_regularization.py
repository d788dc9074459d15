"""Batch norm, dropout and weight decay: backprop against the numerical gradient."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.core import (
    MLP,
    BatchNormalization,
    Dropout,
    ReLU,
    Tanh,
    add_weight_decay,
    frozen,
    numerical_grad,
    softmax_cross_entropy,
    weight_decay_penalty,
)
from vizlearn.core.fastgrad import naive_numerical_gradients, numerical_gradients

RTOL = 1e-6


def _weighted(layer, x, w):
    return float((w * layer.forward(x)).sum())


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_backward_matches_numerical(rng, training):
    bn = BatchNormalization(5)
    bn.gamma.data = rng.standard_normal(5) + 1.5
    bn.beta.data = rng.standard_normal(5)
    bn.running_mean, bn.running_var = rng.standard_normal(5), rng.random(5) + 0.5
    bn.training, bn.fixed = training, True  # the numerical pass must not move stats
    x = 3 * rng.standard_normal((8, 5)) + 1
    w = rng.standard_normal((8, 5))
    bn.forward(x)
    gx = bn.backward(w.copy())
    grads = {"gamma": bn.gamma.grad, "beta": bn.beta.grad}
    f = lambda: _weighted(bn, x, w)  # noqa: E731
    np.testing.assert_allclose(gx, numerical_grad(f, x), rtol=RTOL, atol=1e-8)
    for name, p in (("gamma", bn.gamma), ("beta", bn.beta)):
        num = numerical_grad(f, p.data)
        np.testing.assert_allclose(grads[name], num, rtol=RTOL, atol=1e-8)


def test_batch_norm_normalizes_and_keeps_running_statistics(rng):
    bn = BatchNormalization(3)
    x = rng.standard_normal((50, 3)) * [1.0, 5.0, 0.1] + [2.0, -1.0, 0.0]
    y = bn.forward(x)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-6))
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * x.var(axis=0))
    before = bn.running_mean.copy()
    with frozen(type("M", (), {"layers": [bn]})()):
        bn.forward(x + 10)
    np.testing.assert_array_equal(bn.running_mean, before)
    bn.training = False  # evaluation uses the running statistics, per example
    one = bn.forward(x[:1])
    np.testing.assert_allclose(one, (x[:1] - before) / np.sqrt(bn.running_var + 1e-6))


def test_dropout_masks_are_seeded_and_evaluation_scales(rng):
    x = rng.standard_normal((200, 50))
    a = Dropout(0.2, rng=np.random.default_rng(5))
    b = Dropout(0.2, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.forward(x), b.forward(x))
    assert 0.17 < 1 - a.mask.mean() < 0.23  # about 20 % dropped
    gy = rng.standard_normal(x.shape)
    np.testing.assert_array_equal(a.backward(gy), gy * a.mask)
    first = a.mask.copy()
    a.forward(x)
    assert (a.mask != first).any()  # a new mask per training pass
    a.fixed = True
    a.forward(x)
    np.testing.assert_array_equal(a.mask, a.mask)
    kept = a.mask.copy()
    a.forward(2 * x)
    np.testing.assert_array_equal(a.mask, kept)
    with pytest.raises(ValueError, match="fixed dropout mask of shape"):
        a.forward(x[:3])
    a.training = False
    np.testing.assert_allclose(a.forward(x), 0.8 * x)
    np.testing.assert_allclose(a.backward(gy), 0.8 * gy)
    with pytest.raises(ValueError, match=r"dropout ratio must be in \[0, 1\)"):
        Dropout(1.0, rng=rng)


def test_weight_decay_penalty_and_gradient(rng):
    model = MLP((4, 3, 2), rng=rng, weight_std=1.0)
    params = model.params()
    expect = 0.05 * sum((params[k].data ** 2).sum() for k in ("W1", "W2"))
    assert weight_decay_penalty(params.values(), 0.1) == pytest.approx(expect)
    for p in params.values():
        p.grad = np.zeros_like(p.data)
    add_weight_decay(params.values(), 0.1)
    np.testing.assert_allclose(params["W1"].grad, 0.1 * params["W1"].data)
    np.testing.assert_array_equal(params["b1"].grad, 0)  # biases are not decayed


def _backprop(model, x, t):
    loss, gy = softmax_cross_entropy(model.forward(x), t)
    model.backward(gy)
    return loss + model.penalty(), {k: p.grad.copy() for k, p in model.params().items()}


def test_extended_net_backprop_matches_numerical_in_training_mode(rng):
    """The book's MultiLayerNetExtend: BN, dropout and weight decay together."""
    model = MLP(
        (6, 5, 4, 3),
        activation="relu",
        weight_std=0.8,
        rng=np.random.default_rng(2),
        batch_norm=True,
        dropout=0.3,
        weight_decay=0.1,
    )
    assert list(model.params()) == [
        *("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3")
    ]
    x, t = rng.standard_normal((10, 6)), rng.integers(0, 3, 10)
    running = model.layers[1].running_mean.copy()
    _, exact = _backprop(model, x, t)
    moved = model.layers[1].running_mean.copy()
    assert not np.array_equal(moved, running)
    num = numerical_gradients(model, x, t)  # the book's loop, inside frozen()
    assert list(num) == list(exact)
    for name in exact:
        np.testing.assert_allclose(num[name], exact[name], rtol=1e-5, atol=1e-8)
    # the numerical pass left the running statistics and the mask alone
    np.testing.assert_array_equal(model.layers[1].running_mean, moved)
    _, again = _backprop_same_mask(model, x, t)
    for name in exact:
        np.testing.assert_allclose(again[name], exact[name], rtol=1e-12)


def _backprop_same_mask(model, x, t):
    with frozen(model):
        return _backprop(model, x, t)


def test_training_flag_reaches_every_mode_layer(rng):
    model = MLP((4, 3, 2), rng=rng, batch_norm=True, dropout=0.5)
    model.training = False
    assert [getattr(layer, "training", None) for layer in model.layers] == [
        *(None, False, None, False, None)
    ]
    x = rng.standard_normal((6, 4))
    np.testing.assert_array_equal(model.forward(x), model.forward(x))


def test_plain_options_build_the_plain_network(rng):
    a = MLP((5, 4, 3), rng=np.random.default_rng(1), activation="relu")
    b = MLP(
        (5, 4, 3),
        rng=np.random.default_rng(1),
        activation="relu",
        batch_norm=False,
        dropout=0.0,
        weight_decay=0.0,
    )
    assert [type(layer) for layer in a.layers] == [type(layer) for layer in b.layers]
    for k, p in a.params().items():
        np.testing.assert_array_equal(p.data, b.params()[k].data)
    assert a.penalty() == 0.0


def test_weights_do_not_depend_on_the_extensions():
    plain = MLP((5, 4, 3), rng=np.random.default_rng(1))
    extended = MLP(
        (5, 4, 3), rng=np.random.default_rng(1), batch_norm=True, dropout=0.5
    )
    for k, p in plain.params().items():
        np.testing.assert_array_equal(p.data, extended.params()[k].data)


def test_fast_path_handles_a_different_activation_per_layer(rng):
    model = MLP((7, 5, 4, 3), rng=rng, weight_std=0.7, activation="sigmoid")
    model.layers[3] = Tanh()  # layers: Linear, Sigmoid, Linear, Tanh, Linear
    model.layers[1] = ReLU()
    x, t = rng.random((6, 7)), rng.integers(0, 3, 6)
    _, exact = _backprop(model, x, t)
    fast = numerical_gradients(model, x, t)
    naive = naive_numerical_gradients(model, x, t)
    for name in exact:
        np.testing.assert_allclose(fast[name], naive[name], rtol=0, atol=1e-10)
        np.testing.assert_allclose(fast[name], exact[name], rtol=1e-5, atol=1e-9)


def test_fast_path_includes_weight_decay(rng):
    model = MLP((6, 4, 3), rng=rng, weight_std=0.5, weight_decay=0.3)
    x, t = rng.random((5, 6)), rng.integers(0, 3, 5)
    _, exact = _backprop(model, x, t)
    fast = numerical_gradients(model, x, t)
    naive = naive_numerical_gradients(model, x, t)
    for name in exact:
        np.testing.assert_allclose(fast[name], exact[name], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(fast[name], naive[name], rtol=1e-8, atol=1e-10)
