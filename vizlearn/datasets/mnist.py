"""MNIST: a strict IDX/npz reader and its download into a cache (numpy + stdlib).

The loader follows the book's ``load_mnist`` options (``normalize``, ``flatten``,
``one_hot_label``) but never unpickles anything: it reads the four IDX files
(gzipped or plain) or Keras' ``mnist.npz`` with ``allow_pickle=False``. Missing
files are fetched by :mod:`vizlearn.datasets.download` (checksummed, resumable).

Examples
--------
>>> data = load_mnist(data_dir=Path("mnist"), split_from_test=8000)  # doctest: +SKIP
>>> data.x_train.shape, data.t_test.shape  # doctest: +SKIP
((8000, 784), (2000,))
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import DTypeLike, NDArray

from vizlearn.datasets.download import DownloadError, fetch, sha256_of
from vizlearn.files import FileRefused, NpyMember, npz_members, open_bounded

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

#: Base URLs tried in order; tests monkeypatch this to a local server.
MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
#: Canonical sha256 of each published ``.gz`` file.
SHA256: dict[str, str] = {
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
}
_SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_MAGIC = {0x00000801: 1, 0x00000803: 3}  # uint8 labels / uint8 images -> ndim
_MAX_BYTES = 1 << 26  # the largest MNIST file is 47 MB: refuse hostile headers/bodies
_SIDE = 28


class MnistError(ValueError):
    """A missing, corrupt, or refused MNIST file; the message names the file."""


@dataclass(frozen=True)
class MNIST:
    """Train and test arrays, as the book's ``(x_train, t_train), (x_test, t_test)``."""

    x_train: NDArray
    t_train: NDArray
    x_test: NDArray
    t_test: NDArray


def read_idx(path: str | os.PathLike[str]) -> NDArray[np.uint8]:
    """Read one uint8 IDX file (gzipped or plain), validating its header and length.

    Parameters
    ----------
    path
        An IDX label file (magic ``0x00000801``) or image file (``0x00000803``).

    Returns
    -------
    NDArray[np.uint8]
        Shape ``(n,)`` for labels, ``(n, rows, cols)`` for images.

    Raises
    ------
    MnistError
        On a wrong magic number, truncated or overlong data, or a broken gzip stream.
    """
    path = Path(path)
    try:
        with _open(path) as stream:
            shape = _read_header(stream, path)
            size = math.prod(shape)
            data = stream.read(size + 1)  # one extra byte reveals trailing data
    except (OSError, EOFError, zlib.error) as err:
        raise _error(path, f"cannot read ({type(err).__name__}: {err})") from err
    if len(data) != size:
        what = "truncated" if len(data) < size else "longer than its header says"
        raise _error(path, f"{what}: header promises {size} data bytes")
    return np.frombuffer(data, dtype=np.uint8).reshape(shape).copy()


def load_idx_pair(
    images_path: str | os.PathLike[str], labels_path: str | os.PathLike[str]
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Read matching image and label IDX files as raw arrays.

    Returns
    -------
    tuple of NDArray[np.uint8]
        Images ``(n, 28, 28)`` with values 0..255 and labels ``(n,)`` in 0..9.
    """
    x, t = read_idx(images_path), read_idx(labels_path)
    return _check_pair(x, t, f"{images_path} + {labels_path}")


def train_test_split(x: NDArray, t: NDArray, n_train: int) -> MNIST:
    """Split arrays in order: the first ``n_train`` rows train, the rest test."""
    if not 0 < n_train < len(x) or len(x) != len(t):
        raise ValueError(f"n_train must be in 1..{len(x) - 1}, got {n_train}")
    return MNIST(x[:n_train], t[:n_train], x[n_train:], t[n_train:])


def load_mnist(
    *,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    download: bool = True,
    dtype: DTypeLike = np.float32,
    split_from_test: int | None = None,
    verify: bool = True,
) -> MNIST:
    """Load MNIST from a directory, the cache, or (once) the network.

    Parameters
    ----------
    data_dir
        Directory holding the IDX files (``.gz`` or plain) or ``mnist.npz``.
        When given, nothing is downloaded. ``mnist.pkl`` is never loaded.
    cache_dir
        Where downloads go; default :func:`default_cache_dir`.
    normalize
        Scale images to ``[0, 1]`` as ``dtype``; otherwise keep uint8 0..255.
    flatten
        Images as ``(n, 784)``; otherwise ``(n, 1, 28, 28)``.
    one_hot_label
        Labels as ``(n, 10)`` one-hot ``dtype``; otherwise int64 ``(n,)``.
    download
        Fetch missing files into ``cache_dir`` (sha256-checked).
    dtype
        Floating dtype of normalized images and one-hot labels.
    split_from_test
        Use only the 10 000-image test split: its first ``split_from_test``
        images become the training set, the rest the test set. Works when the
        directory holds just the ``t10k-*`` files.
    verify
        Check the sha256 of files named like the canonical ``.gz`` files.

    Returns
    -------
    MNIST
        ``x_train, t_train, x_test, t_test``.
    """
    if np.dtype(dtype).kind != "f":
        raise ValueError(f"dtype must be a floating dtype, got {np.dtype(dtype)}")
    raw = _load_raw(data_dir, cache_dir, download, split_from_test, verify)
    return MNIST(
        _images(raw.x_train, normalize, flatten, dtype),
        _labels(raw.t_train, one_hot_label, dtype),
        _images(raw.x_test, normalize, flatten, dtype),
        _labels(raw.t_test, one_hot_label, dtype),
    )


def default_cache_dir() -> Path:
    """Return ``$XDG_CACHE_HOME/vizlearn/mnist``, else ``~/.cache/vizlearn/mnist``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vizlearn" / "mnist"


def download_mnist(
    names: tuple[str, ...] | None = None,
    *,
    cache_dir: Path | None = None,
    mirrors: tuple[str, ...] | None = None,
    checksums: dict[str, str] | None = None,
    timeout: float = 30.0,
    retries: int = 3,
) -> Path:
    """Download missing MNIST ``.gz`` files into the cache and verify their sha256.

    Each file is fetched by :func:`vizlearn.datasets.download.fetch`: written to
    ``NAME.part`` (resumed with an HTTP Range request when possible), retried
    with backoff, tried on the next mirror, and renamed only once its checksum
    matches.

    Returns
    -------
    Path
        The cache directory now holding the files.
    """
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    names = names or tuple(SHA256)
    checksums = SHA256 if checksums is None else checksums
    for name in names:
        target = directory / name
        if target.is_file() and sha256_of(target) == checksums[name]:
            continue  # (sha256_of refuses what is not a regular file)
        try:
            fetch(
                name,
                target,
                mirrors or MIRRORS,
                checksums[name],
                max_bytes=_MAX_BYTES,
                timeout=timeout,
                retries=retries,
            )
        except DownloadError as err:  # wrong checksum or too large: already one line
            raise MnistError(str(err)) from err
        except (OSError, HTTPException) as err:
            raise MnistError(
                f"could not download {name} ({type(err).__name__}: {err}); put "
                f"{', '.join(names)} in a directory DIR and pass --data-dir DIR "
                "(data_dir=DIR in Python)"
            ) from err
    return directory


# ---- reading ------------------------------------------------------------------


def _error(path: Path | str, what: str) -> MnistError:
    return MnistError(f"{path}: {what}".replace("\n", " "))


@contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    """The IDX bytes of ``path``, gunzipped if need be (a regular file, bounded)."""
    try:
        raw = open_bounded(path, _MAX_BYTES + 64)
    except FileRefused as err:
        raise _error(path, str(err).removeprefix(f"{path}: ")) from None
    with raw:
        is_gzip = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        if not is_gzip:
            yield raw
            return
        with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
            yield stream  # type: ignore[misc]


def _read_header(stream: BinaryIO, path: Path) -> tuple[int, ...]:
    head = stream.read(4)
    if len(head) < 4:
        raise _error(path, f"too short for an IDX header ({len(head)} bytes)")
    (magic,) = struct.unpack(">I", head)
    if magic not in _MAGIC:
        raise _error(
            path, f"bad magic number 0x{magic:08x}, expected 0x00000801 or 0x00000803"
        )
    dims = stream.read(4 * _MAGIC[magic])
    if len(dims) < 4 * _MAGIC[magic]:
        raise _error(path, "truncated IDX header (missing dimensions)")
    shape = struct.unpack(f">{_MAGIC[magic]}I", dims)
    if math.prod(shape) > _MAX_BYTES:
        raise _error(path, f"implausible dimensions {shape}")
    return shape


def _check_pair(x: NDArray, t: NDArray, source: str) -> tuple[NDArray, NDArray]:
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (_SIDE, _SIDE):
        raise _error(
            source, f"images must be uint8 (n, 28, 28), got {x.dtype} {x.shape}"
        )
    if t.ndim != 1 or len(t) != len(x) or t.dtype.kind not in "iu":
        raise _error(source, f"labels {t.dtype} {t.shape} do not match {len(x)} images")
    if len(t) and not 0 <= t.min() <= t.max() <= 9:
        raise _error(source, f"labels must be 0..9, found {t.min()}..{t.max()}")
    return x, t.astype(np.uint8)


def _load_npz(path: Path, splits: tuple[str, ...]) -> dict[str, tuple]:
    """Read Keras' ``mnist.npz``, checking dtypes, shapes and sizes before inflating."""
    keys = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}
    wanted = [k for s in splits for k in keys[s]]
    try:
        with open_bounded(path, 4 * _MAX_BYTES) as stream:
            if stream.read(6) == b"\x93NUMPY":
                raise _error(path, "a single .npy array, not an .npz archive")
            with zipfile.ZipFile(stream) as archive:
                members = npz_members(archive, wanted)
                missing = [k for k in wanted if k not in members]
                if missing:
                    raise _error(path, f"missing arrays {missing}")
                for member in members.values():
                    _check_npz_member(path, member)
                arrays = {k: _read_member(archive, members[k]) for k in wanted}
    except MnistError:
        raise
    except FileRefused as err:
        raise _error(path, str(err).removeprefix(f"{path}: ")) from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise _error(path, f"cannot read ({type(err).__name__}: {err})") from None
    return {s: _check_pair(*(arrays[k] for k in keys[s]), str(path)) for s in splits}


def _check_npz_member(path: Path, member: NpyMember) -> None:
    """Images uint8 (n, 28, 28), labels 1-D integers, each under the byte limit."""
    images = member.key.startswith("x_")
    expected = "uint8 (n, 28, 28)" if images else "1-D integers"
    ok = (
        member.dtype == np.uint8 and member.shape[1:] == (_SIDE, _SIDE)
        if images
        else member.dtype.kind in "iu" and len(member.shape) == 1
    )
    if not ok or (images and len(member.shape) != 3):
        raise _error(
            path, f"{member.key} must be {expected}, not {member.dtype} {member.shape}"
        )
    if member.n_bytes > _MAX_BYTES:
        raise _error(
            path,
            f"{member.key} declares {member.n_bytes} bytes; MNIST arrays are at "
            f"most {_MAX_BYTES} (refused before inflating)",
        )


def _read_member(archive: zipfile.ZipFile, member: NpyMember) -> NDArray:
    with archive.open(member.info) as stream:
        return np.lib.format.read_array(stream, allow_pickle=False)


def _find(directory: Path, name: str) -> Path | None:
    for candidate in (directory / f"{name}.gz", directory / name):
        if candidate.is_file():
            return candidate
    return None


def _verify(path: Path, expected: str, hint: str) -> None:
    try:
        actual = sha256_of(path, max_bytes=_MAX_BYTES)
    except DownloadError as err:
        raise _error(path, str(err).removeprefix(f"{path}: ")) from None
    if actual != expected:
        raise _error(
            path, f"sha256 mismatch: expected {expected}, got {actual}; {hint}"
        )


def _read_directory(
    directory: Path, splits: tuple[str, ...], verify: bool
) -> dict[str, tuple] | None:
    found = {s: [_find(directory, n) for n in _SPLITS[s]] for s in splits}
    if all(p is not None for paths in found.values() for p in paths):
        for path in (p for paths in found.values() for p in paths):
            if verify and path.name in SHA256:
                _verify(path, SHA256[path.name], "or pass verify=False if you trust it")
        return {s: load_idx_pair(*paths) for s, paths in found.items()}
    if (directory / "mnist.npz").is_file():
        return _load_npz(directory / "mnist.npz", splits)
    return None


def _needed(splits: tuple[str, ...]) -> list[str]:
    return [f"{name}.gz" for s in splits for name in _SPLITS[s]]


def _missing(directory: Path, splits: tuple[str, ...]) -> MnistError:
    for pickle in ("mnist.pkl", "mnist.pkl.gz"):
        if (directory / pickle).is_file():
            return _error(
                directory / pickle,
                "refusing to load a pickle (unpickling can run arbitrary code); "
                f"provide {', '.join(_needed(splits))} or mnist.npz instead",
            )
    wanted = ", ".join(_needed(splits))
    hint = ""
    if splits != ("test",):
        hint = "; with t10k-* only, pass --split-from-test N (split_from_test=N)"
    return _error(
        directory, f"MNIST not found; need {wanted} (or plain) or mnist.npz{hint}"
    )


def _load_raw(
    data_dir: Path | None,
    cache_dir: Path | None,
    download: bool,
    split_from_test: int | None,
    verify: bool,
) -> MNIST:
    splits = ("test",) if split_from_test is not None else ("train", "test")
    directory = Path(data_dir or cache_dir or default_cache_dir())
    try:
        raw = _read_directory(directory, splits, verify)
    except MnistError:
        if data_dir is not None or not download:
            raise
        raw = None  # a corrupt cached file: download it again
    if raw is None and download and data_dir is None:
        download_mnist(tuple(_needed(splits)), cache_dir=directory)
        raw = _read_directory(directory, splits, verify)
    if raw is None:
        raise _missing(directory, splits)
    if split_from_test is not None:
        return train_test_split(*raw["test"], split_from_test)
    return MNIST(*raw["train"], *raw["test"])


def _images(x: NDArray, normalize: bool, flatten: bool, dtype: DTypeLike) -> NDArray:
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, _SIDE, _SIDE)
    if not normalize:
        return x.copy()
    scaled = x.astype(dtype)
    scaled /= 255.0
    return scaled


def _labels(t: NDArray, one_hot: bool, dtype: DTypeLike) -> NDArray:
    return np.eye(10, dtype=dtype)[t] if one_hot else t.astype(np.int64)
