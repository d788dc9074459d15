r"""Tuning sweeps, as in the Keras MNIST tutorial: vary one thing, compare the curves.

``--vary lr=0.001,0.01,0.1`` trains one network per value (a grid when
several ``--vary`` are given) and records train and validation (test-split)
accuracy and loss after every epoch. Minibatches are a fresh shuffle per
epoch, as Keras' ``fit(shuffle=True)``; weights start as Xavier (Glorot).
Every run starts from the same seed, so only the varied value differs.

Runs go to worker processes (``--jobs``), each with one BLAS thread, and come
back in grid order: the numbers are the same whatever ``--jobs`` is. (Over
300 lines: the grid's parser and the workers' JSON protocol live here.)

The tutorial's lessons, on MNIST (``--data-dir``; the tests use the first
8 000 / last 2 000 images of the t10k files, ``--split-from-test 8000``):

- ten sigmoid hidden layers trained with SGD at lr 0.01 stay at chance while
  the same network with ReLU learns::

    vizlearn sweep --dataset mnist --layers 10 --hidden 64 --lr 0.01 \
        --batch-size 32 --epochs 10 --vary activation=sigmoid,relu

- the learning rate. The tutorial trains on raw 0-255 pixels (Keras'
  ``mnist.load_data()``, not divided by 255) with its ``hidden_layers=2``
  network, three sigmoid hidden layers of 30 units (its first ``Dense(30)``
  plus ``hidden_layers`` more), and batches of 32 (Keras' default). On raw
  pixels lr 0.1 stalls (test accuracy wandering around 0.45-0.6) and lr 0.01
  overtakes it after about 5 000 updates (0.66-0.74 after 6 000 on the
  8 000 / 2 000 split, seeds 0-2); scaled to [0, 1] (vizlearn's default, the
  book's) the order flips: lr 0.1 reaches 0.92 while lr 0.01 is still near
  chance::

    vizlearn sweep --dataset mnist --no-normalize --layers 3 --hidden 30 \
        --batch-size 32 --epochs 24 --vary lr=0.1,0.01

``--kind keras`` draws each run's train and validation accuracy per epoch as
the tutorial plots ``history`` (one chart per run); ``--kind curves`` overlays
them all.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from vizlearn.config import option, to_dict
from vizlearn.lessons import options as o
from vizlearn.lessons.kinds import HistoryView
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["SweepConfig", "VARIABLES", "parse_vary", "grid", "run", "summary", "LESSON"]

NAME = "sweep"
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
MAX_RUNS = 1000  # a grid beyond this is a typo or a job for a cluster


def _check_vary(value: tuple) -> None:
    for name, values in value:
        if name not in VARIABLES or not values:
            raise ValueError(
                f"--vary must name one of {', '.join(VARIABLES)} with values, "
                f"not {name!r}"
            )


@dataclass(frozen=True)
class SweepConfig(o.DataOptions, o.LessonConfig):
    """The base run; ``vary`` lists what changes from run to run."""

    dataset: str = o.dataset("spiral", (*o.PLANAR_SETS, *o.IMAGE_SETS))
    layers: int = option(1, o.LAYERS_HELP, low=1, high=100)
    hidden: int = o.hidden(10)
    activation: str = o.activation()
    weight_init: str = o.weight_init("xavier")
    optimizer: str = option("sgd", "optimizer", choices=o.OPTIMIZER_NAMES)
    lr: float = o.learning_rate(1.0)
    batch_size: int = o.batch_size(30)
    epochs: int = option(300, "passes over the training data", low=1, high=100_000)
    seed: int = o.seed("random seed (same for every run)")
    jobs: int = option(1, "worker processes (0 = one per CPU core)", low=0, high=256)
    vary: tuple[tuple[str, tuple[Any, ...]], ...] = option(
        (),
        "values to try (repeatable: a grid); NAME is one of " + ", ".join(VARIABLES),
        parse=lambda text: parse_vary(text),
        check=_check_vary,
        multiple=True,
        metavar="NAME=V1,V2,...",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        n = math.prod(len(values) for _, values in self.vary)
        if n > MAX_RUNS:
            raise ValueError(
                f"--vary makes a grid of {n:,} runs; the limit is {MAX_RUNS:,}"
            )
        if self.vary:
            grid(self)  # every point must be a valid run


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


def trial(raw: dict[str, Any]) -> Trace:
    """Train one grid point, given as JSON (a ``vizlearn.trials`` trial)."""
    import numpy as np

    from vizlearn.core.samplers import batches_per_epoch
    from vizlearn.lessons.training import build_classifier, split_for, train_classifier
    from vizlearn.trace import Trace

    config = SweepConfig(**{**raw, "vary": ()})
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
    return Trace(
        trace.loss,
        np.arange(len(trace.loss)),
        np.zeros(0, np.int64),
        metrics=dict(trace.metrics),
        metric_steps=trace.metric_steps,
        meta={"diverged_at": trace.diverged_at, "iters_per_epoch": per_epoch},
    )


def run(
    config: SweepConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train every grid point (``config.jobs`` processes); one Trace, runs in order.

    ``on_step`` gets the number of runs finished.
    """
    from vizlearn.lessons.training import runs_trace
    from vizlearn.trials import TrialError, run_trials

    config = config or SweepConfig()
    points = grid(config)
    try:  # worker processes with one BLAS thread: the same numbers for any --jobs
        traces = run_trials(
            f"{__name__}:trial",
            [to_dict(p) for p in points],
            jobs=config.jobs,
            on_done=on_step,
        )
    except TrialError as e:
        if e.index is None:
            raise
        where = _changed(points[e.index], points)
        raise RuntimeError(f"a sweep run ({where}) failed: {e.reason}") from None
    names = [name for name, _ in config.vary]
    runs = []
    for point, trace in zip(points, traces, strict=True):
        values = {k: getattr(point, k) for k in names}
        runs.append((_label(values), values, trace))
    meta = {
        "lesson": NAME,
        "config": o.recorded(config),
        "seed": config.seed,
        "vary": names,
    }
    return runs_trace(runs, meta=meta)


def _label(values: dict[str, Any]) -> str:
    """The legend text: ``lr=0.01, activation=relu``."""
    return (
        ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in values.items()
        )
        or "base"
    )


def summary(trace: Trace) -> dict[str, Any]:
    """Each run's varied values, final metrics and divergence; the seed and vary."""
    out = []
    for i, info in enumerate(trace.meta["runs"]):
        prefix = f"runs/{i}/"
        finals = {
            key[len(prefix) :]: round(float(v[-1]), 6)
            for key, v in trace.data.items()
            if key.startswith(prefix) and key.endswith(("_acc", "_loss"))
        }
        out.append(
            {"values": info["values"], **finals, "diverged_at": info["diverged_at"]}
        )
    return {
        "runs": out,
        "vary": list(trace.meta.get("vary", [])),
        "seed": trace.meta.get("seed"),
    }


def _changed(config: SweepConfig, items: Sequence[SweepConfig]) -> str:
    changed = [k for k in VARIABLES if len({getattr(c, k) for c in items}) > 1]
    return ", ".join(f"{k}={getattr(config, k)}" for k in changed) or "base"


#: the Keras tuning tutorial's learning-rate experiment (its hidden_layers=2
#: network on raw pixels, batches of 32): ``vizlearn plot sweep --kind keras``
#: with these options (a gallery entry once the gallery test reads an entry's
#: own options to tell whether it needs MNIST)
TUTORIAL_LR = {
    "dataset": "mnist",
    "normalize": False,
    "layers": 3,
    "hidden": 30,
    "batch_size": 32,
    "epochs": 24,
    "jobs": 0,
    "vary": ("lr=0.1,0.01",),
}

LESSON = Lesson(
    NAME,
    SweepConfig,
    run,
    description=(
        "a grid of trainings (lr, layers, units, ...) overlaid per epoch",
        "学習係数や層の数などを変えた学習を重ねて比較（エポックごと）",
    ),
    kinds=(
        Kind(
            "curves",
            "vizlearn.render.sweep:plot_sweep",
            "train and validation accuracy and loss per epoch, one colour per run",
        ),
        Kind(
            "keras",
            "vizlearn.render.history:plot_history_runs",
            "one chart per run: train vs validation accuracy per epoch, as the "
            "Keras tutorial plots it",
            view=HistoryView,
        ),
    ),
    source="the Keras MNIST tuning tutorial (vary one hyper-parameter, compare)",
    summary=summary,
    steps=lambda config: len(grid(config)),
    frames=lambda config: 1,
    gallery=(
        GalleryItem(
            "sweep",
            "curves",
            (
                "A learning-rate sweep on the spiral: accuracy and loss per epoch, "
                "overlaid",
                "スパイラルデータでの学習係数の比較：エポックごとの認識精度と損失関数",
            ),
            (
                "Three pairs of accuracy and loss curves; lr 0.1 stalls near 0.55 "
                "while lr 1 and 3 reach about 0.97",
                "3組の認識精度と損失の曲線。lr 0.1 は 0.55 付近で止まり、lr 1 と 3 は"
                "約 0.97 に達する",
            ),
            options={"vary": ("lr=0.1,1,3",)},
            quick={"epochs": 5},
        ),
    ),
)
