"""Data sets: toy regression, 2-D classification sets and MNIST (IDX or npz).

Everything random takes a seed; nothing here unpickles.
"""

from vizlearn.datasets.mnist import (
    MNIST,
    MnistError,
    default_cache_dir,
    download_mnist,
    load_idx_pair,
    load_mnist,
    read_idx,
    train_test_split,
)
from vizlearn.datasets.planar import PLANAR, blobs, circles, spiral, xor
from vizlearn.datasets.toy import Dataset, sin_regression

__all__ = [
    "Dataset",
    "sin_regression",
    "spiral",
    "circles",
    "xor",
    "blobs",
    "PLANAR",
    "MNIST",
    "MnistError",
    "load_mnist",
    "read_idx",
    "load_idx_pair",
    "train_test_split",
    "download_mnist",
    "default_cache_dir",
]
