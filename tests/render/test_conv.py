"""The conv renderer: the book's numbers read back from the drawn texts."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import SHARED_MNIST
from vizlearn.lessons.conv import LESSON
from vizlearn.render.conv import frames_conv, size_formula
from vizlearn.style import Style

SMALL = Style(width=480, height=360, dpi=60)


def _source(style=SMALL, **options):
    return frames_conv(LESSON.run(LESSON.make_config(**options)), style=style)


def _output_texts(source):
    """The output cells' texts, row by row (the panel's big numbers)."""
    ax = source.figure.get_axes()[2]
    return [t.get_text() for t in ax.texts if t.get_fontsize() == 14]


def _window(source):
    ax_in = source.figure.get_axes()[0]
    return next(p for p in ax_in.patches if p.get_linewidth() == 2.5)


def test_figure_7_4_animation_fills_15_16_6_15():
    source = _source()
    assert source.n_frames == 4
    source.update(0)
    assert _output_texts(source) == ["15", "", "", ""]
    source.update(3)
    assert _output_texts(source) == ["15", "16", "6", "15"]


def test_window_moves_by_the_stride_and_spells_out_the_products():
    source = _source()
    artists = source.update(1)
    assert _window(source).get_xy() == (0.5, -0.5)  # second cell: one to the right
    expr = artists[-2].get_text()
    assert expr.replace("\n", " ") == (
        "2·2 + 3·0 + 0·1 + 1·0 + 2·1 + 3·2 + 0·1 + 1·0 + 2·2 = 16"
    )
    weights = [
        t.get_text() for t in source.figure.get_axes()[0].texts if t.get_fontsize() == 7
    ]
    assert weights == ["×2", "×0", "×1", "×0", "×1", "×2", "×1", "×0", "×2"]
    assert "Figure" not in expr


def test_padding_and_stride_change_the_picture_and_the_formula():
    source = _source(pad=1, stride=2)
    source.update(3)
    assert _output_texts(source) == ["7", "10", "10", "15"]  # Figure 7-6, every 2nd
    source.update(1)
    assert _window(source).get_xy() == (1.5, -0.5)  # two cells right of the corner
    ax_in = source.figure.get_axes()[0]
    assert ax_in.get_title() == "input (1 × 6 × 6)"
    assert [t.get_text() for t in ax_in.texts].count("0") == 20 + 4  # pad + zeros
    formula = source.figure.get_axes()[3].texts[1].get_text()
    assert "OH = (H + 2P − FH) / S + 1" in formula
    assert "(4 + 2·1 − 3) / 2 + 1 = ⌊1.5⌋ + 1 = 2" in formula


def test_size_formula_with_the_books_figure_7_7_numbers():
    text = size_formula(7, 3, 0, 2, style=Style())
    assert text.endswith("= (7 + 2·0 − 3) / 2 + 1 = 3")


def test_bias_of_figure_7_5():
    source = _source(bias=3.0)
    source.update(3)
    assert _output_texts(source) == ["18", "19", "9", "18"]
    assert source.update(0)[-2].get_text().endswith("+ b 3 = 18")


def test_channels_are_stacked_planes_and_their_sums_add_up():
    trace = LESSON.run(LESSON.make_config(channels=3))
    source = frames_conv(trace, style=SMALL)
    source.update(0)
    ax_in, ax_w = source.figure.get_axes()[:2]
    assert len(ax_in.patches) == 3 * 16 + 1  # three 4x4 planes and the window
    assert len(ax_w.patches) == 3 * 9
    expr = source.update(0)[-2].get_text()
    sums = [float(p.split()[1]) for p in expr.split(" = ")[0].split(" + ")]
    assert sum(sums) == trace.data["y"][0, 0]
    assert sums[0] == 15  # the first plane is the book's
    assert ax_in.get_title() == "input (3 × 4 × 4)"


def test_japanese_labels():
    source = _source(style=Style(lang="ja", theme="dark", width=480, height=360))
    source.update(0)
    titles = [ax.get_title() for ax in source.figure.get_axes()]
    assert titles[:3] == [
        "入力データ (1 × 4 × 4)",
        "フィルター (1 × 3 × 3)",
        "出力データ (2 × 2)",
    ]
    assert "畳み込み演算" in source.figure._suptitle.get_text()
    assert source.figure.get_axes()[3].texts[1].get_text().startswith("出力サイズ")


def test_blitted_frames_equal_full_redraws():
    source = _source(pad=1, stride=2)
    blitted = list(source.rgba())
    assert len(blitted) == 4
    for k in (0, 3):
        still = source.still(k)
        still.canvas.draw()
        np.testing.assert_array_equal(
            np.asarray(still.canvas.buffer_rgba()), blitted[k]
        )


@pytest.mark.parametrize(
    "options,message",
    [
        ({"pad": 5}, "--pad must be <= 4"),
        ({"stride": 0}, "--stride must be >= 1"),
        ({"channels": 2, "input": "mnist"}, "--channels needs --input book"),
        ({"filter": "sobel"}, "--filter must be one of book, vertical-edge"),
        ({"bias": float("inf")}, "--bias"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        LESSON.make_config(**options)


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason="shared MNIST not present")
def test_an_mnist_digit_is_drawn_as_images_filling_cell_by_cell():
    source = _source(
        input="mnist",
        data_dir=str(SHARED_MNIST),
        split_from_test=8000,
        filter="vertical-edge",
        frames=10,
    )
    assert source.n_frames == 10
    out = source.figure.get_axes()[2].get_images()[0]
    source.update(4)
    shown = np.isfinite(out.get_array().filled(np.nan))
    assert shown.sum() == round(1 + 4 * (676 - 1) / 9)  # cells filled so far
    assert out.get_cmap().name.startswith("RdBu_r")  # an edge filter has signs
    formula = source.figure.get_axes()[3].texts[1].get_text()
    assert formula.endswith("(28 + 2·0 − 3) / 1 + 1 = 26")
    blitted = list(source.rgba([0, 9]))
    for k, frame in zip((0, 9), blitted, strict=True):
        still = source.still(k)
        still.canvas.draw()
        np.testing.assert_array_equal(np.asarray(still.canvas.buffer_rgba()), frame)
