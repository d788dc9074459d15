"""The lesson registry: the one mapping between CLI names and Python modules.

Importing this package is cheap (no numpy, no matplotlib), so the CLI can list
lessons and build its options without paying for the numerics.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

__all__ = ["Lesson", "LESSONS", "KINDS", "get_lesson"]


@dataclass(frozen=True)
class Lesson:
    """A lesson: CLI name, module, config class name, one-line description."""

    name: str
    module: str
    config: str
    description: str

    def load(self) -> ModuleType:
        """Import the lesson's module."""
        return importlib.import_module(self.module)

    def config_class(self) -> type:
        """The lesson's config dataclass."""
        return getattr(self.load(), self.config)


LESSONS: dict[str, Lesson] = {
    "sin-regression": Lesson(
        "sin-regression",
        "vizlearn.lessons.sin_regression",
        "SinRegressionConfig",
        "DeZero's 1-10-1 sigmoid net fitting y = sin(2πx) + noise (regression GIF)",
    ),
    "regression": Lesson(
        "regression",
        "vizlearn.lessons.regression",
        "RegressionConfig",
        "the same net fitting your own points: --data points.csv (columns x, y)",
    ),
}

# Figure kinds drawn from a regression trace: name -> one-line description.
KINDS: dict[str, str] = {
    "regression": "training animation: curve and residuals, or the lesson's own "
    "(mnist, boundary, optimizers, ...); a still at --frame",
    "fit": "the final fit: data, trained curve, residuals",
    "loss": "loss per iteration (--log for a log axis)",
    "params": "per-parameter trajectories, one panel per tensor",
}


def get_lesson(name: str) -> Lesson:
    """Return the lesson called ``name`` or raise ValueError listing the valid ones."""
    try:
        return LESSONS[name]
    except KeyError:
        raise ValueError(
            f"unknown lesson {name!r}; choose from {', '.join(sorted(LESSONS))}"
        ) from None
