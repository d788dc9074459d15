"""The lesson table: the one mapping from lesson names to their modules.

Each module exports one :class:`~vizlearn.lessons.record.Lesson` as ``LESSON``;
every verb (``vizlearn animate/plot/train/render/list``, ``vizlearn LESSON``,
``vl.train/animate/plot``, the gallery) finds lessons here and nothing else.
Importing this package imports no lesson module (nor numpy, nor matplotlib).
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vizlearn.lessons.record import Lesson

__all__ = ["LESSONS", "get_lesson", "all_lessons", "did_you_mean"]

LESSONS: dict[str, str] = {
    "sin-regression": "vizlearn.lessons.sin_regression",
    "regression": "vizlearn.lessons.regression",
    "activations": "vizlearn.lessons.activations",
    "numerical-diff": "vizlearn.lessons.numerical_diff",
    "gradient-descent": "vizlearn.lessons.gradient_descent",
    "newton": "vizlearn.lessons.newton",
    "optimizers": "vizlearn.lessons.optimizers",
    "boundary": "vizlearn.lessons.boundary",
    "weight-init": "vizlearn.lessons.weight_init",
    "vanishing-gradients": "vizlearn.lessons.vanishing_gradients",
    "optimizers-mnist": "vizlearn.lessons.optimizers_mnist",
    "weight-init-mnist": "vizlearn.lessons.weight_init_mnist",
    "batch-norm": "vizlearn.lessons.batch_norm",
    "weight-decay": "vizlearn.lessons.weight_decay",
    "dropout": "vizlearn.lessons.dropout",
    "hyperparameter-search": "vizlearn.lessons.hyperparameter_search",
    "samplers": "vizlearn.lessons.samplers",
    "sweep": "vizlearn.lessons.sweep",
    "mnist": "vizlearn.lessons.mnist",
    "gradients": "vizlearn.lessons.gradients",
    "metrics": "vizlearn.lessons.metrics",
    "conv": "vizlearn.lessons.conv",
    "im2col": "vizlearn.lessons.im2col",
    "pooling": "vizlearn.lessons.pooling",
    "cnn": "vizlearn.lessons.cnn",
    "graph": "vizlearn.lessons.graph",
    "derivatives": "vizlearn.lessons.derivatives",
    "gradient-race": "vizlearn.lessons.gradient_race",
    "network": "vizlearn.lessons.network",
}


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'mnist'?)`` for a close match among ``choices``, else ''."""
    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def get_lesson(name: str) -> Lesson:
    """Return the lesson called ``name``; ValueError with a suggestion if unknown."""
    module = LESSONS.get(name)
    if module is None:
        raise ValueError(
            f"unknown lesson {name!r}{did_you_mean(name, LESSONS)}; "
            f"choose from {', '.join(LESSONS)}"
        )
    lesson = importlib.import_module(module).LESSON
    if lesson.name != name:
        raise RuntimeError(f"{module}.LESSON is named {lesson.name!r}, not {name!r}")
    return lesson


def all_lessons() -> Iterator[Lesson]:
    """Every lesson, in table order."""
    for name in LESSONS:
        yield get_lesson(name)
