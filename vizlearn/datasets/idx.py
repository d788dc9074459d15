"""A strict reader of MNIST-format IDX files (gzipped or plain; numpy + stdlib).

IDX is the format of MNIST, Fashion-MNIST and KMNIST: a big-endian header
(magic ``0x0000TTNN``: data type TT, NN dimensions, then NN uint32 sizes)
followed by the data. vizlearn reads uint8 labels (``0x00000801``) and uint8
images (``0x00000803``); every read is bounded, so a hostile header cannot make
it allocate more than an MNIST file needs.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from vizlearn.files import FileRefused, open_bounded

__all__ = [
    "MAX_BYTES",
    "SIDE",
    "MnistError",
    "check_pair",
    "error",
    "load_idx_pair",
    "read_idx",
]

MAX_BYTES = 1 << 26  # the largest MNIST file is 47 MB: refuse hostile headers/bodies
SIDE = 28
_MAGIC = {0x00000801: 1, 0x00000803: 3}  # uint8 labels / uint8 images -> ndim
_TYPES = {0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}


class MnistError(ValueError):
    """A missing, corrupt, or refused MNIST-format file; the message names the file."""


def error(path: Path | str, what: str) -> MnistError:
    """An MnistError reading ``PATH: what`` on one line."""
    return MnistError(f"{path}: {what}".replace("\n", " "))


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
        raise error(path, f"cannot read ({type(err).__name__}: {err})") from err
    if len(data) != size:
        what = "truncated" if len(data) < size else "longer than its header says"
        raise error(path, f"{what}: header promises {size} data bytes")
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
    return check_pair(x, t, f"{images_path} + {labels_path}")


def check_pair(
    x: NDArray, t: NDArray, source: str
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Check uint8 images ``(n, 28, 28)`` against labels ``(n,)`` in 0..9, n > 0."""
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (SIDE, SIDE):
        raise error(
            source, f"images must be uint8 (n, 28, 28), got {x.dtype} {x.shape}"
        )
    if t.ndim != 1 or t.dtype.kind not in "iu":
        raise error(source, f"labels must be 1-D integers, got {t.dtype} {t.shape}")
    if len(t) != len(x):
        raise error(source, f"{len(t)} labels do not match {len(x)} images")
    if not len(x):
        raise error(source, "holds no images")
    if not 0 <= t.min() <= t.max() <= 9:
        raise error(source, f"labels must be 0..9, found {t.min()}..{t.max()}")
    return x, t.astype(np.uint8)


@contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    """The IDX bytes of ``path``, gunzipped if need be (a regular file, bounded)."""
    try:
        raw = open_bounded(path, MAX_BYTES + 64)
    except FileRefused as err:
        raise error(path, str(err).removeprefix(f"{path}: ")) from None
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
        raise error(path, f"too short for an IDX header ({len(head)} bytes)")
    (magic,) = struct.unpack(">I", head)
    if magic not in _MAGIC:
        raise error(path, _bad_magic(magic))
    dims = stream.read(4 * _MAGIC[magic])
    if len(dims) < 4 * _MAGIC[magic]:
        raise error(path, "truncated IDX header (missing dimensions)")
    shape = struct.unpack(f">{_MAGIC[magic]}I", dims)
    if math.prod(shape) > MAX_BYTES:
        raise error(path, f"implausible dimensions {shape}")
    return shape


def _bad_magic(magic: int) -> str:
    """Why ``magic`` is refused: not IDX at all, not uint8, or not 1-D/3-D."""
    what = f"bad magic number 0x{magic:08x}, expected 0x00000801 or 0x00000803"
    kind, ndim = magic >> 8, magic & 0xFF
    if magic >> 16:
        return f"{what} (not an IDX file)"
    if kind in _TYPES:
        return f"{what} (this IDX file holds {_TYPES[kind]} data; MNIST is uint8)"
    if kind == 0x08:
        return f"{what} (uint8 with {ndim} dimensions; labels have 1, images 3)"
    return what
