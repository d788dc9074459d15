"""Data conventions: any well-formed IDX set, named sets, the cache's place, progress.

Every file is written at test time (a gzip of the shared t10k split, random
Fashion/KMNIST-shaped sets); downloads come from a local HTTP server.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.datasets.idx_files import (
    HAVE_MNIST,
    IMAGES,
    LABELS,
    MNIST_DIR,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    Mirror,
    fake_set,
    idx_bytes,
    serving,
    shared_test_split,
    write_files,
    write_split_of_shared,
)
from vizlearn.datasets import catalog, download, mnist, places
from vizlearn.datasets.catalog import IDX_DATASETS, IDX_NAMES
from vizlearn.datasets.mnist import MnistError, download_mnist, load_mnist
from vizlearn.datasets.reporting import reporting

needs_mnist = pytest.mark.skipif(not HAVE_MNIST, reason=f"no MNIST in {MNIST_DIR}")


class Notes(list):
    """An ``on_note`` callback that keeps what it is told."""

    def __call__(self, text: str) -> None:
        self.append(text)


# ---- a user's own files in --data-dir ---------------------------------------------


@needs_mnist
def test_an_8000_2000_split_written_with_gzip_loads_with_one_note(
    tmp_path: Path,
) -> None:
    folder = write_split_of_shared(tmp_path / "my split")
    notes = Notes()
    data = load_mnist(data_dir=folder, normalize=False, on_note=notes)
    x, t = shared_test_split()
    np.testing.assert_array_equal(data.x_train.reshape(-1, 28, 28), x[:8000])
    np.testing.assert_array_equal(data.t_test, t[8000:])
    assert data.canonical is False and data.dataset == "mnist"
    assert notes == [
        f"{folder}: not the published MNIST files (the sha256 of "
        f"{TRAIN_IMAGES}.gz is not the published one); read after checking their "
        "structure only: 8000 train and 2000 test images of 28x28, labels 0..9"
    ]


@needs_mnist
def test_the_published_files_load_without_a_note(tmp_path: Path) -> None:
    notes = Notes()
    data = load_mnist(data_dir=MNIST_DIR, split_from_test=8000, on_note=notes)
    assert data.canonical is True and notes == []


@needs_mnist
def test_uncompressed_files_are_read_with_a_note(tmp_path: Path) -> None:
    for name in (IMAGES, LABELS):
        with gzip.open(MNIST_DIR / f"{name}.gz") as stream:
            (tmp_path / name).write_bytes(stream.read())
    notes = Notes()
    data = load_mnist(data_dir=tmp_path, split_from_test=9000, on_note=notes)
    assert data.x_train.shape == (9000, 784) and data.canonical is False
    assert f"({IMAGES} has no published checksum)" in notes[0]


def test_notes_reach_the_reporting_block_else_the_logger(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_files(tmp_path, fake_set(6, 4))
    notes = Notes()
    with reporting(note=notes):
        load_mnist(data_dir=tmp_path)
    assert len(notes) == 1 and "not the published MNIST files" in notes[0]
    with caplog.at_level(logging.INFO, logger="vizlearn.datasets"):
        load_mnist(data_dir=tmp_path)  # no callback anywhere: a log record
    assert [r.getMessage() for r in caplog.records] == notes
    caplog.clear()
    load_mnist(data_dir=tmp_path, verify=False, on_note=notes)
    assert len(notes) == 1  # not compared: nothing to say (canonical is None)


def test_a_note_escapes_control_characters_in_the_folder_name(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "evil\x1b[2J\nname", fake_set(3, 2))
    notes = Notes()
    load_mnist(data_dir=folder, on_note=notes)
    assert "\x1b" not in notes[0] and "\n" not in notes[0]
    assert "evil\\x1b[2J\\x0aname" in notes[0]


@pytest.mark.parametrize(
    ("dataset", "title"), [("fashion-mnist", "Fashion-MNIST"), ("kmnist", "Kuzushiji")]
)
def test_fashion_and_kmnist_shaped_files_load_by_name(
    tmp_path: Path, dataset: str, title: str
) -> None:
    files = fake_set(12, 5, seed=3)
    write_files(tmp_path, files)
    notes = Notes()
    data = load_mnist(dataset=dataset, data_dir=tmp_path, on_note=notes)
    assert data.dataset == dataset and data.x_train.shape == (12, 784)
    assert data.t_test.shape == (5,) and data.t_test.dtype == np.int64
    assert f"not the published {title}" in notes[0]


def test_one_data_folder_with_a_subfolder_per_set(tmp_path: Path) -> None:
    write_files(tmp_path / "mnist", fake_set(4, 2, seed=1))
    write_files(tmp_path / "fashion-mnist", fake_set(6, 3, seed=2))
    notes = Notes()
    fashion = load_mnist(dataset="fashion-mnist", data_dir=tmp_path, on_note=notes)
    digits = load_mnist(data_dir=tmp_path, on_note=notes)
    assert (len(fashion.x_train), len(digits.x_train)) == (6, 4)
    assert notes[0].startswith(f"{tmp_path / 'fashion-mnist'}: ")
    with pytest.raises(MnistError, match=r"kmnist: Kuzushiji-MNIST not found; need"):
        load_mnist(dataset="kmnist", data_dir=tmp_path / "kmnist")


def test_an_unknown_dataset_name_lists_the_known_ones() -> None:
    with pytest.raises(
        ValueError, match=r"^dataset must be one of mnist, fashion-mnist"
    ):
        load_mnist(dataset="cifar10")


# ---- structure checks -------------------------------------------------------------


def _set_with(**changes: bytes) -> dict[str, bytes]:
    """fake_set(5, 3) with some files (by short name) replaced by raw IDX bytes."""
    names = {"xtr": TRAIN_IMAGES, "ttr": TRAIN_LABELS, "xte": IMAGES, "tte": LABELS}
    files = fake_set(5, 3)
    for short, body in changes.items():
        files[f"{names[short]}.gz"] = gzip.compress(body, mtime=0)
    return files


_X3 = np.zeros((3, 28, 28), np.uint8)


@pytest.mark.parametrize(
    ("files", "match"),
    [
        (
            _set_with(xte=idx_bytes(_X3.astype(np.float32), magic=0x0D03)),
            rf"{IMAGES}.gz: bad magic number 0x00000d03, expected 0x00000801 or "
            r"0x00000803 \(this IDX file holds float32 data; MNIST is uint8\)$",
        ),
        (
            _set_with(tte=b"\x89PNG\r\n\x1a\n" + bytes(8)),
            rf"{LABELS}.gz: bad magic number 0x89504e47, .* \(not an IDX file\)$",
        ),
        (
            _set_with(tte=idx_bytes(np.arange(2))),
            r": 2 labels do not match 3 images$",
        ),
        (
            _set_with(xte=idx_bytes(np.zeros((3, 32, 32)))),
            r"images must be uint8 \(n, 28, 28\), got uint8 \(3, 32, 32\)$",
        ),
        (_set_with(ttr=idx_bytes(np.array([0, 1, 2, 3, 10]))), r"labels must be 0..9"),
        (
            _set_with(xte=idx_bytes(np.zeros((0, 28, 28))), tte=idx_bytes(np.zeros(0))),
            rf"{IMAGES}.gz \+ .*{LABELS}.gz: holds no images$",
        ),
        (_set_with(xtr=idx_bytes(np.zeros((5, 28, 28)))[:-1]), r"truncated"),
        (_set_with(ttr=idx_bytes(np.zeros(5)) + b"\0"), r"longer than its header"),
        (
            _set_with(tte=idx_bytes(np.zeros((3, 1, 1)))),
            r"labels must be 1-D integers, got uint8 \(3, 1, 1\)$",
        ),
    ],
    ids=[
        "float32",
        "not-idx",
        "counts",
        "32x32",
        "label-10",
        "empty",
        "short",
        "long",
        "labels-as-images",
    ],  # fmt: skip
)
def test_malformed_sets_are_refused_in_one_line_naming_the_file(
    tmp_path: Path, files: dict[str, bytes], match: str
) -> None:
    write_files(tmp_path, files)
    with pytest.raises(MnistError, match=match) as info:
        load_mnist(data_dir=tmp_path, on_note=Notes())
    assert str(tmp_path) in str(info.value) and "\n" not in str(info.value)


def test_split_sizes_may_differ_but_train_and_test_are_each_checked(
    tmp_path: Path,
) -> None:
    write_files(tmp_path, fake_set(7, 1))
    data = load_mnist(data_dir=tmp_path, on_note=Notes())
    assert (len(data.x_train), len(data.x_test)) == (7, 1)


# ---- the cache: platformdirs, environment, the old place --------------------------


def test_cache_in_the_platform_place_with_env_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        places.platformdirs, "user_cache_dir", lambda app, appauthor: f"/p/{app}"
    )
    assert places.cache_root() == Path("/p/vizlearn")
    assert mnist.default_cache_dir("kmnist") == Path("/p/vizlearn/kmnist")
    monkeypatch.setenv("VIZLEARN_CACHE_DIR", str(tmp_path / "c"))
    assert mnist.default_cache_dir() == tmp_path / "c/mnist"
    assert places.cache_root(tmp_path / "x") == tmp_path / "x"  # argument first


def test_default_cache_is_platformdirs_user_cache_dir() -> None:
    import platformdirs

    expected = Path(platformdirs.user_cache_dir("vizlearn", appauthor=False))
    assert mnist.default_cache_dir("fashion-mnist") == expected / "fashion-mnist"


@pytest.fixture
def tiny_mnist(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mirror]:
    """A mirror of a tiny t10k set whose digests stand in for the published ones."""
    files = {k: v for k, v in fake_set(1, 10).items() if k.startswith("t10k")}
    digests = {name: hashlib.sha256(body).hexdigest() for name, body in files.items()}
    monkeypatch.setattr(mnist, "SHA256", {**mnist.SHA256, **digests})
    monkeypatch.setattr(download, "BACKOFF_SECONDS", 0.0)
    with serving(files) as server:
        monkeypatch.setattr(mnist, "MIRRORS", (server.url,))
        yield server


def test_vizlearn_cache_dir_receives_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_mnist: Mirror
) -> None:
    monkeypatch.setenv("VIZLEARN_CACHE_DIR", str(tmp_path))
    data = load_mnist(split_from_test=6)
    assert data.canonical is True and len(tiny_mnist.requests) == 2
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir()) == sorted(
        tiny_mnist.files
    )


def test_vizlearn_data_dir_is_read_and_never_downloaded_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_mnist: Mirror
) -> None:
    write_files(tmp_path / "mine", fake_set(4, 3))
    monkeypatch.setenv("VIZLEARN_DATA_DIR", str(tmp_path / "mine"))
    notes = Notes()
    assert len(load_mnist(on_note=notes).x_train) == 4 and len(notes) == 1
    monkeypatch.setenv("VIZLEARN_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(MnistError, match=r"\(the folder \$VIZLEARN_DATA_DIR names\)$"):
        load_mnist()
    assert tiny_mnist.requests == []
    # an explicit cache folder is a choice too: the environment's data folder yields
    assert load_mnist(cache_dir=tmp_path / "c", split_from_test=5).canonical


def test_the_old_cache_place_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_mnist: Mirror
) -> None:
    # e.g. macOS, where the platform's cache is not ~/.cache
    monkeypatch.setattr(
        places.platformdirs, "user_cache_dir", lambda *a, **k: str(tmp_path / "new")
    )
    old = write_files(tmp_path / "xdg/vizlearn/mnist", tiny_mnist.files)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    data = load_mnist(split_from_test=4)
    assert data.canonical is True and tiny_mnist.requests == []
    (old / f"{LABELS}.gz").write_bytes(b"\x1f\x8b not the file")  # fails: not used
    load_mnist(split_from_test=4)
    assert len(tiny_mnist.requests) == 2 and (tmp_path / "new/mnist").is_dir()


def test_an_old_cache_dir_layout_is_still_read(
    tmp_path: Path, tiny_mnist: Mirror
) -> None:
    write_files(tmp_path, tiny_mnist.files)  # --cache-dir DIR held the files
    assert load_mnist(cache_dir=tmp_path, split_from_test=3).canonical is True
    assert tiny_mnist.requests == []


# ---- named sets download from their own mirrors -----------------------------------


@pytest.fixture
def fashion_mirror(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mirror]:
    """A local stand-in for Fashion-MNIST's mirrors, with its own checksums."""
    files = fake_set(8, 4, seed=7)
    digests = {name: hashlib.sha256(body).hexdigest() for name, body in files.items()}
    monkeypatch.setattr(download, "BACKOFF_SECONDS", 0.0)
    with serving(files, folder="fashion") as server:
        spec = dataclasses.replace(
            IDX_DATASETS["fashion-mnist"], mirrors=(server.url,), sha256=digests
        )
        monkeypatch.setitem(IDX_DATASETS, "fashion-mnist", spec)
        yield server


def test_fashion_mnist_downloads_into_its_own_folder(
    tmp_path: Path, fashion_mirror: Mirror
) -> None:
    data = load_mnist(dataset="fashion-mnist", cache_dir=tmp_path)
    assert data.canonical is True and data.x_train.shape == (8, 784)
    assert sorted(p.name for p in (tmp_path / "fashion-mnist").iterdir()) == sorted(
        fashion_mirror.files
    )
    assert {path.split("/")[1] for path, _ in fashion_mirror.requests} == {"fashion"}
    (tmp_path / "fashion-mnist" / f"{LABELS}.gz").write_bytes(b"tampered")
    load_mnist(dataset="fashion-mnist", cache_dir=tmp_path)  # fetched again
    assert fashion_mirror.requests[-1] == (f"/fashion/{LABELS}.gz", None)
    (tmp_path / "fashion-mnist" / f"{LABELS}.gz").write_bytes(b"tampered")
    with pytest.raises(MnistError, match=f"{LABELS}.gz: sha256 mismatch: expected"):
        load_mnist(dataset="fashion-mnist", cache_dir=tmp_path, download=False)


def test_the_catalog_pins_sha256_for_every_published_file() -> None:
    for spec in IDX_DATASETS.values():
        assert sorted(spec.sha256) == sorted(
            f"{n}.gz" for pair in catalog.FILES.values() for n in pair
        )
        assert all(re.fullmatch("[0-9a-f]{64}", d) for d in spec.sha256.values())
        assert len(set(spec.sha256.values())) == 4 and len(spec.classes) == 10
        assert spec.mirrors[0].startswith("https://")
    assert IDX_NAMES == ("mnist", "fashion-mnist", "kmnist")
    assert catalog.FASHION_MNIST.sha256[f"{IMAGES}.gz"].startswith("346e55b9")
    assert catalog.KMNIST.sha256[f"{TRAIN_IMAGES}.gz"].startswith("51467d22")


def test_the_names_import_without_numpy() -> None:
    code = (
        "import sys; from vizlearn.datasets.catalog import IDX_NAMES; "
        "assert 'numpy' not in sys.modules, 'numpy imported'; print(*IDX_NAMES)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["mnist", "fashion-mnist", "kmnist"]


# ---- download progress ------------------------------------------------------------


class Calls(list):
    """A ``progress`` callback that keeps its calls."""

    def __call__(self, name: str, done: int, total: int | None) -> None:
        self.append((name, done, total))


def test_progress_follows_each_download(tmp_path: Path, tiny_mnist: Mirror) -> None:
    calls = Calls()
    load_mnist(cache_dir=tmp_path, split_from_test=5, progress=calls)
    for name, body in tiny_mnist.files.items():
        mine = [(done, total) for n, done, total in calls if n == name]
        assert mine[0] == (0, len(body)) and mine[-1] == (len(body), len(body))
        assert [d for d, _ in mine] == sorted(d for d, _ in mine)
    names = [n for n, *_ in calls]  # one file after the other, images first
    assert names == sorted(names) and list(dict.fromkeys(names)) == [
        f"{IMAGES}.gz",
        f"{LABELS}.gz",
    ]


def test_progress_of_a_resumed_download_starts_where_it_resumes(
    tmp_path: Path, tiny_mnist: Mirror
) -> None:
    name = f"{IMAGES}.gz"
    body = tiny_mnist.files[name]
    write_files(tmp_path / "mnist", {f"{name}.part": body[:100]})
    calls = Calls()
    with reporting(progress=calls):  # the way the CLI hands it down
        download_mnist((name,), cache_dir=tmp_path)
    assert calls[0] == (name, 100, len(body)) and calls[-1] == (name, *[len(body)] * 2)


def test_progress_without_content_length_ends_with_the_total(
    tmp_path: Path, tiny_mnist: Mirror
) -> None:
    tiny_mnist.lengths = False
    name = f"{LABELS}.gz"
    calls = Calls()
    download_mnist((name,), cache_dir=tmp_path, progress=calls)
    size = len(tiny_mnist.files[name])
    assert calls[0] == (name, 0, None) and calls[-1] == (name, size, size)
    assert all(total is None for _, _, total in calls[:-1])


def test_nothing_is_printed_while_downloading(
    tmp_path: Path, tiny_mnist: Mirror, capfd: pytest.CaptureFixture[str]
) -> None:
    load_mnist(cache_dir=tmp_path, split_from_test=5)
    load_mnist(data_dir=tmp_path / "mnist", split_from_test=5)
    assert capfd.readouterr() == ("", "")
