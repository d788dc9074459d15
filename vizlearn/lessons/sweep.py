r"""Tuning sweeps, as in the Keras MNIST tutorial: vary one thing, compare the curves.

``--vary lr=0.001,0.01,0.1`` trains one network per value (a grid when
several ``--vary`` are given) and records train and validation (test-split)
accuracy and loss after every epoch. Minibatches are a fresh shuffle per
epoch, as Keras' ``fit(shuffle=True)``; weights start as Xavier (Glorot).
Every run starts from the same seed, so only the varied value differs.

Runs go to worker processes (``--jobs``), each with one BLAS thread, and come
back in grid order: the numbers are the same whatever ``--jobs`` is.

The tutorial's lesson: ten sigmoid hidden layers trained with SGD at lr 0.01
stay at chance while the same network with ReLU learns::

    vizlearn sweep --dataset mnist --layers 10 --hidden 64 --lr 0.01 \
        --batch-size 32 --epochs 10 --vary activation=sigmoid,relu
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from vizlearn.lessons._options import option, to_dict
from vizlearn.lessons.mnist import OPTIMIZER_NAMES, DataConfig, check_common

__all__ = ["SweepConfig", "SweepRun", "VARIABLES", "parse_vary", "grid", "run"]

NAME = "sweep"
_DATASETS = ("spiral", "circles", "xor", "blobs", "mnist")
#: what ``--vary`` can change, and how its values are read
VARIABLES: dict[str, type] = {
    "lr": float,
    "layers": int,
    "hidden": int,
    "activation": str,
    "batch_size": int,
    "epochs": int,
    "optimizer": str,
    "weight_init": str,
}
_ENV_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class SweepConfig(DataConfig):
    """The base run; ``vary`` lists what changes from run to run."""

    dataset: str = option(
        "spiral", "data set (mnist needs --data-dir or a download)", choices=_DATASETS
    )
    layers: int = option(1, "hidden layers", low=1, high=100)
    hidden: int = option(10, "units per hidden layer", low=1, high=10_000)
    activation: str = option(
        "sigmoid", "hidden activation", choices=("sigmoid", "relu", "tanh")
    )
    weight_init: str = option("xavier", "initial weight std: a number, xavier or he")
    optimizer: str = option("sgd", "optimizer", choices=OPTIMIZER_NAMES)
    lr: float = option(1.0, "learning rate", low=0, low_open=True)
    batch_size: int = option(30, "examples per minibatch", low=1, high=100_000)
    epochs: int = option(300, "passes over the training data", low=1, high=100_000)
    seed: int = option(0, "random seed (same for every run)", low=0)
    jobs: int = option(1, "worker processes (0 = one per CPU core)", low=0, high=256)
    vary: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def __post_init__(self) -> None:
        check_common(self)
        for name, values in self.vary:
            if name not in VARIABLES or not values:
                raise ValueError(
                    f"--vary must name one of {', '.join(VARIABLES)} with values, "
                    f"not {name!r}"
                )


@dataclass(frozen=True)
class SweepRun:
    """One run of the grid: its varied values and its per-epoch curves."""

    values: dict[str, Any]
    epochs: Any  # (n,) epoch numbers 0..E
    metrics: dict[str, Any]  # train_acc, test_acc, train_loss, test_loss: (n,)
    diverged_at: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The legend text: ``lr=0.01, activation=relu``."""
        return ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in self.values.items()
        )

    def final(self) -> dict[str, Any]:
        """The last value of each metric, and the divergence point if any."""
        out = {k: round(float(v[-1]), 6) for k, v in self.metrics.items()}
        return {"values": self.values, **out, "diverged_at": self.diverged_at}


def parse_vary(text: str) -> tuple[str, tuple[Any, ...]]:
    """'lr=0.001,0.01' -> ('lr', (0.001, 0.01)); names may use - or _."""
    name, sep, rest = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or name not in VARIABLES:
        raise ValueError(
            f"--vary takes NAME=V1,V2,... with NAME one of {', '.join(VARIABLES)}; "
            f"got {text!r}"
        )
    kind, values = VARIABLES[name], [v.strip() for v in rest.split(",") if v.strip()]
    if not values:
        raise ValueError(f"--vary {name}= needs at least one value")
    try:
        return name, tuple(kind(v) for v in values)
    except ValueError:
        raise ValueError(
            f"--vary {name}: every value must be a {kind.__name__}, got {rest!r}"
        ) from None


def grid(config: SweepConfig) -> list[SweepConfig]:
    """One config per point of the grid (product of the ``vary`` lists), validated."""
    names = [name for name, _ in config.vary]
    runs = []
    for values in itertools.product(*(v for _, v in config.vary)):
        try:
            runs.append(
                replace(config, vary=(), **dict(zip(names, values, strict=True)))
            )
        except ValueError as e:
            raise ValueError(f"--vary: {e}") from None
    return runs


def _run_one(config: SweepConfig) -> dict[str, Any]:
    """Train one grid point (in a worker process); plain arrays come back."""
    import numpy as np

    from vizlearn.core.samplers import batches_per_epoch
    from vizlearn.lessons.training import build_classifier, split_for, train_classifier

    split = split_for(config, np.float32)
    model = build_classifier(
        split,
        hidden=config.hidden,
        layers=config.layers,
        activation=config.activation,
        weight_init=config.weight_init,
        seed=config.seed,
    )
    per_epoch = batches_per_epoch(len(split.x_train), config.batch_size)
    trace = train_classifier(
        model,
        split,
        optimizer=config.optimizer,
        lr=config.lr,
        sampler="epoch-shuffle",
        batch_size=config.batch_size,
        iters=config.epochs * per_epoch,
        frames=2,
        track=1,
        seed=config.seed,
    )
    return {
        "epochs": trace.metric_steps / per_epoch,
        "metrics": {k: np.array(v) for k, v in trace.metrics.items()},
        "diverged_at": trace.diverged_at,
        "iters_per_epoch": per_epoch,
    }


def run(
    config: SweepConfig | None = None,
    *,
    on_run: Callable[[int], object] | None = None,
) -> list[SweepRun]:
    """Train every grid point (``config.jobs`` processes); results in grid order."""
    config = config or SweepConfig()
    points = grid(config)
    results = _map(_run_one, points, config.jobs, on_run)
    names = [name for name, _ in config.vary]
    runs = []
    for point, res in zip(points, results, strict=True):
        meta = {
            "lesson": NAME,
            "config": to_dict(point),
            "seed": point.seed,
            "iters_per_epoch": res["iters_per_epoch"],
        }
        values = {k: getattr(point, k) for k in names}
        runs.append(
            SweepRun(values, res["epochs"], res["metrics"], res["diverged_at"], meta)
        )
    return runs


def _map(
    fn: Callable,
    items: Sequence[SweepConfig],
    jobs: int,
    on_done: Callable[[int], object] | None,
) -> list:
    """``[fn(x) for x in items]``, each in a fresh worker process with one BLAS thread.

    Always in workers, even for one job: BLAS sums in another order with more
    threads, and the results must not depend on ``--jobs``. Workers are plain
    ``python -c`` processes fed JSON (no pickles, no re-import of the caller's
    script, so a script without ``if __name__ == "__main__"`` works).
    """
    import json
    from concurrent.futures import ThreadPoolExecutor, as_completed

    jobs = min(jobs or os.cpu_count() or 1, len(items))
    env = {**os.environ, **dict.fromkeys(_ENV_THREADS, "1")}
    code = f"from {__name__} import _worker_main; _worker_main({fn.__name__!r})"

    def one(config: SweepConfig) -> dict[str, Any]:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            text=True,
            input=json.dumps(to_dict(config)),
            capture_output=True,
        )
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines() or ["(no message)"]
            raise RuntimeError(
                f"a sweep run ({_label(config, items)}) failed: {lines[-1]}"
            )
        return _decode(json.loads(proc.stdout))

    out: list = [None] * len(items)
    with ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(one, item): i for i, item in enumerate(items)}
        for done, future in enumerate(as_completed(futures), 1):
            out[futures[future]] = future.result()
            if on_done is not None:
                on_done(done)
    return out


def _label(config: SweepConfig, items: Sequence[SweepConfig]) -> str:
    changed = [k for k in VARIABLES if len({getattr(c, k) for c in items}) > 1]
    return ", ".join(f"{k}={getattr(config, k)}" for k in changed) or "base"


def _worker_main(fn_name: str) -> None:
    """Worker process: a config as JSON on stdin, the result as JSON on stdout."""
    import json

    raw = json.loads(sys.stdin.read())
    raw["vary"] = ()
    result = globals()[fn_name](SweepConfig(**raw))
    sys.stdout.write(json.dumps(_encode(result)))


def _encode(result: dict[str, Any]) -> dict[str, Any]:
    """Arrays -> lists; JSON writes floats with repr, so they round-trip exactly."""
    return {
        "epochs": result["epochs"].tolist(),
        "metrics": {k: v.tolist() for k, v in result["metrics"].items()},
        "diverged_at": result["diverged_at"],
        "iters_per_epoch": result["iters_per_epoch"],
    }


def _decode(raw: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    return {
        **raw,
        "epochs": np.array(raw["epochs"]),
        "metrics": {k: np.array(v) for k, v in raw["metrics"].items()},
    }
