"""Dropout against overfitting ("Deep Learning from Scratch" 6.4.3, Figure 6-23).

The book's ``ch06/overfit_dropout.py``: the first 300 training images, a
``MultiLayerNetExtend`` of six hidden layers of 100 ReLU units (He init) with
a Dropout layer after each (ratio 0.2), trained by the book's ``Trainer``: SGD
with lr 0.01, minibatches of 100 drawn with replacement, 301 epochs, train and
test accuracy once per epoch. Dropout zeroes each hidden output with
probability 0.2 while training (a fresh seeded mask per minibatch) and scales
the outputs by 0.8 when evaluating; the train accuracy no longer reaches 1.0
and the gap to the test accuracy narrows. The same network without dropout
(Figure 6-22's left panel) is trained next to it from the same weights and
minibatches; ``--seeds 0-9`` draws the mean of ten.
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

__all__ = ["DropoutConfig", "run", "LESSON"]

NAME = "dropout"


@dataclass(frozen=True)
class DropoutConfig(OverfitOptions, TrialOptions, DataOptions, LessonConfig):
    """The book's dropout experiment, and the same net without it."""

    dropout: float = option(
        0.2,
        "dropout ratio: the share of hidden units dropped per minibatch",
        low=0,
        low_open=True,
        high=1,
        high_open=True,
    )
    epochs: int = option(301, "epochs (the book's Trainer epochs)", low=1, high=100_000)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.check_epochs()


def run(
    config: DropoutConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train without and with dropout; train/test accuracy per epoch of both."""
    return run_overfit(config or DropoutConfig(), NAME, "dropout", on_step)


_QUICK = {"n_train": 100, "epochs": 12, "frames": 4}

LESSON = Lesson(
    NAME,
    DropoutConfig,
    run,
    description=(
        "overfitting on 300 MNIST images, and dropout narrowing the gap",
        "MNIST 300 枚での過学習と、Dropout による抑制",
    ),
    kinds=(
        Kind(
            "accuracy",
            "vizlearn.render.overfit:frames_overfit",
            "train and test accuracy per epoch, without and with dropout",
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
    source="'Deep Learning from Scratch' ch. 6, overfit_dropout.py",
    summary=overfit_summary,
    steps=lambda config: 2 * len(config.seed_list()),
    estimate=lambda c: estimate_bytes(c, 2 * len(c.seed_list()), 4 * c.epochs),
    frames=lambda config: len(frame_steps(config.epochs, config.frames)),
    gallery=(
        GalleryItem(
            "dropout",
            "accuracy",
            (
                "Dropout: train vs test accuracy per epoch, without and with it",
                "Dropout：エポックごとの訓練データとテストデータの認識精度"
                "（なし・あり）",
            ),
            (
                "Two panels: without dropout the train accuracy reaches 1.0; with "
                "a dropout ratio of 0.2 it stays lower and closer to the test "
                "accuracy",
                "2 枚のパネル。Dropout なしでは訓練データの認識精度が 1.0 に達する。"
                "比率 0.2 の Dropout では低めにとどまり、テストデータに近い",
            ),
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "dropout-gap-ja",
            "gap",
            (
                "The overfitting gap with and without dropout, in Japanese",
                "Dropout の有無による過学習の大きさ（日本語）",
            ),
            (
                "Two curves of train minus test accuracy per epoch; the one with "
                "dropout stays lower",
                "訓練データとテストデータの認識精度の差の 2 本の曲線。Dropout ありの"
                "方が低い",
            ),
            quick=_QUICK,
            style={"lang": "ja"},
        ),
    ),
)
