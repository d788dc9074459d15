"""Files, safely: atomic outputs, stale temporaries, signals and bounded reads.

The base layer every other module writes and reads files through (it imports
nothing from vizlearn). Four promises:

- an output appears complete or not at all, and the outputs of one command
  appear together (`atomic_outputs`) or not at all;
- a temporary file left by a killed run (``.NAME.PID.RANDOM.tmp...``) is
  removed by the next run that writes into the same folder;
- SIGTERM and SIGHUP stop a command-line run the way Ctrl-C does, so every
  ``with`` block cleans up (`install_signal_handlers`);
- a file is read only if it is a regular file within a byte limit, checked
  before anything is allocated (`open_bounded`, `read_bounded`, `map_file`,
  `npz_members`, `parse_json`), and text read from it is escaped before it
  reaches a terminal (`terminal_safe`).

About 550 lines: one module holds every rule about touching files, so
that no caller has a second way to do it; the parts share the temporary-file
naming, the signal masking and the error type.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import mmap
import os
import re
import signal
import stat
import sys
import tempfile
import threading
import time
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

__all__ = [
    "FileRefused",
    "NpyMember",
    "STOP_GRACE_SECONDS",
    "Terminated",
    "atomic_outputs",
    "atomic_path",
    "check_distinct",
    "check_stop",
    "install_signal_handlers",
    "map_file",
    "npz_members",
    "parse_json",
    "open_bounded",
    "read_bounded",
    "remove_stale_temps",
    "terminal_safe",
]

PathLike = str | os.PathLike[str]
_STOP_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP")
    if hasattr(signal, name)
)
# .NAME.PID.RANDOM.tmp[.ext]: NAME is cut to 100 characters so that a temporary
# file of a temporary file still fits the 255-byte limit of a file name.
_TEMP = re.compile(r"^\..+\.(?P<pid>\d+)\.[a-z0-9_]{8}\.tmp(\.[A-Za-z0-9]{1,16})?$")
_ACTIVE: set[Path] = set()  # temporaries this process is writing right now
_CLEANED: set[Path] = set()  # folders already swept for stale temporaries


class FileRefused(ValueError):
    """A file not read: not a regular file, too large, or unsafe to read."""


# ---- atomic outputs -----------------------------------------------------------


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
            with _signals_deferred():  # the file exists before its name is kept
                tmps.append(_make_temp(target))
                _ACTIVE.add(tmps[-1])
        yield list(tmps)
        check_stop()  # a stop signal whose exception was swallowed
        with _signals_deferred():
            _commit(tmps, targets)
    finally:
        with _signals_deferred():  # a signal now must not leave one behind
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


# ---- signals ------------------------------------------------------------------


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived; raised in the main thread so cleanups run.

    Its exit status is 128 + the signal number (143 for SIGTERM, 129 for SIGHUP).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


#: How long cleaning up after a stop signal may take before the process just ends.
STOP_GRACE_SECONDS = 10.0


class _Stopping:
    """What the handlers know: who installed them, and which signal is stopping us."""

    owner: int | None = None  # the PID that installed the handlers
    signum: int | None = None  # the signal being acted on (cleanups running)
    redeliver = False  # set when that signal's exception was swallowed
    deferred = 0  # depth of `_signals_deferred` blocks
    pending: int | None = None  # a signal that arrived inside one


_STOP = _Stopping()


def install_signal_handlers() -> None:
    """Make SIGTERM and SIGHUP stop the run like Ctrl-C: raise `Terminated`.

    Call once, from the main thread, at the start of a command-line run.
    Ctrl-C still raises KeyboardInterrupt. A signal that is ignored
    (``nohup``) stays ignored; a second signal while cleaning up kills at
    once; forked worker processes keep the default action (they die). An
    exception Python has to drop (a signal that lands in a finalizer or an
    at-fork hook, where exceptions are only printed) is raised again in the
    main code a moment later.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    _STOP.owner = os.getpid()
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        current = signal.getsignal(signum) if signum is not None else None
        if signum is None or current == signal.SIG_IGN:
            continue
        if name == "SIGINT" and current is not signal.default_int_handler:
            continue  # someone else's Ctrl-C handler: leave it alone
        signal.signal(signum, _on_signal)
    if not getattr(sys.unraisablehook, "vizlearn", False):
        sys.unraisablehook = _unraisable_hook(sys.unraisablehook)


def _on_signal(signum: int, frame: object) -> None:
    if os.getpid() != _STOP.owner or (_STOP.signum and not _STOP.redeliver):
        # a forked worker, or a second signal while cleaning up: as by default
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if _STOP.deferred:
        _STOP.pending = signum
        return
    _stop(signum)


def _stop(signum: int) -> None:
    first = _STOP.signum is None
    _STOP.signum, _STOP.redeliver = signum, False
    if first:
        watchdog = threading.Thread(target=_watchdog, args=(signum,), daemon=True)
        watchdog.start()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    if first:
        name = signal.Signals(signum).name
        with contextlib.suppress(OSError, ValueError):
            os.write(2, f"\nvizlearn: stopped by {name}\n".encode())
    raise Terminated(signum)


def _watchdog(signum: int) -> None:
    """End the process if cleaning up after a stop signal takes too long."""
    time.sleep(STOP_GRACE_SECONDS)
    with contextlib.suppress(OSError):
        os.write(
            2, f"vizlearn: still stopping after {STOP_GRACE_SECONDS:g} s\n".encode()
        )
    os._exit(128 + signum)


def check_stop() -> None:
    """Raise again if a stop signal arrived, even if its exception was lost.

    A loop that can run for long calls it now and then; `atomic_outputs`
    calls it before committing, so no output replaces an earlier file after
    SIGINT, SIGTERM or SIGHUP even if some code swallowed the exception.
    """
    if _STOP.signum is not None and _STOP.owner == os.getpid():
        if _STOP.signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(_STOP.signum)


def _unraisable_hook(previous: Any) -> Any:
    """A sys.unraisablehook that sends a swallowed stop signal again."""

    def hook(unraisable: Any) -> None:
        exc = unraisable.exc_value
        ours = isinstance(exc, Terminated | KeyboardInterrupt) and _STOP.signum
        if ours and os.getpid() == _STOP.owner:
            _STOP.redeliver = True  # the handler raises it again, outside
            timer = threading.Timer(0.01, os.kill, (os.getpid(), _STOP.signum))
            timer.daemon = True
            timer.start()
            return
        previous(unraisable)

    hook.vizlearn = True  # type: ignore[attr-defined]
    return hook


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back for a few system calls.

    With the handlers installed, a signal inside is noted and acted on at the
    end of the block (whatever thread the OS delivered it to); otherwise the
    main thread blocks the signals.
    """
    if _STOP.owner == os.getpid():
        _STOP.deferred += 1
        try:
            yield
        finally:
            _STOP.deferred -= 1
            if not _STOP.deferred and _STOP.pending is not None:
                signum, _STOP.pending = _STOP.pending, None
                _stop(signum)
        return
    block = hasattr(signal, "pthread_sigmask") and (
        threading.current_thread() is threading.main_thread()
    )
    if block:
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        if block:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


# ---- bounded reads ------------------------------------------------------------

_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
}


def open_bounded(path: PathLike, limit: int, *, streams: bool = False) -> BinaryIO:
    """Open ``path`` (binary) if it is a regular file of at most ``limit`` bytes.

    With ``streams=True`` a pipe or device is accepted too, and reading more
    than ``limit`` bytes from it raises FileRefused. Raises FileRefused for
    anything else, OSError (e.g. FileNotFoundError) when it cannot be opened.
    """
    mode = os.stat(path).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not stat.S_ISREG(mode) and not streams:
        raise FileRefused(f"{path}: {_kind(mode)}, not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)  # what was opened, not what the name pointed to before
        if stat.S_ISREG(st.st_mode):
            if st.st_size > limit:
                raise FileRefused(
                    f"{path}: {_size(st.st_size)}, larger than the {_size(limit)} limit"
                )
            return os.fdopen(fd, "rb")
        if not streams:
            raise FileRefused(f"{path}: {_kind(st.st_mode)}, not a regular file")
        return io.BufferedReader(_Capped(os.fdopen(fd, "rb", buffering=0), limit, path))
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise


def read_bounded(path: PathLike, limit: int, *, streams: bool = False) -> bytes:
    """Return the bytes of ``path``; FileRefused if it holds more than ``limit``."""
    with open_bounded(path, limit, streams=streams) as f:
        expected = os.fstat(f.fileno()).st_size
        data = f.read(expected + 1) if expected else b""
        if expected and len(data) <= expected:
            return data  # the usual case: one allocation of the right size
        buffer = bytearray(data)  # a stream, /proc, or a file that grew
        while chunk := f.read(min(1 << 20, limit + 1 - len(buffer))):
            buffer += chunk
            if len(buffer) > limit:
                raise FileRefused(f"{path}: more than the {_size(limit)} limit")
    return bytes(buffer)


class _Capped(io.RawIOBase):
    """A raw stream that refuses to hand out more than ``limit`` bytes in total."""

    def __init__(self, raw: io.RawIOBase, limit: int, path: PathLike) -> None:
        self._raw, self._left, self._path, self._limit = raw, limit, path, limit

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = self._raw.readinto(buffer) or 0
        self._left -= n
        if self._left < 0:
            raise FileRefused(f"{self._path}: more than the {_size(self._limit)} limit")
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a file")


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    raise AssertionError  # pragma: no cover


# ---- .npz headers -----------------------------------------------------------


@dataclass(frozen=True)
class NpyMember:
    """One ``.npy`` array of an ``.npz``, as its header declares it."""

    key: str
    shape: tuple[int, ...]
    dtype: Any
    """A ``numpy.dtype`` (never an object dtype)."""
    n_bytes: int
    """Bytes of data the header promises (shape x itemsize)."""
    info: zipfile.ZipInfo


def npz_members(zf: zipfile.ZipFile, keys: Sequence[str] | None = None) -> dict:
    """Read the ``.npy`` headers of an open ``.npz``, inflating nothing else.

    Returns ``{key: NpyMember}`` for every member (or only ``keys``, those
    present). Raises FileRefused naming the member for anything that is not
    a plain ``.npy`` array: another kind of member, a name given twice, an
    unknown format version, a malformed header, Python objects (which would
    need pickle), or less data than the header promises.
    """
    members: dict[str, NpyMember] = {}
    for info in zf.infolist():
        key = info.filename.removesuffix(".npy")
        if key == info.filename or key in members:
            what = "a second" if key in members else "an unexpected member"
            raise FileRefused(f"{what} {info.filename!r} (expected .npy arrays)")
        if keys is None or key in keys:
            members[key] = _npy_member(zf, info, key)
    return members


def _npy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, key: str) -> NpyMember:
    import numpy as np

    fmt = np.lib.format
    with zf.open(info) as member:
        try:
            version = fmt.read_magic(member)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f"format version {version}")
            read = fmt.read_array_header_1_0
            shape, _, dtype = (
                read if version == (1, 0) else fmt.read_array_header_2_0
            )(member)
        except ValueError as e:
            reason = str(e).splitlines()[0][:80] if str(e) else "unreadable header"
            raise FileRefused(f"'{key}' is not a plain .npy array ({reason})") from None
        header = member.tell()
    if dtype.hasobject:
        raise FileRefused(f"'{key}' holds Python objects, which are never unpickled")
    if any(n < 0 for n in shape):
        raise FileRefused(f"'{key}' declares the shape {shape}")
    n_bytes = math.prod(shape) * dtype.itemsize
    if header + n_bytes > info.file_size:
        raise FileRefused(
            f"'{key}' declares {n_bytes} bytes of data but holds "
            f"{max(0, info.file_size - header)}"
        )
    return NpyMember(key, tuple(shape), dtype, n_bytes, info)


# ---- mapped files, JSON and terminal text ---------------------------------------


@contextmanager
def map_file(path: PathLike) -> Iterator[bytes | mmap.mmap]:
    """Yield the bytes of a regular file, memory-mapped (nothing copied into RAM).

    Slicing, indexing, ``len`` and `re` work on the result as on bytes.
    Raises FileRefused for anything but a regular file, OSError if unreadable.
    """
    with open_bounded(path, sys.maxsize) as f:
        if os.fstat(f.fileno()).st_size == 0:
            yield b""
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            yield mapped


def parse_json(
    text: str | bytes, *, max_depth: int = 32, max_values: int = 100_000
) -> Any:
    """``json.loads`` for untrusted text: FileRefused instead of surprises.

    Refuses invalid JSON, nesting deeper than ``max_depth``, more than
    ``max_values`` values, integers beyond 64 bits, and NaN or infinity, each
    with a one-line reason that reads after "is" ("JSON nested over 32
    levels"); never a RecursionError or Python's advice.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise FileRefused(f"not valid JSON ({e})") from None
    except RecursionError:
        raise FileRefused(f"JSON nested over {max_depth} levels") from None
    except (ValueError, UnicodeDecodeError):  # e.g. an integer of 5000 digits
        raise FileRefused("JSON with a number too large to read") from None
    stack, count = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if depth > max_depth or count > max_values:
            raise FileRefused(
                f"JSON nested over {max_depth} levels or with over {max_values} values"
            )
        if isinstance(item, dict | list):
            items = item.values() if isinstance(item, dict) else item
            stack.extend((v, depth + 1) for v in items)
        elif type(item) is int and not -(2**63) <= item < 2**63:
            raise FileRefused("JSON with an integer beyond 64 bits")
        elif type(item) is float and not math.isfinite(item):
            raise FileRefused("JSON with NaN or infinity")
    return value


def terminal_safe(text: object, *, json_text: bool = False) -> str:
    r"""``str(text)`` with control characters escaped: a file cannot drive the terminal.

    Every character Python does not call printable (C0/C1 controls such as
    ESC and BEL, CR and LF, so no spoofed lines; bidirectional and invisible
    format characters; line separators; private-use and unassigned code
    points) becomes ``\xNN``, ``\uNNNN`` or ``\UNNNNNNNN``; the rest,
    Japanese and its ideographic space included, is kept. With
    ``json_text=True`` (for the output of ``json.dumps``) the escapes are
    JSON's ``\uNNNN`` (surrogate pairs above U+FFFF), read back as the same
    characters.
    """
    text = str(text)
    if text.isprintable():
        return text
    escape = _json_escape if json_text else _escape
    return "".join(
        c if c.isprintable() or unicodedata.category(c) == "Zs" else escape(c)
        for c in text
    )


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
