"""Bounded reads: regular files only, sizes checked before anything is allocated.

Also what reading untrusted files needs next: `.npz` headers without
inflating (`npz_members`), JSON with limits (`parse_json`), and text made
safe for a terminal (`terminal_safe`).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import mmap
import os
import stat
import struct
import sys
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

__all__ = [
    "FileRefused",
    "NpyMember",
    "map_file",
    "npz_members",
    "open_bounded",
    "parse_json",
    "read_bounded",
    "terminal_safe",
]

PathLike = str | os.PathLike[str]


class FileRefused(ValueError):
    """A file not read: not a regular file, too large, or unsafe to read."""


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
    _check_directory(zf)
    members: dict[str, NpyMember] = {}
    for info in zf.infolist():
        key = info.filename.removesuffix(".npy")
        if key == info.filename or key in members:
            what = "a second" if key in members else "an unexpected member"
            raise FileRefused(f"{what} {info.filename!r} (expected .npy arrays)")
        if keys is None or key in keys:
            members[key] = _npy_member(zf, info, key)
    return members


def _check_directory(zf: zipfile.ZipFile) -> None:
    """Refuse a zip whose central directory lists fewer members than it declares.

    Python's zipfile reads directory entries until the directory's size is
    used up, so one damaged length field (a comment or extra field swallowing
    the entries after it) silently drops members; the end record's count says
    how many there must be.
    """
    fp = zf.fp
    if fp is None or not fp.seekable():
        return
    here = fp.tell()
    try:
        end = fp.seek(0, 2) - 22 - len(zf.comment)
        if end < 0:
            return
        fp.seek(end)
        record = fp.read(22)
    finally:
        fp.seek(here)
    if len(record) != 22 or record[:4] != b"PK\x05\x06":
        return  # zip64 or an unusual layout: zipfile has checked what it can
    declared = struct.unpack("<H", record[10:12])[0]
    found = len(zf.infolist())
    if declared != 0xFFFF and declared != found:
        raise FileRefused(
            f"its zip directory declares {declared} members but {found} are readable"
        )


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
