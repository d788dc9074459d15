"""Numerical differentiation: tangent lines, and why the book picks h = 1e-4.

Reproduces "Deep Learning from Scratch" ch. 4.3 (``ch04/gradient_1d.py``):
f(x) = 0.01x² + 0.1x on [0, 20) in steps of 0.1, with its tangent lines at
x = 5 and x = 10 whose slopes come from the central difference with h = 1e-4
(the book prints 0.1999999999990898 and 0.2999999999986347; exact: 0.2, 0.3).

The second half of the figure is what the book says in words: the forward
difference (f(x + h) - f(x)) / h has an error of order h, the central one
none for this quadratic, and a tiny h loses everything to rounding — with
h = 1e-50, x + h == x, so the difference is 0; ``np.float32(1e-50)`` is 0.0
itself. The trace holds the error of each over h (float64, and float32 for the
central difference) at the first tangent point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option, to_dict
from vizlearn.lessons.options import LessonConfig
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = [
    "NumericalDiffConfig",
    "run",
    "parse_points",
    "check_points",
    "LESSON",
    "TRAP_H",
]

NAME = "numerical-diff"
TRAP_H = 1e-50  # the book's "bad" h
H_RANGE = (-20, 0, 81)  # log10 of the smallest and largest h, and how many


def parse_points(text: str) -> tuple[float, ...]:
    """'5,10' -> (5.0, 10.0): one to four finite x values."""
    try:
        inner = str(text).strip().removeprefix("(").removesuffix(")")  # "(5, 10)" too
        values = tuple(float(v) for v in inner.split(","))
    except ValueError:
        values = ()
    return check_points(values, text)


def check_points(values: Any, given: Any = None) -> tuple[float, ...]:
    """Return ``values`` if it is a tuple of 1 to 4 numbers within ±1e6."""
    ok = (
        isinstance(values, tuple)
        and 1 <= len(values) <= 4
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        and all(abs(v) <= 1e6 for v in values)  # also refuses NaN and inf
    )
    if not ok:
        given = values if given is None else given
        raise ValueError(
            f"--points must be 1 to 4 comma-separated numbers within ±1e6 "
            f"(e.g. 5,10), got {given!r}"
        )
    return tuple(float(v) for v in values)


@dataclass(frozen=True)
class NumericalDiffConfig(LessonConfig):
    """The function's x range, where the tangents touch, and their difference step."""

    points: tuple[float, ...] = option(
        (5.0, 10.0),
        "x of each tangent line, comma-separated (the first also gets the error plot)",
        parse=parse_points,
        check=check_points,
        metavar="X,X",
    )
    h: float = option(
        1e-4,
        "step of the central difference for the slopes",
        low=0,
        low_open=True,
        high=1,
    )
    x_min: float = option(0.0, "left end of the x range", low=-1e6, high=1e6)
    x_max: float = option(20.0, "right end of the x range", low=-1e6, high=1e6)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.x_max <= self.x_min:
            raise ValueError("--x-max must be greater than --x-min")


def run(
    config: NumericalDiffConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """The curve, the tangents and the errors over h, as a Trace (``data/...``).

    ``data``: ``x``, ``y`` (the book's grid), ``points``, ``slopes``,
    ``intercepts`` (one per point), ``h`` (the step grid) and ``error/forward``,
    ``error/central``, ``error/central32`` (absolute errors at the first point).
    """
    import numpy as np

    from vizlearn.core.calculus import function_1, tangent_line
    from vizlearn.trace import Recorder

    config = config or NumericalDiffConfig()
    # 200 points: the book's np.arange(0.0, 20.0, 0.1) on the default range
    x = np.arange(config.x_min, config.x_max, (config.x_max - config.x_min) / 200)
    lines = [tangent_line(function_1, p, config.h) for p in config.points]
    data = {
        "x": x,
        "y": function_1(x),
        "points": np.array(config.points),
        "slopes": np.array([s for s, _ in lines]),
        "intercepts": np.array([b for _, b in lines]),
        **_errors(config.points[0]),
    }
    return Recorder(meta=_meta(config), data=data).freeze()


def _exact_slope(x: float) -> float:
    return 0.02 * x + 0.1


def _errors(x: float) -> dict[str, Any]:
    """Absolute errors of the forward and central differences at ``x`` over h."""
    import numpy as np

    from vizlearn.core.calculus import central_diff, forward_diff, function_1

    h = np.logspace(*H_RANGE)
    exact = _exact_slope(x)
    x32, h32 = np.float32(x), h.astype(np.float32)
    with np.errstate(all="ignore"):  # float32 h below 1e-45 is 0: 0 / 0
        central32 = central_diff(function_1, x32, h32).astype(np.float64)
    return {
        "h": h,
        "error/forward": np.abs(forward_diff(function_1, x, h) - exact),
        "error/central": np.abs(central_diff(function_1, x, h) - exact),
        "error/central32": np.abs(np.nan_to_num(central32) - exact),
    }


def _meta(config: NumericalDiffConfig) -> dict[str, Any]:
    import numpy as np

    from vizlearn.core.calculus import forward_diff, function_1

    x = config.points[0]
    return {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": None,
        "formula": "f(x) = 0.01x² + 0.1x",
        "exact_slopes": [_exact_slope(p) for p in config.points],
        "error_at": x,
        "trap": {
            "h": TRAP_H,
            "forward": float(forward_diff(function_1, x, TRAP_H)),
            "float32_h": float(np.float32(TRAP_H)),
            # below half a unit in the last place of x, x + h rounds to x
            "vanishes_below": math.ulp(x) / 2,
        },
    }


LESSON = Lesson(
    NAME,
    NumericalDiffConfig,
    run,
    description=(
        "numerical differentiation: tangent lines, forward vs central difference",
        "数値微分：接線と、前方差分・中心差分の誤差",
    ),
    kinds=(
        Kind(
            "diff",
            "vizlearn.render.numerical_diff:plot_numerical_diff",
            "tangent lines from the central difference, and the error over h",
        ),
        Kind(
            "book",
            "vizlearn.render.numerical_diff:plot_tangents_book",
            "the book's Figure 4-7: one plain panel per tangent",
        ),
    ),
    source="'Deep Learning from Scratch' ch. 4.3, ch04/gradient_1d.py",
    summary=lambda trace: {
        "slopes": [float(s) for s in trace.data["slopes"]],
        "trap_forward": trace.meta["trap"]["forward"],
    },
    steps=lambda config: 0,
    frames=lambda config: 1,
    gallery=(
        GalleryItem(
            "numerical-diff",
            "diff",
            (
                "Numerical differentiation: tangents by central difference, "
                "and why h = 1e-4",
                "数値微分：中心差分による接線と、h = 1e-4 を選ぶ理由",
            ),
            (
                "Left: f(x) = 0.01x² + 0.1x with tangent lines at x = 5 and 10. "
                "Right: error of the forward and central differences against h on "
                "log axes; below h ≈ 1e-16 the difference is 0",
                "左：f(x) = 0.01x² + 0.1x と x = 5, 10 での接線。"
                "右：前方差分と中心差分の誤差を h に対して対数軸で表示。"
                "h が 1e-16 程度より小さいと差分は 0",
            ),
        ),
        GalleryItem(
            "numerical-diff-book",
            "book",
            (
                "The book's Figure 4-7, as the book draws it",
                "書籍の図4-7（書籍と同じ描き方）",
            ),
            (
                "Two plain panels: f(x) and its tangent line at x = 5 and at x = 10",
                "f(x) と x = 5、x = 10 での接線を描いた2枚のグラフ",
            ),
        ),
    ),
)
