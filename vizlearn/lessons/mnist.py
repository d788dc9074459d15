"""The book's two-layer net on MNIST (chapter 4, ``train_neuralnet.py``).

Defaults are the book's: 784-50-10, sigmoid, W ~ 0.01 randn, b = 0, softmax
cross-entropy, SGD lr 0.1, minibatches of 100 drawn with replacement
(``np.random.choice``), 10 000 iterations, accuracy on the training and test
data once per epoch (train_size / batch_size iterations). The arithmetic runs in
float32 unless ``--dtype float64``; ``--grad numerical`` trains with the exact
numerical gradient of :mod:`vizlearn.core.fastgrad` instead of backprop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.lessons._options import check_range, option, to_dict

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["DataConfig", "MnistConfig", "run", "summary", "check_common"]

NAME = "mnist"
SAMPLER_NAMES = ("with-replacement", "without-replacement", "epoch-shuffle")
OPTIMIZER_NAMES = ("sgd", "momentum", "adagrad", "adam")


@dataclass(frozen=True)
class DataConfig:
    """Where MNIST comes from (planar data sets need none of this)."""

    # folders: the CLI declares their options itself (see ``cli.mnist``)
    data_dir: str = ""  # IDX files or mnist.npz; "" = the cache (download if missing)
    cache_dir: str = ""  # "" = $XDG_CACHE_HOME/vizlearn/mnist
    split_from_test: int = option(
        0,
        "use only the t10k files: first N train, rest test (0 = off)",
        low=0,
        high=9999,
    )


@dataclass(frozen=True)
class MnistConfig(DataConfig):
    """Everything that defines a two-layer-net run (the book's defaults)."""

    hidden: int = option(50, "hidden units", low=1, high=10_000)
    activation: str = option(
        "sigmoid", "hidden activation", choices=("sigmoid", "relu", "tanh")
    )
    weight_init: str = option("0.01", "initial weight std: a number, xavier or he")
    optimizer: str = option("sgd", "optimizer", choices=OPTIMIZER_NAMES)
    lr: float = option(0.1, "learning rate", low=0, low_open=True)
    batch_size: int = option(100, "examples per minibatch", low=1, high=100_000)
    iters: int = option(10_000, "training iterations (updates)", low=1, high=10**7)
    sampler: str = option(
        "with-replacement", "how minibatches are drawn", choices=SAMPLER_NAMES
    )
    grad: str = option(
        "backprop", "how gradients are computed", choices=("backprop", "numerical")
    )
    dtype: str = option("float32", "float type", choices=("float32", "float64"))
    frames: int = option(50, "snapshots (animation frames)", low=2, high=2000)
    track: int = option(32, "weights tracked per tensor at each snapshot", low=1)
    seed: int = option(0, "random seed (weights, minibatches)", low=0)

    def __post_init__(self) -> None:
        check_common(self)
        if self.frames > self.iters + 1:
            raise ValueError(
                f"--frames must be at most --iters + 1 = {self.iters + 1}, "
                f"got {self.frames}"
            )


def check_common(config: Any) -> None:
    """Range checks plus the checks every classification config shares."""
    from vizlearn.lessons.options import parse_weight_init

    check_range(config)
    if hasattr(config, "weight_init"):
        parse_weight_init(config.weight_init)


def run(
    config: MnistConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
    dataset: str = "mnist",
) -> Trace:
    """Train the two-layer net and return its Trace (loss, accuracy per epoch, ...)."""
    import numpy as np

    from vizlearn.lessons.training import build_classifier, split_for, train_classifier

    config = config or MnistConfig()
    dtype = np.dtype(config.dtype).type
    split = split_for(config, dtype, dataset)
    model = build_classifier(
        split,
        hidden=config.hidden,
        activation=config.activation,
        weight_init=config.weight_init,
        seed=config.seed,
        dtype=dtype,
    )
    meta = {"lesson": NAME, "config": to_dict(config), "seed": config.seed}
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


def summary(trace: Trace) -> dict[str, Any]:
    """The final numbers of a run: losses, accuracies, epochs, divergence."""
    last = {k: round(float(v[-1]), 6) for k, v in trace.metrics.items() if len(v)}
    steps, per_epoch = trace.metric_steps, int(trace.meta.get("iters_per_epoch", 1))
    return {
        "iterations": int(trace.loss_steps[-1]) + 1 if len(trace.loss) else 0,
        "epochs": round(float(steps[-1]) / per_epoch, 3) if len(steps) else 0.0,
        "final_loss": float(trace.loss[-1]) if len(trace.loss) else None,
        **last,
        "n_train": trace.meta.get("n_train"),
        "n_test": trace.meta.get("n_test"),
        "seed": trace.meta.get("seed"),
        "diverged_at": trace.diverged_at,
    }
