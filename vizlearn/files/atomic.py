"""Atomic outputs: one file, or all of a command's files, appear complete or not at all.

Each output is written to a temporary ``.NAME.PID.RANDOM.tmp[.EXT]`` in its
own folder and renamed when the work succeeded; a run that writes into a
folder first removes the temporaries of processes that are gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from vizlearn.files.signals import check_stop, deferred_signals

__all__ = [
    "atomic_outputs",
    "atomic_path",
    "check_distinct",
    "remove_stale_temps",
]

PathLike = str | os.PathLike[str]
# .NAME.PID.RANDOM.tmp[.ext]: NAME is cut to 100 characters so that a temporary
# file of a temporary file still fits the 255-byte limit of a file name.
_TEMP = re.compile(r"^\..+\.(?P<pid>\d+)\.[a-z0-9_]{8}\.tmp(\.[A-Za-z0-9]{1,16})?$")
_ACTIVE: set[Path] = set()  # temporaries this process is writing right now
_CLEANED: set[Path] = set()  # folders already swept for stale temporaries


@contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it onto ``path`` on success.

    If the body raises anything (KeyboardInterrupt and `Terminated` included),
    the temporary file is deleted, an existing ``path`` is left untouched and
    the exception propagates. The final file gets the mode of the file it
    replaces, or ``0o666 & ~umask``. No fsync: this protects against a crash
    of the program, not of the machine. A ``path`` that is itself a temporary
    of an enclosing `atomic_outputs` is written in place.

    Examples
    --------
    >>> with atomic_path(out) as tmp:  # doctest: +SKIP
    ...     image.save(tmp, format="PNG")
    """
    path = Path(path)
    if path in _ACTIVE:  # already staged by atomic_outputs: it commits
        yield path
        return
    with atomic_outputs([path]) as (tmp,):
        yield tmp


@contextmanager
def atomic_outputs(
    paths: Sequence[PathLike], *, inputs: Sequence[PathLike] = ()
) -> Iterator[list[Path]]:
    """Yield one temporary file per output; rename them all only if the block succeeds.

    Each temporary sits in its output's folder and keeps its extension
    (``.x.gif.PID.RANDOM.tmp.gif``), so format detection by suffix works on
    it. On any exception or signal every temporary is removed and every
    existing output is left as it was; the renames themselves run with
    signals held back and are rolled back if one of them fails.

    Parameters
    ----------
    paths
        The files to write; they must differ from each other and from ``inputs``.
    inputs
        Files the command reads (checked by `check_distinct`).

    Examples
    --------
    >>> with atomic_outputs(["run.gif", "poster.png"]) as (gif, png):  # doctest: +SKIP
    ...     write_gif(gif)
    ...     write_png(png)
    """
    targets = [Path(p) for p in paths]
    check_distinct(targets, inputs)
    for folder in {t.parent for t in targets}:
        remove_stale_temps(folder)
    tmps: list[Path] = []
    try:
        for target in targets:
            with deferred_signals():  # the file exists before its name is kept
                tmps.append(_make_temp(target))
                _ACTIVE.add(tmps[-1])
        yield list(tmps)
        check_stop()  # a stop signal whose exception was swallowed
        with deferred_signals():
            _commit(tmps, targets)
    finally:
        with deferred_signals():  # a signal now must not leave one behind
            for tmp in tmps:
                _ACTIVE.discard(tmp)
                with contextlib.suppress(OSError):
                    tmp.unlink(missing_ok=True)


def _make_temp(target: Path) -> Path:
    """Create an empty ``.NAME.PID.RANDOM.tmp.EXT`` next to ``target``."""
    suffix = (
        target.suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,16}", target.suffix) else ""
    )
    fd, name = tempfile.mkstemp(
        dir=target.parent,
        prefix=f".{target.name[:100]}.{os.getpid()}.",
        suffix=".tmp" + suffix,
    )
    os.close(fd)
    return Path(name)


def _commit(tmps: list[Path], targets: list[Path]) -> None:
    """Rename every temporary onto its target; on a failure put the old files back."""
    done: list[tuple[Path, Path | None, bool]] = []  # target, its old file, existed
    links: list[Path] = []
    try:
        for tmp, target in zip(tmps, targets, strict=True):
            os.chmod(tmp, _target_mode(target))
            existed = os.path.lexists(target)
            old = _backup(target) if existed and len(targets) > 1 else None
            links += [old] if old is not None else []
            os.replace(tmp, target)
            done.append((target, old, existed))
    except BaseException:
        for target, old, existed in reversed(done):
            with contextlib.suppress(OSError):
                if old is not None:
                    os.replace(old, target)
                elif not existed:
                    target.unlink()
        raise
    finally:
        for link in links:
            with contextlib.suppress(OSError):
                link.unlink(missing_ok=True)


def _backup(target: Path) -> Path | None:
    """A hard link to the existing ``target`` (None if there is none or no links)."""
    if not target.is_file():
        return None
    link = _make_temp(target)
    try:
        link.unlink()
        os.link(target, link)
    except OSError:
        link.unlink(missing_ok=True)
        return None
    return link


def check_distinct(
    outputs: Sequence[PathLike], inputs: Sequence[PathLike] = ()
) -> None:
    """Raise ValueError naming both if two outputs (or an output and an input) match.

    Symbolic links and hard links count as the same file.
    """
    seen: list[tuple[str, Path, str]] = []
    for role, paths in (("input", inputs), ("output", outputs)):
        for p in map(Path, paths):
            for other_role, other, key in seen:
                if role == other_role == "input" or not _same_file(p, other, key):
                    continue
                if other_role == "output":
                    raise ValueError(f"the outputs {other} and {p} are the same file")
                raise ValueError(
                    f"the output {p} is the input {other}; choose another output"
                )
            seen.append((role, p, os.path.realpath(p)))


def _same_file(p: Path, other: Path, other_key: str) -> bool:
    if os.path.realpath(p) == other_key:
        return True
    try:
        return os.path.samefile(p, other)
    except OSError:
        return False


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


# ---- stale temporaries --------------------------------------------------------


def remove_stale_temps(folder: PathLike) -> list[Path]:
    """Remove temporaries in ``folder`` whose creating process is gone; return them.

    A temporary is stale when no process has its PID, or when the process that
    has it started after the file was last written (the PID was reused). Only
    regular files named like vizlearn's temporaries are touched; each folder
    is swept once per process.
    """
    folder = Path(folder)
    key = Path(os.path.realpath(folder))
    if key in _CLEANED:
        return []
    _CLEANED.add(key)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        with contextlib.suppress(OSError):
            if _is_stale(int(match["pid"]), entry.stat(follow_symlinks=False).st_mtime):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _is_stale(pid: int, mtime: float) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return pid <= 0
    started = _start_time(pid)
    return started is not None and started > mtime + 1.0  # btime has 1 s steps


def _start_time(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), where /proc tells."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        with open("/proc/stat", "rb") as f:
            btime = next(
                int(line.split()[1]) for line in f if line.startswith(b"btime")
            )
    except (OSError, IndexError, StopIteration, ValueError):
        return None
    return btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")
