"""How a run was made, in a few words for a figure's title.

A teacher who puts a figure next to the book's must see at a glance what
differs from the book's run: a model trained with the numerical gradient,
MNIST on raw 0-255 pixels (``--no-normalize``), the seed. Read from the
trace's ``meta`` (its config), like everything a renderer shows.
"""

from __future__ import annotations

from typing import Any

from vizlearn.datasets.catalog import IDX_DATASETS
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["made_with", "with_notes", "joined", "class_names"]

SEPARATOR = "  ·  "


def made_with(trace: Trace, style: Style, *, seed: bool = True) -> list[str]:
    """Short notes: numerical gradient, raw pixels, the seed (each if it applies)."""
    config: dict[str, Any] = dict(trace.meta.get("config") or {})
    notes = []
    spec = IDX_DATASETS.get(config.get("dataset", ""))
    if spec is not None and spec.name != "mnist":
        notes.append(spec.title)
    if config.get("grad") == "numerical":
        notes.append(
            style.text("trained with the numerical gradient", "数値微分で学習")
        )
    if config.get("normalize") is False:
        notes.append(style.text("raw pixels 0–255", "画素値 0〜255（正規化なし）"))
    value = trace.meta.get("seed", config.get("seed"))
    if seed and value is not None:
        notes.append(style.text("seed {s}", "シード {s}", s=value))
    return notes


def class_names(trace: Trace) -> tuple[str, ...] | None:
    """What each label means where it is not its digit (Fashion-MNIST, KMNIST)."""
    config: dict[str, Any] = dict(trace.meta.get("config") or {})
    spec = IDX_DATASETS.get(config.get("dataset", ""))
    if spec is None or spec.classes == tuple("0123456789"):
        return None
    return spec.classes


def with_notes(title: str, trace: Trace, style: Style, *, seed: bool = True) -> str:
    """``title`` followed by the run's notes (``title · numerical gradient · …``)."""
    return SEPARATOR.join(
        [t for t in (title, *made_with(trace, style, seed=seed)) if t]
    )


def joined(parts: list[str], width: int = 72) -> str:
    """``parts`` joined by " · ", on two lines when longer than ``width`` characters."""
    parts = [p for p in parts if p]
    text = SEPARATOR.join(parts)
    if len(text) <= width or len(parts) < 2:
        return text
    total = len(text)
    best = min(
        range(1, len(parts)),
        key=lambda k: abs(len(SEPARATOR.join(parts[:k])) - total / 2),
    )
    return SEPARATOR.join(parts[:best]) + "\n" + SEPARATOR.join(parts[best:])
