"""What the classification lessons share: data, the network, and the training loop.

The loop is the book's (``train_neuralnet.py``): draw a minibatch, compute the
loss, take the gradient (backprop, or the numerical gradient), update, and
every epoch measure the accuracy on the training and the test data. It records
into a :class:`~vizlearn.trace.Recorder`, but never every weight at every
iteration: the loss every iteration, accuracy and loss per epoch, and at
``frames`` snapshots a few tracked elements of each tensor, its norm and a
histogram of its values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.core import MLP, OPTIMIZERS, softmax_cross_entropy
from vizlearn.core.samplers import SAMPLERS, batches_per_epoch
from vizlearn.trace import Recorder, Trace

__all__ = [
    "DATASETS",
    "Split",
    "load_split",
    "split_for",
    "build_model",
    "parse_weight_init",
    "evaluate",
    "train_classifier",
]

DATASETS = ("mnist", "spiral", "circles", "xor", "blobs")
HIST_BINS = 30
MAX_MISCLASSIFIED = 100  # inputs of wrongly classified test examples kept in a trace


@dataclass(frozen=True)
class Split:
    """Train and test arrays of one data set, and how to show an input."""

    name: str
    x_train: NDArray
    t_train: NDArray[np.int64]
    x_test: NDArray
    t_test: NDArray[np.int64]
    n_classes: int
    image_shape: tuple[int, int] | None = None  # (28, 28) for MNIST

    @property
    def n_inputs(self) -> int:
        """Input size (784 for MNIST, 2 for planar data)."""
        return int(self.x_train.shape[1])


def split_for(config: Any, dtype: type, dataset: str | None = None) -> Split:
    """``load_split`` with the data options every classification config has.

    Reads ``dataset`` (unless given), ``seed``, ``data_dir``, ``cache_dir`` and
    ``split_from_test`` from ``config``.
    """
    return load_split(
        dataset or config.dataset,
        seed=config.seed,
        dtype=dtype,
        data_dir=config.data_dir,
        cache_dir=config.cache_dir,
        split_from_test=config.split_from_test,
    )


def load_split(
    dataset: str,
    *,
    seed: int = 0,
    dtype: type = np.float32,
    data_dir: str = "",
    cache_dir: str = "",
    split_from_test: int = 0,
) -> Split:
    """Load MNIST (``data_dir``/cache/download) or generate a planar set from ``seed``.

    A planar set's test data is a second draw of the same distribution
    (seed + 1), so test accuracy measures generalization.
    """
    if dataset == "mnist":
        from pathlib import Path

        from vizlearn.datasets.mnist import load_mnist

        data = load_mnist(
            data_dir=Path(data_dir) if data_dir else None,
            cache_dir=Path(cache_dir) if cache_dir else None,
            split_from_test=split_from_test or None,
            dtype=dtype,
        )
        return Split(
            "mnist", data.x_train, data.t_train, data.x_test, data.t_test, 10, (28, 28)
        )
    from vizlearn.datasets.planar import PLANAR

    if dataset not in PLANAR:
        raise ValueError(
            f"--dataset must be one of {', '.join(DATASETS)}, not {dataset!r}"
        )
    train, test = PLANAR[dataset](seed=seed), PLANAR[dataset](seed=seed + 1)
    n_classes = int(max(train.t.max(), test.t.max())) + 1
    return Split(
        dataset, train.x.astype(dtype), train.t, test.x.astype(dtype), test.t, n_classes
    )


def parse_weight_init(text: str) -> float | str:
    """'0.01' -> 0.01; 'xavier' and 'he' stay names; anything else is refused."""
    if text in ("xavier", "he"):
        return text
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or not math.isfinite(value):
        raise ValueError(
            f"--weight-init must be a positive std (e.g. 0.01), xavier or he, "
            f"not {text!r}"
        )
    return value


def build_model(
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


def evaluate(model: MLP, x: NDArray, t: NDArray) -> tuple[float, float, NDArray]:
    """Return (mean loss, accuracy, predicted labels) of ``model`` on ``(x, t)``."""
    y = model.forward(x)
    loss, _ = softmax_cross_entropy(y, t)
    pred = y.argmax(axis=1)
    return loss, float((pred == t).mean()), pred


def _numerical_grads(model: MLP, x: NDArray, t: NDArray) -> None:
    from vizlearn.core.fastgrad import numerical_gradients

    for name, g in numerical_gradients(model, x, t).items():
        p = model.params()[name]
        p.grad = g.astype(p.data.dtype)


def _finite(model: MLP) -> bool:
    return all(np.isfinite(p.data).all() for p in model.params().values())


@dataclass
class _Schedule:
    """When the loop evaluates and snapshots, and which elements it tracks."""

    iters: int
    eval_at: set[int]
    snap_at: set[int]
    tracked: dict[str, NDArray[np.intp]]
    check_at: set[int]  # eval_at | snap_at


def _schedule(
    model: MLP, iters: int, per_epoch: int, frames: int, track: int, seed: int
) -> _Schedule:
    from vizlearn.fitting import snapshot_steps

    eval_at = set(range(0, iters + 1, per_epoch)) | {iters}
    snap_at = set(snapshot_steps(iters, min(frames, iters + 1)).tolist())
    pick = np.random.default_rng([seed, 7])  # its own stream: training is unchanged
    tracked = {}
    for name, p in model.params().items():
        k = min(track, p.data.size)
        tracked[name] = np.sort(pick.choice(p.data.size, k, replace=False))
    return _Schedule(iters, eval_at, snap_at, tracked, eval_at | snap_at)


def _snapshot(recorder: Recorder, step: int, model: MLP, plan: _Schedule) -> None:
    params, outputs = {}, {}
    for name, p in model.params().items():
        params[name] = p.data.ravel()[plan.tracked[name]]
        counts, edges = np.histogram(p.data, bins=HIST_BINS)
        outputs[f"norm/{name}"] = np.linalg.norm(p.data)
        outputs[f"hist/{name}"], outputs[f"edges/{name}"] = counts, edges
    recorder.record(step, params=params, outputs=outputs)


def _epoch_metrics(recorder: Recorder, step: int, model: MLP, split: Split) -> bool:
    """Record accuracy and loss on both splits; False (nothing kept) if not finite."""
    train_loss, train_acc, _ = evaluate(model, split.x_train, split.t_train)
    test_loss, test_acc, _ = evaluate(model, split.x_test, split.t_test)
    metrics = {
        "train_acc": train_acc,
        "test_acc": test_acc,
        "train_loss": train_loss,
        "test_loss": test_loss,
    }
    if not all(math.isfinite(v) for v in metrics.values()):
        return False
    recorder.record(step, metrics=metrics)
    return True


def _checkpoint(
    recorder: Recorder, step: int, model: MLP, split: Split, plan: _Schedule
) -> bool:
    """Evaluate and/or snapshot at ``step``; False if the model is no longer finite."""
    if not _finite(model):
        return False
    if step in plan.eval_at and not _epoch_metrics(recorder, step, model, split):
        return False
    if step in plan.snap_at:
        _snapshot(recorder, step, model, plan)
    return True


def _loop(
    model: MLP,
    split: Split,
    optimizer,
    batches: Iterator[NDArray],
    plan: _Schedule,
    grad: str,
    recorder: Recorder,
    on_step: Callable[[int], Any] | None,
) -> None:
    x_train, t_train = split.x_train, split.t_train
    _epoch_metrics(recorder, 0, model, split)
    _snapshot(recorder, 0, model, plan)
    for i in range(plan.iters):
        idx = next(batches)
        x, t = x_train[idx], t_train[idx]
        value, gy = softmax_cross_entropy(model.forward(x), t)
        if not math.isfinite(value):
            recorder.meta["diverged_at"] = i
            return
        recorder.record(i, loss=value)
        if grad == "numerical":
            _numerical_grads(model, x, t)
        else:
            model.backward(gy, input_grad=False)
        optimizer.update()
        step = i + 1
        if step in plan.check_at and not _checkpoint(
            recorder, step, model, split, plan
        ):
            recorder.meta["diverged_at"] = step  # the update itself overflowed
            return
        if on_step is not None:
            on_step(step)


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
) -> Trace:
    """Train ``model`` on ``split`` the book's way and return the recorded Trace.

    ``metrics`` hold ``train_acc``, ``test_acc``, ``train_loss`` and
    ``test_loss`` at iteration 0 and at the end of every epoch
    (``meta["iter_per_epoch"]`` updates); ``params`` hold ``track`` elements
    per tensor (their flat indices in ``data["tracked/W1"]``, ...), and
    ``outputs`` each tensor's norm and histogram, at ``frames`` snapshots.
    ``data`` keeps the final test predictions and a few misclassified inputs.
    """
    n = len(split.x_train)
    per_epoch = batches_per_epoch(n, batch_size)
    plan = _schedule(model, iters, per_epoch, frames, track, seed)
    recorder = Recorder(
        meta={
            **(meta or {}),
            "task": "classification",
            "iter_per_epoch": per_epoch,
            "n_train": n,
            "n_test": len(split.x_test),
            "sizes": list(model.sizes),
            "dataset": split.name,
        }
    )
    opt = OPTIMIZERS[optimizer](lr=lr).setup(model)
    batches = SAMPLERS[sampler](n, batch_size, np.random.default_rng([seed, 1]))
    with np.errstate(
        over="ignore", invalid="ignore", divide="ignore"
    ):  # divergence is checked
        _loop(model, split, opt, batches, plan, grad, recorder, on_step)
    recorder.data.update(_final_data(model, split, plan))
    return recorder.freeze()


def _final_data(model: MLP, split: Split, plan: _Schedule) -> dict[str, NDArray]:
    """Test labels, final predictions and the inputs of a few misclassified ones."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, _, pred = evaluate(model, split.x_test, split.t_test)
    wrong = np.flatnonzero(pred != split.t_test)[:MAX_MISCLASSIFIED]
    x = split.x_test[wrong]
    if split.image_shape is not None:  # pixels in [0, 1] -> uint8, 4x smaller
        x = np.round(np.clip(x, 0, 1) * 255).astype(np.uint8)
    data = {
        "test_label": split.t_test.astype(np.int64),
        "test_pred": pred,
        "mis_index": wrong,
        "mis_x": x,
    }
    if split.image_shape is None:  # 2-D points: keep the whole (small) test set
        data["test_x"] = split.x_test.astype(np.float64)
    data.update({f"tracked/{k}": v.astype(np.int64) for k, v in plan.tracked.items()})
    return data
