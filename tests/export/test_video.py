"""WebM (VP9) and MP4 (H.264, 4:2:0 or 4:4:4), and the <video> snippet."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_pipeline import moving_line  # noqa: E402  (tests/export is on sys.path)

from vizlearn.export.animation import Animation
from vizlearn.export.video import video_html

imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")


def probe(path: Path) -> str:
    """ffmpeg's description of the video stream of ``path``."""
    run = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
    )
    return next(line for line in run.stderr.splitlines() if "Video:" in line)


@pytest.mark.parametrize(
    ("suffix", "chroma", "expected"),
    [
        (".webm", "420", ("vp9", "yuv420p")),
        (".mp4", "420", ("h264", "yuv420p")),
        (".mp4", "444", ("h264", "yuv444p")),
    ],
)
def test_video_codec_chroma_and_duration(tmp_path, suffix, chroma, expected):
    path = tmp_path / f"a{suffix}"
    Animation(moving_line(12), fps=10, hold_last_ms=800, chroma=chroma).save(path)
    stream = probe(path)
    assert all(word in stream for word in expected), stream
    n_frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert n_frames == 12 + 8 and seconds == pytest.approx(2.0, abs=0.05)
    again = tmp_path / f"b{suffix}"
    Animation(moving_line(12), fps=10, hold_last_ms=800, chroma=chroma).save(again)
    assert again.read_bytes() == path.read_bytes()


def test_video_html_falls_back_to_the_gif():
    html = video_html(
        ["fig/a.webm", "fig/a.mp4"], gif="fig/a.gif", width=600, height=450, alt='"x"'
    )
    assert html.index("video/webm") < html.index("video/mp4")
    assert '<img src="fig/a.gif"' in html and "&quot;x&quot;" in html
    assert "autoplay muted loop playsinline" in html and "http" not in html


def test_cli_chroma_444_reaches_the_mp4_and_is_refused_elsewhere(tmp_path):
    from tests.helpers import invoke

    run = ["animate", "sin-regression", "--iters", "40", "--frames", "4", "-q"]
    run += ["--size", "160x120"]
    invoke([*run, "--chroma", "444", "-o", tmp_path / "a.mp4"])
    assert "yuv444p" in probe(tmp_path / "a.mp4")
    invoke([*run, "-o", tmp_path / "b.mp4"])
    assert "yuv420p" in probe(tmp_path / "b.mp4")
    result = invoke([*run, "--chroma", "444", "-o", tmp_path / "a.gif"], 2)
    assert "--chroma applies to .mp4 files, not .gif" in result.output
    assert not (tmp_path / "a.gif").exists()
