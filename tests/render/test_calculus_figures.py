"""The issue-19 figures: numerical differentiation, gradient descent, Newton."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.quiver import Quiver
from matplotlib.text import Text

from vizlearn.lessons.gradient_descent import LESSON as DESCENT
from vizlearn.lessons.newton import LESSON as NEWTON
from vizlearn.lessons.numerical_diff import LESSON as DIFF
from vizlearn.render.gradient_descent import (
    frames_descent,
    plot_descent,
    plot_gradient_field,
)
from vizlearn.render.newton import plot_newton, plot_rosenbrock
from vizlearn.render.numerical_diff import plot_numerical_diff, plot_tangents_book
from vizlearn.style import Style

SMALL = Style(width=480, height=360, dpi=60)
JA_DARK = Style(width=480, height=360, dpi=60, lang="ja", theme="dark")


@pytest.fixture(scope="module")
def diff():
    return DIFF.run(DIFF.make_config())


@pytest.fixture(scope="module")
def descent():
    return DESCENT.run(DESCENT.make_config())


@pytest.fixture(scope="module")
def newton():
    return NEWTON.run(NEWTON.make_config(iters=2000, iters_1d=100))


def _texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_numerical_diff_figure(diff):
    fig = plot_numerical_diff(diff, style=SMALL)
    left, right = fig.axes
    assert len(left.lines) == 1 + 2 * 2  # f, and per point a tangent and its dot
    assert _legend(left)[1].endswith("slope 0.1999999999990898")
    tangent = left.lines[1].get_ydata()
    np.testing.assert_allclose(tangent, 0.2 * diff.data["x"] - 0.25, atol=1e-9)
    assert right.get_xscale() == "log" and right.get_yscale() == "symlog"
    assert [line.get_label() for line in right.lines][:3] == [
        "forward, float64",
        "central, float64",
        "central, float32",
    ]
    assert "np.float32(1e-50) is 0" in _texts(fig)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "h = 1e-4 (the book's)" in labels


def test_numerical_diff_japanese(diff):
    fig = plot_numerical_diff(diff, style=JA_DARK)
    text = _texts(fig)
    assert "数値微分" in text and "中心差分（float64）" in text and "丸め誤差" in text
    assert "x = 5 での接線：傾き 0.1999999999990898" in text


def test_the_books_plain_tangents(diff):
    fig = plot_tangents_book(diff, style=SMALL)
    assert len(fig.axes) == 2
    for ax, slope in zip(fig.axes, (0.2, 0.3), strict=True):
        assert len(ax.lines) == 2 and not ax.xaxis._major_tick_kw.get("gridOn", False)
        assert ax.spines["top"].get_visible() and ax.get_ylabel() == "f(x)"
        y = ax.lines[1].get_ydata()
        assert np.diff(y)[0] / 0.1 == pytest.approx(slope, abs=1e-6)


def test_descent_frames(descent):
    source = frames_descent(descent, style=SMALL)
    assert source.n_frames == 21
    fig = source.still(5)
    main, large, small, values = fig.axes
    assert len(main.lines[-2].get_xdata()) == 6  # steps 0..5
    assert "lr = 10: too large" in large.get_title()
    assert large.get_xscale() == "symlog"
    fig = source.still(20)
    text = _texts(fig)
    assert "stuck since step 10: x + h == x" in text
    assert "moved 2.0e-08 in 20 steps" in text
    assert "step 20 / 20" in fig._suptitle.get_text()
    assert values.get_yscale() == "log" and len(values.lines[0].get_xdata()) == 21


def test_descent_blits_equal_full_redraws():
    descent = DESCENT.run(DESCENT.make_config(steps=4))
    (blit,) = frames_descent(descent, style=SMALL).rgba([3])
    fig = plot_descent(descent, frame=3, style=SMALL)
    fig.canvas.draw()
    np.testing.assert_array_equal(np.asarray(fig.canvas.buffer_rgba()), blit)


def test_descent_japanese(descent):
    text = _texts(frames_descent(descent, style=JA_DARK).still(20))
    assert "学習率 10：大きすぎる" in text and "数値微分の勾配が 0" in text
    assert "20 回で 2.0e-08 しか動かない" in text


def test_gradient_field(descent):
    fig = plot_gradient_field(descent, style=SMALL)
    surface_ax, quiver_ax = fig.axes
    assert surface_ax.name == "3d"
    (quiver,) = [c for c in quiver_ax.collections if isinstance(c, Quiver)]
    assert quiver.N == 18 * 18
    # every arrow points at the origin: (u, v) is a negative multiple of (x, y)
    xy = quiver.get_offsets()
    uv = np.column_stack([quiver.U, quiver.V])
    np.testing.assert_allclose(uv, -2 * xy, atol=1e-7)
    assert quiver_ax.get_xlim() == (-2, 2)


def test_newton_figure(newton):
    fig = plot_newton(newton, style=SMALL)
    rosen, quartic, distance = fig.axes
    labels = _legend(rosen)
    assert labels[0] == "gradient descent, lr 0.001:\n2,000 iterations, still 0.36 away"
    assert labels[2] == "Newton, analytic Hessian:\n4 iterations to within 0.001"
    assert "70 iterations to within 0.001" in _legend(quartic)[0]
    assert len(rosen.lines[0].get_xdata()) == 2001
    assert distance.get_yscale() == "symlog" and len(distance.lines) == 5  # + tol


def test_newton_japanese(newton):
    fig = plot_rosenbrock(newton, style=JA_DARK)
    text = _texts(fig)
    assert "勾配降下法（学習率 0.001）：\n2,000 回でもまだ 0.36 離れている" in text
    assert "ニュートン法（解析的なヘッセ行列）：\n4 回で 0.001 以内" in text


def test_newton_legend_says_diverged():
    trace = NEWTON.run(NEWTON.make_config(lr=0.5, iters=50, iters_1d=10))
    labels = _legend(plot_rosenbrock(trace, style=SMALL).axes[0])
    assert labels[0] == "gradient descent, lr 0.5:\ndiverged at iteration 3"
