"""Timing gradients: the clock behind the gradients lesson's figures.

``median_seconds`` times a call (repeating fast ones so the clock can see
them); ``cost_by_size`` times one gradient of the same minibatch for networks
of several hidden sizes, the three ways the lesson compares, plus one forward
pass, so the cost can be read in forward passes: the book's numerical loop
runs two forward passes per parameter, backprop one forward and one backward
pass whatever the number of parameters. Kept apart from
``lessons/gradients.py`` so listing the lessons imports no numpy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.core import softmax_cross_entropy
from vizlearn.core.fastgrad import naive_numerical_gradients, numerical_gradients

__all__ = ["median_seconds", "naive_subset", "cost_by_size", "COST_KEYS"]

#: what ``cost_by_size`` measures per size, in this order
COST_KEYS = ("forward", "backprop", "numerical", "naive")


def median_seconds(
    fn: Callable[[], Any], repeats: int, min_seconds: float = 0.05
) -> float:
    """Median over ``repeats`` of the seconds one call of ``fn`` takes."""
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


def naive_subset(
    model: Any, count: int, rng: np.random.Generator
) -> tuple[dict[str, NDArray], int]:
    """``count`` parameters chosen uniformly over all tensors, as flat indices."""
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


def cost_by_size(
    build: Callable[[int], Any],
    x: NDArray,
    t: NDArray,
    hidden: Sequence[int],
    *,
    naive: int,
    repeats: int,
    rng: np.random.Generator,
) -> dict[str, NDArray]:
    """Seconds per gradient of ``(x, t)`` for a network of each ``hidden`` size.

    ``build(h)`` makes the network. Returns arrays over the sizes:
    ``hidden``, ``n_params``, and the seconds of one ``forward`` pass (with
    the loss), one ``backprop`` gradient (forward + backward), the vectorized
    ``numerical`` gradient and the book's ``naive`` loop (timed on ``naive``
    parameters, scaled to all of them: each parameter costs the same two
    forward passes), plus ``naive_measured`` (how many were timed).
    """
    rows: dict[str, list] = {k: [] for k in ("hidden", "n_params", *COST_KEYS)}
    rows["naive_measured"] = []
    for h in hidden:
        model = build(int(h))
        n_params = sum(p.data.size for p in model.params().values())

        def backprop(model: Any = model) -> None:
            _, gy = softmax_cross_entropy(model.forward(x), t)
            model.backward(gy)

        picked, measured = naive_subset(model, naive, rng)
        seconds = {  # a "forward pass" is what the loop runs twice: forward + loss
            "forward": median_seconds(
                lambda m=model: softmax_cross_entropy(m.forward(x), t), repeats
            ),
            "backprop": median_seconds(backprop, repeats),
            "numerical": median_seconds(
                lambda m=model: numerical_gradients(m, x, t), repeats, 0.0
            ),
            "naive": median_seconds(
                lambda m=model, p=picked: naive_numerical_gradients(
                    m, x, t, elements=p
                ),
                repeats,
                0.0,
            )
            / measured
            * n_params,
        }
        for key, value in (
            ("hidden", int(h)),
            ("n_params", n_params),
            ("naive_measured", measured),
            *seconds.items(),
        ):
            rows[key].append(value)
    ints = ("hidden", "n_params", "naive_measured")
    return {
        k: np.array(v, dtype=np.int64 if k in ints else np.float64)
        for k, v in rows.items()
    }
