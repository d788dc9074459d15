"""Three ways to draw minibatches, and how much of the data each one sees.

The book draws every minibatch with ``np.random.choice(train_size, batch_size)``:
with replacement, so after one epoch's worth of iterations only about
1 - 1/e = 63 % of the examples have been used. Drawing without replacement
inside a batch changes almost nothing; shuffling once per epoch and slicing
the permutation (DeZero's ``DataLoader``, Keras' ``shuffle=True``) sees every
example exactly once per epoch. This lesson trains the same network from the
same initial weights with each sampler and records the coverage (fraction of
training examples seen so far) at every iteration and the accuracies.

The defaults are DeZero's spiral settings (offline); for the book's MNIST
setting use ``--dataset mnist --hidden 50 --lr 0.1 --batch-size 100
--iters 10000 --weight-init 0.01``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vizlearn.lessons._options import option, to_dict
from vizlearn.lessons.mnist import SAMPLER_NAMES, DataConfig, check_common

__all__ = ["SamplersConfig", "SamplerRuns", "run", "coverage"]

NAME = "samplers"
_DATASETS = ("spiral", "circles", "xor", "blobs", "mnist")


@dataclass(frozen=True)
class SamplersConfig(DataConfig):
    """One network and budget, trained once per sampler."""

    dataset: str = option(
        "spiral", "data set (mnist needs --data-dir or a download)", choices=_DATASETS
    )
    hidden: int = option(10, "hidden units", low=1, high=10_000)
    activation: str = option(
        "sigmoid", "hidden activation", choices=("sigmoid", "relu", "tanh")
    )
    weight_init: str = option("xavier", "initial weight std: a number, xavier or he")
    lr: float = option(1.0, "learning rate (SGD)", low=0, low_open=True)
    batch_size: int = option(30, "examples per minibatch", low=1, high=100_000)
    iters: int = option(3000, "training iterations per sampler", low=1, high=10**7)
    seed: int = option(0, "random seed (weights, minibatches)", low=0)
    samplers: tuple[str, ...] = SAMPLER_NAMES

    def __post_init__(self) -> None:
        check_common(self)
        unknown = [s for s in self.samplers if s not in SAMPLER_NAMES]
        if unknown or not self.samplers:
            raise ValueError(
                f"--sampler must be one of {', '.join(SAMPLER_NAMES)}, "
                f"not {', '.join(unknown) or 'nothing'}"
            )


@dataclass(frozen=True)
class SamplerRuns:
    """One Trace and one coverage curve per sampler, from the same start."""

    traces: dict[str, Any]
    coverage: dict[str, Any]  # name -> (iters + 1,) fraction seen after i updates
    n_train: int
    batch_size: int
    meta: dict[str, Any] = field(default_factory=dict)

    def accuracy(self) -> dict[str, tuple[float, float]]:
        """Final (train, test) accuracy per sampler."""
        return {
            k: (float(t.metrics["train_acc"][-1]), float(t.metrics["test_acc"][-1]))
            for k, t in self.traces.items()
        }

    def plot(self, *, style: Any = None) -> Any:
        """The lesson's figure: examples seen per iteration, final accuracies."""
        from vizlearn.render.samplers import plot_samplers

        return plot_samplers(
            self.coverage,
            self.accuracy(),
            n_train=self.n_train,
            batch_size=self.batch_size,
            style=style,
        )

    def summary(self) -> dict[str, Any]:
        """Per sampler: final accuracies and losses, and coverage milestones."""
        per_epoch = -(-self.n_train // self.batch_size)
        out: dict[str, Any] = {}
        for name, trace in self.traces.items():
            cov = self.coverage[name]
            full = int((cov >= 1.0).argmax()) if cov[-1] >= 1.0 else None
            out[name] = {
                **{k: round(float(v[-1]), 6) for k, v in trace.metrics.items()},
                "coverage_after_1_epoch": round(
                    float(cov[min(per_epoch, len(cov) - 1)]), 6
                ),
                "coverage_final": round(float(cov[-1]), 6),
                "iteration_all_seen": full,
                "diverged_at": trace.diverged_at,
            }
        return {
            "samplers": out,
            "n_train": self.n_train,
            "batch_size": self.batch_size,
            "iters_per_epoch": per_epoch,
        }


def coverage(sampler: str, n: int, batch_size: int, iters: int, seed: int):
    """Fraction of the ``n`` examples seen after 0..iters updates, ``(iters + 1,)``.

    Replays the exact minibatches that training with ``sampler`` and ``seed``
    draws (same generator stream as :func:`train_classifier`).
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


def run(
    config: SamplersConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> SamplerRuns:
    """Train once per sampler; ``on_step`` gets the count of updates done overall."""
    import numpy as np

    from vizlearn.lessons.training import build_classifier, split_for, train_classifier

    config = config or SamplersConfig()
    split = split_for(config, np.float32)
    traces, cov = {}, {}
    for k, name in enumerate(config.samplers):
        model = build_classifier(
            split,
            hidden=config.hidden,
            activation=config.activation,
            weight_init=config.weight_init,
            seed=config.seed,
        )
        done = k * config.iters
        traces[name] = train_classifier(
            model,
            split,
            lr=config.lr,
            sampler=name,
            batch_size=config.batch_size,
            iters=config.iters,
            frames=2,
            track=1,
            seed=config.seed,
            meta={"lesson": NAME, "sampler": name, "config": to_dict(config)},
            on_step=(lambda s, done=done: on_step(done + s)) if on_step else None,
        )
        cov[name] = coverage(
            name, len(split.x_train), config.batch_size, config.iters, config.seed
        )
    meta = {"lesson": NAME, "config": to_dict(config), "seed": config.seed}
    return SamplerRuns(traces, cov, len(split.x_train), config.batch_size, meta)
