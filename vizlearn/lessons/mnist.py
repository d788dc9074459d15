"""The book's two-layer net on MNIST (chapter 4, ``train_neuralnet.py``).

Defaults are the book's: 784-50-10, sigmoid, W ~ 0.01 randn, b = 0, softmax
cross-entropy, SGD lr 0.1, minibatches of 100 drawn with replacement
(``np.random.choice``), 10 000 iterations, accuracy on the training and test
data once per epoch (train_size / batch_size iterations). The arithmetic runs in
float32 unless ``--dtype float64``; ``--grad numerical`` trains with the exact
numerical gradient of :mod:`vizlearn.core.fastgrad` instead of backprop
(the figures' titles say so).

Pixels are scaled to [0, 1] as the book's ``load_mnist(normalize=True)``;
``--no-normalize`` trains on the raw 0-255 values as the Keras tuning tutorial
does, and ``--layers 3 --hidden 30`` builds that tutorial's ``hidden_layers=2``
network (``--kind keras`` draws its accuracy chart). ``--kind table --class 3``
is the tutorial's 2x2 table of one class against the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.lessons import options as o
from vizlearn.lessons.kinds import CLASSIFIER_KINDS
from vizlearn.lessons.record import Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["MnistConfig", "run", "summary", "LESSON"]

NAME = "mnist"


@dataclass(frozen=True)
class MnistConfig(o.TwoLayerNetOptions):
    """Everything that defines a two-layer-net run (the book's defaults)."""


def run(
    config: MnistConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train the two-layer net and return its Trace (loss, accuracy per epoch, ...)."""
    from vizlearn.lessons.training import run_classifier

    return run_classifier(config or MnistConfig(), NAME, "mnist", on_step)


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


LESSON = Lesson(
    NAME,
    MnistConfig,
    run,
    description=(
        "the book's two-layer net (784-50-10) on MNIST: loss and accuracy",
        "MNIST で2層ニューラルネットワーク（784-50-10）を学習：損失関数と認識精度",
    ),
    kinds=CLASSIFIER_KINDS,
    source="'Deep Learning from Scratch' ch. 4, train_neuralnet.py",
    summary=summary,
)
