"""model.fit(..., callbacks=[VizlearnCallback()]) draws like vizlearn's lessons."""

from __future__ import annotations

import os

import numpy as np
import pytest

import vizlearn as vl
from tests.integrations.conftest import SMALL, assert_draws_like_the_lesson, sin_data

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="Keras 3 not installed (pip install keras; KERAS_BACKEND=torch)"
)
from vizlearn.integrations.keras import VizlearnCallback  # noqa: E402


def _sin_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((1,)),
            keras.layers.Dense(10, activation="sigmoid", name="hidden"),
            keras.layers.Dense(1, name="out"),
        ],
        name="net",
    )
    model.compile(optimizer=keras.optimizers.SGD(0.2), loss="mse")
    return model


def test_fit_with_the_callback_draws_like_the_lesson(lesson_trace, tmp_path):
    data = sin_data()
    rec = vl.Recorder(data=data)
    cb = VizlearnCallback(rec, inputs={"curve": data["grid"], "fit": data["x"]})
    _sin_model().fit(
        data["x"], data["t"], epochs=4, batch_size=25, callbacks=[cb], verbose=0
    )
    trace = cb.trace
    assert trace.steps.tolist() == [0, 4, 8, 12, 16]  # 4 batches an epoch
    assert trace.loss_steps.tolist() == list(range(16))  # one loss per batch
    assert trace.metric_steps.tolist() == [4, 8, 12, 16]
    assert trace.meta["iters_per_epoch"] == 4
    # outputs/loss is the compiled loss on all the data at each snapshot
    assert trace.outputs["loss"][0] == pytest.approx(
        np.mean((trace.outputs["fit"][0] - data["t"][:, 0]) ** 2), rel=1e-5
    )
    assert_draws_like_the_lesson(trace, lesson_trace, tmp_path)


def test_classifier_metrics_per_epoch_and_chosen_layers(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    t = (x[:, 0] * x[:, 1] > 0).astype(int)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(8, activation="relu", name="hidden"),
            keras.layers.Dense(2, activation="softmax", name="out"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = VizlearnCallback(layers=["out"], batches=False)
    model.fit(
        x, t, epochs=3, batch_size=20, validation_split=0.25, callbacks=[cb], verbose=0
    )
    trace = cb.trace
    assert sorted(trace.params) == ["W1", "b1"] and trace.params["W1"].shape == (
        4,
        8,
        2,
    )
    assert {"accuracy", "val_accuracy", "loss", "val_loss"} <= set(trace.metrics)
    assert trace.loss_steps.tolist() == trace.metric_steps.tolist() == [3, 6, 9]
    style = vl.Style(**SMALL)
    for kind in ("metrics", "accuracy", "loss", "params"):
        assert vl.plot(trace, kind, style=style).save(tmp_path / f"{kind}.png")
    with pytest.raises(ValueError, match="no layer with weights named nope"):
        model.fit(
            x, t, epochs=1, callbacks=[VizlearnCallback(layers=["nope"])], verbose=0
        )


def test_paths_name_the_weights_as_keras_does():
    cb = VizlearnCallback(names="path")
    model = _sin_model()
    data = sin_data(n=20)
    model.fit(data["x"], data["t"], epochs=1, callbacks=[cb], verbose=0)
    assert sorted(cb.trace.params) == [
        "net.hidden.bias",
        "net.hidden.kernel",
        "net.out.bias",
        "net.out.kernel",
    ]
