"""The MNIST-format (IDX) data sets vizlearn knows by name: mirrors and checksums.

MNIST, Fashion-MNIST and Kuzushiji-MNIST share one format: four gzipped IDX
files of 28x28 uint8 images and labels 0..9, with the same file names. This
module imports nothing heavy (no numpy), so option tables can read the names.

Where the checksums come from:

- MNIST: the sha256 of the files the PyTorch (ossci-datasets) and CVDF
  mirrors serve, as torchvision-ruby and the ``mnists`` package pin them.
- Fashion-MNIST: the README of zalandoresearch/fashion-mnist publishes MD5s
  (8d4fb7e6…, 25c81989…, bef4ecab…, bb300cfd…); the sha256 below are those of
  the same files, pinned alike by tensorflow/datasets
  (``url_checksums/fashion_mnist.txt``), torchvision-ruby and batchup.
- KMNIST: rois-codh/kmnist publishes no checksum; the sha256 below are the
  ones tensorflow/datasets (``url_checksums/kmnist.txt``, with file sizes) and
  torchvision-ruby pin, which agree (torchvision pins MD5s bdb82020…,
  e144d726…, 5c965bf0…, 7320c461…).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FILES", "IDX_DATASETS", "IDX_NAMES", "IdxDataset", "dataset_spec"]

#: The four file names every set uses, by split: (images, labels).
FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@dataclass(frozen=True)
class IdxDataset:
    """One named MNIST-format data set: where to download it and what it holds."""

    name: str  # the name on the command line, e.g. "fashion-mnist"
    title: str  # how messages name it, e.g. "Fashion-MNIST"
    mirrors: tuple[str, ...]  # base URLs, tried in order
    sha256: dict[str, str]  # of each published ``.gz`` file
    classes: tuple[str, ...]  # what label k means
    npz_sha256: str = ""  # of a published single-file ``NAME.npz``, if any


MNIST = IdxDataset(
    "mnist",
    "MNIST",
    (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    {
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
        ),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
        ),
    },
    tuple("0123456789"),
    # Keras' mnist.npz (keras.datasets.mnist.load_data pins the same hash)
    npz_sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
)

FASHION_MNIST = IdxDataset(
    "fashion-mnist",
    "Fashion-MNIST",
    (
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/"
        "data/fashion/",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ),
    {
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
        ),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
        ),
    },
    (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
)

KMNIST = IdxDataset(
    "kmnist",
    "Kuzushiji-MNIST",
    (
        "https://codh.rois.ac.jp/kmnist/dataset/kmnist/",
        "http://codh.rois.ac.jp/kmnist/dataset/kmnist/",
    ),
    {
        "train-images-idx3-ubyte.gz": (
            "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4"
        ),
        "train-labels-idx1-ubyte.gz": (
            "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c"
        ),
    },
    # one hiragana for each row of the kana table (kmnist_classmap.csv)
    ("お", "き", "す", "つ", "な", "は", "ま", "や", "れ", "を"),
)

#: Every named set, by its command-line name.
IDX_DATASETS: dict[str, IdxDataset] = {
    d.name: d for d in (MNIST, FASHION_MNIST, KMNIST)
}
#: The names, in the order option choices list them.
IDX_NAMES: tuple[str, ...] = tuple(IDX_DATASETS)


def dataset_spec(name: str) -> IdxDataset:
    """The record of the set called ``name``; ValueError listing the names."""
    try:
        return IDX_DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"dataset must be one of {', '.join(IDX_NAMES)}, not {name!r}"
        ) from None
