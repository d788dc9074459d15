"""Reading one folder of MNIST-format files: find them, compare checksums, load.

A folder holds the four IDX files (``.gz`` or plain) of the splits asked for,
or Keras' ``mnist.npz``. Their sha256 are compared with the published ones:
in the cache (``strict``) a file that differs is an error (it is downloaded
again); in a user's data folder it is only the reason for a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from numpy.typing import NDArray

from vizlearn.datasets.catalog import FILES
from vizlearn.datasets.download import DownloadError, sha256_of
from vizlearn.datasets.idx import MAX_BYTES, MnistError, error, load_idx_pair
from vizlearn.datasets.keras_npz import load_npz

__all__ = ["Found", "missing", "needed_files", "read_folder"]


@dataclass(frozen=True)
class Found:
    """uint8 arrays by split, where, and why they are not the published files."""

    arrays: dict[str, tuple[NDArray, NDArray]]  # {split: (images, labels)}
    folder: Path
    unpublished: str  # "" when every file matched its published sha256


def needed_files(splits: tuple[str, ...]) -> list[str]:
    """The published ``.gz`` names of ``splits``, images then labels."""
    return [f"{name}.gz" for s in splits for name in FILES[s]]


def read_folder(
    directory: Path,
    splits: tuple[str, ...],
    published: dict[str, str],
    *,
    npz_sha256: str | None = None,
    verify: bool = True,
    strict: bool = False,
) -> Found | None:
    """The ``splits`` in ``directory`` (IDX files, else mnist.npz), or None if absent.

    Parameters
    ----------
    published
        sha256 of each published ``.gz`` file.
    npz_sha256
        sha256 of the published ``mnist.npz``; None: no npz is read.
    verify
        Compare checksums at all (``Found.unpublished`` stays "" without).
    strict
        A file whose checksum differs raises MnistError (the cache).
    """
    found = {s: [_find(directory, n) for n in FILES[s]] for s in splits}
    paths = [p for ps in found.values() for p in ps if p is not None]
    if len(paths) == 2 * len(splits):
        why = _unpublished(paths, published, strict) if verify else ""
        arrays = {s: load_idx_pair(*ps) for s, ps in found.items()}
        return Found(arrays, directory, why)
    npz = directory / "mnist.npz"
    if npz_sha256 is not None and npz.is_file():
        why = _unpublished([npz], {npz.name: npz_sha256}, strict) if verify else ""
        return Found(load_npz(npz, splits), directory, why)
    return None


def missing(
    directory: Path, title: str, splits: tuple[str, ...], *, npz: bool
) -> MnistError:
    """The error for a folder without the files: what is needed, pickles refused."""
    for pickle in ("mnist.pkl", "mnist.pkl.gz"):
        if (directory / pickle).is_file():
            return error(
                directory / pickle,
                "refusing to load a pickle (unpickling can run arbitrary code); "
                f"provide {', '.join(needed_files(splits))} or mnist.npz instead",
            )
    wanted = ", ".join(needed_files(splits)) + " (or plain)"
    if npz:
        wanted += " or mnist.npz"
    hint = ""
    if splits != ("test",):
        hint = "; with t10k-* only, pass --split-from-test N (split_from_test=N)"
    return error(directory, f"{title} not found; need {wanted}{hint}")


def _find(directory: Path, name: str) -> Path | None:
    for candidate in (directory / f"{name}.gz", directory / name):
        if candidate.is_file():
            return candidate
    return None


def _sha256(path: Path) -> str:
    try:
        return sha256_of(path, max_bytes=4 * MAX_BYTES)
    except DownloadError as err:
        raise error(path, str(err).removeprefix(f"{path}: ")) from None


def _unpublished(paths: list[Path], published: dict[str, str], strict: bool) -> str:
    """Why ``paths`` are not the published files ("" if they are).

    With ``strict`` a file whose sha256 differs raises MnistError; without,
    hashing stops at the first reason found.
    """
    reasons = []
    for path in paths:
        expected = published.get(path.name)
        actual = _sha256(path) if expected else ""
        if expected is None:
            reasons.append(f"{path.name} has no published checksum")
        elif actual != expected and strict:
            raise error(
                path,
                f"sha256 mismatch: expected {expected}, got {actual}; delete it to "
                "download it again, or pass your own files with --data-dir",
            )
        elif actual != expected:
            reasons.append(f"the sha256 of {path.name} is not the published one")
        if reasons and not strict:
            break
    return reasons[0] if reasons else ""
