"""Gradient descent against Newton's method (DeZero steps 28-29).

Step 28: gradient descent on the Rosenbrock function
f(x0, x1) = 100 (x1 - x0²)² + (x0 - 1)² from (0, 2) with lr 0.001 creeps
along the curved valley; after 10 000 iterations it is still short of the
minimum (1, 1) (DeZero prints (0.99449622, 0.98900063), the point before the
last update). Step 29: Newton's method on f(x) = x⁴ - 2x² from x = 2,
x ← x - f'(x) / f''(x), prints 2.0, 1.4545..., 1.1510..., 1.0253...,
1.0009..., 1.0000012..., 1.0; gradient descent with lr 0.01 needs 70
iterations to get within 1e-3 of 1. The same Newton step in two variables,
x ← x - H⁻¹ ∇f with the Hessian H (analytic, or from central differences of
the gradient), takes Rosenbrock from (0, 2) to within 1e-3 of (1, 1) in 4
iterations and to within 1e-12 in 5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option, to_dict
from vizlearn.lessons.options import (
    LessonConfig,
    iterations,
    learning_rate,
    point_parser,
)
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["NewtonConfig", "run", "parse_start", "check_start", "LESSON"]

NAME = "newton"
MINIMUM = (1.0, 1.0)  # Rosenbrock's; the quartic's nearest to the start is x = 1
QUARTIC_RANGE = (-2.2, 2.2, 221)
EXACT = 1e-12  # a distance that counts as being at the minimum
DIVERGED = 1e6  # a path beyond this has diverged: it is held at its last point


# '0,2' -> a pair of floats; anything else (or beyond ±100) is a ValueError
parse_start, check_start = point_parser(100, "0,2")


@dataclass(frozen=True)
class NewtonConfig(LessonConfig):
    """Both races: Rosenbrock in 2-D, and x⁴ - 2x² in 1-D."""

    lr: float = learning_rate(0.001, "gradient descent's learning rate on Rosenbrock")
    iters: int = iterations(10_000, "gradient descent iterations on Rosenbrock")
    start: tuple[float, float] = option(
        (0.0, 2.0),
        "starting point x0,x1 on Rosenbrock",
        parse=parse_start,
        check=check_start,
        metavar="X0,X1",
    )
    newton_iters: int = option(10, "Newton iterations (both races)", low=1, high=1000)
    hessian: str = option(
        "analytic",
        "the 2-D Newton step's Hessian: analytic or from central differences",
        choices=("analytic", "numerical"),
    )
    x0: float = option(2.0, "starting x on x⁴ - 2x²", low=-10, high=10)
    lr_1d: float = option(
        0.01,
        "gradient descent's learning rate on x⁴ - 2x²",
        low=0,
        low_open=True,
        high=1,
    )
    iters_1d: int = option(
        150, "gradient descent iterations on x⁴ - 2x²", low=1, high=100_000
    )
    tol: float = option(
        1e-3, "distance to the minimum that counts as arrived", low=0, low_open=True
    )


def run(
    config: NewtonConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """The four paths as a Trace (``data/...``) with their iteration counts in meta.

    ``data``: ``gd`` ``(iters + 1, 2)`` and ``newton`` ``(newton_iters + 1, 2)``
    on Rosenbrock, its contour grid ``X, Y, Z``; ``gd_1d`` and ``newton_1d`` on
    the quartic and its curve ``x_1d, y_1d``. ``meta["arrived"]``: the first
    iteration within ``tol`` of the minimum, per path (None: never);
    ``meta["diverged"]``: the iteration a path left ±1e6 (it is held there).
    """
    import numpy as np

    from vizlearn.core import calculus as calc
    from vizlearn.core.functions import SURFACES
    from vizlearn.trace import Recorder

    config = config or NewtonConfig()
    paths = _rosenbrock_paths(config)
    paths["gd_1d"] = calc.gradient_descent(
        calc.quartic_grad, config.x0, config.lr_1d, config.iters_1d
    )
    with np.errstate(divide="ignore", invalid="ignore"):  # f'' = 0 at ±1/√3
        paths["newton_1d"] = calc.newton_1d(
            calc.quartic_grad, calc.quartic_grad2, config.x0, config.newton_iters
        )
    diverged = {}
    for name, path in paths.items():
        paths[name], diverged[name] = _hold_divergence(path)
    X, Y, Z = SURFACES["rosenbrock"].grid()
    x = np.linspace(*QUARTIC_RANGE)
    data = paths | {"X": X, "Y": Y, "Z": Z, "x_1d": x, "y_1d": calc.quartic(x)}
    if on_step is not None:
        on_step(config.iters)
    meta = _meta(config, paths) | {"diverged": diverged}
    return Recorder(meta=meta, data=data).freeze()


def _hold_divergence(path: Any) -> tuple[Any, int | None]:
    """The path held at its last point inside ±DIVERGED, and where it left (or None)."""
    import numpy as np

    flat = path.reshape(len(path), -1)
    out = ~(np.abs(flat) <= DIVERGED).all(axis=1)  # NaN and inf count as out
    if not out.any():
        return path, None
    k = int(np.argmax(out))
    held = path.copy()
    held[k:] = path[max(k - 1, 0)]
    return held, k


def _rosenbrock_paths(config: NewtonConfig) -> dict[str, Any]:
    import numpy as np

    from vizlearn.core import calculus as calc
    from vizlearn.core.functions import rosenbrock_grad, rosenbrock_hessian

    def grad(p):
        return np.array(rosenbrock_grad(*p))

    def hessian(p):
        if config.hessian == "numerical":
            return calc.numerical_hessian(grad, p)
        return rosenbrock_hessian(*p)

    with np.errstate(over="ignore", invalid="ignore"):
        gd = calc.gradient_descent(grad, config.start, config.lr, config.iters)
        try:
            newton = calc.newton(grad, hessian, config.start, config.newton_iters)
        except np.linalg.LinAlgError:
            raise ValueError(
                "Newton's method met a singular Hessian on Rosenbrock; "
                "try another --start"
            ) from None
    return {"gd": gd, "newton": newton}


def _meta(config: NewtonConfig, paths: dict) -> dict[str, Any]:
    import numpy as np

    from vizlearn.core.calculus import iterations_within

    targets = {"gd": MINIMUM, "newton": MINIMUM}
    targets |= {
        "gd_1d": np.sign(config.x0) or 1.0,
        "newton_1d": np.sign(config.x0) or 1.0,
    }
    arrived = {
        n: iterations_within(paths[n], t, config.tol) for n, t in targets.items()
    }
    exact = {n: iterations_within(paths[n], t, EXACT) for n, t in targets.items()}
    return {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": None,
        "formula": "f(x0, x1) = 100 (x1 − x0²)² + (x0 − 1)²",
        "formula_1d": "f(x) = x⁴ − 2x²",
        "arrived": arrived,
        "exact": exact,
        "targets": {
            n: np.atleast_1d(t).astype(float).tolist() for n, t in targets.items()
        },
        "final_distance": {
            n: float(np.linalg.norm(np.atleast_1d(paths[n][-1]) - t))
            for n, t in targets.items()
        },
        **_plot_range(),
    }


def _plot_range() -> dict[str, list[float]]:
    from vizlearn.core.functions import SURFACES

    s = SURFACES["rosenbrock"]
    return {"levels": list(s.levels), "xlim": list(s.xlim), "ylim": list(s.ylim)}


LESSON = Lesson(
    NAME,
    NewtonConfig,
    run,
    description=(
        "gradient descent against Newton's method: Rosenbrock and x⁴ − 2x²",
        "勾配降下法とニュートン法：Rosenbrock 関数と x⁴ − 2x²",
    ),
    kinds=(
        Kind(
            "race",
            "vizlearn.render.newton:plot_newton",
            "both races: Rosenbrock paths, x⁴ − 2x², distance per iteration",
        ),
        Kind(
            "rosenbrock",
            "vizlearn.render.newton:plot_rosenbrock",
            "the Rosenbrock contours with both paths (DeZero steps 28 and 29)",
        ),
    ),
    source="DeZero steps 28-29 (steps/step28.py, steps/step29.py)",
    summary=lambda trace: {"arrived": dict(trace.meta["arrived"])},
    steps=lambda config: config.iters,
    frames=lambda config: 1,
    gallery=(
        GalleryItem(
            "newton",
            "race",
            (
                "Gradient descent: 10 000 iterations and not there; Newton's method: 5",
                "勾配降下法は 10 000 回でも届かず、ニュートン法は 5 回",
            ),
            (
                "Left: Rosenbrock contours with gradient descent creeping along the "
                "curved valley from (0, 2) and Newton's method jumping to (1, 1). "
                "Right: x⁴ − 2x² with both methods' iterates, and each path's "
                "distance to the minimum per iteration",
                "左：Rosenbrock 関数の等高線。(0, 2) から谷に沿って"
                "ゆっくり進む勾配降下法と、(1, 1) へ跳ぶニュートン法。"
                "右：x⁴ − 2x² での両者の反復と、最小値までの距離の推移",
            ),
            quick={"iters": 500, "iters_1d": 80},
        ),
        GalleryItem(
            "newton-rosenbrock-ja-dark",
            "rosenbrock",
            (
                "Rosenbrock: gradient descent against Newton, Japanese, dark",
                "Rosenbrock 関数：勾配降下法とニュートン法（日本語・ダーク）",
            ),
            (
                "Contours of the Rosenbrock function with the slow curving gradient "
                "descent path and the short Newton path, both ending near (1, 1)",
                "Rosenbrock 関数の等高線と、曲がりながらゆっくり進む勾配降下法の経路、"
                "短いニュートン法の経路。どちらも (1, 1) 付近で終わる",
            ),
            quick={"iters": 500},
            style={"lang": "ja", "theme": "dark"},
        ),
    ),
)
