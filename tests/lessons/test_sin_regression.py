"""The sin-regression lesson reproduces the DeZero note's behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.fitting import snapshot_steps
from vizlearn.lessons.sin_regression import SinRegressionConfig, run


@pytest.fixture(scope="module")
def default_trace():
    return run(SinRegressionConfig())


def test_defaults_are_the_lessons():
    c = SinRegressionConfig()
    assert (c.n, c.hidden, c.activation, c.lr, c.iters, c.frames) == (
        100,
        10,
        "sigmoid",
        0.2,
        10_000,
        101,
    )
    assert (c.weight_std, c.noise) == (0.01, 1.0)


# DeZero step 43 (steps/step43.py) prints the loss of every iteration; these
# are its values at iterations 0, 1000, ..., 9000 (np.random.seed(0), then
# x = rand, noise = rand, W1 = 0.01 randn, W2 = 0.01 randn)
BOOK_LOSSES = [
    0.8473695850105871,
    0.2514286285183607,
    0.2475948546674987,
    0.23786120447054812,
    0.21222231333102912,
    0.16742181117834126,
    0.09681932619992578,
    0.07849528290602335,
    0.07749729552991157,
    0.07722132399559317,
]


def test_the_default_run_is_the_books(default_trace):
    np.testing.assert_allclose(default_trace.loss[::1000], BOOK_LOSSES, rtol=1e-12)
    assert default_trace.loss[-1] == pytest.approx(0.0770, abs=5e-4)
    # no spike anywhere: the book's run only goes down
    assert np.diff(default_trace.loss).max() < 1e-6


def test_frames_land_on_round_iterations(default_trace):
    assert default_trace.steps.tolist() == list(range(0, 10_001, 100))


def test_another_seed_keeps_the_books_stream():
    legacy = np.random.RandomState(7)
    x = legacy.rand(100, 1)
    trace = run(SinRegressionConfig(seed=7, iters=10, frames=2))
    np.testing.assert_array_equal(trace.data["x"], x[:, 0])


def test_plateau_then_drop(default_trace):
    loss = default_trace.loss
    assert len(loss) == 10_000
    # a plateau: from iteration 1000 to 3000 the loss moves by less than 10% ...
    assert abs(loss[3000] - loss[1000]) < 0.1 * loss[1000]
    # ... then it falls by more than 40% within the next 3000 iterations ...
    assert loss[6000] < 0.6 * loss[3000]
    # ... down to the noise level: Var(U(0, 1)) = 1/12
    assert loss[-1] < 1 / 12 * 1.25


def test_final_curve_follows_the_sine(default_trace):
    grid, curve = default_trace.data["grid"], default_trace.outputs["curve"][-1]
    truth = np.sin(2 * np.pi * grid) + 0.5
    assert np.sqrt(np.mean((curve - truth) ** 2)) < 0.15


def test_snapshots_include_initial_and_final(default_trace):
    tr = default_trace
    assert tr.n_records == 101 and tr.steps[0] == 0 and tr.steps[-1] == 10_000
    assert tr.params["W1"].shape == (101, 1, 10) and tr.params["b2"].shape == (101, 1)
    assert tr.outputs["fit"].shape == (101, 100)
    # the snapshot loss is the loss of the snapshot's parameters
    np.testing.assert_allclose(tr.outputs["loss"][:-1], tr.loss[tr.steps[:-1]])


def test_same_seed_same_trace_other_seed_other_data():
    small = dict(iters=50, frames=5)
    a, b = run(SinRegressionConfig(**small)), run(SinRegressionConfig(**small))
    c = run(SinRegressionConfig(seed=1, **small))
    np.testing.assert_array_equal(a.loss, b.loss)
    assert not np.array_equal(a.data["x"], c.data["x"])


def test_huge_learning_rate_diverges_and_keeps_what_was_recorded():
    tr = run(
        SinRegressionConfig(
            lr=50.0, iters=2000, frames=21, activation="relu", weight_std=1.0
        )
    )
    assert tr.diverged_at is not None and tr.diverged_at < 2000
    assert np.isfinite(tr.loss).all() and len(tr.loss) == tr.diverged_at
    assert tr.steps[-1] <= tr.diverged_at


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0}, "--lr must be > 0"),
        ({"iters": 0}, "--iters must be >= 1"),
        ({"frames": 200, "iters": 100}, "at most the number of iterations \\+ 1 = 101"),
        ({"activation": "softsign"}, "sigmoid, relu, tanh"),
    ],
)
def test_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SinRegressionConfig(**kwargs)


def test_snapshot_steps_are_even_and_exact():
    assert snapshot_steps(10, 3).tolist() == [0, 5, 10]
    assert len(snapshot_steps(10_000, 100)) == 100
    with pytest.raises(ValueError):
        snapshot_steps(5, 7)


def test_divergence_keeps_the_last_finite_state():
    tr = run(SinRegressionConfig(lr=10.0))
    k = tr.diverged_at
    assert k is not None and 0 < k < 10_000
    # the last snapshot is the last state whose loss was finite
    assert tr.steps[-1] == k - 1 and len(tr.loss) == k
    assert tr.outputs["loss"][-1] == tr.loss[-1]
