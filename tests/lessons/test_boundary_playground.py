"""The boundary lesson's Playground controls (issue 19)."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.core import numerical_grad, softmax_cross_entropy
from vizlearn.datasets import planar
from vizlearn.lessons.boundary import (
    FEATURES,
    GRID,
    LESSON,
    BoundaryConfig,
    parse_features,
    parse_until,
    run,
)
from vizlearn.lessons.planar_training import PlanarRun

QUICK = {"epochs": 6, "frames": 3}


@pytest.fixture
def labelled(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(80, 2))
    t = np.where(x[:, 0] > 0, 7, -1)
    path = tmp_path / "mine.csv"
    rows = [f"{b:.5f},{lab},{a:.5f}" for (a, b), lab in zip(x, t, strict=True)]
    path.write_text("x2,label,x1\n" + "\n".join(rows) + "\n")
    return path, x, t


def test_feature_names_match_the_data_module():
    assert FEATURES == tuple(planar.FEATURES)


def test_own_labelled_data(labelled):
    path, x, t = labelled
    config = BoundaryConfig(data=str(path), test_ratio=0.25, **QUICK)
    assert config.n_points == 80 and config.n_test == 20
    assert config.iters_per_epoch == 2  # ceil(60 / 30)
    trace = run(config)
    assert trace.meta["labels"] == [-1, 7] and trace.meta["n_classes"] == 2
    both = np.concatenate([trace.data["x"], trace.data["x_test"]])
    np.testing.assert_allclose(np.sort(both, axis=0), np.sort(x, axis=0), atol=1e-5)
    assert set(np.unique(trace.data["t"])) == {0, 1}  # -1 -> 0, 7 -> 1
    with pytest.raises(ValueError, match="--noise applies to the generated"):
        BoundaryConfig(data=str(path), noise=0.1, **QUICK)


def test_own_data_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0,1,0\n0,1,0.5\n")
    with pytest.raises(ValueError, match=r"--data: .*line 3, column 3 \(label\)"):
        BoundaryConfig(data=str(bad), **QUICK)
    bad.write_text("x1,x2,label\n" + "".join(f"{i},0,{i}\n" for i in range(9)))
    with pytest.raises(ValueError, match="9 distinct labels; 2 to 8"):
        BoundaryConfig(data=str(bad), **QUICK)


def test_noise_reaches_the_generator():
    still = BoundaryConfig(dataset="blobs", noise=0.0, **QUICK).dataset_()[0]
    centres = np.unique(np.round(still.x, 12), axis=0)
    assert len(centres) == 3  # std 0: every point on its cluster's centre
    default = BoundaryConfig(dataset="blobs", **QUICK).dataset_()[0]
    np.testing.assert_array_equal(default.x, planar.blobs(seed=0).x)


def test_test_split_and_its_metrics():
    trace = run(BoundaryConfig(dataset="xor", test_ratio=0.2, **QUICK))
    assert trace.data["x"].shape == (240, 2) and trace.data["x_test"].shape == (60, 2)
    assert trace.outputs["test_pred"].shape == (3, 60)
    assert sorted(trace.metrics) == ["test_acc", "test_loss", "train_acc", "train_loss"]
    per_epoch = trace.meta["iters_per_epoch"]
    np.testing.assert_array_equal(trace.metric_steps, np.arange(7) * per_epoch)
    accuracy = (trace.outputs["test_pred"][-1] == trace.data["t_test"]).mean()
    assert (
        trace.outputs["test_accuracy"][-1] == accuracy == trace.metrics["test_acc"][-1]
    )


def test_l1_and_l2_gradients_match_the_numerical_gradient():
    config = BoundaryConfig(
        dataset="spiral", l1=0.05, l2=0.1, hidden=5, features=("x1", "x2", "x1x2")
    )
    run_ = PlanarRun(config)
    model, x, t = run_.model, run_.train.x[:20], run_.train.t[:20]
    weights = [p for name, p in model.params().items() if name.startswith("W")]

    def loss() -> float:
        value, _ = softmax_cross_entropy(model(x), t)
        value += sum(0.05 * np.abs(w.data).sum() for w in weights)
        return value + sum(0.1 / 2 * (w.data**2).sum() for w in weights)

    _, gy = softmax_cross_entropy(model(x), t)
    model.backward(gy, input_grad=False)
    for name, p in model.params().items():
        numeric = numerical_grad(loss, p.data, eps=1e-6)
        np.testing.assert_allclose(p.grad, numeric, rtol=1e-5, atol=1e-7, err_msg=name)


def test_l1_makes_weights_smaller():
    plain = run(BoundaryConfig(dataset="circles", epochs=40, frames=2))
    sparse = run(BoundaryConfig(dataset="circles", epochs=40, frames=2, l1=0.01))
    assert (
        np.abs(sparse.params["W1"][-1]).sum()
        < 0.8 * np.abs(plain.params["W1"][-1]).sum()
    )


def test_features_are_the_inputs():
    names = ("x1", "x2", "x1sq", "x2sq", "sin1")
    trace = run(BoundaryConfig(dataset="circles", features=names, **QUICK))
    assert trace.params["W1"].shape == (3, 5, 10)
    assert trace.meta["features"] == list(names)
    assert parse_features("x1, x1x2,sin2") == ("x1", "x1x2", "sin2")
    assert parse_features("('x1', 'x2')") == ("x1", "x2")  # click's text of the default
    for bad in ("x1,x1", "x3", ""):
        with pytest.raises(ValueError, match="--features must list distinct names"):
            parse_features(bad)


def test_init_seed_keeps_the_initial_weights():
    a = run(BoundaryConfig(dataset="spiral", seed=1, init_seed=5, **QUICK))
    b = run(BoundaryConfig(dataset="spiral", seed=2, init_seed=5, **QUICK))
    c = run(BoundaryConfig(dataset="spiral", seed=1, init_seed=6, **QUICK))
    for name in ("W1", "b1", "W2"):
        np.testing.assert_array_equal(a.params[name][0], b.params[name][0])
    assert not np.array_equal(a.params["W1"][0], c.params["W1"][0])
    assert not np.array_equal(a.data["x"], b.data["x"])  # the data did change
    assert a.meta["init_seed"] == 5
    # a re-run gives the same run, snapshot for snapshot
    again = run(BoundaryConfig(dataset="spiral", seed=1, init_seed=5, **QUICK))
    np.testing.assert_array_equal(a.params["W1"], again.params["W1"])


def test_until_parses_without_eval():
    assert parse_until("test_loss<0.01") == ("test_loss", "<", 0.01)
    assert parse_until(" accuracy >= 0.95 ") == ("train_acc", ">=", 0.95)
    assert parse_until("") is None
    for bad in ("__import__('os')", "test_loss<nan", "loss=0.1", "speed<1", "loss<1;x"):
        with pytest.raises(ValueError, match="--until must be METRIC<VALUE"):
            parse_until(bad)
    with pytest.raises(ValueError, match="needs --test-ratio"):
        BoundaryConfig(until="test_loss<0.1")
    with pytest.raises(ValueError, match="has no accuracy"):
        BoundaryConfig(dataset="plane", until="accuracy>0.9")


def test_until_stops_at_the_first_epoch_that_meets_it():
    config = BoundaryConfig(
        dataset="blobs", test_ratio=0.2, until="test_loss<0.3", epochs=200, frames=50
    )
    trace = run(config)
    stopped, per_epoch = trace.meta["stopped_at"], config.iters_per_epoch
    assert stopped % per_epoch == 0 and 0 < stopped < config.iters
    losses = trace.metrics["test_loss"]
    assert losses[-1] < 0.3 and (losses[:-1] >= 0.3).all()
    assert trace.metric_steps[-1] == trace.steps[-1] == stopped
    assert trace.outputs["test_loss"][-1] == pytest.approx(losses[-1])
    assert LESSON.summary(trace)["stopped_at"] == stopped


def test_regression_sets_are_playgrounds_scaled():
    plane = planar.plane(seed=0)
    assert plane.t.shape == (300, 1) and np.abs(plane.x).max() <= 1
    np.testing.assert_allclose(plane.t[:, 0], 0.6 * plane.x.sum(axis=1))
    gauss = planar.gauss(n=2000, seed=1)
    # Playground: sign * clamp(1 - d / 2) of the strongest bump, on [-6, 6]^2
    x6 = 6 * gauss.x
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1)]
    bumps.append((4, -2.5, -1))
    values = np.array(
        [s * np.clip(1 - np.hypot(*(x6 - [cx, cy]).T) / 2, 0, 1) for cx, cy, s in bumps]
    )
    expected = values[np.abs(values).argmax(axis=0), np.arange(len(x6))]
    np.testing.assert_allclose(gauss.t[:, 0], expected, atol=1e-12)
    noisy = planar.plane(seed=0, noise=0.5)
    np.testing.assert_array_equal(noisy.x, plane.x)  # noise moves the labels only
    assert not np.allclose(noisy.t, plane.t)


def test_regression_runs_draw_a_heat_map():
    trace = run(BoundaryConfig(dataset="gauss", **QUICK))
    assert trace.meta["task"] == "regression" and trace.meta["lr"] == 0.1
    assert trace.outputs["value"].shape == (3, GRID, GRID)
    assert "classes" not in trace.outputs and trace.params["W2"].shape[-1] == 1
    trained = run(BoundaryConfig(dataset="plane", epochs=100, frames=2))
    assert trained.outputs["data_loss"][-1] < 0.01 < trained.outputs["data_loss"][0]


def test_gallery_items_build():
    for item in LESSON.gallery:
        LESSON.make_config(**{**item.options, **item.quick})
