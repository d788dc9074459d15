"""MNIST and the sets in its format (Fashion-MNIST, KMNIST): load, check, download.

The loader follows the book's ``load_mnist`` options (``normalize``, ``flatten``,
``one_hot_label``) but never unpickles anything: it reads the four IDX files
(gzipped or plain, `vizlearn.datasets.idx`) or Keras' ``mnist.npz`` with
``allow_pickle=False``. Two kinds of folder:

- a **data folder** (``data_dir``, ``--data-dir``, ``$VIZLEARN_DATA_DIR``): the
  user's own files, never downloaded into. Any well-formed set is read (an
  8 000/2 000 split written with Python's gzip, Fashion-MNIST in place of
  MNIST); files that are not the published ones are checked for structure
  only, and a one-line note says so (``on_note``, `vizlearn.datasets.reporting`);
- the **cache** (`vizlearn.datasets.places`): downloads, checked against the
  published sha256; a file that fails is downloaded again.

(About 330 lines: most are the docstrings of the book's ``load_mnist`` options;
the IDX reader, the npz reader and folder reading live in their own modules.)

Examples
--------
>>> data = load_mnist(data_dir=Path("mnist"), split_from_test=8000)  # doctest: +SKIP
>>> data.x_train.shape, data.t_test.shape  # doctest: +SKIP
((8000, 784), (2000,))
>>> fashion = load_mnist(dataset="fashion-mnist")  # downloads once  # doctest: +SKIP
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike, NDArray

from vizlearn.datasets import catalog
from vizlearn.datasets.catalog import IdxDataset, dataset_spec
from vizlearn.datasets.download import DownloadError, fetch, sha256_of
from vizlearn.datasets.folders import Found, missing, needed_files, read_folder
from vizlearn.datasets.idx import MAX_BYTES, SIDE, MnistError, load_idx_pair, read_idx
from vizlearn.datasets.places import (
    DATA_ENV,
    dataset_cache_dir,
    env_data_dir,
    legacy_dirs,
    subfolder_for,
)
from vizlearn.datasets.reporting import (
    Note,
    Progress,
    note_callback,
    progress_callback,
)
from vizlearn.files import terminal_safe

__all__ = [
    "MIRRORS",
    "MNIST",
    "SHA256",
    "MnistError",
    "default_cache_dir",
    "download_mnist",
    "load_idx_pair",
    "load_mnist",
    "read_idx",
    "train_test_split",
]

#: MNIST's base URLs, tried in order; tests monkeypatch this to a local server.
MIRRORS: tuple[str, ...] = catalog.MNIST.mirrors
#: Canonical sha256 of each published MNIST ``.gz`` file.
SHA256: dict[str, str] = catalog.MNIST.sha256


@dataclass(frozen=True)
class MNIST:
    """Train and test arrays, as the book's ``(x_train, t_train), (x_test, t_test)``.

    ``canonical`` is True when every file read is the published one (sha256),
    False when the files were checked for structure only, None when not checked.
    """

    x_train: NDArray
    t_train: NDArray
    x_test: NDArray
    t_test: NDArray
    dataset: str = "mnist"
    canonical: bool | None = None


def train_test_split(x: NDArray, t: NDArray, n_train: int) -> MNIST:
    """Split arrays in order: the first ``n_train`` rows train, the rest test."""
    if not 0 < n_train < len(x) or len(x) != len(t):
        raise ValueError(f"n_train must be in 1..{len(x) - 1}, got {n_train}")
    return MNIST(x[:n_train], t[:n_train], x[n_train:], t[n_train:])


def load_mnist(
    *,
    dataset: str = "mnist",
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    download: bool = True,
    dtype: DTypeLike = np.float32,
    split_from_test: int | None = None,
    verify: bool = True,
    progress: Progress | None = None,
    on_note: Note | None = None,
) -> MNIST:
    """Load MNIST (or Fashion-MNIST, KMNIST) from a folder, the cache, or the network.

    Parameters
    ----------
    dataset
        ``"mnist"``, ``"fashion-mnist"`` or ``"kmnist"`` (`catalog.IDX_NAMES`).
    data_dir
        Folder holding the IDX files (``.gz`` or plain; or ``mnist.npz``), or a
        folder with one subfolder per data set. Nothing is downloaded.
        Default ``$VIZLEARN_DATA_DIR`` when neither folder is given.
        ``mnist.pkl`` is never loaded.
    cache_dir
        The download cache (files go to ``cache_dir/DATASET``); default
        :func:`vizlearn.datasets.places.cache_root`.
    normalize
        Scale images to ``[0, 1]`` as ``dtype``; otherwise keep uint8 0..255.
    flatten
        Images as ``(n, 784)``; otherwise ``(n, 1, 28, 28)``.
    one_hot_label
        Labels as ``(n, 10)`` one-hot ``dtype``; otherwise int64 ``(n,)``.
    download
        Fetch missing files into the cache (sha256-checked).
    dtype
        Floating dtype of normalized images and one-hot labels.
    split_from_test
        Use only the 10 000-image test split: its first ``split_from_test``
        images become the training set, the rest the test set. Works when the
        folder holds just the ``t10k-*`` files.
    verify
        Compare files with the published sha256: a cached file that differs is
        downloaded again; a data folder's files that differ are read anyway
        (checked for structure) with a note.
    progress
        ``progress(file_name, bytes_done, bytes_total)`` during downloads.
    on_note
        ``on_note(text)`` for a one-line note, e.g. that a data folder does not
        hold the published files. Defaults: see `vizlearn.datasets.reporting`.

    Returns
    -------
    MNIST
        ``x_train, t_train, x_test, t_test``, ``dataset`` and ``canonical``.
    """
    spec = dataset_spec(dataset)
    if np.dtype(dtype).kind != "f":
        raise ValueError(f"dtype must be a floating dtype, got {np.dtype(dtype)}")
    (x, t, x_test, t_test), found = _load_raw(
        spec, data_dir, cache_dir, download, split_from_test, verify, progress
    )
    if found.unpublished:
        note_callback(on_note)(_note_text(spec, found, len(x), len(x_test)))
    return MNIST(
        _images(x, normalize, flatten, dtype),
        _labels(t, one_hot_label, dtype),
        _images(x_test, normalize, flatten, dtype),
        _labels(t_test, one_hot_label, dtype),
        spec.name,
        canonical=not found.unpublished if verify else None,
    )


def default_cache_dir(dataset: str = "mnist") -> Path:
    """Where ``dataset`` is downloaded to: ``cache_root() / dataset``."""
    return dataset_cache_dir(dataset_spec(dataset).name)


def download_mnist(
    names: tuple[str, ...] | None = None,
    *,
    dataset: str = "mnist",
    cache_dir: Path | None = None,
    mirrors: tuple[str, ...] | None = None,
    checksums: dict[str, str] | None = None,
    timeout: float = 30.0,
    retries: int = 3,
    progress: Progress | None = None,
) -> Path:
    """Download missing ``.gz`` files of ``dataset`` into the cache, sha256-checked.

    Each file is fetched by :func:`vizlearn.datasets.download.fetch`: written to
    ``NAME.part`` (resumed with an HTTP Range request when possible), retried
    with backoff, tried on the next mirror, and renamed only once its checksum
    matches. ``progress`` follows each transfer.

    Returns
    -------
    Path
        The folder now holding the files, ``cache_dir/DATASET``.
    """
    spec = dataset_spec(dataset)
    directory = dataset_cache_dir(spec.name, cache_dir)
    directory.mkdir(parents=True, exist_ok=True)
    checksums = _published(spec) if checksums is None else checksums
    names = names or tuple(checksums)
    report = progress_callback(progress)
    for name in names:
        target = directory / name
        if target.is_file() and sha256_of(target) == checksums[name]:
            continue  # (sha256_of refuses what is not a regular file)
        try:
            fetch(name, target, mirrors or _mirrors(spec), checksums[name],
                  max_bytes=MAX_BYTES, timeout=timeout, retries=retries,
                  progress=report)  # fmt: skip
        except DownloadError as err:  # wrong checksum or too large: one line
            raise MnistError(str(err)) from err
        except (OSError, HTTPException) as err:
            raise MnistError(
                f"could not download {name} ({type(err).__name__}: {err}); put "
                f"{', '.join(names)} in a directory DIR and pass --data-dir DIR "
                "(data_dir=DIR in Python)"
            ) from err
    return directory


# ---- which files, where -------------------------------------------------------


def _published(spec: IdxDataset) -> dict[str, str]:
    return SHA256 if spec.name == "mnist" else spec.sha256  # MNIST's may be patched


def _mirrors(spec: IdxDataset) -> tuple[str, ...]:
    return MIRRORS if spec.name == "mnist" else spec.mirrors


def _read(
    folder: Path, spec: IdxDataset, splits: tuple[str, ...], verify: bool, strict: bool
) -> Found | None:
    npz = spec.npz_sha256 or None
    return read_folder(
        folder, splits, _published(spec), npz_sha256=npz, verify=verify, strict=strict
    )


def _load_raw(
    spec: IdxDataset,
    data_dir: Path | None,
    cache_dir: Path | None,
    download: bool,
    split_from_test: int | None,
    verify: bool,
    progress: Progress | None,
) -> tuple[tuple[NDArray, ...], Found]:
    """The four uint8 arrays, and the folder they came from."""
    splits = ("test",) if split_from_test is not None else ("train", "test")
    if data_dir is None and cache_dir is None:
        data_dir = env_data_dir()
    if data_dir is not None:
        found = _read_data_dir(Path(data_dir), spec, splits, verify)
    else:
        found = _read_cache(spec, cache_dir, splits, download, verify, progress)
    if split_from_test is None:
        return (*found.arrays["train"], *found.arrays["test"]), found
    parts = train_test_split(*found.arrays["test"], split_from_test)
    return (parts.x_train, parts.t_train, parts.x_test, parts.t_test), found


def _read_data_dir(
    directory: Path, spec: IdxDataset, splits: tuple[str, ...], verify: bool
) -> Found:
    folder = subfolder_for(directory, spec.name)
    found = _read(folder, spec, splits, verify, strict=False)
    if found is None:
        err = missing(folder, spec.title, splits, npz=bool(spec.npz_sha256))
        if directory == env_data_dir():
            err = MnistError(f"{err} (the folder ${DATA_ENV} names)")
        raise err
    return found


def _read_cache(
    spec: IdxDataset,
    cache_dir: Path | None,
    splits: tuple[str, ...],
    download: bool,
    verify: bool,
    progress: Progress | None,
) -> Found:
    primary = dataset_cache_dir(spec.name, cache_dir)
    found = None
    try:
        found = _read(primary, spec, splits, verify, strict=True)
    except MnistError:
        if not download:
            raise  # otherwise a corrupt cached file is downloaded again
    for folder in legacy_dirs(spec.name, cache_dir) if found is None else ():
        with suppress(MnistError):  # an old copy that fails is simply not used
            found = found or _read(folder, spec, splits, verify, strict=True)
    if found is None and download:
        files = tuple(needed_files(splits))
        download_mnist(files, dataset=spec.name, cache_dir=cache_dir, progress=progress)
        found = _read(primary, spec, splits, verify, strict=True)
    if found is None:
        raise missing(primary, spec.title, splits, npz=bool(spec.npz_sha256))
    return found


def _note_text(spec: IdxDataset, found: Found, n_train: int, n_test: int) -> str:
    """One line: the folder, why it is not the published files, what was read."""
    return terminal_safe(
        f"{found.folder}: not the published {spec.title} files "
        f"({found.unpublished}); read after checking their structure only: "
        f"{n_train} train and {n_test} test images of 28x28, labels 0..9"
    )


def _images(x: NDArray, normalize: bool, flatten: bool, dtype: DTypeLike) -> NDArray:
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, SIDE, SIDE)
    if not normalize:
        return x.copy()
    scaled = x.astype(dtype)
    scaled /= 255.0
    return scaled


def _labels(t: NDArray, one_hot: bool, dtype: DTypeLike) -> NDArray:
    return np.eye(10, dtype=dtype)[t] if one_hot else t.astype(np.int64)
