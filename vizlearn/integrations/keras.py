"""Keras 3: a callback that records ``model.fit`` into a vizlearn Trace.

>>> cb = VizlearnCallback()                                  # doctest: +SKIP
>>> model.fit(x, t, epochs=20, callbacks=[cb])               # doctest: +SKIP
>>> vl.plot(cb.trace, "metrics").save("keras.png")           # doctest: +SKIP

Steps are iterations (batches), as in vizlearn's own lessons: the loss at
every batch (Keras reports the running mean of the epoch so far, what its
progress bar shows), the metrics of every epoch (``accuracy``,
``val_loss``, ...) at the iteration the epoch ended, and the weights of the
chosen layers (all with weights by default) before training and after every
``snapshot_every`` epochs, named W1/b1/... (kernels are (in, out), as in the
book) or by Keras' paths (``names="path"``: ``dense/kernel``, with ``.``).

``inputs={"curve": grid, "fit": x}`` also records the model's predictions on
those inputs at each snapshot (and ``outputs/loss``, the compiled loss on
``data["x"]``/``data["t"]`` when the recorder has them), which is what the
regression figures and animation read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from vizlearn.integrations.naming import book_names, check_naming
from vizlearn.trace import Recorder, Trace

try:
    import keras
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "vizlearn.integrations.keras needs Keras 3: pip install keras "
        "(and a backend, e.g. torch with KERAS_BACKEND=torch)"
    ) from e

__all__ = ["VizlearnCallback"]

_ROLES = {"kernel": "W", "bias": "b", "embeddings": "W"}


class VizlearnCallback(keras.callbacks.Callback):
    """Record loss per batch, metrics per epoch and layer weights into a Recorder."""

    def __init__(
        self,
        recorder: Recorder | None = None,
        *,
        layers: Sequence[str] | None = None,
        names: str = "book",
        batches: bool = True,
        snapshot_every: int = 1,
        inputs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        check_naming(names)
        if snapshot_every < 1:
            raise ValueError(f"snapshot_every must be at least 1, got {snapshot_every}")
        self.recorder = recorder or Recorder(meta={"lesson": "keras"})
        self.recorder.meta.setdefault("lesson", "keras")
        self.layer_names = list(layers) if layers is not None else None
        self.names, self.batches, self.every = names, batches, snapshot_every
        self.inputs = dict(inputs or {})
        self.iteration = 0

    @property
    def trace(self) -> Trace:
        """What was recorded so far, frozen."""
        return self.recorder.freeze()

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        """Snapshot the weights before the first update (step 0)."""
        meta = self.recorder.meta
        meta.setdefault("step_unit", "iteration")
        if self.params and self.params.get("steps"):
            meta.setdefault("iters_per_epoch", int(self.params["steps"]))
        if self.recorder.last_snapshot_step() is None:
            self._snapshot(0)

    def on_train_batch_end(
        self, batch: int, logs: Mapping[str, Any] | None = None
    ) -> None:
        """Record the (running) loss of this iteration."""
        if self.batches and logs and "loss" in logs:
            self.recorder.record(self.iteration, loss=logs["loss"])
        self.iteration += 1

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        """Record the epoch's metrics, and the weights every ``snapshot_every``."""
        logs = dict(logs or {})
        step = self.iteration
        if not self.batches and "loss" in logs:
            self.recorder.record(step, loss=logs["loss"])
        metrics = {k: v for k, v in logs.items() if _is_number(v)}
        if metrics:
            self.recorder.record(step, metrics=metrics)
        if (epoch + 1) % self.every == 0:
            self._snapshot(step)

    def _snapshot(self, step: int) -> None:
        outputs = {k: _predict(self.model, x) for k, x in self.inputs.items()}
        if outputs and "x" in self.recorder.data and "t" in self.recorder.data:
            outputs["loss"] = self._data_loss()
        self.recorder.record(step, params=self._weights(), outputs=outputs)

    def _weights(self) -> dict[str, np.ndarray]:
        layers = [
            layer
            for layer in self.model.layers
            if layer.weights
            and (self.layer_names is None or layer.name in self.layer_names)
        ]
        if self.layer_names is not None:
            unknown = set(self.layer_names) - {layer.name for layer in layers}
            if unknown:
                known = ", ".join(layer.name for layer in self.model.layers)
                raise ValueError(
                    f"no layer with weights named {', '.join(sorted(unknown))}; "
                    f"the layers are {known}"
                )
        if self.names == "path":
            return {
                w.path.replace("/", "."): _numpy(w)
                for layer in layers
                for w in layer.trainable_weights
            }
        return book_names(
            (
                layer.name,
                {
                    _ROLES.get(w.name, w.name): _numpy(w)
                    for w in layer.trainable_weights
                },
            )
            for layer in layers
        )

    def _data_loss(self) -> float:
        """The compiled loss on the recorder's data x, t (no metric state touched)."""
        data = self.recorder.data
        predicted = self.model(np.asarray(data["x"]), training=False)
        t = np.asarray(data["t"]).reshape(tuple(predicted.shape))
        values = keras.losses.get(self.model.loss)(t, predicted)
        return float(keras.ops.convert_to_numpy(keras.ops.mean(values)))


def _predict(model: Any, x: Any) -> np.ndarray:
    return _numpy(model(np.asarray(x), training=False))


def _numpy(value: Any) -> np.ndarray:
    """A float64 numpy copy of a Keras variable or backend tensor."""
    return np.array(keras.ops.convert_to_numpy(value), dtype=np.float64)


def _is_number(value: Any) -> bool:
    try:
        return np.size(value) == 1 and np.isfinite(float(value))
    except (TypeError, ValueError):
        return False
