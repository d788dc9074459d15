"""Batch normalization ("Deep Learning from Scratch" 6.3, Figures 6-18/6-19).

The book's ``ch06/batch_norm_test.py``: the first 1000 training images, a
``MultiLayerNetExtend`` of five hidden layers of 100 ReLU units, trained with
SGD (lr 0.01, minibatches of 100 drawn with replacement) for 20 epochs, with
and without a ``BatchNormalization`` layer after every hidden affine layer;
once for each of 16 initial weight scales ``W ~ s * randn``, ``s`` in
``logspace(0, -4, 16)``. The training accuracy per epoch of each pair fills a
4 x 4 grid: with batch norm the network learns faster at almost every scale,
and learns at all at scales where the plain one never starts. Each pair
starts from the same weights and sees the same minibatches; ``--seeds 0-9``
draws the mean of ten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option
from vizlearn.lessons.curve_trials import (
    CurveView,
    TrialOptions,
    estimate_bytes,
    frame_steps,
    recorded_config,
)
from vizlearn.lessons.options import DataOptions, LessonConfig
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["BatchNormConfig", "weight_scales", "run", "summary", "LESSON"]

NAME = "batch-norm"


@dataclass(frozen=True)
class BatchNormConfig(TrialOptions, DataOptions, LessonConfig):
    """The book's batch-norm test: 16 weight scales, with and without batch norm."""

    n_train: int = option(1000, "training images (the first N)", low=10, high=60_000)
    scales: int = option(
        16, "initial weight scales: logspace(0, -4, N) (the grid's panels)", low=1,
        high=64,
    )  # fmt: skip
    epochs: int = option(20, "epochs (the book's max_epochs)", low=1, high=10_000)
    layers: int = option(5, "hidden layers", low=1, high=20)
    hidden: int = option(100, "units per hidden layer", low=1, high=2000)
    lr: float = option(0.01, "SGD learning rate", low=0, low_open=True)
    batch_size: int = option(100, "examples per minibatch", low=1, high=10_000)
    frames: int = option(
        21, "animation frames (spread over the epochs)", low=2, high=2000
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.frames > self.epochs + 1:
            raise ValueError(
                f"--frames must be at most --epochs + 1 = {self.epochs + 1}, "
                f"got {self.frames}"
            )


def weight_scales(n: int) -> list[float]:
    """``np.logspace(0, -4, n)``: the book's initial weight stds, 1 down to 1e-4."""
    import numpy as np

    return [float(s) for s in np.logspace(0, -4, n)]


def run(
    config: BatchNormConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train both networks at every scale; training accuracy per epoch of all."""
    import numpy as np

    from vizlearn.core.samplers import batches_per_epoch
    from vizlearn.lessons.curve_trials import curves_trace, run_variants

    config = config or BatchNormConfig()
    scales = weight_scales(config.scales)
    base = {
        "n_train": config.n_train,
        "layers": config.layers,
        "hidden": config.hidden,
        "lr": config.lr,
        "batch_size": config.batch_size,
        "epochs": config.epochs,
    }
    variants = [
        {**base, "weight_init": repr(s), "batch_norm": bn}
        for s in scales
        for bn in (True, False)
    ]
    runs = run_variants(config, variants, on_step)
    per_epoch = batches_per_epoch(runs[0][0].meta["n_train"], config.batch_size)
    meta = {
        "lesson": NAME,
        "config": recorded_config(config),
        "seed": config.seed_list()[0],
        "seeds": list(config.seed_list()),
        "epochs": config.epochs,
        "variants": "weight scale x (batch norm, plain)",
    }
    at = frame_steps(config.epochs, config.frames, per_epoch)
    data = {"weight_scale": np.array(scales)}
    return curves_trace(runs, frames_at=at, meta=meta, data=data)


def summary(trace: Trace) -> dict[str, Any]:
    """Per scale: final training accuracy and the mean over epochs, both networks."""
    import numpy as np

    acc = np.asarray(trace.data["train_acc"])  # (2 * scales, seeds, epochs + 1)
    acc = acc.reshape(-1, 2, *acc.shape[1:]).mean(axis=2)  # (scales, 2, epochs + 1)
    rows = []
    for s, (bn, plain) in zip(trace.data["weight_scale"], acc, strict=True):
        rows.append(
            {
                "weight_scale": float(s),
                "batch_norm": round(float(bn[-1]), 6),
                "plain": round(float(plain[-1]), 6),
                "batch_norm_mean": round(float(bn.mean()), 6),
                "plain_mean": round(float(plain.mean()), 6),
            }
        )
    faster = sum(r["batch_norm_mean"] > r["plain_mean"] for r in rows)
    return {"scales": rows, "batch_norm_faster": faster, "seeds": trace.meta["seeds"]}


_QUICK = {"scales": 4, "epochs": 4, "frames": 3, "n_train": 300}

LESSON = Lesson(
    NAME,
    BatchNormConfig,
    run,
    description=(
        "batch normalization vs none, at 16 initial weight scales",
        "Batch Normalization の有無による学習の違い（16 通りの重みの初期値）",
    ),
    kinds=(
        Kind(
            "grid",
            "vizlearn.render.batch_norm:frames_batch_norm",
            "training accuracy per epoch with and without batch norm, per scale",
            animated=True,
            view=CurveView,
        ),
        Kind(
            "scales",
            "vizlearn.render.batch_norm:plot_scales",
            "final training accuracy against the initial weight scale",
        ),
    ),
    source="'Deep Learning from Scratch' ch. 6, batch_norm_test.py",
    summary=summary,
    steps=lambda config: 2 * config.scales * len(config.seed_list()),
    estimate=lambda c: estimate_bytes(
        c, 2 * c.scales * len(c.seed_list()), 11 * c.epochs
    ),
    frames=lambda config: len(frame_steps(config.epochs, config.frames)),
    gallery=(
        GalleryItem(
            "batch-norm",
            "grid",
            (
                "Batch normalization learns faster at almost every initial "
                "weight scale",
                "Batch Normalization を使うと、ほとんどの重みの初期値で学習が速く進む",
            ),
            (
                "A 4 by 4 grid of accuracy charts, one per weight scale from 1 to "
                "0.0001; the solid batch-norm curve rises faster than the dashed "
                "plain one in nearly every panel",
                "重みの初期値 1〜0.0001 ごとの 4 × 4 の認識精度のグラフ。"
                "ほぼすべてのパネルで実線（Batch Normalization あり）が"
                "破線（なし）より速く上がる",
            ),
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "batch-norm-scales-ja",
            "scales",
            (
                "Final training accuracy against the weight scale, in Japanese",
                "重みの初期値のスケールと最終的な認識精度（日本語）",
            ),
            (
                "Two curves over a log axis of weight scales: batch norm stays "
                "high across most of the range, the plain network only between "
                "0.1 and 0.3, diverging above",
                "重みのスケール（対数軸）に対する 2 本の曲線。Batch Normalization "
                "ありは広い範囲で高く、なしは 0.1〜0.3 だけ高く、それより大きいと発散",
            ),
            quick=_QUICK,
            style={"lang": "ja"},
        ),
    ),
)
