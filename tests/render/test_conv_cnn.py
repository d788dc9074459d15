"""The cnn renderers on a small synthetic trace: filters, before/after, feature maps."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.render.cnn import (
    GAP,
    frames_filters,
    mosaic,
    plot_features,
    plot_filters,
    tile,
)
from vizlearn.style import Style
from vizlearn.trace import Recorder

SMALL = Style(width=480, height=360, dpi=60)


@pytest.fixture(scope="module")
def trace():
    rng = np.random.default_rng(0)
    meta = {"lesson": "cnn", "iters_per_epoch": 10, "config": {"epochs": 2}}
    rec = Recorder(meta=meta, data={"digit": rng.random((28, 28)), "digit_label": 7})
    for k in range(3):
        rec.record(
            10 * k,
            outputs={
                "filters": rng.standard_normal((30, 1, 5, 5)),
                "conv": rng.standard_normal((30, 24, 24)),
                "pool": rng.random((30, 12, 12)),
            },
            metrics={"test_acc": 0.1 + 0.4 * k},
        )
    return rec.freeze()


def _images(fig):
    return [a for ax in fig.get_axes() for a in ax.get_images()]


def _texts(fig):
    return [fig._suptitle.get_text(), *(ax.get_title() for ax in fig.get_axes())]


def _scaled(m):
    return (m - m.min()) / (m.max() - m.min())


def test_mosaic_tiles_each_map_at_its_own_scale():
    maps = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    out = mosaic(maps, columns=2)
    assert out.shape == (2 * 3 + 1, 2 * 3 + 1)
    np.testing.assert_array_equal(out[tile(2, (2, 2), 2)], [[0, 1 / 3], [2 / 3, 1]])
    assert (out[0] == GAP).all() and (out[:, 3] == GAP).all()  # lines around tiles
    assert np.isnan(out[4:, 4:]).all()  # where a fourth tile would be
    assert (out[3:, 3] == GAP).all()  # the third tile keeps its right line


def test_filter_animation_has_a_frame_per_epoch_and_shows_each_snapshot(trace):
    source = frames_filters(trace, style=SMALL)
    assert source.n_frames == 3
    for k in range(3):
        image, title = source.update(k)
        f = trace.outputs["filters"][k, 7, 0]
        np.testing.assert_allclose(image.get_array()[tile(7, (5, 5))], _scaled(f))
    assert "epoch 2 / 2" in title.get_text() and "0.900" in title.get_text()
    assert image.get_cmap().name.startswith("gray_r")  # the book's filter_show


def test_filter_frames_are_rgba_of_the_style_size(trace):
    frames = list(frames_filters(trace, style=SMALL).rgba())
    assert len(frames) == 3 and frames[0].shape == (360, 480, 4)
    assert not np.array_equal(frames[0], frames[2])


def test_before_after_is_figure_7_24(trace):
    fig = plot_filters(trace, style=SMALL)
    before, after = _images(fig)
    np.testing.assert_allclose(
        before.get_array(), mosaic(trace.outputs["filters"][0, :, 0])
    )
    np.testing.assert_allclose(
        after.get_array(), mosaic(trace.outputs["filters"][-1, :, 0])
    )
    assert before.get_array().shape == (4 * 6 + 1, 8 * 6 + 1)  # 8 per row, 4 rows
    texts = _texts(fig)
    assert "before training (epoch 0)" in texts and "after training (epoch 2)" in texts


def test_before_after_japanese(trace):
    texts = _texts(plot_filters(trace, style=Style(lang="ja", width=480, height=360)))
    assert any("フィルター" in t for t in texts)
    assert "学習前 (0 エポック)" in texts and "学習後 (2 エポック)" in texts


def test_feature_maps_show_the_digit_conv_and_pool(trace):
    fig = plot_features(trace, frame=1, style=SMALL)
    digit, conv, pool = _images(fig)
    np.testing.assert_array_equal(digit.get_array(), trace.data["digit"])
    np.testing.assert_allclose(
        conv.get_array()[tile(0, (24, 24), 5)], _scaled(trace.outputs["conv"][1, 0])
    )
    np.testing.assert_allclose(
        pool.get_array()[tile(29, (12, 12), 5)], _scaled(trace.outputs["pool"][1, 29])
    )
    texts = _texts(fig)
    assert "after convolution\n30 × 24 × 24" in texts
    assert "after ReLU + pooling\n30 × 12 × 12" in texts
    assert "input (label 7)" in texts and "epoch 1" in texts[0]


def test_feature_maps_japanese_dark(trace):
    style = Style(lang="ja", theme="dark", width=480, height=360)
    texts = _texts(plot_features(trace, style=style))
    assert "畳み込み層の出力\n30 × 24 × 24" in texts
    assert any("プーリング" in t for t in texts)


def test_filter_frames_blitted_equal_full_redraws(trace):
    source = frames_filters(trace, style=SMALL)
    blitted = list(source.rgba())
    for k in (0, 2):
        still = source.still(k)
        still.canvas.draw()
        np.testing.assert_array_equal(
            np.asarray(still.canvas.buffer_rgba()), blitted[k]
        )
