"""The mnist lesson and its training loop: the book's result, recording, gradients."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import SHARED_MNIST, needs_mnist
from vizlearn.datasets.split import load_split
from vizlearn.lessons.mnist import MnistConfig, run, summary
from vizlearn.lessons.options import parse_weight_init
from vizlearn.lessons.training import build_classifier, train_classifier
from vizlearn.trace import load_trace


@needs_mnist
def test_book_defaults_reach_90_percent_on_the_8000_2000_split(tmp_path):
    # the book's setting, unchanged: 784-50-10 sigmoid, SGD 0.1, batch 100, 10 000
    trace = run(MnistConfig(data_dir=str(SHARED_MNIST), split_from_test=8000))
    s = summary(trace)
    assert s["test_acc"] >= 0.90, s
    assert s["train_acc"] >= 0.90 and s["iterations"] == 10_000
    assert trace.meta["iters_per_epoch"] == 80 and s["epochs"] == 125
    assert len(trace.loss) == 10_000 and trace.loss[-1] < trace.loss[0] / 5
    # accuracy at the start and after each of the 125 epochs
    np.testing.assert_array_equal(trace.metric_steps, np.arange(0, 10_001, 80))
    assert trace.metrics["test_acc"][0] < 0.2  # chance before training
    # never every weight at every iteration: a cadence, a subset, summaries
    assert trace.n_records == 50
    assert {k: v.shape for k, v in trace.params.items()} == {
        "W1": (50, 32),
        "b1": (50, 32),
        "W2": (50, 32),
        "b2": (50, 10),
    }
    assert trace.outputs["hist/W1"].shape == (50, 30)
    assert trace.outputs["hist/W1"].sum(axis=1).tolist() == [39_200] * 50
    norms = trace.outputs["norm/W1"]
    assert norms[-1] > norms[0]
    tracked = trace.data["tracked/W1"]
    assert len(np.unique(tracked)) == 32 and tracked.max() < 39_200
    # the final predictions are kept for the metrics lesson
    pred, label = trace.data["test_pred"], trace.data["test_label"]
    assert np.isclose((pred == label).mean(), s["test_acc"])
    assert trace.data["mis_x"].dtype == np.uint8
    path = trace.save(tmp_path / "run.npz")
    assert path.stat().st_size < 400_000
    assert summary(load_trace(path)) == s


def _spiral(activation="sigmoid", dtype=np.float64, **kw):
    split = load_split("spiral", seed=0, dtype=dtype)
    model = build_classifier(
        split, hidden=10, activation=activation, weight_init="xavier", dtype=dtype
    )
    options = {"lr": 1.0, "batch_size": 30, "iters": 40, "frames": 5, "track": 4}
    return model, split, {**options, **kw}


def test_numerical_gradient_training_follows_backprop():
    model_a, split, kw = _spiral()
    model_b, _, _ = _spiral()
    a = train_classifier(model_a, split, grad="backprop", **kw)
    b = train_classifier(model_b, split, grad="numerical", **kw)
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-6)
    for name, p in model_a.params().items():
        np.testing.assert_allclose(p.data, model_b.params()[name].data, atol=1e-7)


def test_same_seed_same_trace_and_planar_test_set_is_a_new_draw():
    model, split, kw = _spiral()
    first = train_classifier(model, split, **kw)
    model, split, kw = _spiral()
    again = train_classifier(model, split, **kw)
    for group in ("params", "outputs", "metrics", "data"):
        for k, v in getattr(first, group).items():
            np.testing.assert_array_equal(v, getattr(again, group)[k])
    assert split.x_train.shape == split.x_test.shape == (300, 2)
    assert not np.array_equal(split.x_train, split.x_test)
    assert "test_x" in first.data  # 2-D points are kept for the scatter


def test_divergence_stops_training_and_keeps_a_valid_trace():
    model, split, kw = _spiral("relu", np.float32, lr=1e20, iters=200)
    trace = train_classifier(model, split, **kw)
    assert trace.diverged_at is not None and trace.diverged_at < 200
    assert len(trace.loss) == trace.diverged_at
    assert np.isfinite(trace.loss).all()
    assert trace.steps.max() < trace.diverged_at + 1  # no snapshot of NaN weights


def test_config_errors_name_the_option():
    with pytest.raises(
        ValueError, match="--frames must be at most the number of iterations"
    ):
        MnistConfig(iters=5, frames=10)
    with pytest.raises(
        ValueError, match="--weight-init: a weight init must be xavier, he or a std > 0"
    ):
        MnistConfig(weight_init="big")
    with pytest.raises(ValueError, match="--lr must be > 0"):
        MnistConfig(lr=0)
    assert parse_weight_init("0.01") == 0.01 and parse_weight_init("he") == "he"


def test_unknown_dataset_is_refused():
    allowed = "mnist, fashion-mnist, kmnist, spiral, circles, xor, blobs"
    with pytest.raises(ValueError, match=f"--dataset must be one of {allowed}, not"):
        load_split("cifar")


def test_an_update_that_overflows_at_an_epoch_end_is_divergence():
    # full batch: every step ends an epoch, so the overflowed model is evaluated
    model, split, kw = _spiral("relu", np.float32, lr=1e38, batch_size=300, iters=5)
    trace = train_classifier(model, split, **kw)
    assert trace.diverged_at == 1 and len(trace.loss) == 1
    assert trace.metric_steps.tolist() == [0] and trace.steps.tolist() == [0]
