"""Gradients and gradient descent on f(x0, x1) = x0² + x1² (DLfS ch. 4.4).

Reproduces ``ch04/gradient_2d.py`` (the field of minus-gradient arrows on the
grid -2, -1.75, ..., 2.25, pointing at the minimum) and
``ch04/gradient_method.py``: gradient descent from (-3, 4) with lr 0.1 for 20
steps, beside the book's two warnings — lr = 10 diverges, lr = 1e-10 hardly
moves. Gradients are the book's numerical ones (central difference, h = 1e-4)
unless ``gradient="analytic"``.

With 100 steps the book prints (-6.11110793e-10, 8.14814391e-10) for lr 0.1,
(-2.58983747e+13, -1.29524862e+12) for lr 10 and (-2.99999994, 3.99999992)
for lr 1e-10; the trace keeps those end points (``data/final/...``). The lr
10 run stops at step 10 for a reason the book does not say: once |x| > 1e12,
x + h == x and the numerical gradient is 0 (``meta["stuck"]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option, to_dict
from vizlearn.lessons.options import LessonConfig, learning_rate, point_parser
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["GradientDescentConfig", "run", "parse_start", "check_start", "LESSON"]

NAME = "gradient-descent"
RUNS = ("main", "large", "small")
BOOK_STEPS = 100  # the steps after which the book prints the end points
QUIVER = (-2.0, 2.5, 0.25)  # the book's np.arange for the arrow grid
SURFACE = (-3.0, 3.0, 41)  # the 3-D plot's linspace


# '-3,4' -> a pair of floats; anything else (or beyond ±1e6) is a ValueError
parse_start, check_start = point_parser(1e6, "-3,4")


@dataclass(frozen=True)
class GradientDescentConfig(LessonConfig):
    """The start, the steps, and the three learning rates compared."""

    lr: float = learning_rate(0.1, "learning rate of the main run")
    large_lr: float = option(
        10.0, "a learning rate too large (diverges)", low=0, low_open=True, high=1e6
    )
    small_lr: float = option(
        1e-10, "a learning rate too small (stays put)", low=0, low_open=True, high=1e6
    )
    steps: int = option(20, "update steps (animation frames - 1)", low=1, high=2000)
    start: tuple[float, float] = option(
        (-3.0, 4.0),
        "starting point x0,x1",
        parse=parse_start,
        check=check_start,
        metavar="X0,X1",
    )
    gradient: str = option(
        "numerical",
        "how the gradient is computed (the book: numerical, h = 1e-4)",
        choices=("numerical", "analytic"),
    )

    def lrs(self) -> dict[str, float]:
        """Run name -> learning rate."""
        return dict(zip(RUNS, (self.lr, self.large_lr, self.small_lr), strict=True))


def run(
    config: GradientDescentConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """The three descents as a Trace, one record per step (0 = the start).

    ``outputs``: ``path/NAME`` ``(steps + 1, 2)`` and ``value/NAME`` for NAME
    in main, large, small; ``loss`` is f along the main run. ``data``: the
    arrow grid ``quiver/x, y, u, v`` (minus the gradient), the surface
    ``surface/X, Y, Z`` and ``final/NAME`` (after the book's 100 steps).
    """
    from vizlearn.core.calculus import function_2, gradient_descent
    from vizlearn.trace import Recorder

    config = config or GradientDescentConfig()
    grad = _gradient(config.gradient)
    lrs = config.lrs()
    longest = max(config.steps, BOOK_STEPS)
    paths = {
        n: gradient_descent(grad, config.start, lr, longest) for n, lr in lrs.items()
    }
    data = _grids(grad) | {f"final/{n}": p[BOOK_STEPS] for n, p in paths.items()}
    rec = Recorder(meta=_meta(config, paths), data=data)
    for k in range(config.steps + 1):
        points = {n: p[k] for n, p in paths.items()}
        values = {f"value/{n}": function_2(x) for n, x in points.items()}
        rec.record(
            k,
            loss=values["value/main"],
            outputs={**{f"path/{n}": x for n, x in points.items()}, **values},
        )
        if on_step is not None and k:
            on_step(k)
    return rec.freeze()


def _gradient(kind: str) -> Callable:
    from vizlearn.core.calculus import function_2, numerical_gradient

    if kind == "analytic":
        return lambda x: 2 * x
    return lambda x: numerical_gradient(function_2, x)


def _grids(grad: Callable) -> dict[str, Any]:
    """The book's arrow grid (minus the gradient at each point) and a surface."""
    import numpy as np

    X, Y = np.meshgrid(np.arange(*QUIVER), np.arange(*QUIVER))
    points = np.column_stack([X.ravel(), Y.ravel()])
    minus = -np.array([grad(p.copy()) for p in points])
    S0, S1 = np.meshgrid(np.linspace(*SURFACE), np.linspace(*SURFACE))
    return {
        "quiver/x": points[:, 0],
        "quiver/y": points[:, 1],
        "quiver/u": minus[:, 0],
        "quiver/v": minus[:, 1],
        "surface/X": S0,
        "surface/Y": S1,
        "surface/Z": S0**2 + S1**2,
    }


def _meta(config: GradientDescentConfig, paths: dict) -> dict[str, Any]:
    import numpy as np

    stuck = {}  # the first step after which the point stops, away from the minimum
    for name, path in paths.items():
        same = (path[1:] == path[:-1]).all(axis=1) & (np.abs(path[:-1]).max(axis=1) > 0)
        k = np.flatnonzero(same)
        stuck[name] = int(k[0]) if k.size and k[0] < config.steps else None
    return {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": None,
        "formula": "f(x0, x1) = x0² + x1²",
        "lr": config.lrs(),
        "runs": list(RUNS),
        "start": list(config.start),
        "book_steps": BOOK_STEPS,
        "stuck": stuck,
    }


LESSON = Lesson(
    NAME,
    GradientDescentConfig,
    run,
    description=(
        "gradient descent on x0² + x1²: lr 0.1, and the too large and too small lr",
        "x0² + x1² の勾配降下法：学習率 0.1 と、大きすぎる・小さすぎる学習率",
    ),
    kinds=(
        Kind(
            "descent",
            "vizlearn.render.gradient_descent:frames_descent",
            "the three descents step by step, and f on a log axis",
            animated=True,
        ),
        Kind(
            "field",
            "vizlearn.render.gradient_descent:plot_gradient_field",
            "the 3-D surface and the book's minus-gradient arrows",
        ),
    ),
    source="'Deep Learning from Scratch' ch. 4.4: ch04/gradient_2d.py, "
    "ch04/gradient_method.py",
    default_still="field",
    summary=lambda trace: {
        f"final_{n}": [float(v) for v in trace.data[f"final/{n}"]] for n in RUNS
    },
    steps=lambda config: config.steps,
    frames=lambda config: config.steps + 1,
    gallery=(
        GalleryItem(
            "gradient-descent",
            "descent",
            (
                "Gradient descent from (−3, 4): lr 0.1, lr 10 and lr 1e−10",
                "(−3, 4) からの勾配降下法：学習率 0.1、10、1e−10",
            ),
            (
                "Four panels: the lr 0.1 path stepping to the origin, the lr 10 path "
                "jumping outwards on log-scaled axes, the lr 1e-10 point standing "
                "still, and f per step on a log axis for all three",
                "学習率 0.1 の経路が原点へ進む様子、学習率 10 の経路が外へ跳ぶ様子"
                "（対数軸）、学習率 1e-10 の点が動かない様子、3つの f の推移（対数軸）",
            ),
            animated=True,
        ),
        GalleryItem(
            "gradient-field-ja",
            "field",
            ("The gradient of x0² + x1², in Japanese", "x0² + x1² の勾配（日本語）"),
            (
                "Left: the bowl-shaped surface f(x0, x1) = x0² + x1² in 3-D. Right: "
                "arrows of minus the gradient on a grid, all pointing at the origin",
                "左：f(x0, x1) = x0² + x1² の3次元グラフ。"
                "右：格子点での勾配にマイナスをつけたベクトル。どれも原点を指す",
            ),
            style={"lang": "ja"},
        ),
    ),
)
