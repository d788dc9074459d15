"""Samplers, sweep, gradients and metrics lessons (spiral: offline and fast)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import SHARED_MNIST
from vizlearn.core.samplers import SAMPLERS
from vizlearn.lessons import gradients, metrics, samplers, sweep
from vizlearn.render.runs import read_runs

# ---- samplers -------------------------------------------------------------------


def test_coverage_replays_the_training_batches():
    cov = samplers.coverage("with-replacement", 50, 5, 30, seed=3)
    batches = SAMPLERS["with-replacement"](50, 5, np.random.default_rng([3, 1]))
    seen = np.zeros(50, bool)
    for i in range(1, 31):
        seen[next(batches)] = True
        assert cov[i] == seen.mean()
    assert cov[0] == 0 and np.all(np.diff(cov) >= 0)


def test_samplers_lesson_coverage_and_accuracy():
    trace = samplers.run(samplers.SamplersConfig(iters=100))
    s = samplers.summary(trace)["samplers"]
    assert list(s) == ["with-replacement", "without-replacement", "epoch-shuffle"]
    assert s["epoch-shuffle"]["coverage_after_1_epoch"] == 1.0
    assert s["epoch-shuffle"]["iteration_all_seen"] == 10  # 300 / 30
    for name in ("with-replacement", "without-replacement"):
        # 1 - (1 - 1/300)^300 = 0.633, give or take the draw
        assert 0.55 < s[name]["coverage_after_1_epoch"] < 0.72
    for run in read_runs(trace):
        assert len(trace.data[f"coverage/{run.label}"]) == 101
        assert run.metrics["train_acc"].shape == (11,)  # start + 10 epochs
        assert 0 <= s[run.label]["test_acc"] <= 1


def test_samplers_config_rejects_unknown_sampler():
    with pytest.raises(ValueError, match="--sampler must be one of with-replacement"):
        samplers.SamplersConfig(samplers=("random",))


# ---- sweep ----------------------------------------------------------------------


def test_parse_vary_and_grid():
    assert sweep.parse_vary("lr=0.1,1") == ("lr", (0.1, 1.0))
    assert sweep.parse_vary("batch-size=10, 20") == ("batch_size", (10, 20))
    config = sweep.SweepConfig(
        vary=(sweep.parse_vary("lr=0.1,1"), sweep.parse_vary("activation=relu,tanh"))
    )
    points = sweep.grid(config)
    assert [(p.lr, p.activation) for p in points] == [
        (0.1, "relu"),
        (0.1, "tanh"),
        (1.0, "relu"),
        (1.0, "tanh"),
    ]
    with pytest.raises(ValueError, match="NAME one of lr, layers"):
        sweep.parse_vary("momentum=0.9")
    with pytest.raises(ValueError, match="must be a int"):
        sweep.parse_vary("layers=two")
    with pytest.raises(ValueError, match="--vary: --activation must be one of"):
        sweep.SweepConfig(vary=(("activation", ("relu", "swish")),))
    with pytest.raises(
        ValueError, match="a grid of 1,000,000 runs; the limit is 1,000"
    ):
        sweep.SweepConfig(
            vary=(("lr", tuple(range(1, 1001))), ("hidden", tuple(range(1, 1001))))
        )


def test_sweep_results_do_not_depend_on_jobs():
    vary = (sweep.parse_vary("lr=0.5,2"), sweep.parse_vary("hidden=5,10"))
    one = read_runs(sweep.run(sweep.SweepConfig(epochs=15, vary=vary, jobs=1)))
    two = read_runs(sweep.run(sweep.SweepConfig(epochs=15, vary=vary, jobs=2)))
    assert [r.label for r in one] == [
        "lr=0.5, hidden=5",
        "lr=0.5, hidden=10",
        "lr=2, hidden=5",
        "lr=2, hidden=10",
    ]
    for a, b in zip(one, two, strict=True):
        assert a.values == b.values
        np.testing.assert_array_equal(a.epochs, np.arange(16))
        for k in ("train_acc", "test_acc", "train_loss", "test_loss"):
            np.testing.assert_array_equal(a.metrics[k], b.metrics[k])
    assert len({float(r.metrics["train_loss"][-1]) for r in one}) == 4


def test_sweep_worker_failure_is_reported(tmp_path):
    config = sweep.SweepConfig(
        dataset="mnist",
        data_dir=str(tmp_path),
        epochs=1,
        vary=(sweep.parse_vary("lr=0.1"),),
    )
    with pytest.raises(RuntimeError, match="a sweep run .* failed: .*MNIST not found"):
        sweep.run(config)


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason="shared MNIST not present")
def test_ten_sigmoid_layers_stay_at_chance_while_relu_learns():
    # the Keras tutorial's lesson on a reduced budget: 10 hidden layers of 32,
    # SGD lr 0.01, batch 32, 5 epochs of 8 000 MNIST images
    config = sweep.SweepConfig(
        dataset="mnist",
        data_dir=str(SHARED_MNIST),
        split_from_test=8000,
        layers=10,
        hidden=32,
        lr=0.01,
        batch_size=32,
        epochs=5,
        jobs=2,
        vary=(sweep.parse_vary("activation=sigmoid,relu"),),
    )
    sigmoid, relu = read_runs(sweep.run(config))
    assert sigmoid.values == {"activation": "sigmoid"}
    assert sigmoid.metrics["test_acc"].max() < 0.15  # chance is 0.1
    assert sigmoid.metrics["train_loss"][-1] > 2.2  # ln 10 = 2.30
    assert relu.metrics["test_acc"][-1] > 0.35
    assert relu.metrics["train_loss"][-1] < 1.8


# ---- gradients ------------------------------------------------------------------


def test_gradients_lesson_agrees_and_times_three_methods():
    config = gradients.GradientsConfig(
        dataset="spiral", hidden=8, batch_size=30, warmup=20, naive=30, repeats=1
    )
    trace = gradients.run(config)
    meta = trace.meta
    assert meta["tensors"] == ["W1", "b1", "W2", "b2"]
    assert all(err < 1e-6 for err in gradients.rel_errors(trace).values())
    assert meta["naive_vs_numerical"] < 1e-10
    assert meta["naive_measured"] == 30 and meta["n_params"] == 2 * 8 + 8 + 8 * 3 + 3
    s = gradients.summary(trace)
    assert set(s["seconds_per_iter"]) == {"backprop", "numerical", "naive"}
    assert all(v > 0 for v in s["seconds_per_iter"].values())


# ---- metrics --------------------------------------------------------------------


def test_confusion_precision_recall_by_hand():
    t = np.array([0, 0, 1, 1, 1, 2])
    y = np.array([0, 1, 1, 1, 0, 1])
    cm = metrics.confusion_matrix(t, y, 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [1, 2, 0], [0, 1, 0]])
    precision, recall = metrics.precision_recall(cm)
    np.testing.assert_allclose(precision, [1 / 2, 2 / 4, 0])  # class 2 never predicted
    np.testing.assert_allclose(recall, [1 / 2, 2 / 3, 0])


def test_metrics_report_from_a_run_and_from_its_saved_trace(tmp_path):
    config = metrics.MetricsConfig(
        dataset="spiral",
        hidden=10,
        lr=1.0,
        batch_size=30,
        iters=300,
        frames=2,
        weight_init="xavier",
    )
    trace = metrics.run(config)
    r = metrics.report(trace)
    cm = np.array(r["confusion"])
    assert cm.shape == (3, 3) and cm.sum() == r["n_test"] == 300
    assert r["accuracy"] == pytest.approx(np.trace(cm) / 300)
    assert r["misclassified"] == 300 - np.trace(cm)
    assert r["accuracy"] == pytest.approx(float(trace.metrics["test_acc"][-1]))
    assert sum(c["support"] for c in r["per_class"].values()) == 300
    path = trace.save(tmp_path / "run.npz")
    loaded = metrics.run(metrics.MetricsConfig(trace=str(path)))
    assert metrics.report(loaded) == r


def test_metrics_refuses_a_trace_without_predictions(tmp_path):
    from vizlearn.trace import Recorder, TraceError

    rec = Recorder(meta={"lesson": "sin-regression"})
    rec.record(0, loss=1.0, params={"w": [1.0]})
    path = rec.freeze().save(tmp_path / "reg.npz")
    with pytest.raises(TraceError, match="not a classification run"):
        metrics.run(metrics.MetricsConfig(trace=str(path)))
