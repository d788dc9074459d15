"""Three ways to draw minibatches, and how much of the data each one sees.

The book draws every minibatch with ``np.random.choice(train_size, batch_size)``:
with replacement, so after one epoch's worth of iterations only about
1 - 1/e = 63 % of the examples have been used. Drawing without replacement
inside a batch changes almost nothing; shuffling once per epoch and slicing
the permutation (DeZero's ``DataLoader``, Keras' ``shuffle=True``) sees every
example exactly once per epoch. This lesson trains the same network from the
same initial weights with each sampler and records the coverage (fraction of
training examples seen so far) at every iteration, the accuracies, and what
the study group's notes count over the first epoch's minibatches: draws that
repeat an example already in the same minibatch ("within"), draws of an
example an earlier minibatch of the epoch already had ("across"), and the
examples the epoch never drew. The accuracies differ by less than 0.005 in
the book's setting, so the figure zooms its accuracy axis and prints them.

The defaults are DeZero's spiral settings (offline); for the book's MNIST
setting use ``--dataset mnist --hidden 50 --lr 0.1 --batch-size 100
--iters 10000 --weight-init 0.01``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option
from vizlearn.lessons import options as o
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["SamplersConfig", "run", "coverage", "repeats", "summary", "LESSON"]

NAME = "samplers"


@dataclass(frozen=True)
class SamplersConfig(o.DataOptions, o.LessonConfig):
    """One network and budget, trained once per sampler."""

    dataset: str = o.dataset("spiral", (*o.PLANAR_SETS, *o.IMAGE_SETS))
    hidden: int = o.hidden(10, "hidden units")
    activation: str = o.activation()
    weight_init: str = o.weight_init("xavier")
    lr: float = o.learning_rate(1.0, "learning rate (SGD)")
    batch_size: int = o.batch_size(30)
    iters: int = o.iterations(3000, "training iterations per sampler")
    seed: int = o.seed("random seed (weights, minibatches)")
    samplers: tuple[str, ...] = option(
        o.SAMPLER_NAMES,
        "sampler to compare (repeatable; default: all three)",
        choices=o.SAMPLER_NAMES,
        multiple=True,
        flag="--sampler",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.samplers or len(set(self.samplers)) != len(self.samplers):
            raise ValueError(
                f"--sampler must name distinct samplers from "
                f"{', '.join(o.SAMPLER_NAMES)}"
            )


def coverage(sampler: str, n: int, batch_size: int, iters: int, seed: int):
    """Fraction of the ``n`` examples seen after 0..iters updates, ``(iters + 1,)``.

    Replays the exact minibatches that training with ``sampler`` and ``seed``
    draws (same generator stream as ``train_classifier``).
    """
    import numpy as np

    from vizlearn.core.samplers import SAMPLERS

    batches = SAMPLERS[sampler](n, batch_size, np.random.default_rng([seed, 1]))
    seen = np.zeros(n, dtype=bool)
    counts = np.zeros(iters + 1)
    for i in range(1, iters + 1):
        seen[next(batches)] = True
        counts[i] = np.count_nonzero(seen)
    return counts / n


def repeats(sampler: str, n: int, batch_size: int, seed: int) -> tuple[int, int, int]:
    """(within, across, unseen) over the first epoch's minibatches.

    The epoch is ceil(n / batch_size) minibatches of the stream training with
    ``sampler`` and ``seed`` draws. Every draw is new, a repeat *within* its
    minibatch (the example is already in it) or a repeat *across* minibatches
    (an earlier minibatch of the epoch had it); ``unseen`` examples were never
    drawn. new + within + across = all draws; new + unseen = n.
    """
    import numpy as np

    from vizlearn.core.samplers import SAMPLERS, batches_per_epoch

    batches = SAMPLERS[sampler](n, batch_size, np.random.default_rng([seed, 1]))
    seen = np.zeros(n, dtype=bool)
    within = across = 0
    for _ in range(batches_per_epoch(n, batch_size)):
        batch = next(batches)
        distinct = np.unique(batch)
        within += len(batch) - len(distinct)
        across += int(np.count_nonzero(seen[distinct]))
        seen[distinct] = True
    return within, across, int(n - np.count_nonzero(seen))


def run(
    config: SamplersConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train once per sampler; ``on_step`` gets the count of updates done overall.

    The trace holds one run per sampler (``vizlearn.render.runs``) and each
    sampler's coverage in ``data["coverage/NAME"]``.
    """
    import numpy as np

    from vizlearn.lessons.training import (
        build_classifier,
        runs_trace,
        split_for,
        train_classifier,
    )

    config = config or SamplersConfig()
    split = split_for(config, np.float32)
    n = len(split.x_train)
    runs, data = [], {}
    for k, name in enumerate(config.samplers):
        model = build_classifier(
            split,
            hidden=config.hidden,
            activation=config.activation,
            weight_init=config.weight_init,
            seed=config.seed,
        )
        done = k * config.iters
        trace = train_classifier(
            model,
            split,
            lr=config.lr,
            sampler=name,
            batch_size=config.batch_size,
            iters=config.iters,
            frames=2,
            track=1,
            seed=config.seed,
            on_step=(lambda s, done=done: on_step(done + s)) if on_step else None,
        )
        runs.append((name, {"sampler": name}, trace))
        data[f"coverage/{name}"] = coverage(
            name, n, config.batch_size, config.iters, config.seed
        )
        data[f"repeats/{name}"] = np.array(
            repeats(name, n, config.batch_size, config.seed), dtype=np.int64
        )
    meta = {
        "lesson": NAME,
        "config": o.recorded(config),
        "seed": config.seed,
        "n_train": n,
        "batch_size": config.batch_size,
        "samplers": list(config.samplers),
    }
    return runs_trace(runs, meta=meta, data=data)


def summary(trace: Trace) -> dict[str, Any]:
    """Per sampler: final accuracies and losses, and coverage milestones."""
    meta = trace.meta
    n_train, batch = int(meta["n_train"]), int(meta["batch_size"])
    per_epoch = -(-n_train // batch)
    out: dict[str, Any] = {}
    for i, (name, info) in enumerate(zip(meta["samplers"], meta["runs"], strict=True)):
        cov = trace.data[f"coverage/{name}"]
        full = int((cov >= 1.0).argmax()) if cov[-1] >= 1.0 else None
        finals = {
            key.rsplit("/", 1)[1]: round(float(v[-1]), 6)
            for key, v in trace.data.items()
            if key.startswith(f"runs/{i}/") and key.endswith(("_acc", "_loss"))
        }
        after_epoch = float(cov[min(per_epoch, len(cov) - 1)])
        counts = trace.data.get(f"repeats/{name}")
        out[name] = {
            **finals,
            **(
                {}
                if counts is None
                else {
                    "first_epoch_repeats_within_batch": int(counts[0]),
                    "first_epoch_repeats_across_batches": int(counts[1]),
                    "first_epoch_unseen": int(counts[2]),
                }
            ),
            "coverage_after_1_epoch": round(after_epoch, 6),
            "coverage_final": round(float(cov[-1]), 6),
            "iteration_all_seen": full,
            "diverged_at": info["diverged_at"],
        }
    return {
        "samplers": out,
        "n_train": n_train,
        "batch_size": batch,
        "iters_per_epoch": per_epoch,
        "seed": meta.get("seed"),
    }


LESSON = Lesson(
    NAME,
    SamplersConfig,
    run,
    description=(
        "minibatch samplers: training examples seen so far, and final accuracy",
        "ミニバッチの取り出し方：これまでに使った訓練データの割合と最終的な認識精度",
    ),
    kinds=(
        Kind(
            "coverage",
            "vizlearn.render.samplers:plot_samplers",
            "fraction of the data each sampler has seen, and final accuracies",
        ),
    ),
    source="'Deep Learning from Scratch' ch. 4 (np.random.choice minibatches) "
    "against DeZero's DataLoader shuffle",
    summary=summary,
    steps=lambda config: config.iters * len(config.samplers),
    frames=lambda config: 1,
    gallery=(
        GalleryItem(
            "samplers",
            "coverage",
            (
                "Minibatch samplers: how much of the data each has seen, and final "
                "accuracy",
                "ミニバッチの取り出し方：これまでに使った訓練データの割合と"
                "最終的な認識精度",
            ),
            (
                "Curves of the fraction of training examples seen: with replacement "
                "it approaches 1 - 1/e after one epoch, shuffling reaches 1",
                "使った訓練データの割合の曲線。復元抽出は1エポックで 1 - 1/e 付近、"
                "エポックごとのシャッフルは 1 に達する",
            ),
            quick={"iters": 100},
        ),
    ),
)
