"""Fetch one file from mirrors: checksummed, resumable and retried (stdlib only).

The file is written to ``NAME.part``, resumed with an HTTP Range request when
the server allows it, retried with exponential backoff, tried on the next
mirror on failure, and renamed to its target only once its sha256 matches.
A ``progress(name, bytes_done, bytes_total)`` callback follows the transfer
(see `vizlearn.datasets.reporting`); nothing here prints.

Examples
--------
>>> name, mirrors = "t10k-labels-idx1-ubyte.gz", ("https://example.org/mnist/",)
>>> fetch(name, cache / name, mirrors, digest, max_bytes=1 << 26)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPException, HTTPResponse
from pathlib import Path
from typing import BinaryIO

from vizlearn.files import FileRefused, open_bounded

__all__ = ["BACKOFF_SECONDS", "DownloadError", "fetch", "sha256_of"]

#: First retry delay in seconds, doubled on each retry; tests set it to 0.
BACKOFF_SECONDS = 1.0
_BLOCK = 1 << 16
# progress(name, bytes_done, bytes_total or None), as vizlearn.datasets.reporting
_Progress = Callable[[str, int, "int | None"], None]


class DownloadError(ValueError):
    """A download whose sha256 did not match, or that grew past its byte limit."""


def sha256_of(path: str | os.PathLike[str], *, max_bytes: int = sys.maxsize) -> str:
    """Return the hex sha256 of a regular file, read in 1 MiB blocks.

    Raises DownloadError for a device, pipe or socket, or a file larger than
    ``max_bytes`` (checked before reading).
    """
    digest = hashlib.sha256()
    try:
        stream = open_bounded(path, max_bytes)
    except FileRefused as err:
        raise DownloadError(str(err)) from None
    with stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    name: str,
    target: Path,
    mirrors: tuple[str, ...],
    sha256: str,
    *,
    max_bytes: int,
    timeout: float = 30.0,
    retries: int = 3,
    progress: _Progress | None = None,
) -> None:
    """Download ``name`` from the first mirror that serves it intact into ``target``.

    Parameters
    ----------
    name
        File name appended to each mirror's base URL.
    target
        Final path; the download goes to ``target.part`` until its sha256 matches.
    mirrors
        Base URLs tried in order.
    sha256
        Expected hex digest of the complete file.
    max_bytes
        Refuse (and delete) a download that grows past this many bytes.
    timeout, retries
        Per-request timeout in seconds; attempts per mirror (5xx, cut transfers).
    progress
        Called as ``progress(name, bytes_done, bytes_total)`` when a transfer
        starts (``bytes_done`` > 0 when it resumes), after each 64 KiB block,
        and at its end; ``bytes_total`` is None when the server does not say.

    Raises
    ------
    DownloadError
        When the last mirror tried served a wrong checksum or too many bytes.
    OSError, http.client.HTTPException
        When the last mirror tried could not be reached or refused the file.
    """
    part = target.with_name(target.name + ".part")
    failure: Exception | None = None
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            _download_with_retries(url, part, timeout, retries, max_bytes, progress)
            actual = sha256_of(part)
            if actual != sha256:
                raise _error(
                    part,
                    f"sha256 mismatch: expected {sha256}, got {actual}; "
                    "the bad download was deleted",
                )
        except DownloadError as err:  # bad bytes: start over elsewhere
            part.unlink(missing_ok=True)
            failure = err
            continue
        except (OSError, HTTPException) as err:
            failure = err
            continue
        os.replace(part, target)
        return
    raise failure or OSError(f"no mirrors to download {name} from")


def _error(where: Path | str, what: str) -> DownloadError:
    return DownloadError(f"{where}: {what}".replace("\n", " "))


def _download_with_retries(
    url: str,
    part: Path,
    timeout: float,
    retries: int,
    max_bytes: int,
    progress: _Progress | None,
) -> None:
    # Retry what may pass (5xx, a transfer cut short, which then resumes); give up
    # on this mirror at once when the host is unreachable or answers 404.
    for attempt in range(retries):
        try:
            return _download(url, part, timeout, max_bytes, progress)
        except urllib.error.URLError as err:
            code = getattr(err, "code", None)  # set on HTTPError only
            if code == 416:  # our .part is already past the end: restart
                part.unlink(missing_ok=True)
            elif code is None or code < 500 or attempt == retries - 1:
                raise
        except (OSError, HTTPException):
            if attempt == retries - 1:
                raise
        time.sleep(BACKOFF_SECONDS * 2**attempt)


def _download(
    url: str, part: Path, timeout: float, max_bytes: int, progress: _Progress | None
) -> None:
    if os.path.lexists(part) and not part.is_file() or part.is_symlink():
        raise _error(part, "exists and is not a regular file; remove it")
    offset = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and len(length) < 20 and int(length) > max_bytes:
            raise _error(url, f"larger than {max_bytes} bytes ({length} announced)")
        content_range = response.headers.get("Content-Range", "")
        resumed = response.status == 206 and content_range.startswith(
            f"bytes {offset}-"
        )
        start = offset if resumed else 0
        total = start + int(length) if length.isdigit() and len(length) < 20 else None
        with open(part, "ab" if resumed else "wb") as out:
            _copy(response, out, url, max_bytes, _reporter(url, start, total, progress))


def _reporter(
    url: str, start: int, total: int | None, progress: _Progress | None
) -> Callable[[int, bool], None]:
    """``report(bytes_done, end)`` for one transfer: ``progress`` with the file name.

    The last call has ``bytes_done == bytes_total``, also when the server sent
    no length (then that call is the first to give a total).
    """
    if progress is None:
        return lambda done, end: None
    name = url.rstrip("/").rpartition("/")[2]
    progress(name, start, total)

    def report(done: int, end: bool) -> None:
        if not end:
            progress(name, done, total)
        elif total is None:
            progress(name, done, done)

    return report


def _copy(
    response: HTTPResponse,
    out: BinaryIO,
    url: str,
    max_bytes: int,
    report: Callable[[int, bool], None],
) -> None:
    for block in iter(lambda: response.read(_BLOCK), b""):
        out.write(block)
        if out.tell() > max_bytes:
            raise _error(url, f"larger than {max_bytes} bytes")
        report(out.tell(), False)
    report(out.tell(), True)
