"""The lessons before training: numerical-diff, gradient-descent, newton (issue 19)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vizlearn.lessons.gradient_descent import LESSON as DESCENT
from vizlearn.lessons.newton import LESSON as NEWTON
from vizlearn.lessons.numerical_diff import LESSON as DIFF
from vizlearn.trace import load_trace


@pytest.fixture(scope="module")
def diff():
    return DIFF.run(DIFF.make_config())


@pytest.fixture(scope="module")
def descent():
    return DESCENT.run(DESCENT.make_config())


@pytest.fixture(scope="module")
def newton():
    return NEWTON.run(NEWTON.make_config())


# --- numerical-diff ---------------------------------------------------------------


def test_tangent_slopes(diff):
    np.testing.assert_allclose(diff.data["slopes"], [0.2, 0.3], atol=1e-6)
    # the book prints these, digit for digit
    assert diff.data["slopes"].tolist() == [0.1999999999990898, 0.2999999999986347]
    x = diff.data["points"]
    np.testing.assert_allclose(
        diff.data["slopes"] * x + diff.data["intercepts"], 0.01 * x**2 + 0.1 * x
    )
    # the book's grid: np.arange(0.0, 20.0, 0.1)
    np.testing.assert_array_equal(diff.data["x"], np.arange(0.0, 20.0, 0.1))


def test_the_error_over_h(diff):
    h, err = (
        diff.data["h"],
        {k: diff.data[f"error/{k}"] for k in ("forward", "central")},
    )
    at = {v: int(np.argmin(abs(np.log10(h) - v))) for v in (-2, -4)}
    assert err["forward"][at[-2]] == pytest.approx(0.01 * 1e-2, rel=1e-6)  # f''h/2
    assert err["central"][at[-4]] < 1e-11 < err["forward"][at[-4]]
    best = h[np.argmin(err["forward"])]
    assert 1e-10 < best < 1e-6  # truncation meets rounding near sqrt(eps)
    # float32 rounds ~1e8 times coarser
    assert diff.data["error/central32"][at[-4]] > 1e-5
    # below half an ulp of x, x + h == x: the difference is 0, the error all of f'
    vanish = h < diff.meta["trap"]["vanishes_below"]
    assert vanish.any() and (err["forward"][vanish] == 0.2).all()


def test_the_rounding_trap(diff):
    trap = diff.meta["trap"]
    assert trap["h"] == 1e-50
    assert trap["forward"] == 0.0 and trap["float32_h"] == 0.0
    assert trap["vanishes_below"] == math.ulp(5.0) / 2


def test_numerical_diff_options():
    trace = DIFF.run(DIFF.make_config(points=(2.0,), h=1e-3))
    assert trace.data["slopes"] == pytest.approx([0.14], abs=1e-9)
    with pytest.raises(ValueError, match="--points must be 1 to 4"):
        DIFF.make_config(points=("a",))
    with pytest.raises(ValueError, match="--points"):
        DIFF.make_config(points=(1.0, float("nan")))
    with pytest.raises(ValueError, match="--x-max"):
        DIFF.make_config(x_min=3.0, x_max=1.0)
    with pytest.raises(ValueError, match="--h"):
        DIFF.make_config(h=0.0)
    from vizlearn.lessons.numerical_diff import parse_points

    assert parse_points(" 5, 10 ") == (5.0, 10.0)
    with pytest.raises(ValueError, match="e.g. 5,10"):
        parse_points("5;10")


# --- gradient-descent -------------------------------------------------------------


def test_descent_is_the_books(descent):
    assert descent.n_records == 21  # 20 steps, gradient_method.py
    main = descent.outputs["path/main"]
    np.testing.assert_array_equal(main[0], [-3.0, 4.0])
    np.testing.assert_allclose(main, 0.8 ** np.arange(21)[:, None] * [-3, 4], rtol=1e-9)
    np.testing.assert_allclose(descent.loss, (main**2).sum(axis=1))


@pytest.mark.parametrize(
    "name, book",
    [
        ("main", [-6.11110793e-10, 8.14814391e-10]),
        ("large", [-2.58983747e13, -1.29524862e12]),
        ("small", [-2.99999994, 3.99999992]),
    ],
)
def test_descent_prints_the_books_100_step_results(descent, name, book):
    np.testing.assert_allclose(descent.data[f"final/{name}"], book, rtol=1e-8)


def test_a_too_large_lr_sticks_where_x_plus_h_is_x(descent):
    assert descent.meta["stuck"] == {"main": None, "large": 10, "small": None}
    large = descent.outputs["path/large"]
    np.testing.assert_array_equal(large[11:], np.broadcast_to(large[10], (10, 2)))


def test_the_arrows_point_at_the_minimum(descent):
    d = descent.data
    assert d["quiver/x"].shape == (18 * 18,)  # np.arange(-2, 2.5, 0.25) squared
    np.testing.assert_allclose(d["quiver/u"], -2 * d["quiver/x"], atol=1e-7)
    np.testing.assert_allclose(d["quiver/v"], -2 * d["quiver/y"], atol=1e-7)


def test_analytic_gradient_diverges_for_real():
    trace = DESCENT.run(DESCENT.make_config(gradient="analytic", steps=3))
    assert trace.meta["stuck"]["large"] is None
    assert trace.data["final/large"] == pytest.approx(19.0**100 * np.array([-3, 4]))
    assert trace.n_records == 4


def test_descent_options_and_round_trip(descent, tmp_path):
    back = load_trace(descent.save(tmp_path / "gd.npz"))
    np.testing.assert_array_equal(
        back.outputs["path/large"], descent.outputs["path/large"]
    )
    assert back.meta["stuck"] == descent.meta["stuck"]
    from vizlearn.lessons.gradient_descent import parse_start

    assert parse_start("1, -2") == (1.0, -2.0)
    for bad in ("1", "1,2,3", "a,b", "inf,0"):
        with pytest.raises(ValueError, match="--start must be two numbers"):
            parse_start(bad)
    with pytest.raises(ValueError, match="--lr"):
        DESCENT.make_config(lr=0.0)
    assert DESCENT.n_frames(DESCENT.make_config(steps=7)) == 8


# --- newton -----------------------------------------------------------------------


def test_rosenbrock_descent_is_deZeros(newton):
    gd = newton.data["gd"]
    assert gd.shape == (10_001, 2)
    np.testing.assert_allclose(gd[9999], [0.99449622, 0.98900063], atol=5e-9)
    np.testing.assert_allclose(gd[-1], [0.9945, 0.9890], atol=5e-5)


def test_newton_1d_prints_step_29(newton):
    book = [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978]
    book += [1.0009084519430513, 1.0000012353089454, 1.000000000002289, 1.0]
    np.testing.assert_allclose(newton.data["newton_1d"][:8], book, rtol=1e-13)
    assert (newton.data["newton_1d"][7:] == 1.0).all()


def test_iteration_counts(newton):
    assert newton.meta["arrived"] == {
        "gd": None,  # 10 000 iterations and still 0.012 away
        "newton": 4,
        "gd_1d": 70,
        "newton_1d": 4,
    }
    assert newton.meta["exact"]["newton"] == 5
    assert newton.meta["final_distance"]["gd"] == pytest.approx(0.0123, abs=1e-4)


def test_numerical_hessian_takes_the_same_steps():
    trace = NEWTON.run(NEWTON.make_config(hessian="numerical", iters=10))
    np.testing.assert_allclose(trace.data["newton"][-1], [1.0, 1.0], atol=1e-10)
    assert trace.meta["arrived"]["newton"] == 4


def test_newton_bad_input():
    with pytest.raises(ValueError, match="--start must be two numbers"):
        NEWTON.make_config(start=(0.0,))


def test_a_diverging_descent_is_held_and_reported():
    trace = NEWTON.run(NEWTON.make_config(lr=0.5, iters=200, lr_1d=0.9))
    assert trace.meta["diverged"] == {
        "gd": 3,
        "newton": None,
        "gd_1d": 3,
        "newton_1d": None,
    }
    gd = trace.data["gd"]
    assert (np.abs(gd[2]) < 1e6).all() and (gd[3:] == gd[2]).all()


def test_gallery_items_name_real_options():
    for lesson in (DIFF, DESCENT, NEWTON):
        for item in lesson.gallery:
            lesson.make_config(**{**item.options, **item.quick})
            lesson.kind(item.kind)
