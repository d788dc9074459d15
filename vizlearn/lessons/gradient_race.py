"""The gradient race: numerical gradient one weight at a time, backprop all at once.

The book's 784-50-10 sigmoid net (W ~ 0.01 randn) and its gradient check
(``gradient_check.py``: the first 3 training images). The numerical gradient
perturbs one weight at a time, as the book's ``numerical_gradient`` does in
``np.nditer`` order, and runs two forward passes for each; backprop gets every
weight from one forward and one backward pass. Both are timed on this machine
with ``time.perf_counter``, and the trace keeps the measured clock: the time
after each chunk of ``--chunk`` weights (one pixel's row of W1 by default),
the median time of one backprop, and the projection to every parameter and to
10 000 iterations of training (``train_neuralnet.py``). Times are measured, so
unlike other lessons a rerun gives slightly different numbers.

``--weights N`` times only the first N weights of W1 (the rest stays blank,
and the projection says it is extrapolated). Without MNIST at hand,
``--dataset spiral`` (or another planar set) races on a 2-50-3 net.
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

__all__ = ["GradientRaceConfig", "run", "LESSON", "TRAIN_ITERS"]

NAME = "gradient-race"
TRAIN_ITERS = 10_000  # train_neuralnet.py's iterations, for the projection
_DATASETS = (*o.IMAGE_SETS, *o.PLANAR_SETS)


@dataclass(frozen=True)
class GradientRaceConfig(o.DataOptions, o.LessonConfig):
    """The network, the batch the gradients are taken on, and the animation."""

    dataset: str = o.dataset("mnist", _DATASETS)
    hidden: int = o.hidden(50)
    batch_size: int = o.batch_size(3, "examples in the batch (gradient_check.py: 3)")
    weights: int = option(
        0, "W1 weights timed one at a time (0: all of them)", low=0, high=10_000_000
    )
    chunk: int = option(
        0, "weights per clock reading (0: one row of W1, i.e. one input)", low=0
    )
    frames: int = o.frames(16)
    seed: int = o.seed()


def _model_and_batch(config: GradientRaceConfig) -> tuple[Any, Any, Any, Any]:
    import numpy as np

    from vizlearn.lessons.training import build_classifier, split_for

    split = split_for(config, np.float64)
    model = build_classifier(
        split, hidden=config.hidden, seed=config.seed, dtype=np.float64
    )
    n = min(config.batch_size, len(split.x_train))
    return model, split.x_train[:n], split.t_train[:n], split


def _backprop_seconds(
    model: Any, x: Any, t: Any, repeats: int = 7
) -> tuple[Any, float]:
    """dL/dW1 by one forward and one backward pass, and its median time."""
    import time

    import numpy as np

    from vizlearn.core import softmax_cross_entropy

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _, gy = softmax_cross_entropy(model.forward(x), t)
        model.backward(gy)
        times.append(time.perf_counter() - start)
    return model.params()["W1"].grad.copy(), float(np.median(times))


def _numerical_race(
    model: Any, x: Any, t: Any, count: int, chunk: int, on_step: Callable | None
) -> tuple[Any, Any, Any]:
    """The book's one-at-a-time numerical dL/dW1 for ``count`` weights, with a clock.

    Returns the gradient (NaN where not computed), the weights done after each
    clock reading, and the seconds elapsed then.
    """
    import time

    import numpy as np

    from vizlearn.core import softmax_cross_entropy
    from vizlearn.core.gradients import numerical_grad

    W = model.params()["W1"].data

    def loss() -> float:
        return softmax_cross_entropy(model.forward(x), t)[0]

    grad = np.full(W.shape, np.nan)
    done, seconds = [0], [0.0]
    start = time.perf_counter()
    for lo in range(0, count, chunk):
        part = range(lo, min(lo + chunk, count))
        g = numerical_grad(loss, W, indices=part)  # two forward passes per weight
        grad.reshape(-1)[part.start : part.stop] = g.reshape(-1)[part.start : part.stop]
        done.append(part.stop)
        seconds.append(time.perf_counter() - start)
        if on_step is not None:
            on_step(part.stop)
    return grad, np.array(done, np.int64), np.array(seconds)


def run(
    config: GradientRaceConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Time backprop and the one-at-a-time numerical gradient of W1; return both."""
    import numpy as np

    from vizlearn.trace import Trace

    config = config or GradientRaceConfig()
    model, x, t, split = _model_and_batch(config)
    backprop, bp_seconds = _backprop_seconds(model, x, t)
    size = backprop.size
    count = min(config.weights or size, size)
    chunk = config.chunk or backprop.shape[1]
    numerical, done, seconds = _numerical_race(model, x, t, count, chunk, on_step)
    n_params = sum(p.data.size for p in model.params().values())
    per_weight = float(seconds[-1]) / count
    data = {
        "backprop": backprop,
        "numerical": np.nan_to_num(numerical, nan=0.0),
        "computed": ~np.isnan(numerical),
        "done": done,
        "seconds": seconds,
    }
    meta = {
        "lesson": NAME,
        "config": o.recorded(config),
        "seed": config.seed,
        "sizes": list(model.sizes),
        "dataset": split.name,
        "image_shape": list(split.image_shape) if split.image_shape else None,
        "batch": len(x),
        "backprop_seconds": bp_seconds,
        "numerical_seconds_per_weight": per_weight,
        "n_params": n_params,
        "train_iters": TRAIN_ITERS,
        "holds": {"1": 1000, str(config.frames - 2): 800},
    }
    steps = np.arange(config.frames, dtype=np.int64)
    empty = np.zeros(0)
    return Trace(empty, empty.astype(np.int64), steps, data=data, meta=meta)


def summary(trace: Trace) -> dict[str, Any]:
    """Measured times, their projections, and how far the two gradients differ."""
    import numpy as np

    d, m = trace.data, trace.meta
    mask = d["computed"]
    diff = np.abs(d["numerical"] - d["backprop"])[mask]
    per_weight = m["numerical_seconds_per_weight"]
    return {
        "weights_timed": int(mask.sum()),
        "numerical_seconds": round(float(d["seconds"][-1]), 4),
        "backprop_seconds": m["backprop_seconds"],
        "numerical_seconds_per_iteration": per_weight * m["n_params"],
        "numerical_seconds_for_10000_iterations": (
            per_weight * m["n_params"] * TRAIN_ITERS
        ),
        "backprop_seconds_for_10000_iterations": m["backprop_seconds"] * TRAIN_ITERS,
        "mean_abs_difference": float(diff.mean()) if diff.size else None,
        "max_abs_difference": float(diff.max()) if diff.size else None,
    }


_QUICK = {"weights": 100, "frames": 6}

LESSON = Lesson(
    NAME,
    GradientRaceConfig,
    run,
    description=(
        "numerical gradient vs backprop on the 784-50-10 net: W1 filled one "
        "weight at a time, or all at once",
        "数値微分と誤差逆伝播法の競争：W1 を 1 つずつ埋めるか、一度に求めるか",
    ),
    kinds=(
        Kind(
            "race",
            "vizlearn.render.gradient_race:frames_race",
            "W1's gradient filling up in measured time, then |numerical − backprop|",
            animated=True,
        ),
        Kind(
            "difference",
            "vizlearn.render.gradient_race:plot_difference",
            "|numerical − backprop| for every weight of W1, on a log scale",
        ),
    ),
    source="Deep Learning from Scratch ch. 4-5 (gradient_check.py, numerical_gradient)",
    default_still="difference",
    summary=summary,
    steps=lambda c: c.weights or (784 if c.dataset in o.IMAGE_SETS else 2) * c.hidden,
    frames=lambda c: c.frames,
    gallery=(
        GalleryItem(
            "gradient-race",
            "race",
            (
                "The race: the numerical gradient fills W1 weight by weight, "
                "backprop fills it at once (times measured)",
                "数値微分は W1 を 1 つずつ、誤差逆伝播法は一度に埋める（実測時間）",
            ),
            (
                "Animation: mosaics of 50 small 28 by 28 weight images; the middle "
                "one is full at once, the left fills pixel by pixel while a clock runs",
                "アニメーション：28×28 の重み画像 50 枚のモザイク。"
                "中央は一度に埋まり、左は時計が進むにつれて 1 画素ずつ埋まっていく",
            ),
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "gradient-difference-ja",
            "difference",
            (
                "|numerical − backprop| per weight of W1 (log scale), in Japanese",
                "W1 の重みごとの |数値微分 − 誤差逆伝播法|（対数スケール）",
            ),
            (
                "A mosaic of weight images coloured by a tiny difference, around 1e-10",
                "1e-10 前後のごく小さな差で色づけされた重み画像のモザイク",
            ),
            quick=_QUICK,
            style={"lang": "ja"},
        ),
    ),
)
