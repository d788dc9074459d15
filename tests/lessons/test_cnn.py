"""The cnn lesson: SimpleConvNet trained on MNIST through train_classifier/fit."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import SHARED_MNIST, needs_mnist
from vizlearn.core import SimpleConvNet
from vizlearn.lessons.cnn import LESSON, CnnConfig
from vizlearn.trace import load_trace

TINY = {"epochs": 2, "train_size": 100, "test_size": 30, "digit": 3}


@pytest.fixture(scope="module")
def trace():
    config = LESSON.make_config(
        data_dir=str(SHARED_MNIST), split_from_test=8000, **TINY
    )
    return LESSON.run(config)


def test_defaults_are_the_books():
    c = CnnConfig()
    assert (c.epochs, c.optimizer, c.lr, c.batch_size) == (20, "adam", 0.001, 100)
    assert (c.train_size, c.test_size) == (5000, 1000)  # train_convnet.py's cut
    assert c.iters == 20 * 50 and c.frames == 21
    assert CnnConfig(split_from_test=8000, train_size=0).iters == 20 * 80
    assert LESSON.n_steps(c) == 1000 and LESSON.n_frames(c) == 21


@pytest.mark.parametrize(
    "options,message",
    [
        ({"epochs": 0}, "--epochs must be >= 1"),
        ({"lr": float("nan")}, "--lr"),
        ({"optimizer": "rmsprop"}, "--optimizer must be one of"),
        ({"train_size": -1}, "--train-size must be >= 0"),
    ],
)
def test_bad_options_are_refused_in_one_line(options, message):
    with pytest.raises(ValueError, match=message):
        LESSON.make_config(**options)


@needs_mnist
def test_digit_beyond_the_test_images_is_refused_before_training():
    config = LESSON.make_config(
        data_dir=str(SHARED_MNIST), split_from_test=8000, test_size=10, digit=10
    )
    with pytest.raises(ValueError, match="--digit must be below the 10 test images"):
        LESSON.run(config)


@needs_mnist
def test_trace_holds_filters_and_feature_maps_per_epoch(trace):
    assert trace.n_records == 3  # before training and after each of 2 epochs
    assert list(trace.steps) == [0, 1, 2]  # 100 images / 100 per batch
    assert trace.outputs["filters"].shape == (3, 30, 1, 5, 5)
    assert trace.outputs["conv"].shape == (3, 30, 24, 24)
    assert trace.outputs["pool"].shape == (3, 30, 12, 12)
    assert len(trace.metrics["test_acc"]) == 3
    assert trace.meta["lesson"] == "cnn" and trace.meta["n_train"] == 100
    assert trace.data["digit"].shape == (28, 28)
    assert "sizes" not in trace.meta


@needs_mnist
def test_first_snapshot_is_the_initial_network(trace):
    net = SimpleConvNet(rng=np.random.default_rng(0), dtype=np.float32)
    np.testing.assert_allclose(trace.outputs["filters"][0], net.conv.W.data)
    assert not np.allclose(trace.outputs["filters"][-1], net.conv.W.data)


@needs_mnist
def test_pooled_maps_are_the_max_of_relu_conv(trace):
    conv, pool = trace.outputs["conv"][-1], trace.outputs["pool"][-1]
    relu = np.maximum(conv, 0).reshape(30, 12, 2, 12, 2)
    np.testing.assert_allclose(pool, relu.max(axis=(2, 4)), rtol=1e-6)


@needs_mnist
def test_trace_round_trips(trace, tmp_path):
    back = load_trace(trace.save(tmp_path / "cnn.npz"))
    np.testing.assert_array_equal(back.outputs["filters"], trace.outputs["filters"])
    assert back.meta["config"]["epochs"] == 2


@needs_mnist
def test_same_seed_same_trace(trace):
    config = LESSON.make_config(
        data_dir=str(SHARED_MNIST), split_from_test=8000, **TINY
    )
    again = LESSON.run(config)
    np.testing.assert_array_equal(again.loss, trace.loss)
    np.testing.assert_array_equal(again.outputs["conv"], trace.outputs["conv"])


@needs_mnist
def test_summary_numbers(trace):
    s = LESSON.summary(trace)
    assert s["iterations"] == 2 and s["epochs"] == 2 and s["n_test"] == 30
    assert 0 <= s["test_acc"] <= 1
