"""Helpers for the IDX tests: IDX bytes, whole sets written at test time, a mirror."""

from __future__ import annotations

import gzip
import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

MNIST_DIR = Path(
    os.environ.get(
        "VIZLEARN_MNIST_DIR", Path(__file__).parents[3] / "shared/data/mnist"
    )
)
IMAGES, LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
HAVE_MNIST = (MNIST_DIR / f"{IMAGES}.gz").is_file()


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """Encode a uint8 array as an IDX file (labels 1-D, images 3-D)."""
    magic = magic if magic is not None else 0x00000800 | array.ndim
    dims = struct.pack(f">{array.ndim}I", *array.shape)
    return struct.pack(">I", magic) + dims + array.astype(np.uint8).tobytes()


def fake_set(n_train: int, n_test: int, seed: int = 0) -> dict[str, bytes]:
    """Four gzipped IDX files of random 28x28 images and labels 0..9.

    Shaped like MNIST, Fashion-MNIST and KMNIST alike (they share the format).
    """
    rng = np.random.default_rng(seed)
    files = {}
    for (images, labels), n in (((TRAIN_IMAGES, TRAIN_LABELS), n_train),
                                ((IMAGES, LABELS), n_test)):  # fmt: skip
        x = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        t = rng.integers(0, 10, n, dtype=np.uint8)
        files[f"{images}.gz"] = gzip.compress(idx_bytes(x), mtime=0)
        files[f"{labels}.gz"] = gzip.compress(idx_bytes(t), mtime=0)
    return files


def write_files(directory: Path, files: dict[str, bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content)
    return directory


def shared_test_split() -> tuple[np.ndarray, np.ndarray]:
    """The shared t10k images (10000, 28, 28) and labels, parsed here by hand."""
    with gzip.open(MNIST_DIR / f"{IMAGES}.gz") as stream:
        x = np.frombuffer(stream.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(MNIST_DIR / f"{LABELS}.gz") as stream:
        t = np.frombuffer(stream.read(), np.uint8, offset=8)
    return x, t


def write_split_of_shared(directory: Path, n_train: int = 8000) -> Path:
    """The shared t10k set as train (first n_train) and test (rest) IDX files.

    Written with Python's gzip module, as a user would: the same images in
    other bytes than the published files.
    """
    x, t = shared_test_split()
    directory.mkdir(parents=True, exist_ok=True)
    for images, labels, part in ((TRAIN_IMAGES, TRAIN_LABELS, slice(None, n_train)),
                                 (IMAGES, LABELS, slice(n_train, None))):  # fmt: skip
        for name, array in ((images, x[part]), (labels, t[part])):
            with gzip.open(directory / f"{name}.gz", "wb") as out:
                out.write(idx_bytes(array))
    return directory


class Mirror(ThreadingHTTPServer):
    """A local mirror: ``files`` by name under ``/FOLDER/``, a request log, options."""

    files: dict[str, bytes]
    requests: list[tuple[str, str | None]]
    folder: str = "mnist"
    ranges: bool = True
    lengths: bool = True  # send Content-Length
    failures: int = 0  # answer this many requests with 503 first

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{self.folder}/"


class MirrorHandler(BaseHTTPRequestHandler):
    server: Mirror

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append((self.path, self.headers.get("Range")))
        if len(self.server.requests) <= self.server.failures:
            return self.send_error(503)
        folder, _, name = self.path.rpartition("/")
        body = (
            self.server.files.get(name) if folder == f"/{self.server.folder}" else None
        )
        if body is None:
            return self.send_error(404)
        start = int(self.headers.get("Range", "bytes=0-")[6:].rstrip("-") or 0)
        if self.server.ranges and start >= len(body):
            return self.send_error(416)
        partial = self.server.ranges and start > 0
        self.send_response(206 if partial else 200)
        if partial:
            self.send_header(
                "Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}"
            )
        body = body[start:] if partial else body
        if self.server.lengths:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(files: dict[str, bytes], folder: str = "mnist") -> Iterator[Mirror]:
    """A running local mirror of ``files``."""
    server = Mirror(("127.0.0.1", 0), MirrorHandler)
    server.files, server.requests, server.folder = dict(files), [], folder
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
