"""Backprop vs the numerical gradient: same numbers, very different cost.

On one minibatch of the book's network this computes every parameter's
gradient three ways and times them: backprop; the exact numerical gradient of
:mod:`vizlearn.core.fastgrad` (vectorized over the weights that feed one hidden
unit); and the book's ``numerical_gradient`` loop, one parameter and two full
forward passes at a time. That loop would take minutes per iteration, so it is
timed on ``--naive`` randomly chosen parameters and its time is extrapolated
to all of them (the figure and ``--json`` say so). All in float64.

``--kind cost`` answers the study group's "why?": the same minibatch's
gradient timed for networks of several hidden sizes (``--sizes``, 5 to 100
units: 3 985 to 79 510 parameters), against the number of parameters P, and
in units of one measured forward pass. The book's loop
(``gradient_check.py``'s ``numerical_gradient``) runs two forward passes per
parameter, 2P, so its cost grows with the network; backprop runs one forward
and one backward pass whatever P. The trace records every measured time
(``data["cost/..."]``), so the figure redraws them without re-timing.
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

__all__ = [
    "GradientsConfig",
    "run",
    "summary",
    "rel_errors",
    "parse_sizes",
    "LESSON",
]

NAME = "gradients"


@dataclass(frozen=True)
class GradientsConfig(o.DataOptions, o.LessonConfig):
    """Which network and minibatch to compare the gradients on."""

    dataset: str = o.dataset("mnist", (*o.IMAGE_SETS, *o.PLANAR_SETS))
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
    sizes: str = option(
        "5,10,20,50,100",
        "cost: hidden sizes timed, comma-separated (one network each)",
        check=lambda text: parse_sizes(text),
        metavar="H1,H2,...",
    )
    seed: int = o.seed("random seed (weights, minibatch)")


def parse_sizes(text: str) -> tuple[int, ...]:
    """'5,10,20' -> (5, 10, 20): 1 to 12 distinct sizes from 1 to 2000."""
    try:
        sizes = tuple(int(v) for v in str(text).split(",") if v.strip())
    except ValueError:
        sizes = ()
    if not 1 <= len(sizes) <= 12 or len(set(sizes)) != len(sizes):
        sizes = ()
    if not sizes or not all(1 <= h <= 2000 for h in sizes):
        raise ValueError(
            f"--sizes takes 1 to 12 distinct hidden sizes from 1 to 2000, "
            f"e.g. 5,10,20,50,100; got {text!r}"
        )
    return sizes


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
        **_cost_summary(trace),
    }


def _cost_summary(trace: Trace) -> dict[str, Any]:
    """Per size: parameters and seconds (the ``cost`` kind's numbers), if timed."""
    d = trace.data
    if "cost/n_params" not in d:
        return {}
    rows = []
    for i, h in enumerate(d["cost/hidden"]):
        row = {"hidden": int(h), "n_params": int(d["cost/n_params"][i])}
        for key in ("forward", "backprop", "numerical", "naive"):
            row[f"seconds_{key}"] = float(f"{d[f'cost/{key}'][i]:.4g}")
        row["naive_forward_passes"] = 2 * row["n_params"]
        rows.append(row)
    return {"cost_by_size": rows}


def run(
    config: GradientsConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Compute and time the gradients of one minibatch three ways."""
    import numpy as np

    from vizlearn.core import softmax_cross_entropy
    from vizlearn.core.fastgrad import naive_numerical_gradients, numerical_gradients
    from vizlearn.lessons.gradient_timing import median_seconds, naive_subset
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
        "backprop": median_seconds(backprop, config.repeats),
        "numerical": median_seconds(
            lambda: numerical_gradients(model, x, t), config.repeats, min_seconds=0.0
        ),
    }
    picked, measured = naive_subset(model, config.naive, rng)
    naive_time = median_seconds(
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

    cost = _cost(config, split, x, t, rng)
    meta = {
        "lesson": NAME,
        "config": o.recorded(config),
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
    data |= {f"cost/{k}": v for k, v in cost.items()}
    return Recorder(meta=meta, data=data).freeze()


def _cost(config: GradientsConfig, split: Any, x: Any, t: Any, rng: Any) -> dict:
    """The ``cost`` kind's times: one untrained network per ``--sizes`` entry."""
    import numpy as np

    from vizlearn.lessons.gradient_timing import cost_by_size
    from vizlearn.lessons.training import build_classifier

    def build(h: int) -> Any:
        return build_classifier(
            split,
            hidden=h,
            activation=config.activation,
            seed=config.seed,
            dtype=np.float64,
        )

    return cost_by_size(
        build,
        x,
        t,
        parse_sizes(config.sizes),
        naive=min(config.naive, 50),  # per-parameter cost is flat: 50 is plenty
        repeats=config.repeats,
        rng=rng,
    )


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
        Kind(
            "cost",
            "vizlearn.render.gradient_cost:plot_gradient_cost",
            "why backprop is faster: measured time per gradient against the number "
            "of parameters, and in forward passes (2 per parameter vs 1 + 1)",
            needs=("data/cost/n_params",),
        ),
    ),
    source="'Deep Learning from Scratch' ch. 4-5, gradient_check.py",
    summary=summary,
    steps=lambda config: 0,
    frames=lambda config: 1,
    gallery=(
        GalleryItem(
            "gradient-cost",
            "cost",
            (
                "Why backprop is faster: one gradient's measured time against the "
                "number of parameters, and in forward passes",
                "なぜ誤差逆伝播法は速いのか：勾配1回の計測時間をパラメータの数に対して、"
                "順伝播の回数で",
            ),
            (
                "Log-log lines: the one-at-a-time numerical gradient grows with the "
                "parameters (2 forward passes each), backprop stays at about 2.5 "
                "forward passes whatever their number",
                "両対数のグラフ。1個ずつの数値微分はパラメータの数とともに増え（1個に"
                "つき順伝播2回）、誤差逆伝播法は数によらず順伝播約 2.5 回分",
            ),
            quick={"sizes": "5,10", "warmup": 2, "repeats": 1, "naive": 10},
        ),
    ),
)
