"""DeZero: a Model's or Layer's parameters as numpy arrays, named W1/b1/...

DeZero (``pip install dezero``) is used by duck typing, so any object with its
``Layer`` shape works: ``_params`` (attribute names) whose attributes are
Layers or Parameters (``.data`` an array). ``MLP`` keeps its layers in
``layers``, in forward order; other models are walked by attribute name,
numbers sorted as numbers (``l2`` before ``l10``)::

    model = MLP((10, 1))
    ...
    rec.record(i, loss=loss, params=dezero_params(model))   # W1, b1, W2, b2

``names="path"`` gives ``save_weights``' keys with ``.`` for ``/``
(``l0.W``: a ``/`` would read as a trace group). A parameter whose ``data`` is
still None (DeZero's Linear sizes W at its first call) is refused with a
ValueError naming it: record after the first forward pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.integrations.naming import book_names, check_naming

__all__ = ["dezero_params"]


def dezero_params(model: Any, *, names: str = "book") -> dict[str, NDArray]:
    """Copies (float64) of a DeZero model's parameters, in forward order."""
    check_naming(names)
    if not hasattr(model, "_params"):
        raise TypeError(
            "expected a DeZero Layer or Model (with _params), not "
            f"{type(model).__name__}"
        )
    layers = list(_layers(model, ""))
    if names == "path":
        return {
            f"{path}.{role}" if path else role: value
            for path, params in layers
            for role, value in params.items()
        }
    return book_names(layers)


def _layers(layer: Any, path: str) -> Iterator[tuple[str, dict[str, NDArray]]]:
    """(path, {name: array}) for ``layer`` itself, then its sub-layers in order."""
    own, subs = {}, []
    for name in _ordered(layer):
        obj = layer.__dict__[name]
        if hasattr(obj, "_params"):
            subs.append((name, obj))
        elif getattr(obj, "data", None) is None:
            where = f"{path}.{name}" if path else name
            raise ValueError(
                f"DeZero parameter {where} has no data yet (a Linear sizes W at "
                "its first call); record after the first forward pass"
            )
        else:
            own[name] = np.array(obj.data, dtype=np.float64)
    if own:
        yield path, own
    for name, sub in subs:
        yield from _layers(sub, f"{path}.{name}" if path else name)


def _ordered(layer: Any) -> list[str]:
    """Attribute names in forward order: ``layers``' order first, then by name."""
    listed = [id(x) for x in getattr(layer, "layers", [])]
    names = list(layer._params)

    def key(name: str) -> tuple:
        obj = layer.__dict__[name]
        position = listed.index(id(obj)) if id(obj) in listed else len(listed)
        parts = re.split(r"(\d+)", name)
        return position, [int(p) if p.isdigit() else p for p in parts]

    return sorted(names, key=key)
