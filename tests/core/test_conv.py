"""Convolution, pooling, im2col and SimpleConvNet against the book and the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.core import (
    Adam,
    Convolution,
    Pooling,
    SimpleConvNet,
    col2im,
    im2col,
    numerical_grad,
    softmax_cross_entropy,
)
from vizlearn.core.conv import conv_output_size, windows

RTOL = 1e-6

# "Deep Learning from Scratch" Figure 7-4: a 4x4 input and a 3x3 filter
BOOK_X = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], float)
BOOK_W = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], float)


def test_figure_7_4_output_is_15_16_6_15():
    layer = Convolution(BOOK_W[None, None], np.zeros(1))
    y = layer.forward(BOOK_X[None, None])
    np.testing.assert_array_equal(y[0, 0], [[15, 16], [6, 15]])


def test_figure_7_5_bias_adds_3_to_every_cell():
    layer = Convolution(BOOK_W[None, None], np.array([3.0]))
    np.testing.assert_array_equal(
        layer.forward(BOOK_X[None, None])[0, 0], [[18, 19], [9, 18]]
    )


def test_figure_7_6_padding_1_keeps_the_4x4_size():
    y = Convolution(BOOK_W[None, None], np.zeros(1), pad=1).forward(BOOK_X[None, None])
    assert y.shape == (1, 1, 4, 4)
    np.testing.assert_array_equal(
        y[0, 0], [[7, 12, 10, 2], [4, 15, 16, 10], [10, 6, 15, 6], [8, 10, 4, 3]]
    )


def test_output_size_formula_and_refusal():
    assert conv_output_size(7, 3, stride=2, pad=0) == 3  # the book's Figure 7-7
    assert conv_output_size(4, 3, stride=1, pad=1) == 4
    assert conv_output_size(28, 5) == 24
    with pytest.raises(ValueError, match="does not fit"):
        conv_output_size(2, 5)
    with pytest.raises(ValueError, match="stride"):
        conv_output_size(4, 3, stride=0)


def test_im2col_shapes_of_the_book():
    rng = np.random.default_rng(0)
    assert im2col(rng.random((1, 3, 7, 7)), 5, 5, stride=1, pad=0).shape == (9, 75)
    assert im2col(rng.random((10, 3, 7, 7)), 5, 5, stride=1, pad=0).shape == (90, 75)


def _loop_conv(x, W, b, stride, pad):
    """Convolution by the definition: four loops, no im2col."""
    N, C, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    OH, OW = (H + 2 * pad - FH) // stride + 1, (Wd + 2 * pad - FW) // stride + 1
    y = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    patch = xp[n, :, i * stride : i * stride + FH, j * stride :][
                        :, :, :FW
                    ]
                    y[n, f, i, j] = (patch * W[f]).sum() + b[f]
    return y


@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1), (3, 2), (2, 0)])
def test_convolution_equals_the_definition(stride, pad, rng):
    x = rng.standard_normal((2, 3, 7, 8))
    W, b = rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    y = Convolution(W, b, stride, pad).forward(x)
    np.testing.assert_allclose(y, _loop_conv(x, W, b, stride, pad), rtol=1e-12)


def test_windows_is_a_view_and_im2col_matches_it(rng):
    x = rng.standard_normal((2, 3, 6, 6))
    win = windows(x, 3, 3, stride=1, pad=0)
    assert np.shares_memory(win, x) and not win.flags.writeable
    col = im2col(x, 3, 3)
    np.testing.assert_array_equal(col[7], win[0, :, 1, 3].ravel())  # row (0, 1, 3)


@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1), (1, 2)])
def test_col2im_is_the_adjoint_of_im2col(stride, pad, rng):
    """<im2col(x), c> = <x, col2im(c)> for every x and c."""
    x = rng.standard_normal((2, 2, 6, 5))
    col = im2col(x, 3, 2, stride, pad)
    c = rng.standard_normal(col.shape)
    lhs = (col * c).sum()
    rhs = (x * col2im(c, x.shape, 3, 2, stride, pad)).sum()
    assert lhs == pytest.approx(rhs, rel=1e-12)


def _check_layer(layer, x, rng):
    """Backprop of L = sum(w * layer(x)) against numerical_grad: x and parameters."""
    w = rng.standard_normal(layer.forward(x).shape)
    gx = layer.backward(w.copy())
    grads = [(p.data, p.grad.copy()) for p in layer.params()]

    def loss() -> float:
        return float((w * layer.forward(x)).sum())

    np.testing.assert_allclose(gx, numerical_grad(loss, x), rtol=RTOL, atol=1e-9)
    for data, grad in grads:
        np.testing.assert_allclose(grad, numerical_grad(loss, data), rtol=RTOL)
    return len(grads)


@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1)])
def test_convolution_gradients_match_numerical(stride, pad, rng):
    x = rng.standard_normal((2, 2, 5, 6))
    W, b = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    assert _check_layer(Convolution(W, b, stride, pad), x, rng) == 2


def test_convolution_input_grad_false_skips_dx(rng):
    layer = Convolution(rng.standard_normal((2, 1, 3, 3)), np.zeros(2))
    y = layer.forward(rng.standard_normal((1, 1, 5, 5)))
    assert layer.backward(np.ones_like(y), input_grad=False) is None
    assert layer.W.grad.shape == (2, 1, 3, 3)


def test_max_pooling_keeps_the_maximum_and_routes_the_gradient():
    x = np.array([[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]], float)
    pool = Pooling(2, 2, stride=2)
    y = pool.forward(x[None, None])
    np.testing.assert_array_equal(y[0, 0], [[2, 3], [4, 2]])  # Figure 7-14's rule
    gx = pool.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    expected = np.zeros((4, 4))
    expected[0, 1], expected[1, 3], expected[3, 1], expected[2, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(gx[0, 0], expected)


def test_pooling_ties_keep_the_first_maximum():
    pool = Pooling(2, 2, stride=2)
    pool.forward(np.ones((1, 1, 2, 2)))
    gx = pool.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(gx[0, 0], [[1, 0], [0, 0]])


@pytest.mark.parametrize("size,stride,pad", [(2, 2, 0), (3, 1, 0), (2, 1, 1)])
def test_pooling_gradient_matches_numerical(size, stride, pad, rng):
    x = (rng.permutation(2 * 3 * 5 * 6).reshape(2, 3, 5, 6) + 1) / 7.0  # no ties
    _check_layer(Pooling(size, size, stride, pad), x, rng)


def _small_net(rng):
    return SimpleConvNet(
        (2, 9, 9),
        filter_num=3,
        filter_size=4,
        pad=1,
        stride=1,
        hidden_size=6,
        output_size=4,
        weight_std=0.5,
        rng=rng,
    )


def test_simple_convnet_backprop_matches_numerical_for_every_parameter(rng):
    net = _small_net(rng)
    x, t = rng.standard_normal((3, 2 * 9 * 9)), np.array([0, 3, 1])
    _, gy = softmax_cross_entropy(net.forward(x), t)
    gx = net.backward(gy)
    grads = {name: p.grad.copy() for name, p in net.params().items()}

    def loss() -> float:
        return softmax_cross_entropy(net.forward(x), t)[0]

    assert list(grads) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for name, p in net.params().items():
        num = numerical_grad(loss, p.data)
        err = np.abs(grads[name] - num).max() / np.abs(num).max()
        assert err <= RTOL, f"{name}: relative error {err:.2e}"
    num = numerical_grad(loss, x)
    assert np.abs(gx - num).max() / np.abs(num).max() <= RTOL
    assert gx.shape == x.shape


def test_simple_convnet_has_the_books_shapes_and_init():
    net = SimpleConvNet(rng=np.random.default_rng(0))
    shapes = {k: p.data.shape for k, p in net.params().items()}
    assert shapes == {
        "W1": (30, 1, 5, 5),
        "b1": (30,),
        "W2": (4320, 100),
        "b2": (100,),
        "W3": (100, 10),
        "b3": (10,),
    }
    assert net.params()["W2"].data.std() == pytest.approx(0.01, rel=0.01)
    assert not net.params()["b1"].data.any()
    assert net.forward(np.zeros((2, 784))).shape == (2, 10)


def test_evaluation_mode_chunks_and_matches_training_mode(rng):
    net = _small_net(rng)
    x = rng.standard_normal((1203, 2 * 9 * 9))
    full = net.forward(x)
    net.training = False
    np.testing.assert_allclose(net.forward(x), full, rtol=1e-12)
    with pytest.raises(RuntimeError, match="training mode"):
        net.backward(np.ones((1203, 4)))


def test_simple_convnet_learns_a_toy_problem():
    """Bright top half vs bright bottom half: a few Adam steps separate them."""
    rng = np.random.default_rng(0)
    x = rng.random((64, 1, 8, 8)) * 0.2
    t = rng.integers(0, 2, 64)
    x[t == 0, :, :4] += 1.0
    x[t == 1, :, 4:] += 1.0
    net = SimpleConvNet(
        (1, 8, 8), filter_num=4, filter_size=3, hidden_size=8, output_size=2, rng=rng
    )
    opt = Adam(0.01).setup(net)
    for _ in range(60):
        _, gy = softmax_cross_entropy(net.forward(x), t)
        net.backward(gy, input_grad=False)
        opt.update()
    assert (net.forward(x).argmax(axis=1) == t).mean() == 1.0


@pytest.mark.parametrize("size,stride,pad", [(2, 2, 0), (3, 1, 1)])
def test_max_pool_equals_the_pooling_layers_forward(size, stride, pad, rng):
    from vizlearn.core.conv import max_pool

    x = rng.standard_normal((2, 3, 7, 6))
    np.testing.assert_array_equal(
        max_pool(x, size, size, stride, pad),
        Pooling(size, size, stride, pad).forward(x),
    )
