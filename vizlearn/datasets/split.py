"""Train and test arrays of one classification data set: an image or a planar set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vizlearn.datasets.catalog import IDX_NAMES

__all__ = ["DATASETS", "IMAGE_SETS", "Split", "load_split"]

#: The MNIST-format sets (28 x 28 pixels, 10 classes): mnist, fashion-mnist, kmnist.
IMAGE_SETS: tuple[str, ...] = IDX_NAMES
DATASETS = (*IMAGE_SETS, "spiral", "circles", "xor", "blobs")


@dataclass(frozen=True)
class Split:
    """Train and test arrays of one data set, and how to show an input."""

    name: str
    x_train: NDArray
    t_train: NDArray[np.int64]
    x_test: NDArray
    t_test: NDArray[np.int64]
    n_classes: int
    image_shape: tuple[int, int] | None = None  # (28, 28) for MNIST
    white: float = 1.0
    """An image's largest pixel value: 1 (scaled) or 255 (raw, ``normalize=False``)."""

    @property
    def n_inputs(self) -> int:
        """Input size (784 for MNIST, 2 for planar data)."""
        return int(self.x_train.shape[1])


def load_split(
    dataset: str,
    *,
    seed: int = 0,
    dtype: type = np.float32,
    data_dir: str = "",
    cache_dir: str = "",
    split_from_test: int = 0,
    normalize: bool = True,
) -> Split:
    """Load an image set (folder, cache, download) or draw a planar set from ``seed``.

    ``dataset`` is one of `DATASETS`: MNIST, Fashion-MNIST or KMNIST (one
    format) or a planar set. Pixels are scaled to [0, 1] (the book's
    ``load_mnist(normalize=True)``);
    ``normalize=False`` gives the raw 0-255 values (as floats), as Keras'
    ``mnist.load_data()`` does. A planar set's test data is a second draw of the
    same distribution (seed + 1), so test accuracy measures generalization.
    """
    if dataset in IMAGE_SETS:
        from vizlearn.datasets.mnist import load_mnist

        data = load_mnist(
            dataset=dataset,
            data_dir=Path(data_dir) if data_dir else None,
            cache_dir=Path(cache_dir) if cache_dir else None,
            split_from_test=split_from_test or None,
            normalize=normalize,
            dtype=dtype,
        )
        # raw pixels come as uint8: the arithmetic needs floats (0.0 to 255.0)
        x_train, x_test = (
            np.asarray(x, dtype=dtype) for x in (data.x_train, data.x_test)
        )
        white = 1.0 if normalize else 255.0
        return Split(
            dataset, x_train, data.t_train, x_test, data.t_test, 10, (28, 28), white
        )
    from vizlearn.datasets.planar import PLANAR

    if dataset not in PLANAR:
        raise ValueError(
            f"--dataset must be one of {', '.join(DATASETS)}, not {dataset!r}"
        )
    train, test = PLANAR[dataset](seed=seed), PLANAR[dataset](seed=seed + 1)
    n_classes = int(max(train.t.max(), test.t.max())) + 1
    return Split(
        dataset, train.x.astype(dtype), train.t, test.x.astype(dtype), test.t, n_classes
    )
