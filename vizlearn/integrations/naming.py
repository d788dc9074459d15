"""Parameter names: the book's W1, b1, gamma1, beta1 ... or each framework's path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["NAMING", "book_names", "check_naming"]

NAMING = ("book", "path")


def check_naming(names: str) -> None:
    """Raise ValueError unless ``names`` is one of ``NAMING``."""
    if names not in NAMING:
        raise ValueError(f"names must be one of {', '.join(NAMING)}, not {names!r}")


def book_names(layers: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """Number parameters as the book does: W1, b1, (gamma1, beta1,) W2, b2, ...

    ``layers`` gives, in forward order, each layer's path and its parameters
    by role (``W``, ``b``, ``gamma``, ``beta``, or any other name). Every
    layer with a ``W`` starts the next number; the others (a batch norm after
    an affine layer) take the number of the layer before them.
    """
    out: dict[str, Any] = {}
    number = 0
    for path, params in layers:
        if "W" in params or number == 0:
            number += 1
        for role, value in params.items():
            key = f"{role}{number}"
            if key in out:
                raise ValueError(
                    f"two parameters would be named {key} (the second in layer "
                    f"{path!r}); record with names='path' instead"
                )
            out[key] = value
    return out
