"""Random hyper-parameter search ("Deep Learning from Scratch" 6.5, Figures 6-24/6-25).

The book's ``ch06/hyperparameter_optimization.py``: the first 500 training
images, shuffled, 20 % of them held out as validation data; 100 trials, each
drawing ``weight decay = 10 ** U(-8, -4)`` then ``lr = 10 ** U(-6, -2)`` and
training a six-layer ``MultiLayerNet`` (100 ReLU units, He init) with SGD for
50 epochs (minibatches of 100). The trials are ranked by their final
validation accuracy: the top 20 drawn as a 5 x 4 grid of validation (solid)
and training (dashed) curves, and every trial as a point of lr x weight decay
coloured by its validation accuracy. The book's finding: the good learning
rates lie around 10^-3 to 10^-2, while weight decay matters little here.

Every trial starts from the same weights and sees the same minibatches (the
``--seeds``), so trials differ only in their two values; ``--search-seed``
draws the values and the validation split. Trials run in worker processes
(``--workers``) or on a Dask cluster (``--scheduler tcp://HOST:PORT``), with the
same results either way.
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

__all__ = ["SearchConfig", "TopView", "draw_values", "run", "summary", "LESSON"]

NAME = "hyperparameter-search"


@dataclass(frozen=True)
class SearchConfig(TrialOptions, DataOptions, LessonConfig):
    """The book's random search over the learning rate and the weight decay."""

    trials: int = option(100, "random trials", low=1, high=10_000)
    n_data: int = option(
        500,
        "images: the first N training images, split into train/validation",
        low=10,
        high=60_000,
    )
    validation: float = option(
        0.2, "share held out as validation data", low=0, low_open=True, high=0.9
    )
    epochs: int = option(50, "epochs per trial", low=1, high=10_000)
    lr_low: float = option(-6.0, "log10 of the smallest learning rate", low=-12, high=2)
    lr_high: float = option(-2.0, "log10 of the largest learning rate", low=-12, high=2)
    wd_low: float = option(-8.0, "log10 of the smallest weight decay", low=-12, high=2)
    wd_high: float = option(-4.0, "log10 of the largest weight decay", low=-12, high=2)
    layers: int = option(6, "hidden layers", low=1, high=20)
    hidden: int = option(100, "units per hidden layer", low=1, high=2000)
    batch_size: int = option(100, "examples per minibatch", low=1, high=10_000)
    search_seed: int = option(
        0,
        "seed of the random values and of the validation split",
        low=0,
        high=2**32 - 1,
    )
    frames: int = option(
        26, "animation frames (spread over the epochs)", low=2, high=2000
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        for low, high in (("lr_low", "lr_high"), ("wd_low", "wd_high")):
            if getattr(self, low) > getattr(self, high):
                raise ValueError(f"--{low.replace('_', '-')} must be <= --{high}")
        if self.frames > self.epochs + 1:
            raise ValueError(
                f"--frames must be at most --epochs + 1 = {self.epochs + 1}, "
                f"got {self.frames}"
            )


@dataclass(frozen=True)
class TopView(CurveView):
    """How many of the best trials the grid shows."""

    top: int = option(20, "best trials drawn (5 per row)", low=1, high=100)


def draw_values(config: SearchConfig) -> list[tuple[float, float]]:
    """Each trial's (lr, weight decay), drawn as the book draws them."""
    import numpy as np

    rng = np.random.default_rng(config.search_seed)
    values = []
    for _ in range(config.trials):
        weight_decay = 10 ** rng.uniform(config.wd_low, config.wd_high)
        lr = 10 ** rng.uniform(config.lr_low, config.lr_high)
        values.append((float(lr), float(weight_decay)))
    return values


def run(
    config: SearchConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Run every trial (every seed); validation curves, values and their ranking."""
    import numpy as np

    from vizlearn.core.samplers import batches_per_epoch
    from vizlearn.lessons.curve_trials import curves_trace, run_variants

    config = config or SearchConfig()
    values = draw_values(config)
    base = {
        "n_train": config.n_data,
        "validation": config.validation,
        "shuffle_seed": config.search_seed,
        "layers": config.layers,
        "hidden": config.hidden,
        "batch_size": config.batch_size,
        "epochs": config.epochs,
    }
    variants = [{**base, "lr": lr, "weight_decay": wd} for lr, wd in values]
    runs = run_variants(config, variants, on_step)
    n_train = runs[0][0].meta["n_train"]
    at = frame_steps(
        config.epochs, config.frames, batches_per_epoch(n_train, config.batch_size)
    )
    final = np.array([[t.metrics["test_acc"][-1] for t in seeds] for seeds in runs])
    order = np.argsort(-final.mean(axis=1), kind="stable")
    meta = {
        "lesson": NAME,
        "config": recorded_config(config),
        "seed": config.seed_list()[0],
        "seeds": list(config.seed_list()),
        "eval_set": "validation",
        "epochs": config.epochs,
    }
    data = {
        "lr": np.array([v[0] for v in values]),
        "weight_decay": np.array([v[1] for v in values]),
        "order": order.astype(np.int64),
    }
    return curves_trace(runs, frames_at=at, meta=meta, data=data)


def summary(trace: Trace) -> dict[str, Any]:
    """The best values (by final validation accuracy) and the top five."""
    import numpy as np

    shape = trace.data["test_acc"].shape[:2]
    last = np.asarray(trace.data["n_metrics"]).reshape(shape) - 1
    rows = np.arange(shape[0])[:, None], np.arange(shape[1])[None, :], last
    val = trace.data["test_acc"][rows].mean(axis=1)
    train = trace.data["train_acc"][rows].mean(axis=1)

    def entry(i: int) -> dict[str, float]:
        return {
            "lr": float(trace.data["lr"][i]),
            "weight_decay": float(trace.data["weight_decay"][i]),
            "val_acc": round(float(val[i]), 6),
            "train_acc": round(float(train[i]), 6),
        }

    order = [int(i) for i in trace.data["order"]]
    return {
        "trials": len(order),
        "best": entry(order[0]),
        "top": [entry(i) for i in order[:5]],
        "seeds": trace.meta.get("seeds"),
    }


_QUICK = {"trials": 8, "epochs": 4, "frames": 3}

LESSON = Lesson(
    NAME,
    SearchConfig,
    run,
    description=(
        "random search over learning rate and weight decay (100 trials)",
        "学習係数と Weight decay のランダムサーチ（100 回の試行）",
    ),
    kinds=(
        Kind(
            "top",
            "vizlearn.render.hyperparameter_search:frames_top",
            "the best 20 trials: validation and training accuracy per epoch",
            animated=True,
            view=TopView,
        ),
        Kind(
            "scatter",
            "vizlearn.render.hyperparameter_search:frames_scatter",
            "every trial at its lr x weight decay, coloured by validation accuracy",
            animated=True,
        ),
    ),
    source="'Deep Learning from Scratch' ch. 6, hyperparameter_optimization.py",
    summary=summary,
    steps=lambda config: config.trials * len(config.seed_list()),
    estimate=lambda c: estimate_bytes(c, c.trials * len(c.seed_list()), 5 * c.epochs),
    frames=lambda config: len(frame_steps(config.epochs, config.frames)),
    gallery=(
        GalleryItem(
            "hyperparameter-search",
            "top",
            (
                "Random search: the 20 best of 100 trials, validation accuracy "
                "per epoch",
                "ハイパーパラメータのランダムサーチ：100 回の試行のうち上位 20 件の"
                "検証データの認識精度",
            ),
            (
                "A 5 by 4 grid of small accuracy charts, ranked Best-1 to Best-20; "
                "each names its learning rate and weight decay",
                "5 × 4 の小さな認識精度のグラフ。Best-1 から Best-20 の順に並び、"
                "それぞれに学習係数と Weight decay を記す",
            ),
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "hyperparameter-scatter",
            "scatter",
            (
                "Where the good values are: lr x weight decay, coloured by "
                "validation accuracy",
                "良い値はどこか：学習係数 × Weight decay を"
                "検証データの認識精度で色分け",
            ),
            (
                "A log-log scatter of 100 points; the bright ones, with high "
                "accuracy, sit at learning rates between 0.001 and 0.01",
                "両対数の散布図に 100 点。認識精度の高い明るい点は学習係数 0.001〜0.01 "
                "に集まる",
            ),
            quick=_QUICK,
        ),
        GalleryItem(
            "hyperparameter-scatter-ja",
            "scatter",
            (
                "The same scatter in Japanese, dark theme",
                "同じ散布図（日本語、ダークテーマ）",
            ),
            (
                "The lr x weight decay scatter with Japanese labels on dark",
                "日本語ラベルとダークテーマの学習係数 × Weight decay の散布図",
            ),
            quick=_QUICK,
            style={"lang": "ja", "theme": "dark"},
        ),
    ),
)
