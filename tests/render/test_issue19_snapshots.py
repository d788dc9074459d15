"""Pixel snapshots of the issue-19 figures against tests/render/baseline/issue19_*.png.

Refresh with ``pytest tests/render/test_issue19_snapshots.py --vizlearn-update``,
then look at every changed baseline before committing it.
"""

from __future__ import annotations

from vizlearn.lessons.gradient_descent import LESSON as DESCENT
from vizlearn.lessons.newton import LESSON as NEWTON
from vizlearn.lessons.numerical_diff import LESSON as DIFF
from vizlearn.render.gradient_descent import frames_descent, plot_gradient_field
from vizlearn.render.newton import plot_newton
from vizlearn.render.numerical_diff import plot_numerical_diff
from vizlearn.style import Style

STYLE = Style(width=480, height=360, dpi=60)
JA_DARK = Style(width=480, height=360, dpi=60, lang="ja", theme="dark")
TOL = 2


def test_numerical_diff(vl_image_snapshot):
    trace = DIFF.run(DIFF.make_config())
    vl_image_snapshot(plot_numerical_diff(trace, style=STYLE), "issue19_diff", tol=TOL)


def test_gradient_descent_frame_japanese_dark(vl_image_snapshot):
    trace = DESCENT.run(DESCENT.make_config(steps=12))
    (frame,) = frames_descent(trace, style=JA_DARK).rgba([11])
    vl_image_snapshot(frame, "issue19_descent_ja_dark", tol=TOL)


def test_gradient_field(vl_image_snapshot):
    trace = DESCENT.run(DESCENT.make_config(steps=1))
    fig = plot_gradient_field(trace, style=STYLE)
    vl_image_snapshot(fig, "issue19_field", tol=TOL)


def test_newton(vl_image_snapshot):
    trace = NEWTON.run(NEWTON.make_config(iters=3000, iters_1d=100))
    vl_image_snapshot(plot_newton(trace, style=STYLE), "issue19_newton", tol=TOL)


def test_boundary_with_test_split_and_strip(vl_image_snapshot):
    from vizlearn.lessons.boundary import BoundaryConfig
    from vizlearn.lessons.boundary import run as run_boundary
    from vizlearn.render.boundary import frames_boundary

    config = BoundaryConfig(dataset="circles", test_ratio=0.3, epochs=20, frames=3)
    (frame,) = frames_boundary(run_boundary(config), style=STYLE).rgba([2])
    vl_image_snapshot(frame, "issue19_boundary_split", tol=TOL)


def test_boundary_gauss_heat_map_japanese_dark(vl_image_snapshot):
    from vizlearn.lessons.boundary import BoundaryConfig
    from vizlearn.lessons.boundary import run as run_boundary
    from vizlearn.render.boundary import plot_boundary

    trace = run_boundary(BoundaryConfig(dataset="gauss", epochs=30, frames=2))
    vl_image_snapshot(
        plot_boundary(trace, style=JA_DARK), "issue19_gauss_ja_dark", tol=TOL
    )
