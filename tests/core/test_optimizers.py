"""Optimizers: one step by hand, and convergence on f(x, y) = x^2/20 + y^2."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.core import SGD, AdaGrad, Adam, Momentum, Parameter


def _param(values, grad):
    p = Parameter(np.array(values, dtype=np.float64), "p")
    p.grad = np.array(grad, dtype=np.float64)
    return p


def test_sgd_step():
    p = _param([1.0, 2.0], [0.5, -1.0])
    SGD(lr=0.1).setup([p]).update()
    np.testing.assert_allclose(p.data, [0.95, 2.1])


def test_momentum_accumulates_velocity():
    p = _param([0.0], [1.0])
    opt = Momentum(lr=0.1, momentum=0.9).setup([p])
    opt.update()
    opt.update()
    np.testing.assert_allclose(p.data, [-0.1 - 0.19])


def test_adagrad_first_step_has_size_lr():
    p = _param([0.0, 0.0], [3.0, -0.01])
    AdaGrad(lr=0.5).setup([p]).update()
    np.testing.assert_allclose(p.data, [-0.5, 0.5], rtol=1e-5)


def test_adam_first_step_has_size_lr():
    p = _param([0.0], [4.0])
    Adam(lr=0.3).setup([p]).update()
    np.testing.assert_allclose(p.data, [-0.3], rtol=1e-6)


def test_parameters_without_gradient_are_skipped():
    p = Parameter(np.ones(2), "p")
    SGD(lr=1.0).setup([p]).update()
    np.testing.assert_array_equal(p.data, [1.0, 1.0])


@pytest.mark.parametrize(
    "opt",
    [SGD(0.95), Momentum(0.1), AdaGrad(1.5), Adam(0.3)],
    ids=lambda opt: type(opt).__name__,
)
def test_book_learning_rates_approach_the_minimum(opt):
    p = Parameter(np.array([-7.0, 2.0]), "xy")
    opt.setup([p])
    for _ in range(30):
        x, y = p.data
        p.grad = np.array([x / 10.0, 2.0 * y])
        opt.update()
    assert np.linalg.norm(p.data) < 2.0
