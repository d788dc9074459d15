"""Rendering and encoding in worker processes: same bytes for any --jobs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.helpers import alone
from vizlearn.export.animation import Animation, frame_durations, plan_frames
from vizlearn.export.pipeline import encode_frames
from vizlearn.export.readback import read_animation_info, read_frame
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style

N = 40


def moving_line(
    n: int = N, theme: str = "light", style: Style | None = None
) -> FrameSource:
    """A small chart: a sine that shifts, a dot and a title that counts."""
    style = style or Style(theme=theme, width=160, height=120, dpi=40)
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        x = np.linspace(0, 1, 50)
        (line,) = ax.plot(x, np.sin(6 * x), lw=2)
        (dot,) = ax.plot([0], [0], "o")
        ax.set(xlim=(0, 1), ylim=(-1.2, 1.2))
        title = ax.set_title(" ")

    def update(k: int):
        line.set_ydata(np.sin(6 * x + k / 5))
        dot.set_data([k / n], [0])
        title.set_text(f"frame {k}")
        return [line, dot, title]

    return FrameSource(fig, update, n, style)


@pytest.mark.parametrize("suffix", [".gif", ".png"])
def test_bytes_do_not_depend_on_jobs(tmp_path: Path, suffix: str):
    files = []
    for jobs in (1, 2, 3):
        path = tmp_path / f"j{jobs}{suffix}"
        Animation(moving_line(), fps=20, jobs=jobs).save(path)
        files.append(path.read_bytes())
    assert files[0] == files[1] == files[2]
    info = read_animation_info(tmp_path / f"j1{suffix}")
    assert info.n_frames == N and info.size == (160, 120)


def test_apng_frames_are_exact_and_gif_frames_near(tmp_path: Path):
    source = moving_line()
    Animation(source, jobs=2).save(tmp_path / "a.png")
    Animation(source, jobs=2).save(tmp_path / "a.gif")
    for k, expected in zip(
        (0, 13, 14, N - 1), source.rgba([0, 13, 14, N - 1]), strict=True
    ):
        np.testing.assert_array_equal(read_frame(tmp_path / "a.png", k), expected)
        gif = read_frame(tmp_path / "a.gif", k).astype(int)
        assert np.abs(gif[..., :3] - expected[..., :3]).max() <= 48, k


@alone
def test_worker_errors_reach_the_caller():
    source = moving_line()
    update = source.update

    def broken(k: int):
        if k == N - 3:
            raise ValueError("boom at frame 37")
        return update(k)

    source.update = broken

    class Encoder:
        def add(self, pixels, boxes, position, emit=True):
            return b"x"

        def summary(self):
            return None

        def finish(self, shared):
            return iter(())

    class Codec:
        def encoder(self):
            return Encoder()

        def combine(self, summaries):
            return None

    with pytest.raises(RuntimeError, match="boom at frame 37"):
        list(encode_frames(source, list(range(N)), Codec(), jobs=2))


def test_holds_and_stride_keep_the_total_time():
    durations = frame_durations(
        10, 10, hold_first_ms=500, hold_last_ms=2000, holds={4: 1000, -2: 300}
    )
    assert durations == [600, 100, 100, 100, 1100, 100, 100, 100, 400, 2100]
    indices, kept = plan_frames(durations, stride=3)
    assert indices == [0, 3, 6, 9]
    assert kept == [800, 1300, 600, 2100] and sum(kept) == sum(durations)
    with pytest.raises(ValueError, match="--hold: frame 10 is out of range"):
        frame_durations(10, 10, holds={10: 100})


def test_frame_durations_keep_a_running_total():
    assert frame_durations(6, 30) == [33, 34, 33, 33, 34, 33]
    assert sum(frame_durations(100, 30)) == 3333


@pytest.mark.parametrize(("fps", "n_stored"), [(10, 100), (30, 100), (60, 67)])
def test_gif_lasts_frames_over_fps_within_one_tick(
    tmp_path: Path, fps: float, n_stored: int
):
    """100 frames at 30 fps last 3.33 s (not 3.0); at 60 fps 1.67 s (not 2.0)."""
    anim = Animation(moving_line(100), fps=fps, hold_last_ms=0, jobs=1)
    info = read_animation_info(anim.save(tmp_path / "a.gif"))
    assert abs(sum(info.durations_ms) - 100_000 / fps) <= 10
    # browsers play delays under 20 ms as 100 ms: above 50 fps frames are skipped
    assert info.n_frames == n_stored and min(info.durations_ms) >= 20
    if fps == 60:
        (expected,) = moving_line(100).rgba([99])  # the last frame is always kept
        got = read_frame(tmp_path / "a.gif", n_stored - 1).astype(int)
        assert np.abs(got[..., :3] - expected[..., :3]).max() <= 48


def test_held_frames_are_written_with_their_time(tmp_path: Path):
    anim = Animation(moving_line(12), fps=10, hold_last_ms=0, holds={5: 1000}, jobs=1)
    info = read_animation_info(anim.save(tmp_path / "a.gif"))
    assert info.durations_ms[5] == 1100 and info.durations_ms[4] == 100


def test_transparent_gif_does_not_keep_old_frames(tmp_path: Path):
    source = moving_line(theme="transparent")
    Animation(source, jobs=1).save(tmp_path / "t.gif")
    for k, expected in zip(range(N), source.rgba(), strict=True):
        clear = expected[..., 3] < 128
        got = read_frame(tmp_path / "t.gif", k)
        assert clear.any() and (got[clear, 3] == 0).all(), k
        assert (got[~clear, 3] == 255).all(), k


def test_values_cross_the_pipes_as_arrays_never_pickles():
    import re
    from pathlib import Path

    import numpy as np

    from vizlearn.export.pipeline import pack, unpack

    keys, counts = np.arange(5, dtype=np.uint32), np.arange(5, dtype=np.int64) * 3
    back = unpack(pack((keys, counts)))
    assert isinstance(back, tuple) and len(back) == 2
    np.testing.assert_array_equal(back[0], keys)
    assert back[1].dtype == np.int64
    assert unpack(pack(None)) is None
    colors = np.zeros((3, 3), np.uint8)
    np.testing.assert_array_equal(unpack(pack(colors)), colors)
    with pytest.raises(ValueError, match="allow_pickle=False"):
        pack(np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="not a packed value"):
        unpack(b"\x80\x04pickle")
    # and nowhere in the package is anything unpickled
    root = Path(__file__).parents[2] / "vizlearn"
    found = [
        f"{path.relative_to(root)}: {m.group(0)}"
        for path in root.rglob("*.py")
        for m in re.finditer(
            r"pickle\.loads?\(|allow_pickle\s*=\s*True|import pickle",
            path.read_text(encoding="utf-8"),
        )
    ]
    assert found == []
