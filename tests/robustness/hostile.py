"""Hostile files made at test time: small on disk, huge when inflated or parsed.

A bomb here is valid all the way through (right CRCs and checksums), so a
reader that stopped checking sizes would really try to allocate what it
declares; `run_limited` runs code under an address-space limit, so that such a
regression fails with MemoryError instead of swapping the machine.
"""

from __future__ import annotations

import io
import json
import os
import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np

MiB = 1 << 20
GiB = 1 << 30
LIMIT_BYTES = 1 * GiB  # address space for a limited run (idle: ~150 MB)


# ---- deflate streams of one repeated byte, O(output) to make -----------------


def repeated_deflate(prefix: bytes, byte: int, n: int) -> bytes:
    """Raw deflate of ``prefix + bytes([byte]) * n``, made in O(n / 1000) time.

    After a sync flush with a window full of the same byte, the compressor
    emits identical bytes for every further MiB, so they are repeated.
    """
    chunk = bytes([byte]) * MiB
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    full, rest = divmod(n, MiB)
    if full < 2:
        return c.compress(prefix + chunk[:n]) + c.flush()
    first = c.compress(prefix + chunk) + c.flush(zlib.Z_SYNC_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_SYNC_FLUSH)
    return first + again * (full - 1) + c.compress(chunk[:rest]) + c.flush()


def _gf2_times(matrix: list[int], vector: int) -> int:
    out, i = 0, 0
    while vector:
        if vector & 1:
            out ^= matrix[i]
        vector >>= 1
        i += 1
    return out


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, row) for row in matrix]


def crc32_repeated(prefix: bytes, byte: int, n: int) -> int:
    """zlib.crc32 of ``prefix + bytes([byte]) * n`` in O(log n) (zlib's combine)."""
    crc = zlib.crc32(prefix)
    if byte:  # the shortcut is for zeros only; others are small here
        return zlib.crc32(bytes([byte]) * n, crc)
    register = ~crc & 0xFFFFFFFF  # zeros act linearly on the raw register
    op = [0xEDB88320] + [1 << k for k in range(31)]  # one zero bit
    for _ in range(3):
        op = _gf2_square(op)  # -> one zero byte
    while n:
        if n & 1:
            register = _gf2_times(op, register)
        n >>= 1
        if n:
            op = _gf2_square(op)
    return ~register & 0xFFFFFFFF


def adler32_repeated(byte: int, n: int) -> int:
    """zlib.adler32 of ``bytes([byte]) * n`` by its closed form."""
    mod = 65521
    a = (1 + n * byte) % mod
    b = (n + byte * n * (n + 1) // 2) % mod
    return (b << 16) | a


# ---- containers ----------------------------------------------------------------


def npy_header(shape: tuple[int, ...], descr: str) -> bytes:
    """A version 1.0 .npy header for a C-ordered array."""
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    pad = 64 - (10 + len(text) + 1) % 64
    text += " " * pad + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode()


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def write_zip(path: Path, members: list[tuple[str, bytes, int]]) -> Path:
    """Write a deflated zip of (name, prefix, n zero bytes after it) members."""
    out, central = bytearray(), bytearray()
    for name, prefix, n_zeros in members:
        data = repeated_deflate(prefix, 0, n_zeros)
        crc, size = crc32_repeated(prefix, 0, n_zeros), len(prefix) + n_zeros
        assert size < 2**32, "no zip64 here"
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 33, crc, len(data), size)
        local = b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0)
        central += (
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + fields
            + struct.pack("<HHHHHI", len(name), 0, 0, 0, 0, 0)
            + struct.pack("<I", len(out))
            + name.encode()
        )
        out += local + name.encode() + data
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members),
        len(central), len(out), 0,
    )  # fmt: skip
    path.write_bytes(bytes(out + central + end))
    return path


def trace_bomb(path: Path, declared: int, meta: dict | None = None) -> Path:
    """A valid trace whose parameter W1 (3 records) is ``declared`` bytes of zeros."""
    width = declared // (3 * 8)
    meta = {"format_version": 1, "lesson": "bomb", **(meta or {})}
    small = {
        "loss": np.array([1.0, 0.5, 0.25]),
        "loss_steps": np.arange(3),
        "steps": np.arange(3),
        "metric_steps": np.zeros(0, np.int64),
        "meta": np.array(json.dumps(meta)),
    }
    members = [(f"{k}.npy", npy_bytes(v), 0) for k, v in small.items()]
    members.append(("W1.npy", npy_header((3, width), "<f8"), 3 * width * 8))
    return write_zip(path, members)


def mnist_bomb(folder: Path, n_images: int) -> Path:
    """A folder with an ``mnist.npz`` whose x_train declares ``n_images`` zeros."""
    folder.mkdir(parents=True, exist_ok=True)
    t = np.zeros(n_images, np.uint8)
    members = [
        ("x_train.npy", npy_header((n_images, 28, 28), "|u1"), n_images * 784),
        ("y_train.npy", npy_bytes(t), 0),
        ("x_test.npy", npy_bytes(np.zeros((2, 28, 28), np.uint8)), 0),
        ("y_test.npy", npy_bytes(np.zeros(2, np.uint8)), 0),
    ]
    return write_zip(folder / "mnist.npz", members)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_with_text(path: Path, chunks: list[tuple[bytes, bytes]]) -> Path:
    """A 1x1 PNG with the given (chunk type, body) text chunks before IEND."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, format="PNG")
    png = buffer.getvalue()
    iend = png.rindex(b"IEND") - 4
    extra = b"".join(_png_chunk(kind, body) for kind, body in chunks)
    path.write_bytes(png[:iend] + extra + png[iend:])
    return path


def ztxt_bomb(path: Path, inflated: int, key: bytes = b"vizlearn") -> Path:
    """A PNG whose zTXt ``key`` inflates to ``inflated`` spaces (valid zlib)."""
    deflated = repeated_deflate(b"", 0x20, inflated)
    adler = struct.pack(">I", adler32_repeated(0x20, inflated))
    stream = b"\x78\xda" + deflated + adler
    return png_with_text(path, [(b"zTXt", key + b"\0\0" + stream)])


def gif_with_comment(path: Path, comment: bytes) -> Path:
    """A 1x1 GIF with one comment extension of ``comment``."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("P", (1, 1)).save(buffer, format="GIF")
    gif = buffer.getvalue()
    blocks = b"".join(
        bytes([len(comment[i : i + 255])]) + comment[i : i + 255]
        for i in range(0, len(comment), 255)
    )
    path.write_bytes(gif[:-1] + b"\x21\xfe" + blocks + b"\0" + gif[-1:])
    return path


def mp4_with_comment(path: Path, comment: bytes) -> Path:
    """A minimal MP4 box tree holding a ``©cmt`` text (no video at all)."""

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    data = box(b"data", struct.pack(">II", 1, 0) + comment)
    meta = box(b"meta", b"\0\0\0\0" + box(b"ilst", box(b"\xa9cmt", data)))
    ftyp = box(b"ftyp", b"isom\0\0\0\0isom")
    path.write_bytes(ftyp + box(b"moov", box(b"udta", meta)))
    return path


# ---- running under a memory limit ------------------------------------------------


def _limit_memory() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def run_limited(
    args: list[str], *, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` with at most LIMIT_BYTES of address space."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
    )
