"""What several lessons share: building their networks and training them with `fit`.

``train_regression`` is DeZero's full-batch regression (sin-regression and the
user's own points); ``train_classifier`` is the book's ``train_neuralnet.py``
loop (minibatches, backprop or the numerical gradient, accuracy on the
training and test data once per epoch). Both are `vizlearn.fitting.fit` with a
policy: what to evaluate, what to snapshot, how to take the gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.core import MLP, OPTIMIZERS, SGD, softmax_cross_entropy
from vizlearn.core.samplers import SAMPLERS, batches_per_epoch
from vizlearn.datasets.split import Split, load_split
from vizlearn.datasets.toy import Dataset
from vizlearn.fitting import TrackedElements, evaluating, fit, snapshot_steps
from vizlearn.lessons.options import parse_weight_init
from vizlearn.trace import Recorder, Trace

__all__ = [
    "split_for",
    "build_classifier",
    "evaluate",
    "train_classifier",
    "train_regression",
    "run_classifier",
    "runs_trace",
    "ACT_RANGES",
    "activation_histogram",
    "MAX_MISCLASSIFIED",
]

MAX_MISCLASSIFIED = 100  # inputs of wrongly classified test examples kept in a trace


def split_for(config: Any, dtype: type, dataset: str | None = None) -> Split:
    """``load_split`` with the data options of ``config`` (set, seed, dirs, scale)."""
    return load_split(
        dataset or config.dataset,
        seed=config.seed,
        dtype=dtype,
        data_dir=config.data_dir,
        cache_dir=config.cache_dir,
        split_from_test=config.split_from_test,
        normalize=getattr(config, "normalize", True),
    )


def build_classifier(
    split: Split,
    *,
    hidden: int,
    layers: int = 1,
    activation: str = "sigmoid",
    weight_init: str = "0.01",
    seed: int = 0,
    dtype: type = np.float32,
) -> MLP:
    """The network in -> hidden x layers -> classes, weights drawn from ``seed``."""
    sizes = [split.n_inputs, *[hidden] * layers, split.n_classes]
    return MLP(
        sizes,
        activation=activation,
        weight_std=parse_weight_init(weight_init),
        rng=np.random.default_rng(seed),
        dtype=dtype,
    )


def evaluate(model: Any, x: NDArray, t: NDArray) -> tuple[float, float, NDArray]:
    """Return (mean loss, accuracy, predicted labels) of ``model`` on ``(x, t)``."""
    y = model.forward(x)
    loss, _ = softmax_cross_entropy(y, t)
    pred = y.argmax(axis=1)
    return loss, float((pred == t).mean()), pred


def _split_metrics(split: Split) -> Callable[[Any], dict[str, float]]:
    def metrics(model: Any) -> dict[str, float]:
        train_loss, train_acc, _ = evaluate(model, split.x_train, split.t_train)
        test_loss, test_acc, _ = evaluate(model, split.x_test, split.t_test)
        return {
            "train_acc": train_acc,
            "test_acc": test_acc,
            "train_loss": train_loss,
            "test_loss": test_loss,
        }

    return metrics


def _numerical_gradient(model: Any, x: NDArray, t: NDArray) -> None:
    from vizlearn.core.fastgrad import numerical_gradients

    for name, g in numerical_gradients(model, x, t).items():
        p = model.params()[name]
        p.grad = g.astype(p.data.dtype)


def train_classifier(
    model: MLP,
    split: Split,
    *,
    optimizer: str = "sgd",
    lr: float = 0.1,
    sampler: str = "with-replacement",
    batch_size: int = 100,
    iters: int = 10_000,
    grad: str = "backprop",
    frames: int = 50,
    track: int = 32,
    seed: int = 0,
    meta: Mapping[str, Any] | None = None,
    on_step: Callable[[int], Any] | None = None,
    probe: Callable[[Any], Mapping[str, Any]] | None = None,
) -> Trace:
    """Train ``model`` on ``split`` the book's way and return the recorded Trace.

    ``metrics`` hold ``train_acc``, ``test_acc``, ``train_loss`` and
    ``test_loss`` at iteration 0 and at the end of every epoch
    (``meta["iters_per_epoch"]`` updates); ``params`` hold ``track`` elements
    per tensor (their flat indices in ``data["tracked/W1"]``, ...), and
    ``outputs`` each tensor's norm and histogram, at ``frames`` snapshots.
    ``data`` keeps the final test predictions and a few misclassified inputs.
    ``probe(model)`` adds the lesson's own outputs to every snapshot.
    """
    n = len(split.x_train)
    per_epoch = batches_per_epoch(n, batch_size)
    tracked = TrackedElements(model, track, seed)
    recorder = Recorder(
        meta={
            **(meta or {}),
            "task": "classification",
            "iters_per_epoch": per_epoch,
            "n_train": n,
            "n_test": len(split.x_test),
            "dataset": split.name,
            **({"white": split.white} if split.image_shape is not None else {}),
            **({"sizes": list(model.sizes)} if hasattr(model, "sizes") else {}),
        }
    )
    trace = fit(
        model,
        Dataset(split.x_train, split.t_train),
        optimizer=OPTIMIZERS[optimizer](lr=lr),
        iters=iters,
        record_at=snapshot_steps(iters, min(frames, iters + 1)),
        loss="softmax_cross_entropy",
        probe=tracked.stats if probe is None else _both(tracked.stats, probe),
        snapshot=tracked.params,
        evaluate=_split_metrics(split),
        eval_at=[*range(0, iters + 1, per_epoch), iters],
        batches=SAMPLERS[sampler](n, batch_size, np.random.default_rng([seed, 1])),
        gradient=_numerical_gradient if grad == "numerical" else None,
        recorder=recorder,
        on_step=on_step,
        keep_last_good=False,
    )
    return replace(trace, data={**trace.data, **_final_data(model, split, tracked)})


def _both(first: Callable, second: Callable) -> Callable[[Any], dict[str, Any]]:
    return lambda model: {**first(model), **second(model)}


def _final_data(
    model: MLP, split: Split, tracked: TrackedElements
) -> dict[str, NDArray]:
    """Test labels, final predictions and the inputs of a few misclassified ones."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        with evaluating(model):
            _, _, pred = evaluate(model, split.x_test, split.t_test)
    wrong = np.flatnonzero(pred != split.t_test)[:MAX_MISCLASSIFIED]
    x = split.x_test[wrong]
    if split.image_shape is not None:  # pixels in [0, white] -> uint8, 4x smaller
        x = np.round(np.clip(x / split.white, 0, 1) * 255).astype(np.uint8)
    data = {
        "test_label": split.t_test.astype(np.int64),
        "test_pred": pred,
        "mis_index": wrong,
        "mis_x": x,
    }
    if split.image_shape is None:  # 2-D points: keep the whole (small) test set
        data["test_x"] = split.x_test.astype(np.float64)
    for name, indices in tracked.indices.items():
        data[f"tracked/{name}"] = indices.astype(np.int64)
    return data


def train_regression(
    config: Any,
    data: Dataset,
    rng: np.random.Generator,
    probe: Callable[[Any], Mapping[str, Any]],
    recorder: Recorder,
    on_step: Callable[[int], Any] | None,
) -> Trace:
    """Build the 1-hidden-layer net from ``rng`` and train it with full-batch SGD.

    ``config`` has ``hidden``, ``activation``, ``weight_std``, ``lr``, ``iters``
    and ``frames`` (the regression lessons' network options).
    """
    model = MLP(
        [1, config.hidden, 1],
        activation=config.activation,
        weight_std=config.weight_std,
        rng=rng,
    )
    return fit(
        model,
        data,
        optimizer=SGD(config.lr),
        iters=config.iters,
        record_at=snapshot_steps(config.iters, config.frames),
        probe=probe,
        recorder=recorder,
        on_step=on_step,
    )


def run_classifier(
    config: Any, lesson: str, dataset: str, on_step: Callable[[int], Any] | None
) -> Trace:
    """Train the classifier a config of the mnist lesson's options describes.

    ``config`` has the data options, ``hidden``, ``activation``, ``weight_init``,
    ``optimizer``, ``lr``, ``batch_size``, ``iters``, ``sampler``, ``grad``,
    ``dtype``, ``frames``, ``track`` and ``seed`` (``layers`` and ``normalize``
    if it has them).
    """
    from vizlearn.lessons.options import recorded

    dtype = np.dtype(config.dtype).type
    split = split_for(config, dtype, dataset)
    model = build_classifier(
        split,
        hidden=config.hidden,
        layers=getattr(config, "layers", 1),
        activation=config.activation,
        weight_init=config.weight_init,
        seed=config.seed,
        dtype=dtype,
    )
    meta = {"lesson": lesson, "config": recorded(config), "seed": config.seed}
    return train_classifier(
        model,
        split,
        optimizer=config.optimizer,
        lr=config.lr,
        sampler=config.sampler,
        batch_size=config.batch_size,
        iters=config.iters,
        grad=config.grad,
        frames=config.frames,
        track=config.track,
        seed=config.seed,
        meta=meta,
        on_step=on_step,
    )


def runs_trace(
    runs: list[tuple[str, Mapping[str, Any], Trace]],
    *,
    meta: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
) -> Trace:
    """Several training runs (samplers, a sweep, seeds) stored as one Trace.

    Run ``i``'s per-epoch metrics go to ``data["runs/i/NAME"]`` with their
    iterations in ``data["runs/i/metric_steps"]`` and its loss per iteration in
    ``data["runs/i/loss"]``; ``meta["runs"]`` lists each run's ``label``, the
    ``values`` that distinguish it, ``diverged_at`` and ``iters_per_epoch``
    (``vizlearn.render.runs.read_runs`` reads them back).
    """
    arrays: dict[str, Any] = dict(data or {})
    listed = []
    for i, (label, values, trace) in enumerate(runs):
        arrays[f"runs/{i}/metric_steps"] = trace.metric_steps
        arrays[f"runs/{i}/loss"] = trace.loss
        for name, values_ in trace.metrics.items():
            arrays[f"runs/{i}/{name}"] = values_
        listed.append(
            {
                "label": label,
                "values": dict(values),
                "diverged_at": trace.diverged_at,
                "iters_per_epoch": trace.meta.get("iters_per_epoch", 1),
            }
        )
    return Recorder(meta={**meta, "runs": listed}, data=arrays).freeze()


#: histogram ranges of each activation's output: the book's (0, 1) for sigmoid
#: and ReLU (its Figure 6-14); larger ReLU outputs are counted as "outside"
ACT_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 1.0)}


def activation_histogram(
    values: NDArray, edges: NDArray, split_zeros: bool
) -> tuple[NDArray, float, float]:
    """Counts within ``edges``, the fraction of exact zeros and the fraction beyond.

    With ``split_zeros`` (ReLU: its inactive units) exact zeros are kept out of
    the bars, which they would dwarf, and only counted.
    """
    values = values.ravel()
    zero = (values == 0) if split_zeros else np.zeros(values.shape, bool)
    inside = ~zero & (values >= edges[0]) & (values <= edges[-1])
    counts = np.histogram(values[inside], edges)[0]
    return counts, float(zero.mean()), float(np.mean(~zero & ~inside))
