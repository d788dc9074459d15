"""Atomic file writes: a file appears complete or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path"]


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it onto ``path`` on success.

    The temporary file lives in the same folder (so `os.replace` is atomic) and
    is named ``.<name>.<random>.tmp``. If the body raises anything, including
    KeyboardInterrupt, the temporary file is deleted, an existing ``path`` is
    left untouched, and the exception propagates. The final file gets the mode
    of the file it replaces, or the usual ``0o666 & ~umask`` for a new file.
    No fsync: this protects against a crash of the program, not of the machine.

    Parameters
    ----------
    path
        The file to write.

    Yields
    ------
    Path
        An existing, empty temporary file to write to (by name; reopening it is
        fine).

    Examples
    --------
    >>> with atomic_path(out) as tmp:  # doctest: +SKIP
    ...     image.save(tmp, format="PNG")
    """
    path = Path(path)
    tmp = None
    try:
        with _interrupts_deferred():  # a Ctrl-C here must not orphan the file
            fd, name = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            os.close(fd)
            tmp = Path(name)
        yield tmp
        os.chmod(tmp, _target_mode(path))
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT back for a few system calls (Unix main thread; else no-op).

    A Ctrl-C that arrives while the temporary file is being created would
    otherwise leave it behind: the file exists before its name is known.
    """
    import signal
    import threading

    block = hasattr(signal, "pthread_sigmask") and (
        threading.current_thread() is threading.main_thread()
    )
    if block:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if block:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _target_mode(path: Path) -> int:
    """Return the permission bits the final file should have."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """Return the process umask without changing it where the OS allows."""
    try:  # Linux: read it, since os.umask() can only be read by setting it
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
