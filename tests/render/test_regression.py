"""Regression renderer: artists, frame updates in place, stills and pixels."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from vizlearn.render.regression import (
    animate_regression,
    draw_regression,
    frames_regression,
    plot_fit,
    plot_regression,
)
from vizlearn.style import Style


def test_draw_regression_returns_moving_artists(sin_trace):
    fig = Figure()
    ax = fig.subplots()
    # vizlearn's legend sits above the axes, where nothing moves: not returned
    residuals, points, curve, title = draw_regression(ax, sin_trace, 3, style=Style())
    assert isinstance(residuals, LineCollection)
    segments = residuals.get_segments()
    assert len(segments) == len(sin_trace.data["x"])
    # each residual goes from the data point straight down/up to the curve
    seg = segments[5]
    assert seg[0, 0] == seg[1, 0] == sin_trace.data["x"][5]
    assert seg[1, 1] == sin_trace.outputs["fit"][3][5]
    np.testing.assert_array_equal(curve.get_ydata(), sin_trace.outputs["curve"][3])
    step = int(sin_trace.steps[3])
    assert f"iteration {step:,}" in title.get_text()
    assert f"{sin_trace.outputs['loss'][3]:.4f}" in title.get_text()
    # the book look's legend is inside the axes, under the moving lines' reach
    book = draw_regression(
        Figure().subplots(), sin_trace, 3, style=Style(), look="book"
    )
    assert len(book) == 5 and book[3] is book[3].axes.get_legend()


def test_frames_update_artists_in_place(sin_trace):
    source = frames_regression(sin_trace, style=Style(width=320, height=240, dpi=50))
    first = source.update(0)
    n_axes_children = [len(ax.get_children()) for ax in source.figure.axes]
    later = source.update(7)
    assert [id(a) for a in first] == [id(a) for a in later]
    assert n_axes_children == [len(ax.get_children()) for ax in source.figure.axes]
    assert source.n_frames == sin_trace.n_records == 13


def test_rgba_frames_match_full_redraws(sin_trace):
    """Blitted frames equal a full draw of the same state, pixel for pixel."""
    style = Style(width=320, height=240, dpi=50)
    source = frames_regression(sin_trace, style=style)
    frames = list(source.rgba([2, 9]))
    assert frames[0].shape == (240, 320, 4) and frames[0].dtype == np.uint8
    assert not np.array_equal(frames[0], frames[1])
    still = frames_regression(sin_trace, style=style).still(9)
    still.canvas.draw()
    np.testing.assert_array_equal(frames[1], np.asarray(still.canvas.buffer_rgba()))


def test_animation_is_matplotlibs_own(sin_trace):
    anim = animate_regression(sin_trace, style=Style(width=320, height=240, dpi=50))
    assert len(list(anim.new_frame_seq())) == 13
    anim._draw_was_started = True  # silence "deleted without rendering"


def test_renderers_leave_global_rcparams_alone(sin_trace):
    before = dict(mpl.rcParams)
    plot_regression(sin_trace, frame=4, style=Style(theme="dark", lang="ja"))
    assert dict(mpl.rcParams) == before


def test_snapshot_regression_frames(sin_trace, vl_image_snapshot):
    source = frames_regression(sin_trace, style=Style(width=480, height=360, dpi=60))
    first, middle, last = source.rgba([0, 6, 12])
    vl_image_snapshot(first, "regression_frame0", tol=2)
    vl_image_snapshot(middle, "regression_frame6", tol=2)
    vl_image_snapshot(last, "regression_frame12", tol=2)


def test_snapshot_fit_dark_japanese(sin_trace, vl_image_snapshot):
    fig = plot_fit(
        sin_trace, style=Style(theme="dark", lang="ja", width=480, height=360, dpi=60)
    )
    vl_image_snapshot(fig, "fit_dark_ja", tol=2)
