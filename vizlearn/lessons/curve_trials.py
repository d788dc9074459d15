"""What the chapter-6 lessons share: one trial = one MNIST classifier and its curves.

``train_trial(config)`` builds the book's ``MultiLayerNet(Extend)`` (an
:class:`~vizlearn.core.MLP` with optional batch norm, dropout and weight
decay), trains it with :func:`~vizlearn.lessons.training.train_classifier`
(the one loop, ``vizlearn.fitting.fit``) and returns a lean Trace: the
minibatch loss per iteration and the train/test accuracy and loss per epoch.
It is a pure function of its JSON config (seed included), so the lessons run
their trials through :func:`vizlearn.trials.run_trials`: locally (``--workers``)
or on a Dask cluster (``--scheduler``), with the same numbers either way.

``curves_trace`` stacks the trials of a lesson, ``variants x seeds``, into one
Trace: ``data/loss`` ``(variants, seeds, iterations)`` with ``data/loss_steps``,
``data/train_acc``, ``data/test_acc``, ``data/train_loss``, ``data/test_loss``
``(variants, seeds, evaluations)`` with ``data/metric_steps``, and
``data/n_loss``/``data/n_metrics`` ``(variants, seeds)`` (a Recorder keeps one
seed's as ``(variants,)``): how many values of a run are real (a run that
diverged stops there; its arrays repeat its last value and renderers stop
drawing it). Each frame is a snapshot whose
``outputs/epoch`` says how far the curves have grown.

Numpy-free at import (option groups only); numpy is imported inside.

This module runs past 300 lines because the chapter-6 lessons' trial, the
variants x seeds runner and the overfit and comparison runs share one set of
options and one lean trace layout, which would otherwise be spread over
several files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from vizlearn.config import option
from vizlearn.lessons.kinds import SMOOTH_HELP, CurveView
from vizlearn.lessons.options import parse_weight_init
from vizlearn.lessons.record import Kind

if TYPE_CHECKING:
    from vizlearn.datasets.split import Split
    from vizlearn.trace import Trace

__all__ = [
    "TARGET",
    "TRIAL_DEFAULTS",
    "TrialOptions",
    "CurveView",
    "LossView",
    "COMPARE_KINDS",
    "run_compare",
    "compare_summary",
    "OverfitOptions",
    "run_overfit",
    "overfit_summary",
    "train_trial",
    "run_variants",
    "curves_trace",
    "frame_steps",
    "recorded_config",
    "estimate_bytes",
    "METRICS",
]

TARGET = "vizlearn.lessons.curve_trials:train_trial"
METRICS = ("train_acc", "test_acc", "train_loss", "test_loss")
#: every key a trial config may hold, and its value when it is left out
TRIAL_DEFAULTS: dict[str, Any] = {
    "data_dir": "",
    "cache_dir": "",
    "split_from_test": 0,
    "normalize": True,  # MNIST pixels in [0, 1]; False: raw 0-255
    "n_train": 0,  # first N training images (0: all)
    "validation": 0.0,  # > 0: evaluate on this share of them instead of the test set
    "shuffle_seed": 0,  # the shuffle before the validation share is taken
    "hidden": 100,
    "layers": 5,
    "activation": "relu",
    "weight_init": "he",
    "batch_norm": False,
    "dropout": 0.0,
    "weight_decay": 0.0,
    "optimizer": "sgd",
    "lr": 0.01,
    "batch_size": 100,
    "iters": 0,  # 0: epochs x iterations per epoch
    "epochs": 20,
    "dtype": "float32",
    "seed": 0,
}
EXECUTION = ("workers", "scheduler")
"""Options that say where trials run, not what they compute (not recorded)."""


DEFAULT_FRAMES = 51


def _check_seeds(text: str) -> None:
    from vizlearn.trials import parse_seeds

    parse_seeds(text)


def _check_scheduler(text: str) -> None:
    if text:
        from vizlearn.trials import check_scheduler

        check_scheduler(text)


@dataclass(frozen=True)
class TrialOptions:
    """Several seeds, and where the trials run (worker processes or Dask)."""

    seeds: str = option(
        "0",
        "seeds, e.g. 0-9: each curve is their mean, with a band (N in the legend)",
        check=_check_seeds,
        metavar="SEEDS",
    )
    # not ``jobs``: ``vizlearn animate`` has --jobs already (processes drawing frames)
    workers: int = option(
        1,
        "worker processes for the trials (0 = one per CPU core); "
        "the numbers are the same for any count",
        low=0,
        high=256,
    )
    scheduler: str = option(
        "",
        "run the trials on the Dask scheduler tcp://HOST:PORT "
        "(pip install 'vizlearn[dask]')",
        check=_check_scheduler,
        metavar="ADDRESS",
    )

    def seed_list(self) -> tuple[int, ...]:
        """The parsed ``seeds``."""
        from vizlearn.trials import parse_seeds

        return parse_seeds(self.seeds)


@dataclass(frozen=True)
class LossView(CurveView):
    """A minibatch loss is noisy: smoothed by default, as the book smooths it."""

    smooth: float = option(0.9, SMOOTH_HELP, low=0, high=1, high_open=True)


#: a worker's memory: MNIST's 70 000 images as float32, and the network
WORKER_BYTES = 256 * 2**20


def estimate_bytes(config: Any, trials: int, points: int) -> int:
    """Memory of a run: each local worker holds MNIST; the trace holds the curves.

    ``points`` is the iterations plus the evaluations of one trial.
    """
    workers = 0 if config.scheduler else (config.workers or os.cpu_count() or 1)
    return min(workers, trials) * WORKER_BYTES + trials * points * 5 * 8 * 3


def recorded_config(config: Any) -> dict[str, Any]:
    """``to_dict(config)`` without the execution options nor folders (any machine)."""
    from vizlearn.lessons.options import recorded

    return {k: v for k, v in recorded(config).items() if k not in EXECUTION}


def frame_steps(total: int, frames: int, per_epoch: int = 1) -> list[int]:
    """``frames`` evenly spaced points of 0..total (in units of ``per_epoch``)."""
    frames = max(2, min(frames, total + 1))
    return sorted({round(i * total / (frames - 1)) * per_epoch for i in range(frames)})


# --- one trial (runs in a worker) ------------------------------------------------


def train_trial(config: Mapping[str, Any]) -> Trace:
    """Train one network as ``config`` says; its loss and per-epoch metrics."""
    import numpy as np

    from vizlearn.core import MLP
    from vizlearn.core.samplers import batches_per_epoch
    from vizlearn.lessons.training import train_classifier
    from vizlearn.trace import Trace

    c = _full(config)
    split = _split(c)
    dtype = np.dtype(c["dtype"]).type
    model = MLP(
        [split.n_inputs, *[c["hidden"]] * c["layers"], split.n_classes],
        activation=c["activation"],
        weight_std=parse_weight_init(c["weight_init"]),
        rng=np.random.default_rng(c["seed"]),
        dtype=dtype,
        batch_norm=c["batch_norm"],
        dropout=c["dropout"],
        weight_decay=c["weight_decay"],
    )
    per_epoch = batches_per_epoch(len(split.x_train), c["batch_size"])
    trace = train_classifier(
        model,
        split,
        optimizer=c["optimizer"],
        lr=c["lr"],
        batch_size=c["batch_size"],
        iters=c["iters"] or c["epochs"] * per_epoch,
        frames=2,
        track=1,
        seed=c["seed"],
    )
    return Trace(
        trace.loss,
        trace.loss_steps,
        np.zeros(0, np.int64),
        metrics=dict(trace.metrics),
        metric_steps=trace.metric_steps,
        meta={
            "iters_per_epoch": per_epoch,
            "diverged_at": trace.diverged_at,
            "n_train": len(split.x_train),
            "n_test": len(split.x_test),
        },
    )


def _full(config: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(config) - set(TRIAL_DEFAULTS))
    if unknown:
        raise ValueError(f"a trial config has no key {unknown[0]!r}")
    return {**TRIAL_DEFAULTS, **config}


def _split(c: dict[str, Any]) -> Split:
    """The trial's train and evaluation arrays (MNIST read once per process)."""
    from dataclasses import replace

    import numpy as np

    full = _mnist(
        c["data_dir"], c["cache_dir"], c["split_from_test"], c["dtype"], c["normalize"]
    )
    n = c["n_train"] or len(full.x_train)
    x, t = full.x_train[:n], full.t_train[:n]
    if not c["validation"]:
        return replace(full, x_train=x, t_train=t)
    order = np.random.default_rng(c["shuffle_seed"]).permutation(n)
    x, t = x[order], t[order]
    n_val = int(round(n * c["validation"]))
    if not 0 < n_val < n:
        raise ValueError(f"--validation leaves no train or validation data of {n}")
    return replace(
        full, x_train=x[n_val:], t_train=t[n_val:], x_test=x[:n_val], t_test=t[:n_val]
    )


@lru_cache(maxsize=2)
def _mnist(
    data_dir: str, cache_dir: str, split_from_test: int, dtype: str, normalize: bool
) -> Split:
    import numpy as np

    from vizlearn.datasets.split import load_split

    return load_split(
        "mnist",
        dtype=np.dtype(dtype).type,
        data_dir=data_dir,
        cache_dir=cache_dir,
        split_from_test=split_from_test,
        normalize=normalize,
    )


# --- a lesson's trials, stacked --------------------------------------------------


def run_variants(
    config: Any,
    variants: Sequence[Mapping[str, Any]],
    on_step: Callable[[int], Any] | None = None,
) -> list[list[Trace]]:
    """Run every variant (a trial config) with every seed of ``config.seeds``.

    Returns ``traces[variant][seed]``; ``config`` has the data options and the
    :class:`TrialOptions`.
    """
    from vizlearn.trials import run_trials

    seeds = config.seed_list()
    data_keys = ("data_dir", "cache_dir", "split_from_test", "normalize")
    data = {k: getattr(config, k) for k in data_keys}
    configs = [{**data, **v, "seed": s} for v in variants for s in seeds]
    traces = run_trials(
        TARGET,
        configs,
        jobs=config.workers,
        scheduler=config.scheduler,
        on_done=on_step,
    )
    return [traces[i : i + len(seeds)] for i in range(0, len(traces), len(seeds))]


def curves_trace(
    runs: Sequence[Sequence[Trace]],
    *,
    frames_at: Sequence[int],
    meta: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
) -> Trace:
    """One Trace of ``runs[variant][seed]`` (see the module docstring for keys)."""
    import numpy as np

    from vizlearn.trace import Recorder

    first = runs[0][0]
    per_epoch = int(first.meta["iters_per_epoch"])
    arrays: dict[str, Any] = {**(data or {})}
    arrays["loss"], arrays["n_loss"], arrays["loss_steps"] = _stack(
        runs, lambda t: (t.loss, t.loss_steps)
    )
    for name in METRICS:
        arrays[name], arrays["n_metrics"], arrays["metric_steps"] = _stack(
            runs, lambda t, name=name: (t.metrics[name], t.metric_steps)
        )
    diverged = [[t.diverged_at for t in seeds] for seeds in runs]
    rec = Recorder(
        meta={
            **meta,
            "iters_per_epoch": per_epoch,
            "n_train": first.meta.get("n_train"),
            "n_test": first.meta.get("n_test"),
            "diverged": diverged,
        },
        data=arrays,
    )
    for step in frames_at:
        rec.record(step, outputs={"epoch": np.float64(step / per_epoch)})
    return rec.freeze()


def _stack(
    runs: Sequence[Sequence[Trace]], pick: Callable[[Trace], tuple[Any, Any]]
) -> tuple[Any, Any, Any]:
    """(values (V, S, n), valid counts (V, S), steps (n,)); short runs padded."""
    import numpy as np

    picked = [[pick(t) for t in seeds] for seeds in runs]
    steps = max((s for seeds in picked for _, s in seeds), key=len)
    n = len(steps)
    values = np.zeros((len(runs), len(runs[0]), n))
    counts = np.zeros(values.shape[:2], np.int64)
    for i, seeds in enumerate(picked):
        for j, (v, _) in enumerate(seeds):
            counts[i, j] = len(v)
            if len(v):
                values[i, j, : len(v)] = v
                values[i, j, len(v) :] = v[-1]
    return values, counts, np.asarray(steps, np.int64)


# --- the overfitting lessons (weight decay, dropout) ------------------------------


@dataclass(frozen=True)
class OverfitOptions:
    """The book's overfitting setup: 300 images, a 6 x 100 ReLU net, SGD lr 0.01."""

    n_train: int = option(
        300,
        "training images (the first N: few, so the net overfits)",
        low=10,
        high=60_000,
    )
    layers: int = option(6, "hidden layers", low=1, high=20)
    hidden: int = option(100, "units per hidden layer", low=1, high=2000)
    lr: float = option(0.01, "SGD learning rate", low=0, low_open=True)
    batch_size: int = option(100, "examples per minibatch", low=1, high=10_000)
    frames: int = option(
        DEFAULT_FRAMES,
        "animation frames (spread over the epochs; the default shrinks to "
        "epochs + 1 for short runs)",
        low=2,
        high=2000,
    )

    def check_epochs(self) -> None:
        """Frames cannot outnumber the accuracy points (epochs + 1).

        The default is left to shrink (`frame_steps` takes at most epochs + 1),
        so ``--epochs 3`` alone works; a --frames given above that is refused.
        """
        epochs = getattr(self, "epochs", 0)
        if self.frames > epochs + 1 and self.frames != DEFAULT_FRAMES:
            raise ValueError(
                f"--frames must be at most --epochs + 1 = {epochs + 1}, "
                f"got {self.frames}"
            )


def run_overfit(
    config: Any,
    lesson: str,
    regularizer: str,
    on_step: Callable[[int], Any] | None = None,
) -> Trace:
    """Train without and with ``regularizer`` (a config field); both runs' curves."""
    from vizlearn.core.samplers import batches_per_epoch

    base = {
        "n_train": config.n_train,
        "layers": config.layers,
        "hidden": config.hidden,
        "lr": config.lr,
        "batch_size": config.batch_size,
        "epochs": config.epochs,
    }
    strength = getattr(config, regularizer)
    variants = [{**base, regularizer: 0.0}, {**base, regularizer: strength}]
    runs = run_variants(config, variants, on_step)
    per_epoch = batches_per_epoch(runs[0][0].meta["n_train"], config.batch_size)
    meta = {
        "lesson": lesson,
        "config": recorded_config(config),
        "seed": config.seed_list()[0],
        "seeds": list(config.seed_list()),
        "regularizer": regularizer,
        "strengths": [0.0, strength],
        "epochs": config.epochs,
    }
    at = frame_steps(config.epochs, config.frames, per_epoch)
    return curves_trace(runs, frames_at=at, meta=meta)


def overfit_summary(trace: Trace) -> dict[str, Any]:
    """Final train and test accuracy and their gap, without and with the regularizer."""
    import numpy as np

    out: dict[str, Any] = {"regularizer": trace.meta["regularizer"]}
    for name, strength, i in zip(
        ("without", "with"), trace.meta["strengths"], range(2), strict=True
    ):
        shape = trace.data["train_acc"].shape[:2]  # (runs, seeds)
        last = np.asarray(trace.data["n_metrics"]).reshape(shape)[i] - 1
        train = trace.data["train_acc"][i][np.arange(len(last)), last]
        test = trace.data["test_acc"][i][np.arange(len(last)), last]
        out[name] = {
            "strength": strength,
            "train_acc": round(float(train.mean()), 6),
            "test_acc": round(float(test.mean()), 6),
            "gap": round(float((train - test).mean()), 6),
        }
    out["seeds"] = trace.meta.get("seeds")
    return out


# --- the comparisons on MNIST (optimizers, initial weights) -----------------------

COMPARE_KINDS = (
    Kind(
        "loss",
        "vizlearn.render.loss_compare:frames_loss_compare",
        "minibatch loss per iteration of every network, smoothed, overlaid",
        animated=True,
        view=LossView,
    ),
    Kind(
        "accuracy",
        "vizlearn.render.loss_compare:frames_accuracy_compare",
        "test accuracy per epoch of every network",
        animated=True,
        view=CurveView,
    ),
)


def run_compare(
    config: Any,
    lesson: str,
    variants: Sequence[Mapping[str, Any]],
    names: Sequence[str],
    compared: str,
    ylim: float,
    on_step: Callable[[int], Any] | None = None,
) -> Trace:
    """Train one network per variant (same weights' seed, same minibatches)."""
    base = {
        "n_train": config.n_train,
        "layers": config.layers,
        "hidden": config.hidden,
        "batch_size": config.batch_size,
        "iters": config.iters,
    }
    runs = run_variants(config, [{**base, **v} for v in variants], on_step)
    meta = {
        "lesson": lesson,
        "config": recorded_config(config),
        "seed": config.seed_list()[0],
        "seeds": list(config.seed_list()),
        "compared": compared,
        "names": list(names),
        "ylim": ylim,
        "iters": config.iters,
    }
    at = frame_steps(config.iters, config.frames)
    return curves_trace(runs, frames_at=at, meta=meta)


def compare_summary(trace: Trace) -> dict[str, Any]:
    """Per network: mean loss of the last 100 iterations, final test accuracy."""
    import numpy as np

    shape = trace.data["loss"].shape[:2]
    n_loss = np.asarray(trace.data["n_loss"]).reshape(shape)
    n_metrics = np.asarray(trace.data["n_metrics"]).reshape(shape)
    out = {}
    for i, name in enumerate(trace.meta["names"]):
        tail = [
            trace.data["loss"][i, j, max(0, n - 100) : n]
            for j, n in enumerate(n_loss[i])
        ]
        final = [
            trace.data["test_acc"][i, j, n - 1] for j, n in enumerate(n_metrics[i])
        ]
        out[name] = {
            "last_100_loss": round(float(np.mean([t.mean() for t in tail])), 6),
            "test_acc": round(float(np.mean(final)), 6),
        }
    return {"networks": out, "seeds": trace.meta.get("seeds")}
