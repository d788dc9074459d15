"""SGD, Momentum, AdaGrad and Adam on MNIST ("Deep Learning from Scratch" 6.1.7).

The book's ``ch06/optimizer_compare_mnist.py`` (Figure 6-9): a
``MultiLayerNet`` with four hidden layers of 100 ReLU units (five layers in
all, He init) per optimizer, each with the book's default learning rate (SGD
0.01, Momentum 0.01 with momentum 0.9, AdaGrad 0.01, Adam 0.001), trained for
2 000 iterations on minibatches of 128 drawn with replacement; the minibatch
loss of every iteration, smoothed, overlaid. SGD is the slowest; Momentum,
AdaGrad and Adam all learn much faster. Every
network starts from the same weights and sees the same minibatches, so only
the update rule differs; ``--seeds 0-9`` draws the mean of ten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vizlearn.config import option
from vizlearn.lessons.curve_trials import (
    COMPARE_KINDS,
    TrialOptions,
    compare_summary,
    estimate_bytes,
    frame_steps,
    run_compare,
)
from vizlearn.lessons.options import OPTIMIZER_NAMES, DataOptions, LessonConfig
from vizlearn.lessons.record import GalleryItem, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["OptimizersMnistConfig", "BOOK_LR", "run", "LESSON"]

NAME = "optimizers-mnist"
#: the learning rates of the book's ``common/optimizer.py`` constructors
BOOK_LR = {"sgd": 0.01, "momentum": 0.01, "adagrad": 0.01, "adam": 0.001}


def _check_optimizers(text: str) -> None:
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in OPTIMIZER_NAMES]
    if not names or bad or len(set(names)) != len(names):
        raise ValueError(
            f"--optimizers takes distinct names from {', '.join(OPTIMIZER_NAMES)}, "
            f"got {text!r}"
        )


@dataclass(frozen=True)
class OptimizersMnistConfig(TrialOptions, DataOptions, LessonConfig):
    """The book's optimizer comparison on MNIST."""

    optimizers: str = option(
        "sgd,momentum,adagrad,adam",
        "optimizers to compare, each with the book's learning rate",
        check=_check_optimizers,
    )
    layers: int = option(
        4, "hidden layers (4: the book's five-layer net)", low=1, high=20
    )
    hidden: int = option(100, "units per hidden layer", low=1, high=2000)
    batch_size: int = option(128, "examples per minibatch", low=1, high=10_000)
    iters: int = option(2000, "iterations (updates)", low=1, high=1_000_000)
    n_train: int = option(
        0, "training images (the first N; 0 = all)", low=0, high=60_000
    )
    frames: int = option(
        50, "animation frames (spread over the iterations)", low=2, high=2000
    )

    def names(self) -> list[str]:
        """The optimizers, in the order given."""
        return [n.strip() for n in self.optimizers.split(",") if n.strip()]


def run(
    config: OptimizersMnistConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train one network per optimizer; every minibatch loss of each."""
    config = config or OptimizersMnistConfig()
    variants = [{"optimizer": n, "lr": BOOK_LR[n]} for n in config.names()]
    return run_compare(
        config, NAME, variants, config.names(), "optimizer", 1.0, on_step
    )


_QUICK = {"iters": 40, "frames": 4, "n_train": 1000}

LESSON = Lesson(
    NAME,
    OptimizersMnistConfig,
    run,
    description=(
        "SGD, Momentum, AdaGrad and Adam training the same net on MNIST",
        "MNIST で SGD・Momentum・AdaGrad・Adam の学習の進み方を比較",
    ),
    kinds=COMPARE_KINDS,
    source="'Deep Learning from Scratch' ch. 6, optimizer_compare_mnist.py",
    summary=compare_summary,
    steps=lambda config: len(config.names()) * len(config.seed_list()),
    estimate=lambda c: estimate_bytes(c, len(c.names()) * len(c.seed_list()), c.iters),
    frames=lambda config: len(frame_steps(config.iters, config.frames)),
    gallery=(
        GalleryItem(
            "optimizers-mnist",
            "loss",
            (
                "Four optimizers on MNIST: the minibatch loss per iteration, smoothed",
                "MNIST での 4 つの最適化手法：学習回数ごとの損失関数（平滑化）",
            ),
            (
                "Four loss curves falling over 2000 iterations; SGD's stays "
                "highest, Momentum, AdaGrad and Adam fall far faster",
                "2000 回の学習で下がる 4 本の損失曲線。SGD が最も高く、"
                "Momentum・AdaGrad・Adam はずっと速く下がる",
            ),
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "optimizers-mnist-ja",
            "loss",
            (
                "The same comparison in Japanese, dark theme",
                "同じ比較（日本語、ダークテーマ）",
            ),
            (
                "The four smoothed loss curves with Japanese labels on dark",
                "日本語ラベルとダークテーマの 4 本の平滑化した損失曲線",
            ),
            quick=_QUICK,
            style={"lang": "ja", "theme": "dark"},
        ),
    ),
)
