"""Backprop vs the numerical gradient: same numbers, very different cost.

On one minibatch of the book's network this computes every parameter's
gradient three ways and times them: backprop; the exact numerical gradient of
:mod:`vizlearn.core.fastgrad` (vectorized over the weights that feed one hidden
unit); and the book's ``numerical_gradient`` loop, one parameter and two full
forward passes at a time. That loop would take minutes per iteration, so it is
timed on ``--naive`` randomly chosen parameters and its time is extrapolated
to all of them (the figure and ``--json`` say so). All in float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option, to_dict
from vizlearn.lessons import options as o
from vizlearn.lessons.record import Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["GradientsConfig", "run", "summary", "rel_errors", "LESSON"]

NAME = "gradients"


@dataclass(frozen=True)
class GradientsConfig(o.DataOptions, o.LessonConfig):
    """Which network and minibatch to compare the gradients on."""

    dataset: str = o.dataset("mnist", ("mnist", *o.PLANAR_SETS))
    hidden: int = o.hidden(50, "hidden units")
    activation: str = o.activation()
    batch_size: int = o.batch_size(100, "examples in the minibatch")
    warmup: int = option(
        100, "backprop updates (SGD lr 0.1) before comparing", low=0, high=100_000
    )
    naive: int = option(
        200,
        "parameters timed with the one-at-a-time loop (then extrapolated)",
        low=1,
        high=100_000,
    )
    repeats: int = option(3, "timing runs of each method (median)", low=1, high=100)
    seed: int = o.seed("random seed (weights, minibatch)")


def rel_errors(trace: Trace) -> dict[str, float]:
    """Per tensor: max |numerical - backprop| / max |backprop|."""
    import numpy as np

    out = {}
    for k in trace.meta["tensors"]:
        g, n = trace.data[f"backprop/{k}"], trace.data[f"numerical/{k}"]
        scale = float(np.abs(g).max()) or 1.0
        out[k] = float(np.abs(n - g).max()) / scale
    return out


def summary(trace: Trace) -> dict[str, Any]:
    """The final numbers: times, speedups and the agreement per tensor."""
    m = trace.meta
    s = m["seconds"]
    return {
        "seconds_per_iter": {k: round(v, 6) for k, v in s.items()},
        "speedup_numerical_vs_naive": round(s["naive"] / s["numerical"], 1),
        "speedup_backprop_vs_numerical": round(s["numerical"] / s["backprop"], 1),
        "naive_extrapolated_from": m["naive_measured"],
        "n_params": m["n_params"],
        "max_rel_error": {k: float(f"{v:.3g}") for k, v in rel_errors(trace).items()},
        "naive_vs_numerical_max_abs": float(f"{m['naive_vs_numerical']:.3g}"),
    }


def _median_seconds(fn, repeats: int, min_seconds: float = 0.05) -> float:
    import time

    import numpy as np

    times = []
    for _ in range(repeats):
        n, start = 0, time.perf_counter()
        while True:  # repeat fast calls so the clock can see them
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds or n >= 1000:
                break
        times.append(elapsed / n)
    return float(np.median(times))


def run(
    config: GradientsConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Compute and time the gradients of one minibatch three ways."""
    import numpy as np

    from vizlearn.core import softmax_cross_entropy
    from vizlearn.core.fastgrad import naive_numerical_gradients, numerical_gradients
    from vizlearn.lessons.training import build_classifier, split_for, train_classifier
    from vizlearn.trace import Recorder

    config = config or GradientsConfig()
    split = split_for(config, np.float64)
    model = build_classifier(
        split,
        hidden=config.hidden,
        activation=config.activation,
        seed=config.seed,
        dtype=np.float64,
    )
    if config.warmup:
        train_classifier(
            model,
            split,
            iters=config.warmup,
            batch_size=config.batch_size,
            frames=2,
            seed=config.seed,
        )
    rng = np.random.default_rng([config.seed, 2])
    batch = rng.choice(
        len(split.x_train), min(config.batch_size, len(split.x_train)), replace=False
    )
    x, t = split.x_train[batch], split.t_train[batch]

    def backprop() -> dict[str, Any]:
        _, gy = softmax_cross_entropy(model.forward(x), t)
        model.backward(gy)
        return {k: p.grad.copy() for k, p in model.params().items()}

    exact, fast = backprop(), numerical_gradients(model, x, t)
    seconds = {
        "backprop": _median_seconds(backprop, config.repeats),
        "numerical": _median_seconds(
            lambda: numerical_gradients(model, x, t), config.repeats, min_seconds=0.0
        ),
    }
    picked, measured = _naive_subset(model, config.naive, rng)
    naive_time = _median_seconds(
        lambda: naive_numerical_gradients(model, x, t, elements=picked),
        config.repeats,
        min_seconds=0.0,
    )
    n_params = sum(p.data.size for p in model.params().values())
    seconds["naive"] = naive_time / measured * n_params
    naive = naive_numerical_gradients(model, x, t, elements=picked)
    diff = max(
        (
            float(np.abs(naive[k].ravel()[i] - fast[k].ravel()[i]).max(initial=0))
            for k, i in picked.items()
        ),
        default=0.0,
    )
    meta = {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": config.seed,
        "sizes": list(model.sizes),
        "batch": len(x),
        "tensors": list(exact),
        "seconds": seconds,
        "naive_measured": measured,
        "n_params": n_params,
        "naive_vs_numerical": diff,
    }
    data = {f"backprop/{k}": v for k, v in exact.items()}
    data |= {f"numerical/{k}": v for k, v in fast.items()}
    return Recorder(meta=meta, data=data).freeze()


def _naive_subset(model, count: int, rng) -> tuple[dict[str, Any], int]:
    """``count`` parameters chosen uniformly over all tensors, as flat indices."""
    import numpy as np

    sizes = {k: p.data.size for k, p in model.params().items()}
    total = sum(sizes.values())
    flat = np.sort(rng.choice(total, min(count, total), replace=False))
    picked, start = {}, 0
    for name, size in sizes.items():
        inside = flat[(flat >= start) & (flat < start + size)] - start
        if len(inside):
            picked[name] = inside
        start += size
    return picked, len(flat)


LESSON = Lesson(
    NAME,
    GradientsConfig,
    run,
    description=(
        "backprop vs the numerical gradient: same values, very different cost",
        "誤差逆伝播法と数値微分：同じ勾配、まったく違う計算時間",
    ),
    kinds=(
        Kind(
            "comparison",
            "vizlearn.render.gradients:plot_gradients",
            "numerical vs backprop gradient per tensor, and the time per iteration",
        ),
    ),
    source="'Deep Learning from Scratch' ch. 4-5, gradient_check.py",
    summary=summary,
    steps=lambda config: 0,
    frames=lambda config: 1,
)
