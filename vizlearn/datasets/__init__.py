"""Data sets: toy regression, 2-D classification sets, and MNIST-format image sets.

MNIST, Fashion-MNIST and KMNIST (IDX files or Keras' npz) load through
`load_mnist` (``dataset=``); `IDX_NAMES` lists them. Everything random takes a
seed; nothing here unpickles. Download progress and notes about the data go
to callbacks (`vizlearn.datasets.reporting`). Names are imported when first
used, so option tables can read `vizlearn.datasets.catalog` without numpy.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Dataset",
    "sin_regression",
    "spiral",
    "circles",
    "xor",
    "blobs",
    "PLANAR",
    "IDX_DATASETS",
    "IDX_NAMES",
    "IdxDataset",
    "MNIST",
    "MnistError",
    "load_mnist",
    "read_idx",
    "load_idx_pair",
    "train_test_split",
    "download_mnist",
    "default_cache_dir",
    "cache_root",
]

_MODULES = {
    "toy": ("Dataset", "sin_regression"),
    "planar": ("PLANAR", "blobs", "circles", "spiral", "xor"),
    "catalog": ("IDX_DATASETS", "IDX_NAMES", "IdxDataset"),
    "mnist": (
        "MNIST",
        "MnistError",
        "default_cache_dir",
        "download_mnist",
        "load_idx_pair",
        "load_mnist",
        "read_idx",
        "train_test_split",
    ),
    "places": ("cache_root",),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_WHERE[name]}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
