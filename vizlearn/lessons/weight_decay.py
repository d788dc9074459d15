"""Overfitting and weight decay ("Deep Learning from Scratch" 6.4, Figures 6-20/6-21).

The book's ``ch06/overfit_weight_decay.py``: the first 300 training images, a
``MultiLayerNet`` of six hidden layers of 100 ReLU units (He init), SGD with
lr 0.01, minibatches of 100 drawn with replacement, 201 epochs, train and test
accuracy once per epoch. Without weight decay the training accuracy reaches
1.0 while the test accuracy stays far below (Figure 6-20); with lambda = 0.1
(``lambda / 2 * sum(W ** 2)`` added to the loss, ``lambda W`` to each weight's
gradient) the gap narrows (Figure 6-21). Both runs start from the same weights
and see the same minibatches; ``--seeds 0-9`` draws the mean of ten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vizlearn.config import option
from vizlearn.lessons.curve_trials import (
    CurveView,
    OverfitOptions,
    TrialOptions,
    estimate_bytes,
    frame_steps,
    overfit_summary,
    run_overfit,
)
from vizlearn.lessons.options import DataOptions, LessonConfig
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["WeightDecayConfig", "run", "LESSON"]

NAME = "weight-decay"


@dataclass(frozen=True)
class WeightDecayConfig(OverfitOptions, TrialOptions, DataOptions, LessonConfig):
    """The book's weight-decay experiment, and the same net without it."""

    weight_decay: float = option(
        0.1, "weight decay lambda (the book's weight_decay_lambda)", low=0, high=100
    )
    epochs: int = option(201, "epochs (the book's max_epochs)", low=1, high=100_000)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.check_epochs()


def run(
    config: WeightDecayConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train without and with weight decay; train/test accuracy per epoch of both."""
    return run_overfit(config or WeightDecayConfig(), NAME, "weight_decay", on_step)


_QUICK = {"n_train": 100, "epochs": 12, "frames": 4}

LESSON = Lesson(
    NAME,
    WeightDecayConfig,
    run,
    description=(
        "overfitting on 300 MNIST images, and weight decay narrowing the gap",
        "MNIST 300 枚での過学習と、Weight decay による抑制",
    ),
    kinds=(
        Kind(
            "accuracy",
            "vizlearn.render.overfit:frames_overfit",
            "train and test accuracy per epoch, without and with weight decay",
            animated=True,
            view=CurveView,
        ),
        Kind(
            "gap",
            "vizlearn.render.overfit:plot_gap",
            "train minus test accuracy per epoch, both runs on one chart",
            view=CurveView,
        ),
    ),
    source="'Deep Learning from Scratch' ch. 6, overfit_weight_decay.py",
    summary=overfit_summary,
    steps=lambda config: 2 * len(config.seed_list()),
    estimate=lambda c: estimate_bytes(c, 2 * len(c.seed_list()), 4 * c.epochs),
    frames=lambda config: len(frame_steps(config.epochs, config.frames)),
    gallery=(
        GalleryItem(
            "weight-decay",
            "accuracy",
            (
                "Overfitting and weight decay: train vs test accuracy per epoch",
                "過学習と Weight decay：エポックごとの訓練データと"
                "テストデータの認識精度",
            ),
            (
                "Two panels: without weight decay the train accuracy reaches 1.0 "
                "and the test accuracy stays near 0.8; with lambda 0.1 the two "
                "curves stay closer",
                "2 枚のパネル。Weight decay なしでは訓練データの認識精度が 1.0 に"
                "達し、テストデータは 0.8 付近にとどまる。"
                "λ = 0.1 では 2 本の曲線が近い",
            ),
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "weight-decay-ja",
            "accuracy",
            (
                "The same in Japanese: the gap between the curves is overfitting",
                "同じ図（日本語）：2 本の曲線の差が過学習",
            ),
            (
                "The train and test accuracy panels with Japanese labels",
                "日本語ラベルの訓練データとテストデータの認識精度のパネル",
            ),
            quick=_QUICK,
            style={"lang": "ja"},
        ),
    ),
)
