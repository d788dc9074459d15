"""The chapter-7 layer lessons (conv, im2col, pooling): what their traces hold."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from vizlearn.lessons import conv
from vizlearn.trace import load_trace

SHARED_MNIST = Path(  # as tests/conftest.py finds it
    os.environ.get(
        "VIZLEARN_MNIST_DIR", Path(__file__).resolve().parents[3] / "shared/data/mnist"
    )
)
needs_mnist = pytest.mark.skipif(
    not SHARED_MNIST.is_dir(), reason="shared MNIST not present"
)


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
