"""The pooling renderer: Figure 7-14's maxima and the gradient routed back."""

from __future__ import annotations

import numpy as np

from vizlearn.lessons.pooling import LESSON
from vizlearn.render.pooling import frames_pooling, routed_gradient
from vizlearn.style import Style

SMALL = Style(width=480, height=360, dpi=60)


def _source(style=SMALL, **options):
    trace = LESSON.run(LESSON.make_config(**options))
    return trace, frames_pooling(trace, style=style)


def _texts(ax):
    return [t.get_text() for t in ax.texts if t.get_fontsize() == 13]


def test_forward_keeps_2_3_4_2_and_highlights_the_maximum():
    _, source = _source()
    assert source.n_frames == 8  # 4 windows forward, 4 backward
    ax_x, ax_y = source.figure.get_axes()[:2]
    artists = source.update(1)
    assert _texts(ax_y) == ["2", "3", "", ""]
    assert source.figure.texts[-1].get_text() == "max(1, 0, 2, 3) = 3"
    window, kept = artists[0], artists[1]
    assert window.get_xy() == (1.5, -0.5)  # stride 2: the second window
    assert kept.get_xy() == (2.5, 0.5)  # the 3 at row 1, column 3
    source.update(3)
    assert _texts(ax_y) == ["2", "3", "4", "2"]


def test_backward_routes_each_gradient_to_its_maximum():
    trace, source = _source()
    ax_dx, ax_gy = source.figure.get_axes()[2:]
    source.update(4)
    assert _texts(ax_gy) == ["0.1", "", "", ""]
    assert _texts(ax_dx) == ["0", "0.1", "", "", "0", "0", "", ""] + [""] * 8
    source.update(7)
    dx = np.array([float(t) for t in _texts(ax_dx)]).reshape(4, 4)
    np.testing.assert_array_equal(dx, trace.data["dx"])  # core Pooling.backward
    assert dx[3, 1] == 0.3 and dx[2, 3] == 0.4 and (dx != 0).sum() == 4
    caption = source.figure.texts[-1].get_text()
    assert (
        caption == "∂L/∂y = 0.4 flows to the maximum 2; the other 3 in the window get 0"
    )


def test_overlapping_windows_add_their_gradients():
    trace = LESSON.run(LESSON.make_config(input="random", size=5, pool=3, stride=1))
    d = trace.data
    dx, covered = routed_gradient(d["arg"], d["gy"], d["x"].shape, 3, 1, d["y"].size)
    np.testing.assert_allclose(dx, d["dx"])
    assert covered.all()


def test_japanese_dark():
    _, source = _source(style=Style(lang="ja", theme="dark", width=480, height=360))
    source.update(0)
    assert (
        source.figure._suptitle.get_text() == "Max プーリングの順伝播：1 / 4 個目の窓"
    )
    source.update(5)
    assert source.figure._suptitle.get_text() == "逆伝播：勾配は最大値の位置へ 2 / 4"
    assert "入力側の勾配 ∂L/∂x" in [ax.get_title() for ax in source.figure.get_axes()]


def test_blitted_frames_equal_full_redraws():
    _, source = _source()
    blitted = list(source.rgba())
    for k in (0, 3, 4, 7):
        still = source.still(k)
        still.canvas.draw()
        np.testing.assert_array_equal(
            np.asarray(still.canvas.buffer_rgba()), blitted[k]
        )
