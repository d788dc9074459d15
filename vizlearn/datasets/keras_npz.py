"""Keras' ``mnist.npz``: checked member by member before anything is inflated."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vizlearn.datasets.idx import MAX_BYTES, SIDE, MnistError, check_pair, error
from vizlearn.files import FileRefused, NpyMember, npz_members, open_bounded

__all__ = ["NPZ_KEYS", "load_npz"]

#: The arrays of each split: (images, labels).
NPZ_KEYS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}


def load_npz(path: Path, splits: tuple[str, ...]) -> dict[str, tuple[NDArray, NDArray]]:
    """Read ``splits`` of a Keras-style npz, checking dtypes, shapes and sizes first.

    Returns
    -------
    dict
        ``{split: (images (n, 28, 28) uint8, labels (n,) uint8)}``.
    """
    wanted = [k for s in splits for k in NPZ_KEYS[s]]
    try:
        with open_bounded(path, 4 * MAX_BYTES) as stream:
            if stream.read(6) == b"\x93NUMPY":
                raise error(path, "a single .npy array, not an .npz archive")
            with zipfile.ZipFile(stream) as archive:
                members = npz_members(archive, wanted)
                missing = [k for k in wanted if k not in members]
                if missing:
                    raise error(path, f"missing arrays {missing}")
                for member in members.values():
                    _check_member(path, member)
                arrays = {k: _read_member(archive, members[k]) for k in wanted}
    except MnistError:
        raise
    except FileRefused as err:
        raise error(path, str(err).removeprefix(f"{path}: ")) from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise error(path, f"cannot read ({type(err).__name__}: {err})") from None
    return {s: check_pair(*(arrays[k] for k in NPZ_KEYS[s]), str(path)) for s in splits}


def _check_member(path: Path, member: NpyMember) -> None:
    """Images uint8 (n, 28, 28), labels 1-D integers, each under the byte limit."""
    images = member.key.startswith("x_")
    expected = "uint8 (n, 28, 28)" if images else "1-D integers"
    ok = (
        member.dtype == np.uint8 and member.shape[1:] == (SIDE, SIDE)
        if images
        else member.dtype.kind in "iu" and len(member.shape) == 1
    )
    if not ok or (images and len(member.shape) != 3):
        raise error(
            path, f"{member.key} must be {expected}, not {member.dtype} {member.shape}"
        )
    if member.n_bytes > MAX_BYTES:
        raise error(
            path,
            f"{member.key} declares {member.n_bytes} bytes; MNIST arrays are at "
            f"most {MAX_BYTES} (refused before inflating)",
        )


def _read_member(archive: zipfile.ZipFile, member: NpyMember) -> NDArray:
    with archive.open(member.info) as stream:
        return np.lib.format.read_array(stream, allow_pickle=False)
