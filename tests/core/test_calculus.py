"""Numerical differentiation and descents: the numbers DLfS ch. 4 and DeZero print."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.core.calculus import (
    central_diff,
    forward_diff,
    function_1,
    function_2,
    gradient_descent,
    gradient_field,
    iterations_within,
    newton,
    newton_1d,
    numerical_diff,
    numerical_gradient,
    numerical_hessian,
    quartic,
    quartic_grad,
    quartic_grad2,
    tangent_line,
)
from vizlearn.core.functions import rosenbrock, rosenbrock_grad, rosenbrock_hessian


def _book_gradient(x):
    return numerical_gradient(function_2, x)


def _rosen_grad(p):
    return np.array(rosenbrock_grad(*p))


def _rosen_hessian(p):
    return rosenbrock_hessian(*p)


def test_tangent_slopes_are_the_books():
    # the book prints 0.1999999999990898 and 0.2999999999986347
    assert numerical_diff(function_1, 5) == 0.1999999999990898
    assert numerical_diff(function_1, 10) == 0.2999999999986347
    for x, exact in ((5, 0.2), (10, 0.3)):
        slope, intercept = tangent_line(function_1, x)
        assert slope == pytest.approx(exact, abs=1e-6)
        assert slope * x + intercept == pytest.approx(function_1(x), abs=1e-12)


def test_forward_difference_error_is_of_order_h_central_is_not():
    # f'' = 0.02, so the forward difference is off by f'' h / 2 = 0.01 h
    for h in (1e-1, 1e-2, 1e-3):
        error = forward_diff(function_1, 5.0, h) - 0.2
        assert error == pytest.approx(0.01 * h, rel=1e-6)
        assert abs(central_diff(function_1, 5.0, h) - 0.2) < 1e-12


def test_the_rounding_trap():
    assert np.float32(1e-50) == 0.0
    assert forward_diff(function_1, 5.0, 1e-50) == 0.0  # 5 + 1e-50 == 5


def test_numerical_gradient_is_the_books():
    for x, g in (([3.0, 4.0], [6, 8]), ([0.0, 2.0], [0, 4]), ([3.0, 0.0], [6, 0])):
        x = np.array(x)
        np.testing.assert_allclose(_book_gradient(x), g, atol=1e-7)
        np.testing.assert_array_equal(x, x.copy())  # restored


def test_gradient_field_points_downhill():
    X, Y = np.meshgrid(np.arange(-2, 2.5, 0.25), np.arange(-2, 2.5, 0.25))
    U, V = gradient_field(lambda a, b: a**2 + b**2, X, Y)
    np.testing.assert_allclose(U, 2 * X, atol=1e-9)
    np.testing.assert_allclose(V, 2 * Y, atol=1e-9)


@pytest.mark.parametrize(
    "lr, book",
    [
        (0.1, [-6.11110793e-10, 8.14814391e-10]),
        (10.0, [-2.58983747e13, -1.29524862e12]),  # the numerical gradient's artefact
        (1e-10, [-2.99999994, 3.99999992]),
    ],
)
def test_gradient_descent_prints_the_books_numbers(lr, book):
    path = gradient_descent(_book_gradient, [-3.0, 4.0], lr, 100)
    assert path.shape == (101, 2)
    np.testing.assert_array_equal(path[0], [-3.0, 4.0])
    np.testing.assert_allclose(path[-1], book, rtol=1e-8)


def test_rosenbrock_derivatives():
    rng = np.random.default_rng(0)
    for p in rng.uniform(-2, 2, size=(5, 2)):
        np.testing.assert_allclose(
            _rosen_grad(p),
            numerical_gradient(lambda q: float(rosenbrock(*q)), p.copy(), h=1e-6),
            rtol=1e-6,
            atol=1e-5,
        )
        np.testing.assert_allclose(
            _rosen_hessian(p), numerical_hessian(_rosen_grad, p), rtol=1e-6, atol=1e-6
        )


def test_gradient_descent_on_rosenbrock_is_deZeros_step_28():
    path = gradient_descent(_rosen_grad, [0.0, 2.0], 0.001, 10_000)
    # step 28 prints x0, x1 before each update: its last line is path[9999]
    np.testing.assert_allclose(path[9999], [0.99449622, 0.98900063], atol=5e-9)
    np.testing.assert_allclose(path[-1], [0.9945, 0.9890], atol=5e-5)


def test_newton_1d_prints_deZeros_step_29():
    path = newton_1d(quartic_grad, quartic_grad2, 2.0, 9)
    book = [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978]
    book += [1.0009084519430513, 1.0000012353089454, 1.000000000002289, 1.0]
    np.testing.assert_allclose(path[:8], book, rtol=1e-13)
    assert path[7] == path[8] == path[9] == 1.0
    assert iterations_within(path, 1.0, 1e-3) == 4


def test_gradient_descent_on_the_quartic_takes_70_iterations():
    path = gradient_descent(lambda x: quartic_grad(x), 2.0, 0.01, 200)
    assert iterations_within(path, 1.0, 1e-3) == 70
    assert quartic(path[-1]) == pytest.approx(-1.0, abs=1e-12)


@pytest.mark.parametrize("hessian", ["analytic", "numerical"])
def test_newton_on_rosenbrock(hessian):
    H = (
        _rosen_hessian
        if hessian == "analytic"
        else (lambda p: numerical_hessian(_rosen_grad, p))
    )
    path = newton(_rosen_grad, H, [0.0, 2.0], 8)
    np.testing.assert_allclose(path[1], [-0.00250627, 0.0], atol=1e-8)
    assert iterations_within(path, [1, 1], 1e-3) == 4
    np.testing.assert_allclose(path[6:], 1.0, atol=1e-9)


def test_iterations_within_never():
    assert iterations_within(np.array([[0.0, 0.0], [0.5, 0.5]]), [1, 1], 1e-3) is None
