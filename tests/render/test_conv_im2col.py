"""The im2col renderer: the book's shapes, the rows and columns as they fill."""

from __future__ import annotations

import numpy as np

from vizlearn.lessons.im2col import LESSON
from vizlearn.render.im2col import frames_im2col
from vizlearn.style import Style

SMALL = Style(width=480, height=360, dpi=60)


def _source(style=SMALL, **options):
    trace = LESSON.run(LESSON.make_config(**options))
    return trace, frames_im2col(trace, style=style)


def _filled_rows(image):
    return int((~np.isnan(image.get_array().filled(np.nan))).all(axis=1).sum())


def test_book_example_1_3_7_7_gives_9_by_75():
    trace, source = _source()
    assert trace.data["col"].shape == (9, 75)
    assert source.n_frames == 9 + 2 + 2  # rows, filter columns, product, reshape
    artists = source.update(0)
    assert (
        artists[-1].get_text()
        == "1. each window becomes a row: im2col (1, 3, 7, 7) → (9, 75)"
    )
    titles = [ax.get_title() for ax in source.figure.get_axes()]
    assert "im2col(x) (9, 75)" in titles and "W (75, 2)" in titles


def test_windows_fill_the_rows_one_by_one():
    trace, source = _source()
    m_col = source.figure.get_axes()[2].get_images()[0]
    for k in (0, 4, 8):
        source.update(k)
        assert _filled_rows(m_col) == k + 1
    row = m_col.get_array()[4]
    window = trace.data["x"][0, :, 1:6, 1:6]  # row 4 = window (1, 1)
    np.testing.assert_array_equal(row, window.ravel())


def test_filters_fill_the_columns_then_the_product_and_reshape():
    trace, source = _source()
    axes = source.figure.get_axes()
    m_w, m_out, maps = (
        axes[3].get_images()[0],
        axes[4].get_images()[0],
        axes[5].get_images()[0],
    )
    source.update(9)
    filled = ~np.isnan(m_w.get_array().filled(np.nan))
    assert filled[:, 0].all() and not filled[:, 1].any()
    np.testing.assert_array_equal(m_w.get_array()[:, 0], trace.data["W"][0].ravel())
    artists = source.update(11)
    np.testing.assert_allclose(
        m_out.get_array(), trace.data["col"] @ trace.data["col_W"]
    )
    assert artists[-1].get_text() == "3. one matrix product: (9, 75) · (75, 2) = (9, 2)"
    artists = source.update(12)
    assert artists[-1].get_text() == "4. reshape back: (9, 2) → (1, 2, 3, 3)"
    np.testing.assert_allclose(maps.get_array()[:, :3], trace.data["out"][0, 0])
    np.testing.assert_allclose(maps.get_array()[:, 4:], trace.data["out"][0, 1])


def test_japanese_titles():
    _, source = _source(style=Style(lang="ja", theme="dark", width=480, height=360))
    assert source.update(10)[-1].get_text().startswith("2. フィルターを 1 列に")


def test_blitted_frames_equal_full_redraws():
    _, source = _source(channels=1, size=5, filter_size=3)
    blitted = list(source.rgba())
    assert len(blitted) == 9 + 2 + 2
    for k in (0, 10, 12):
        still = source.still(k)
        still.canvas.draw()
        np.testing.assert_array_equal(
            np.asarray(still.canvas.buffer_rgba()), blitted[k]
        )
