"""The chapter-7 layer lessons (conv, im2col, pooling): what their traces hold."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.helpers import SHARED_MNIST, needs_mnist
from vizlearn.lessons import conv, im2col, pooling
from vizlearn.trace import load_trace


def test_conv_default_is_figure_7_4(tmp_path):
    trace = conv.LESSON.run(conv.LESSON.make_config())
    np.testing.assert_array_equal(trace.data["y"], [[15, 16], [6, 15]])
    np.testing.assert_array_equal(trace.data["x"][0], conv.BOOK_INPUT)
    assert list(trace.outputs["filled"]) == [1, 2, 3, 4]
    assert trace.meta["lesson"] == "conv"
    back = load_trace(trace.save(tmp_path / "conv.npz"))
    np.testing.assert_array_equal(back.data["y"], trace.data["y"])


@pytest.mark.parametrize(
    "options,frames",
    [
        ({}, 4),  # one per output cell
        ({"pad": 2}, 36),  # (4 + 4 - 3) + 1 = 6 per side
        ({"input": "mnist"}, conv.MAX_FRAMES),  # 676 cells, several per frame
        ({"input": "mnist", "frames": 30}, 30),
    ],
)
def test_conv_frames_are_known_before_running(options, frames):
    assert conv.LESSON.n_frames(conv.LESSON.make_config(**options)) == frames


def test_conv_extra_channels_come_from_the_seed():
    a = conv.LESSON.run(conv.LESSON.make_config(channels=3, seed=1))
    b = conv.LESSON.run(conv.LESSON.make_config(channels=3, seed=1))
    c = conv.LESSON.run(conv.LESSON.make_config(channels=3, seed=2))
    np.testing.assert_array_equal(a.data["x"], b.data["x"])
    assert not np.array_equal(a.data["x"][1:], c.data["x"][1:])
    np.testing.assert_array_equal(a.data["x"][0], c.data["x"][0])  # the book's plane


@needs_mnist
def test_conv_over_an_mnist_digit():
    config = conv.LESSON.make_config(
        input="mnist", data_dir=str(SHARED_MNIST), split_from_test=8000, digit=2
    )
    trace = conv.LESSON.run(config)
    assert trace.data["x"].shape == (1, 28, 28)
    assert trace.data["y"].shape == (26, 26)
    assert trace.n_records == 100 and trace.outputs["filled"][-1] == 676
    window = trace.data["x"][0, 10:13, 5:8]
    assert trace.data["y"][10, 5] == pytest.approx((window * trace.data["W"][0]).sum())


@needs_mnist
def test_conv_digit_out_of_range_is_refused():
    config = conv.LESSON.make_config(
        input="mnist", data_dir=str(SHARED_MNIST), split_from_test=8000, digit=2000
    )
    with pytest.raises(ValueError, match="--digit must be below the 2000 test images"):
        conv.LESSON.run(config)


def test_im2col_trace_is_the_books_example():
    trace = im2col.LESSON.run(im2col.LESSON.make_config())
    x, col, col_W, out = (trace.data[k] for k in ("x", "col", "col_W", "out"))
    assert x.shape == (1, 3, 7, 7) and col.shape == (9, 75) and col_W.shape == (75, 2)
    np.testing.assert_array_equal(col[5], x[0, :, 1:6, 2:7].ravel())  # window (1, 2)
    product = (col @ col_W).reshape(1, 3, 3, 2).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(out, product)  # the Convolution layer agrees
    assert list(trace.outputs["phase"]) == [0] * 9 + [1, 1, 2, 3]
    assert im2col.LESSON.n_frames(im2col.LESSON.make_config()) == trace.n_records


def test_im2col_batch_of_four_and_the_drawing_limit():
    config = im2col.LESSON.make_config(batch=4, size=5, filter_size=3)
    assert im2col.LESSON.run(config).data["col"].shape == (36, 27)
    with pytest.raises(ValueError, match="im2col would have 100 rows; at most 64"):
        im2col.LESSON.make_config(batch=4, size=7, filter_size=3)
    with pytest.raises(ValueError, match="--filter-size 7 does not fit --image-size 5"):
        im2col.LESSON.make_config(size=5, filter_size=7)


def test_pooling_trace_is_figure_7_14():
    trace = pooling.LESSON.run(pooling.LESSON.make_config())
    np.testing.assert_array_equal(trace.data["y"], [[2, 3], [4, 2]])
    np.testing.assert_array_equal(trace.data["arg"], [[1, 3], [3, 1]])  # in-window
    assert trace.n_records == pooling.LESSON.n_frames(pooling.LESSON.make_config()) == 8
    with pytest.raises(ValueError, match="--pool 4 does not fit a 3x3 map"):
        pooling.LESSON.make_config(input="random", size=3, pool=4)


def test_lesson_modules_import_neither_numpy_nor_matplotlib():
    code = (
        "import sys\n"
        "import vizlearn.lessons.conv, vizlearn.lessons.im2col\n"
        "import vizlearn.lessons.pooling, vizlearn.lessons.cnn\n"
        "print(sorted(m for m in ('numpy', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
