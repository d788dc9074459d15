"""Initial weights on MNIST: std 0.01, Xavier, He ("Deep Learning from Scratch" 6.2.4).

The book's ``ch06/weight_init_compare.py`` (Figure 6-15): a ``MultiLayerNet``
with four hidden layers of 100 ReLU units (five layers in all) per initial
weight std (0.01, Xavier ``sqrt(1/n)``, He ``sqrt(2/n)``), trained with SGD
(lr 0.01) for 2 000 iterations on minibatches of 128; the minibatch loss of
every iteration, smoothed, overlaid. With std 0.01 the signal dies out layer
after layer and the network does not learn at all; He learns fastest, Xavier
close behind. Every network sees the same minibatches; ``--seeds 0-9`` draws
the mean of ten (each seed draws its own weights).
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
from vizlearn.lessons.options import (
    ACTIVATION_NAMES,
    DataOptions,
    LessonConfig,
    parse_weight_init,
)
from vizlearn.lessons.record import GalleryItem, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["WeightInitMnistConfig", "run", "LESSON"]

NAME = "weight-init-mnist"


def _check_inits(text: str) -> None:
    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items or len(items) > 8:
        raise ValueError(f"--inits needs 1 to 8 entries, got {text!r}")
    for item in items:
        parse_weight_init(item)


@dataclass(frozen=True)
class WeightInitMnistConfig(TrialOptions, DataOptions, LessonConfig):
    """The book's weight-init comparison on MNIST."""

    inits: str = option(
        "0.01,xavier,he", "initial weight stds, comma-separated: std, xavier, he",
        check=_check_inits,
    )  # fmt: skip
    activation: str = option("relu", "hidden activation", choices=ACTIVATION_NAMES)
    lr: float = option(0.01, "SGD learning rate", low=0, low_open=True)
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
        """The inits, in the order given ("0.01", "xavier", "he")."""
        return [s.strip().lower() for s in self.inits.split(",") if s.strip()]


def run(
    config: WeightInitMnistConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train one network per initial std; every minibatch loss of each."""
    config = config or WeightInitMnistConfig()
    variants = [
        {"weight_init": n, "activation": config.activation, "lr": config.lr}
        for n in config.names()
    ]
    return run_compare(config, NAME, variants, config.names(), "init", 2.5, on_step)


_QUICK = {"iters": 40, "frames": 4, "n_train": 1000}

LESSON = Lesson(
    NAME,
    WeightInitMnistConfig,
    run,
    description=(
        "std 0.01, Xavier and He initial weights training the same net on MNIST",
        "MNIST で重みの初期値（標準偏差 0.01・Xavier・He）による学習の違い",
    ),
    kinds=COMPARE_KINDS,
    source="'Deep Learning from Scratch' ch. 6, weight_init_compare.py",
    summary=compare_summary,
    steps=lambda config: len(config.names()) * len(config.seed_list()),
    estimate=lambda c: estimate_bytes(c, len(c.names()) * len(c.seed_list()), c.iters),
    frames=lambda config: len(frame_steps(config.iters, config.frames)),
    gallery=(
        GalleryItem(
            "weight-init-mnist",
            "loss",
            (
                "Initial weights on MNIST: std 0.01 never learns, He learns fastest",
                "MNIST での重みの初期値：標準偏差 0.01 は学習が進まず、He が最も速い",
            ),
            (
                "Three smoothed loss curves over 2000 iterations: the std 0.01 "
                "curve stays flat near 2.3 while Xavier and He fall below 0.5",
                "2000 回の学習での 3 本の損失曲線。標準偏差 0.01 は 2.3 付近で横ばい、"
                "Xavier と He は 0.5 を下回る",
            ),
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "weight-init-mnist-ja",
            "accuracy",
            (
                "Test accuracy per epoch for each initial std, in Japanese",
                "重みの初期値ごとのエポックごとのテストデータの認識精度（日本語）",
            ),
            (
                "Three accuracy curves; std 0.01 stays at chance",
                "3 本の認識精度の曲線。標準偏差 0.01 はあてずっぽうの水準のまま",
            ),
            quick=_QUICK,
            style={"lang": "ja"},
        ),
    ),
)
