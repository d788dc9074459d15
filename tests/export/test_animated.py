"""Tests for the animation writer: GIF frame differences, WebP, APNG, atomicity."""

from __future__ import annotations

import json
import os
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import NDArray
from PIL import Image

from vizlearn.export.animated import save_animation
from vizlearn.export.palette import build_palette
from vizlearn.export.readback import read_animation_info, read_frame
from vizlearn.files import atomic_path

H, W, N = 72, 96, 12
WHITE, GRID, BLACK = (255, 255, 255), (176, 176, 176), (0, 0, 0)
BLUE = np.array([31, 119, 180], np.float64)


def chart(k: int, n: int = N, *, transparent: bool = False) -> NDArray[np.uint8]:
    """Frame ``k``: grid, a text block and an antialiased blue curve that moves."""
    img = np.zeros((H, W, 4), np.uint8)
    img[..., :3] = WHITE
    img[..., 3] = 0 if transparent else 255
    img[::12] = img[:, ::16] = (*GRID, 255)
    img[2:8, 4:40] = (*BLACK, 255)
    img[4, 6:38:3] = (*WHITE, 255)  # "letters"
    x = np.arange(W)
    curve = H / 2 + H / 4 * np.sin(x / 10 + k / 2)
    cover = np.clip(1.5 - np.abs(np.arange(H)[:, None] - curve), 0, 1)
    cover[:, x > (k + 1) * W / n] = 0  # the curve grows over the frames
    rgb = img[..., :3] * (1 - cover[..., None]) + BLUE * cover[..., None]
    img[..., :3] = np.rint(rgb).astype(np.uint8)
    if transparent:
        img[cover >= 0.5, 3] = 255
    return img


def frames(n: int = N, **kwargs: bool) -> Iterator[NDArray[np.uint8]]:
    """Yield ``n`` chart frames lazily."""
    return (chart(k, n, **kwargs) for k in range(n))


def palette_of(path: Path) -> set[tuple[int, int, int]]:
    """Return the colours of the global palette of a GIF."""
    with Image.open(path) as im:
        flat = im.getpalette() or []
    return {tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)}


def test_gif_frames_durations_and_loop(tmp_path: Path) -> None:
    path = tmp_path / "a.gif"
    durations = [1000] + [33] * (N - 2) + [2000]  # hold the first and last frame
    info = save_animation(path, frames(), durations_ms=durations, loop=0)
    assert info.fmt == "gif" and info.n_frames == N and info.size == (W, H)
    # a running total: frame i ends at the tick nearest to the sum of its durations
    ends = np.cumsum(info.durations_ms)
    assert (np.abs(ends - np.cumsum(durations)) <= 5).all()
    assert set(info.durations_ms[1:-1]) == {30, 40}
    assert info.loop == 0 and info.n_bytes == path.stat().st_size
    assert read_animation_info(path) == info
    with Image.open(path) as im:  # Pillow agrees
        assert im.n_frames == N and im.info["loop"] == 0


@pytest.mark.parametrize(
    ("given", "stored"),
    [(0, 20), (14, 20), (24, 20), (25, 30), (33, 30), (35, 40), (1005, 1010)],
)
def test_gif_durations_round_to_10ms_at_least_20(
    tmp_path: Path, given: int, stored: int
) -> None:
    info = save_animation(tmp_path / "a.gif", frames(2), durations_ms=[given, 100])
    # the second frame gives back what the 20 ms minimum took: the total holds
    total = (given + 100 + 5) // 10 * 10
    assert info.durations_ms == (stored, total - stored)


def test_gif_constant_durations_keep_the_running_total(tmp_path: Path) -> None:
    info = save_animation(tmp_path / "a.gif", frames(), durations_ms=33)
    assert sum(info.durations_ms) == (33 * N + 5) // 10 * 10


@pytest.mark.parametrize(("loop", "netscape"), [(0, 0), (1, None), (3, 2)])
def test_gif_loop_is_number_of_plays(tmp_path: Path, loop: int, netscape: int) -> None:
    path = tmp_path / "a.gif"
    assert save_animation(path, frames(3), durations_ms=50, loop=loop).loop == loop
    with Image.open(path) as im:
        assert im.info.get("loop") == netscape


def test_gif_comment_and_metadata_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "a.gif"
    comment = json.dumps({"lesson": "sin-regression", "lr": 0.1, "note": "é" * 300})
    metadata = {"Software": "vizlearn", "Source": "trace.npz"}
    info = save_animation(
        path, frames(3), durations_ms=50, comment=comment, metadata=metadata
    )
    assert info.comment == comment and dict(info.metadata) == metadata
    with Image.open(path) as im:
        assert im.info["comment"].startswith(comment.encode())


def test_gif_frames_equal_quantized_input(tmp_path: Path) -> None:
    path = tmp_path / "a.gif"
    first, last = chart(0), chart(N - 1)
    save_animation(path, frames(), durations_ms=40, palette_frames=[first, last])
    palette = palette_of(path)
    assert {WHITE, GRID, BLACK, tuple(BLUE.astype(int))} <= palette
    for k in range(N):
        out, expected = read_frame(path, k), chart(k)
        in_palette = np.array(
            [tuple(c) in palette for c in expected[..., :3].reshape(-1, 3)]
        )
        in_palette = in_palette.reshape(H, W)
        assert (out[..., 3] == 255).all()
        assert (out[in_palette] == expected[in_palette]).all(), k
        diff = np.abs(out[..., :3].astype(int) - expected[..., :3])
        assert diff.max() <= 40, k
    for k, frame in ((0, first), (N - 1, last)):  # few colours: all exact
        assert len(np.unique(frame.reshape(-1, 4), axis=0)) <= 255
        assert (read_frame(path, k) == frame).all()


def test_palette_keeps_frequent_colours_exact() -> None:
    rng = np.random.default_rng(0)
    frame = np.full((64, 64, 4), 255, np.uint8)
    frame[:32, :, :3] = GRID
    frame[40:, :, :3] = rng.integers(0, 256, (24, 64, 3))  # 1500 rare colours
    palette = build_palette([frame])
    assert len(palette.colors) <= 255 and palette.transparent_index < 256
    assert {WHITE, GRID} <= {tuple(c) for c in palette.colors.tolist()}
    mapped = palette.colors[palette.index(frame, transparent=False)]
    assert (mapped[:40] == frame[:40, :, :3]).all()
    assert np.abs(mapped.astype(int) - frame[..., :3]).max() < 80


@pytest.mark.parametrize("n_colors", [7, 15, 23])
def test_small_palettes_keep_the_colour_of_a_thin_line(n_colors: int) -> None:
    frame = np.full((120, 120, 4), 255, np.uint8)
    frame[::10, :, :3] = GRID
    frame[60:64, :, :3] = RED = (214, 39, 40)  # a thick red curve and its shades
    for row, alpha in zip(range(40, 60), np.linspace(0.05, 0.95, 20), strict=True):
        frame[row, :, :3] = np.rint(255 * (1 - alpha) + np.array(RED) * alpha)
    frame[100, :12, :3] = GREEN = (44, 160, 44)  # a short green dash: 12 pixels
    colors = {tuple(c) for c in build_palette([frame], max_colors=n_colors).colors}
    assert len(colors) <= n_colors and {WHITE, GRID, RED, GREEN} <= colors


def test_identical_frames_are_kept_as_tiny_frames(tmp_path: Path) -> None:
    path = tmp_path / "a.gif"
    a, b = chart(0), chart(5)
    durations = [100, 200, 300, 40, 50]
    info = save_animation(
        path, [a, a, a, b, b], durations_ms=durations, palette_frames=[a, b]
    )
    assert info.n_frames == 5 and info.durations_ms == (100, 200, 300, 40, 50)
    for k, expected in enumerate([a, a, a, b, b]):
        assert (read_frame(path, k) == expected).all()
    two = save_animation(
        tmp_path / "b.gif", [a, b], durations_ms=50, palette_frames=[a, b]
    )
    assert info.n_bytes - two.n_bytes < 3 * 40  # a repeat costs a tiny frame


def test_transparent_frames_do_not_accumulate(tmp_path: Path) -> None:
    path = tmp_path / "a.gif"
    save_animation(path, frames(transparent=True), durations_ms=50, transparent=True)
    for k in range(N):
        out, expected = read_frame(path, k), chart(k, transparent=True)
        clear = expected[..., 3] == 0
        assert (out[clear, 3] == 0).all(), k  # includes where frame k-1 had the curve
        assert (out[~clear, 3] == 255).all(), k
    was_curve = (chart(3, transparent=True)[..., 3] > 0) & (
        chart(4, transparent=True)[..., 3] == 0
    )
    assert was_curve.any() and (read_frame(path, 4)[was_curve, 3] == 0).all()


@pytest.mark.parametrize("suffix", [".gif", ".webp", ".png"])
def test_same_frames_give_identical_bytes(tmp_path: Path, suffix: str) -> None:
    one, two = tmp_path / f"one{suffix}", tmp_path / f"two{suffix}"
    for path in (one, two):
        save_animation(
            path, frames(), durations_ms=40, comment="c", metadata={"k": "v"}
        )
    assert one.read_bytes() == two.read_bytes()


def failing_frames(n_ok: int, error: BaseException) -> Iterator[NDArray[np.uint8]]:
    """Yield ``n_ok`` frames, then raise ``error``."""
    yield from frames(n_ok)
    raise error


@pytest.mark.parametrize("suffix", [".gif", ".webp", ".png"])
@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failed_write_leaves_nothing(
    tmp_path: Path, suffix: str, error: BaseException
) -> None:
    path = tmp_path / f"a{suffix}"
    with pytest.raises(type(error)):
        save_animation(path, failing_frames(3, error), durations_ms=40)
    assert list(tmp_path.iterdir()) == []
    path.write_bytes(b"old")
    with pytest.raises(type(error)):
        save_animation(path, failing_frames(3, error), durations_ms=40)
    assert list(tmp_path.iterdir()) == [path] and path.read_bytes() == b"old"


def test_atomic_path_replaces_only_on_success(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    with atomic_path(path) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.bin.")
        tmp.write_bytes(b"new")
        assert not path.exists()
    assert path.read_bytes() == b"new" and list(tmp_path.iterdir()) == [path]
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(("suffix", "fmt"), [(".webp", "webp"), (".png", "apng")])
def test_webp_and_apng_round_trip(tmp_path: Path, suffix: str, fmt: str) -> None:
    path = tmp_path / f"a{suffix}"
    durations = [500] + [40] * (N - 2) + [1500]
    info = save_animation(
        path, frames(), durations_ms=durations, loop=2, comment="c", metadata={"k": "v"}
    )
    assert (info.fmt, info.n_frames, info.loop) == (fmt, N, 2)
    assert info.durations_ms == tuple(durations)
    assert info.comment == "c" and dict(info.metadata) == {"k": "v"}
    for k in (0, N // 2, N - 1):
        assert (read_frame(path, k) == chart(k)).all()  # lossless


@pytest.mark.parametrize("suffix", [".webp", ".png"])
def test_webp_and_apng_keep_alpha(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    save_animation(path, frames(transparent=True), durations_ms=40, transparent=True)
    for k in (3, 4):
        out, expected = read_frame(path, k), chart(k, transparent=True)
        visible = expected[..., 3] > 0  # WebP may change the RGB of invisible pixels
        assert (out[..., 3] == expected[..., 3]).all()
        assert (out[visible] == expected[visible]).all()


def test_gif_writer_holds_no_old_frames(tmp_path: Path) -> None:
    alive: list[weakref.ref[np.ndarray]] = []

    def tracked() -> Iterator[NDArray[np.uint8]]:
        for k in range(N):
            assert sum(ref() is not None for ref in alive) <= 1, k
            frame = chart(k)
            alive.append(weakref.ref(frame))
            yield frame

    info = save_animation(tmp_path / "a.gif", tracked(), durations_ms=40)
    assert info.n_frames == N


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": "a.mp4"}, "fmt must be one of"),
        ({"durations_ms": [40] * (N - 1)}, "durations"),
        ({"durations_ms": [40] * (N + 1)}, "durations"),
        ({"loop": -1}, "loop"),
        ({"frames": []}, "no frames"),
        ({"frames": [chart(0), chart(1)[:-1]]}, "shape"),
    ],
)
@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_bad_arguments_raise_and_write_nothing(
    tmp_path: Path, kwargs: dict, message: str, suffix: str
) -> None:
    args = {"path": f"a{suffix}", "frames": frames(), "durations_ms": 40} | kwargs
    args["path"] = tmp_path / args["path"]
    with pytest.raises(ValueError, match=message):
        save_animation(**args)
    assert list(tmp_path.iterdir()) == []


COLORS = np.array(
    [[255, 255, 255, 255], [176, 176, 176, 255], [31, 119, 180, 255], [0, 0, 0, 0]],
    np.uint8,
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        arrays(np.uint8, (6, 9), elements=st.integers(0, 3)), min_size=1, max_size=6
    ),
    st.booleans(),
)
def test_any_sequence_round_trips_exactly(
    codes: list[NDArray[np.uint8]], transparent: bool
) -> None:
    stack = [COLORS[c] for c in codes]
    if not transparent:
        for frame in stack:
            frame[..., 3] = 255  # the fourth colour becomes opaque black
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "a.gif")
        info = save_animation(
            path,
            iter(stack),
            durations_ms=30,
            palette_frames=stack,
            transparent=transparent,
        )
        assert info.n_frames == len(stack)
        for k, expected in enumerate(stack):
            out = read_frame(path, k)
            visible = expected[..., 3] == 255
            assert (out[..., 3] == expected[..., 3]).all(), k
            assert (out[visible] == expected[visible]).all(), k
