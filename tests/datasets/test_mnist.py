"""Tests for the MNIST reader and downloader: real t10k data, hostile files, HTTP."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.datasets.idx_files import (
    HAVE_MNIST,
    IMAGES,
    LABELS,
    MNIST_DIR,
    TRAIN_LABELS,
    Mirror,
    idx_bytes,
    serving,
    write_files,
)
from vizlearn.datasets import download, mnist
from vizlearn.datasets.download import sha256_of
from vizlearn.datasets.mnist import (
    MnistError,
    default_cache_dir,
    download_mnist,
    load_idx_pair,
    load_mnist,
    read_idx,
    train_test_split,
)

needs_mnist = pytest.mark.skipif(not HAVE_MNIST, reason=f"no MNIST in {MNIST_DIR}")


def tiny_files(n: int, seed: int = 0) -> dict[str, bytes]:
    """Gzipped IDX image and label bytes for ``n`` random 28x28 digits."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    t = rng.integers(0, 10, n, dtype=np.uint8)
    return {
        f"{IMAGES}.gz": gzip.compress(idx_bytes(x), mtime=0),
        f"{LABELS}.gz": gzip.compress(idx_bytes(t), mtime=0),
    }


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Tiny t10k files whose digests replace the canonical ones."""
    files = tiny_files(10)
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    monkeypatch.setattr(mnist, "SHA256", {**mnist.SHA256, **digests})
    monkeypatch.setattr(download, "BACKOFF_SECONDS", 0.0)
    return files


@pytest.fixture(scope="module")
def real_pair() -> tuple[np.ndarray, np.ndarray]:
    if not (MNIST_DIR / f"{IMAGES}.gz").is_file():
        pytest.skip(f"no MNIST in {MNIST_DIR}")
    return load_idx_pair(MNIST_DIR / f"{IMAGES}.gz", MNIST_DIR / f"{LABELS}.gz")


# ---- the real t10k split ----------------------------------------------------------


def test_real_test_split_shapes_and_labels(real_pair) -> None:
    x, t = real_pair
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8
    assert t.shape == (10000,)
    counts = np.bincount(t, minlength=10)
    assert counts.sum() == 10000
    assert counts.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert t[:5].tolist() == [7, 2, 1, 0, 4]


@needs_mnist
def test_load_mnist_split_from_test(real_pair) -> None:
    data = load_mnist(data_dir=MNIST_DIR, split_from_test=8000)
    assert data.x_train.shape == (8000, 784) and data.x_test.shape == (2000, 784)
    assert data.x_train.dtype == np.float32
    assert data.x_train.min() == 0.0 and data.x_train.max() == 1.0
    assert data.t_train.dtype == np.int64 and data.t_test.shape == (2000,)
    x, t = real_pair
    np.testing.assert_array_equal(data.t_test, t[8000:])
    np.testing.assert_allclose(data.x_test * 255, x[8000:].reshape(2000, -1))


@needs_mnist
def test_load_mnist_book_options() -> None:
    data = load_mnist(
        data_dir=MNIST_DIR, split_from_test=8000, flatten=False, one_hot_label=True
    )
    assert data.x_train.shape == (8000, 1, 28, 28)
    assert data.t_train.shape == (8000, 10) and data.t_test.shape == (2000, 10)
    np.testing.assert_array_equal(data.t_train.sum(axis=1), 1.0)
    raw = load_mnist(data_dir=MNIST_DIR, split_from_test=8000, normalize=False)
    assert raw.x_train.dtype == np.uint8 and raw.x_train.max() == 255
    np.testing.assert_array_equal(data.t_train.argmax(axis=1), raw.t_train)


@needs_mnist
def test_plain_and_gzipped_agree(tmp_path: Path, real_pair) -> None:
    with gzip.open(MNIST_DIR / f"{LABELS}.gz") as src:
        (tmp_path / LABELS).write_bytes(src.read())
    np.testing.assert_array_equal(read_idx(tmp_path / LABELS), real_pair[1])


@needs_mnist
def test_canonical_checksums_match_the_shared_files() -> None:
    for name in (f"{IMAGES}.gz", f"{LABELS}.gz"):
        assert sha256_of(MNIST_DIR / name) == mnist.SHA256[name]


@needs_mnist
def test_full_load_without_train_files_suggests_split(tmp_path: Path) -> None:
    with pytest.raises(MnistError, match="split_from_test"):
        load_mnist(data_dir=MNIST_DIR)


@needs_mnist
def test_tampered_gz_in_data_dir_fails_its_structure_check(tmp_path: Path) -> None:
    data = bytearray((MNIST_DIR / f"{LABELS}.gz").read_bytes())
    data[-9] ^= 0xFF  # the last deflate byte: the stream now inflates wrong
    write_files(tmp_path, {f"{LABELS}.gz": bytes(data)})
    shutil.copy(MNIST_DIR / f"{IMAGES}.gz", tmp_path)
    with pytest.raises(MnistError, match=f"{LABELS}.gz: ") as info:
        load_mnist(data_dir=tmp_path, split_from_test=8000)
    assert "\n" not in str(info.value)


def test_train_test_split_is_ordered() -> None:
    x, t = np.arange(10).reshape(10, 1), np.arange(10)
    parts = train_test_split(x, t, 8)
    assert parts.t_train.tolist() == list(range(8)) and parts.t_test.tolist() == [8, 9]
    with pytest.raises(ValueError, match="n_train"):
        train_test_split(x, t, 10)


# ---- hostile and malformed files --------------------------------------------------


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "too short"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x01\x05", "bad magic number 0x00000802"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x01", "truncated IDX header"),
        (idx_bytes(np.arange(10))[:-1], "truncated"),
        (idx_bytes(np.arange(10)) + b"\x00", "longer than its header"),
        (b"\x00\x00\x08\x03" + b"\xff" * 12, "implausible dimensions"),
        (gzip.compress(idx_bytes(np.arange(10)), mtime=0)[:-5], "EOFError"),
        (gzip.compress(b"\x00" * 100, mtime=0)[:12], "cannot read"),
        (b"\x1f\x8b" + b"\x00" * 20, "cannot read"),
    ],
)
def test_read_idx_rejects(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "labels.idx"
    path.write_bytes(content)
    with pytest.raises(MnistError, match=match) as info:
        read_idx(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_read_idx_rejects_gzip_crc_error(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(idx_bytes(np.arange(10))))
    data[-8] ^= 0xFF  # the CRC32 in the trailer
    (tmp_path / "bad.gz").write_bytes(bytes(data))
    with pytest.raises(MnistError, match="bad.gz.*CRC"):
        read_idx(tmp_path / "bad.gz")


def test_read_idx_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MnistError, match="nope.gz"):
        read_idx(tmp_path / "nope.gz")


def test_load_idx_pair_checks_the_pair(tmp_path: Path) -> None:
    files = {"x": idx_bytes(np.zeros((3, 28, 28))), "t": idx_bytes(np.arange(2))}
    write_files(tmp_path, files | {"t10": idx_bytes(np.array([1, 10, 2]))})
    with pytest.raises(MnistError, match="do not match 3 images"):
        load_idx_pair(tmp_path / "x", tmp_path / "t")
    with pytest.raises(MnistError, match="0..9"):
        load_idx_pair(tmp_path / "x", tmp_path / "t10")
    with pytest.raises(MnistError, match="uint8 \\(n, 28, 28\\)"):
        load_idx_pair(tmp_path / "t", tmp_path / "t")


@st.composite
def idx_like(draw: st.DrawFn) -> bytes:
    """Bytes that often get past the first checks of an IDX reader."""
    prefix = draw(st.sampled_from([b"", b"\x00\x00\x08\x01", b"\x00\x00\x08\x03"]))
    body = prefix + draw(st.binary(max_size=96))
    mode = draw(st.sampled_from(["raw", "gzip", "gzip-cut", "gzip-flip"]))
    if mode != "raw":
        body = bytearray(gzip.compress(body, mtime=0))
        at = draw(st.integers(0, len(body) - 1))
        body = body[:at] if mode == "gzip-cut" else body
        if mode == "gzip-flip":
            body[at] ^= draw(st.integers(1, 255))
    return bytes(body)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(content=st.one_of(st.binary(max_size=64), idx_like()))
def test_read_idx_fuzz_raises_only_mnist_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.idx"
    path.write_bytes(content)
    start = time.perf_counter()
    try:
        array = read_idx(path)
    except MnistError as err:
        assert "fuzz.idx" in str(err)
    else:
        assert array.dtype == np.uint8 and array.ndim in (1, 3)
    assert time.perf_counter() - start < 1.0


def test_pickle_is_refused(tmp_path: Path) -> None:
    # contents never read: a hostile pickle would run code on load
    (tmp_path / "mnist.pkl").write_bytes(b"cos\nsystem\n(S'touch pwned'\ntR.")
    with pytest.raises(MnistError, match="mnist.pkl: refusing to load a pickle"):
        load_mnist(data_dir=tmp_path)
    assert not (tmp_path / "pwned").exists()


def npz_arrays(n: int = 6) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (2 * n, 28, 28), dtype=np.uint8)
    t = rng.integers(0, 10, 2 * n).astype(np.int64)
    return {"x_train": x[:n], "y_train": t[:n], "x_test": x[n:], "y_test": t[n:]}


def test_keras_npz_loads(tmp_path: Path) -> None:
    arrays = npz_arrays()
    np.savez_compressed(tmp_path / "mnist.npz", **arrays)
    data = load_mnist(data_dir=tmp_path, normalize=False)
    np.testing.assert_array_equal(data.x_train.reshape(6, 28, 28), arrays["x_train"])
    np.testing.assert_array_equal(data.t_test, arrays["y_test"])
    split = load_mnist(data_dir=tmp_path, split_from_test=4)
    assert split.x_train.shape == (4, 784) and split.x_test.shape == (2, 784)


def test_npz_with_object_array_is_refused(tmp_path: Path) -> None:
    arrays = npz_arrays() | {"y_train": np.array([1, "a", None], dtype=object)}
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(MnistError, match="mnist.npz: 'y_train' holds Python objects"):
        load_mnist(data_dir=tmp_path)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"PK\x03\x04garbage", "cannot read"),
        (b"\x93NUMPY", "a single .npy array"),
        (b"garbage, not a zip", "cannot read .*not a zip file"),
    ],
)
def test_broken_npz_is_refused(tmp_path: Path, content: bytes, match: str) -> None:
    (tmp_path / "mnist.npz").write_bytes(content)
    with pytest.raises(MnistError, match=f"mnist.npz: {match}") as caught:
        load_mnist(data_dir=tmp_path)
    assert "allow_pickle" not in str(caught.value)  # numpy's advice, not relayed


def test_npz_missing_array(tmp_path: Path) -> None:
    arrays = npz_arrays()
    del arrays["y_test"]
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(MnistError, match="mnist.npz: missing arrays \\['y_test'\\]$"):
        load_mnist(data_dir=tmp_path)


def test_npy_in_place_of_npz(tmp_path: Path) -> None:
    with open(tmp_path / "mnist.npz", "wb") as stream:
        np.save(stream, np.zeros(3))
    with pytest.raises(MnistError, match="mnist.npz: a single .npy array"):
        load_mnist(data_dir=tmp_path)


def test_data_dir_never_downloads(tmp_path: Path) -> None:
    with pytest.raises(MnistError, match="MNIST not found"):
        load_mnist(data_dir=tmp_path, download=True)


# ---- downloading from a local HTTP server -----------------------------------------


@pytest.fixture
def mirror(tiny: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> Iterator[Mirror]:
    with serving(tiny) as server:
        monkeypatch.setattr(mnist, "MIRRORS", (server.url,))
        yield server


def test_download_then_load(tmp_path: Path, mirror: Mirror, tiny) -> None:
    data = load_mnist(cache_dir=tmp_path, split_from_test=7)
    assert data.x_train.shape == (7, 784) and data.x_test.shape == (3, 784)
    assert data.canonical is True and data.dataset == "mnist"
    assert [p.name for p in tmp_path.iterdir()] == ["mnist"]  # a folder per set
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir()) == sorted(tiny)
    count = len(mirror.requests)
    load_mnist(cache_dir=tmp_path, split_from_test=7)  # cached: no new requests
    assert len(mirror.requests) == count == 2


@pytest.mark.parametrize("ranges", [True, False])
def test_download_resumes_part_file(tmp_path: Path, mirror: Mirror, ranges) -> None:
    mirror.ranges = ranges
    name = f"{IMAGES}.gz"
    body = mirror.files[name]
    cache = write_files(tmp_path / "mnist", {f"{name}.part": body[:100]})
    assert download_mnist((name,), cache_dir=tmp_path) == cache
    assert (cache / name).read_bytes() == body
    assert mirror.requests == [(f"/mnist/{name}", "bytes=100-")]
    assert not (cache / f"{name}.part").exists()


def test_overlong_part_file_restarts(tmp_path: Path, mirror: Mirror) -> None:
    name = f"{LABELS}.gz"
    cache = write_files(
        tmp_path / "mnist", {f"{name}.part": mirror.files[name] + b"junk"}
    )
    download_mnist((name,), cache_dir=tmp_path)  # 416, then from byte 0
    assert (cache / name).read_bytes() == mirror.files[name]
    assert [r for _, r in mirror.requests] == [
        f"bytes={len(mirror.files[name]) + 4}-",
        None,
    ]


def test_checksum_mismatch_deletes_download(tmp_path: Path, mirror: Mirror) -> None:
    name = f"{LABELS}.gz"
    mirror.files[name] = b"not the labels"
    actual = hashlib.sha256(b"not the labels").hexdigest()
    expected = mnist.SHA256[name]
    pattern = f"{name}.part: sha256 mismatch: expected {expected}, got {actual}"
    with pytest.raises(MnistError, match=pattern):
        download_mnist((name,), cache_dir=tmp_path)
    assert list((tmp_path / "mnist").iterdir()) == []


def test_oversized_download_is_refused_and_deleted(
    tmp_path: Path, mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mnist, "MAX_BYTES", 100)
    name = f"{IMAGES}.gz"
    assert len(mirror.files[name]) > 100
    announced = rf" \({len(mirror.files[name])} announced\)"  # by Content-Length
    with pytest.raises(
        MnistError, match=f"/mnist/{name}: larger than 100 bytes{announced}$"
    ):
        download_mnist((name,), cache_dir=tmp_path)
    assert list((tmp_path / "mnist").iterdir()) == []
    assert len(mirror.requests) == 1  # too large is not retried


def test_next_mirror_after_dead_one(
    tmp_path: Path, mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = "http://127.0.0.1:9/"  # nothing listens on the discard port
    empty = mirror.url.replace("/mnist/", "/elsewhere/")  # 404 for every file
    monkeypatch.setattr(mnist, "MIRRORS", (refused, empty, mirror.url))
    download_mnist((f"{LABELS}.gz",), cache_dir=tmp_path, retries=2)
    assert (tmp_path / "mnist" / f"{LABELS}.gz").is_file()
    # the 404 is not retried; the good mirror answers the first time
    assert [path for path, _ in mirror.requests] == [
        f"/elsewhere/{LABELS}.gz",
        f"/mnist/{LABELS}.gz",
    ]


def test_server_errors_are_retried(tmp_path: Path, mirror: Mirror) -> None:
    mirror.failures = 2
    download_mnist((f"{LABELS}.gz",), cache_dir=tmp_path, retries=3)
    assert len(mirror.requests) == 3
    mirror.failures, mirror.requests = 2, []
    with pytest.raises(MnistError, match="HTTPError: HTTP Error 503"):
        download_mnist((f"{IMAGES}.gz",), cache_dir=tmp_path, retries=2)


def test_retry_backoff_doubles(
    tmp_path: Path, mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(download, "BACKOFF_SECONDS", 0.25)
    monkeypatch.setattr(download, "time", SimpleNamespace(sleep=sleeps.append))
    mirror.failures = 3
    download_mnist((f"{LABELS}.gz",), cache_dir=tmp_path, retries=4)
    assert sleeps == [0.25, 0.5, 1.0] and len(mirror.requests) == 4


def test_404_is_not_retried(tmp_path: Path, mirror: Mirror) -> None:
    with pytest.raises(MnistError, match="could not download train-labels"):
        download_mnist(
            (f"{TRAIN_LABELS}.gz",),
            cache_dir=tmp_path,
            checksums={f"{TRAIN_LABELS}.gz": "0" * 64},
        )
    assert len(mirror.requests) == 1


def test_offline_error_names_files_and_data_dir(
    tmp_path: Path, tiny, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        mnist, "MIRRORS", ("http://127.0.0.1:9/", "http://127.0.0.1:9/b/")
    )
    with pytest.raises(MnistError) as info:
        load_mnist(cache_dir=tmp_path, split_from_test=5)
    message = str(info.value)
    assert f"{IMAGES}.gz, {LABELS}.gz" in message and "--data-dir DIR" in message
    assert "\n" not in message


def test_corrupt_cache_is_downloaded_again(
    tmp_path: Path, mirror: Mirror, tiny
) -> None:
    write_files(tmp_path / "mnist", tiny | {f"{LABELS}.gz": b"\x1f\x8b broken"})
    data = load_mnist(cache_dir=tmp_path, split_from_test=5)
    assert data.t_train.shape == (5,)
    assert [path for path, _ in mirror.requests] == [f"/mnist/{LABELS}.gz"]


def test_default_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert default_cache_dir() == Path("/somewhere/vizlearn/mnist")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache/vizlearn/mnist"
