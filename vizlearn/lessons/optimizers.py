"""Optimizer paths: SGD, Momentum, AdaGrad and Adam walking down a 2-D function.

The defaults are the book's Figure 6-8: f(x, y) = x²/20 + y² from (-7, 2), 30
updates, learning rates SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3. Other
functions (Rosenbrock, Beale, Himmelblau) come with their own start, range,
step count and learning rates; ``--lr`` and ``--start`` override them.

An optimizer whose point leaves a box 100 times the plotted range (or becomes
NaN/inf) has diverged: its path stops at the box's edge and the trace records
the step in ``meta["diverged"]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option, to_dict
from vizlearn.lessons.options import LessonConfig
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = [
    "OptimizersConfig",
    "run",
    "FUNCTIONS",
    "OPTIMIZER_NAMES",
    "parse_lr",
    "summary",
    "LESSON",
]

NAME = "optimizers"
# Kept in step with vizlearn.core.functions.SURFACES (a test checks it), so the
# CLI can list the choices without importing numpy.
FUNCTIONS = ("book", "rosenbrock", "beale", "himmelblau")
OPTIMIZER_NAMES = ("sgd", "momentum", "adagrad", "adam")
DIVERGENCE_BOX = 100.0  # how many plot ranges away a point counts as diverged
MAX_FRAMES = 100  # vizlearn.render.optimizers.MAX_FRAMES: longer runs are subsampled


@dataclass(frozen=True)
class OptimizersConfig(LessonConfig):
    """Which function, optimizers, learning rates, start and step count."""

    function: str = option("book", "function to minimise", choices=FUNCTIONS)
    optimizers: str = option(
        ",".join(OPTIMIZER_NAMES), "optimizers to compare, comma-separated"
    )
    lr: str = option(
        "", "learning rates, e.g. sgd=0.9,adam=0.2 (others: the function's defaults)"
    )
    start: str = option("", "starting point x,y, e.g. -7,2 (default: the function's)")
    steps: int = option(
        0,
        "update steps (0: the function's default, 30 for book)",
        low=0,
        high=100_000,
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        self.names()
        unused = set(parse_lr(self.lr)) - set(self.names())
        if unused:
            raise ValueError(
                f"--lr names {', '.join(sorted(unused))}, which --optimizers leaves out"
            )
        self.start_point()

    def names(self) -> tuple[str, ...]:
        """The optimizers to run, in the order given."""
        names = tuple(
            n.strip().lower() for n in self.optimizers.split(",") if n.strip()
        )
        bad = [n for n in names if n not in OPTIMIZER_NAMES]
        if bad or not names or len(set(names)) != len(names):
            raise ValueError(
                f"--optimizers must list distinct names from "
                f"{', '.join(OPTIMIZER_NAMES)}, got {self.optimizers!r}"
            )
        return names

    def start_point(self) -> tuple[float, float] | None:
        """The ``--start`` point, or None for the function's default."""
        if not self.start.strip():
            return None
        try:
            x, y = (float(v) for v in self.start.split(","))
        except ValueError:
            raise ValueError(
                f"--start must be x,y (e.g. -7,2), got {self.start!r}"
            ) from None
        if not all(abs(v) < 1e12 for v in (x, y)):  # also rejects NaN and inf
            raise ValueError(f"--start must be two finite numbers, got {self.start!r}")
        return x, y


def parse_lr(text: str) -> dict[str, float]:
    """Parse ``"sgd=0.9,adam=0.2"`` into ``{"sgd": 0.9, "adam": 0.2}``."""
    out: dict[str, float] = {}
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        name = name.strip().lower()
        if not sep or name not in OPTIMIZER_NAMES:
            raise ValueError(
                f"--lr takes NAME=VALUE pairs with NAME in "
                f"{', '.join(OPTIMIZER_NAMES)}, e.g. sgd=0.9,adam=0.2; got {item!r}"
            )
        try:
            lr = float(value)
        except ValueError:
            lr = float("nan")
        if not 0 < lr < 1e12:
            raise ValueError(f"--lr {name} must be a number > 0, got {value.strip()!r}")
        out[name] = lr
    return out


def run(
    config: OptimizersConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Run every optimizer from the start point; return their paths as a Trace.

    The trace has one record per step (0 = start): ``outputs["path_NAME"]``
    ``(steps + 1, 2)`` and ``outputs["value_NAME"]`` ``(steps + 1,)``;
    ``data`` holds the contour grid ``X, Y, Z`` and the ``minima``.
    """
    import numpy as np

    from vizlearn.core.functions import SURFACES
    from vizlearn.trace import Recorder

    config = config or OptimizersConfig()
    surface = SURFACES[config.function]
    steps = config.steps or surface.steps
    lrs = {n: parse_lr(config.lr).get(n, surface.lr[n]) for n in config.names()}
    start = config.start_point() or surface.start
    paths, diverged = {}, {}
    for name in config.names():
        paths[name], at = _descend(surface, name, lrs[name], start, steps)
        if at is not None:
            diverged[name] = at
    X, Y, Z = surface.grid()
    rec = Recorder(
        meta=_meta(config, surface, steps, lrs, start, diverged),
        data={"X": X, "Y": Y, "Z": Z, "minima": np.array(surface.minima)},
    )
    for k in range(steps + 1):
        outputs = {}
        for name, path in paths.items():
            outputs[f"path_{name}"] = path[k]
            outputs[f"value_{name}"] = surface.f(*path[k])
        rec.record(k, outputs=outputs)
        if on_step is not None and k:
            on_step(k)
    return rec.freeze()


def _meta(config, surface, steps, lrs, start, diverged) -> dict[str, Any]:
    # the config as run: the function's own lr, start and steps filled in (no
    # empty "lr=" or "start=" in provenance); nothing is random, so no seed
    resolved = {
        "lr": ",".join(f"{name}={lr:g}" for name, lr in lrs.items()),
        "start": ",".join(f"{v:g}" for v in start),
        "steps": steps,
    }
    return {
        "lesson": NAME,
        "config": {**to_dict(config), **resolved},
        "function": surface.name,
        "formula": surface.formula,
        "steps": steps,
        "lr": lrs,
        "start": list(start),
        "optimizers": list(lrs),
        "levels": list(surface.levels),
        "xlim": list(surface.xlim),
        "ylim": list(surface.ylim),
        "diverged": diverged,
    }


def _descend(surface, name: str, lr: float, start, steps: int):
    """Return the path ``(steps + 1, 2)`` and the step it diverged at (or None)."""
    import numpy as np

    from vizlearn.core import OPTIMIZERS, Parameter

    point = Parameter(np.array(start, dtype=np.float64), "xy")
    optimizer = OPTIMIZERS[name](lr).setup([point])
    path = np.empty((steps + 1, 2))
    path[0] = point.data
    lo, hi = _box(surface)
    with np.errstate(all="ignore"):  # overflow is how divergence shows; checked below
        for k in range(1, steps + 1):
            point.grad = np.array(surface.grad(*point.data), dtype=np.float64)
            optimizer.update()
            inside = (
                np.isfinite(point.data).all()
                and (lo <= point.data).all()
                and (point.data <= hi).all()
            )
            if not inside:
                path[k:] = _exit_point(path[k - 1], point.data, lo, hi)
                return path, k
            path[k] = point.data
    return path, None


def _box(surface):
    import numpy as np

    centre = np.array([sum(surface.xlim), sum(surface.ylim)]) / 2
    span = np.array(
        [surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0]]
    )
    return centre - DIVERGENCE_BOX * span, centre + DIVERGENCE_BOX * span


def _exit_point(inside, outside, lo, hi):
    """Where the segment from ``inside`` towards ``outside`` leaves the box."""
    import numpy as np

    direction = outside - inside
    if not np.isfinite(direction).all():
        return inside  # no direction to follow: hold the last finite point
    with np.errstate(divide="ignore", invalid="ignore"):
        to_edge = np.where(
            direction > 0,
            (hi - inside) / direction,
            np.where(direction < 0, (lo - inside) / direction, np.inf),
        )
    return inside + min(1.0, float(to_edge.min())) * direction


def summary(trace: Trace) -> dict[str, Any]:
    """Where each optimizer ended, its learning rate and divergence."""
    m = trace.meta
    final = {
        n: {
            "x": float(trace.outputs[f"path_{n}"][-1, 0]),
            "y": float(trace.outputs[f"path_{n}"][-1, 1]),
            "f": float(trace.outputs[f"value_{n}"][-1]),
            "lr": m["lr"][n],
            "diverged_at": m["diverged"].get(n),
        }
        for n in m["optimizers"]
    }
    return {
        "diverged": dict(m["diverged"]),
        "function": m["function"],
        "steps": m["steps"],
        "start": m["start"],
        "optimizers": final,
    }


def n_frames(config: OptimizersConfig) -> int:
    """Animation frames: every step, at most ``MAX_FRAMES`` (evenly spaced)."""
    from vizlearn.core.functions import SURFACES

    steps = config.steps or SURFACES[config.function].steps
    return min(MAX_FRAMES, steps + 1)


LESSON = Lesson(
    NAME,
    OptimizersConfig,
    run,
    description=(
        "SGD, Momentum, AdaGrad and Adam paths on a 2-D function",
        "SGD、Momentum、AdaGrad、Adam が2変数関数の上をたどる経路",
    ),
    kinds=(
        Kind(
            "paths",
            "vizlearn.render.optimizers:frames_optimizers",
            "every optimizer's path on the contours, a panel each, advancing",
            animated=True,
        ),
    ),
    source="'Deep Learning from Scratch' ch. 6, optimizer_compare_naive.py "
    "(Figure 6-8)",
    summary=summary,
    steps=lambda config: 0,
    frames=n_frames,
    gallery=(
        GalleryItem(
            "optimizers",
            "paths",
            (
                "SGD, Momentum, AdaGrad and Adam on f(x, y) = x²/20 + y² "
                "(the book's Figure 6-8)",
                "f(x, y) = x²/20 + y² 上の SGD、Momentum、AdaGrad、Adam の"
                "経路（図6-8）",
            ),
            (
                "Animation: four contour plots, each with one optimizer's zig-zag or "
                "smooth path toward the minimum",
                "アニメーション：4枚の等高線図の上で、各最適化手法の経路が最小値へ向かう",
            ),
            quick={"steps": 8},
            animated=True,
            player=True,
        ),
    ),
)
