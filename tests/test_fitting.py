"""The fit loop: what it records, and that recording never changes training."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.core import MLP, SGD
from vizlearn.datasets.toy import sin_regression
from vizlearn.fitting import fit


def _setup(seed=0):
    rng = np.random.default_rng(seed)
    data = sin_regression(30, rng=rng)
    return MLP([1, 5, 1], weight_std=1.0, rng=rng), data


def _plain_loop(model, data, iters, lr):
    from vizlearn.core import mean_squared_error

    for _ in range(iters):
        _, gy = mean_squared_error(model.forward(data.x), data.t)
        model.backward(gy)
        for p in model.params().values():
            p.data -= lr * p.grad
    return model


def test_probing_on_other_inputs_does_not_change_training():
    model, data = _setup()
    grid = np.linspace(-3, 3, 17)[:, None]  # other inputs than the training batch
    trace = fit(
        model,
        data,
        optimizer=SGD(0.3),
        iters=40,
        record_at=range(0, 41, 5),
        probe=lambda m: {"curve": m(grid)[:, 0]},
    )
    reference = _plain_loop(_setup()[0], data, 40, 0.3)
    for name, p in reference.params().items():
        np.testing.assert_array_equal(trace.params[name][-1], p.data, err_msg=name)


def test_loss_and_snapshots_line_up():
    model, data = _setup()
    trace = fit(model, data, optimizer=SGD(0.1), iters=10, record_at=[0, 5, 10])
    assert trace.loss_steps.tolist() == list(range(10))
    assert trace.steps.tolist() == [0, 5, 10]
    np.testing.assert_allclose(trace.outputs["loss"][:2], trace.loss[[0, 5]])


def test_a_probe_that_runs_backward_does_not_change_training():
    from vizlearn.core import mean_squared_error

    model, data = _setup()
    other = np.linspace(-2, 2, 11)[:, None]

    def probe(m):  # a forward and a backward on other data, as a histogram probe does
        _, gy = mean_squared_error(m(other), np.zeros((11, 1)))
        m.backward(gy)
        return {"curve": m(other)[:, 0]}

    trace = fit(
        model,
        data,
        optimizer=SGD(0.3),
        iters=40,
        record_at=range(0, 41, 5),
        probe=probe,
    )
    reference = _plain_loop(_setup()[0], data, 40, 0.3)
    for name, p in reference.params().items():
        np.testing.assert_array_equal(trace.params[name][-1], p.data, err_msg=name)


def test_the_recorded_loss_includes_weight_decay():
    from vizlearn.core import MLP, SGD, softmax_cross_entropy
    from vizlearn.datasets.toy import Dataset
    from vizlearn.fitting import fit

    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(20, 2)), rng.integers(0, 3, 20)
    model = MLP(
        [2, 4, 3], weight_std=1.0, rng=np.random.default_rng(1), weight_decay=0.1
    )
    data_loss, _ = softmax_cross_entropy(model.forward(x), t)
    penalty = model.penalty()
    assert penalty > 0.01
    trace = fit(
        model,
        Dataset(x, t),
        optimizer=SGD(0.1),
        iters=1,
        loss="softmax_cross_entropy",
    )
    assert trace.loss[0] == pytest.approx(data_loss + penalty)
