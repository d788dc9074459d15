"""The export options of `vizlearn animate` / `render`, and `vizlearn info`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers import invoke
from vizlearn.export.readback import read_animation_info, read_frame

FAST = ["--iters", "300", "--frames", "6", "--size", "320x240", "--dpi", "50", "-q"]
ANIMATE = ["animate", "sin-regression", *FAST]


def test_hold_chosen_frames(tmp_path: Path):
    out = tmp_path / "a.gif"
    invoke([*ANIMATE, "--hold", "2=1s,-2=500ms", "--hold", "2=200ms", "-o", out])
    assert read_animation_info(out).durations_ms == (100, 100, 1300, 100, 600, 2100)


def test_apng_webp_html_and_mp4_outputs(tmp_path: Path):
    for name, fmt in [("a.png", "apng"), ("a.apng", "apng"), ("a.webp", "webp")]:
        invoke([*ANIMATE, "-o", tmp_path / name])
        info = read_animation_info(tmp_path / name)
        assert (info.fmt, info.n_frames) == (fmt, 6), name
    invoke([*ANIMATE, "-o", tmp_path / "a.html"])
    assert 'src="data:image/gif;base64,R0lGOD' in (tmp_path / "a.html").read_text()
    pytest.importorskip("imageio_ffmpeg")
    invoke([*ANIMATE, "-o", tmp_path / "a.mp4"])
    assert (tmp_path / "a.mp4").read_bytes()[4:8] == b"ftyp"


def test_mp4_without_the_extra_exits_1_naming_the_install(tmp_path, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec

    def without_ffmpeg(name, *args):
        return None if name == "imageio_ffmpeg" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_ffmpeg)
    result = invoke([*ANIMATE, "-o", tmp_path / "a.mp4"], expected=1)
    assert result.output.strip() == (
        "Error: MP4 needs the optional extra: pip install 'vizlearn[video]'"
    )
    assert list(tmp_path.iterdir()) == []


def test_filmstrip_and_poster(tmp_path: Path):
    strip, gif, poster = tmp_path / "s.png", tmp_path / "a.gif", tmp_path / "p.png"
    invoke([*ANIMATE, "--filmstrip", "0,3,-1", "-o", strip])
    assert Image.open(strip).size == (3 * 320 + 2 * 8, 240)
    invoke([*ANIMATE, "-o", gif, "--poster", poster, "--poster-frame", "-1"])
    last = read_frame(gif, 5)
    got = np.asarray(Image.open(poster).convert("RGBA")).astype(int)
    assert got.shape == last.shape and np.abs(got - last).max() <= 48


def test_max_size_reports_what_it_did(tmp_path: Path):
    out = tmp_path / "a.gif"
    result = invoke(
        [
            *ANIMATE,
            "--frames",
            "24",
            "--iters",
            "600",
            "--max-size",
            "60KB",
            "-o",
            out,
            "--json",
        ]
    )
    summary = json.loads(result.output)
    assert summary["bytes"][str(out)] == out.stat().st_size <= 60_000
    assert "of 60 KB" in summary["fitted"]
    result = invoke([*ANIMATE, "--max-size", "1KB", "-o", tmp_path / "b.gif"], 1)
    assert "cannot fit in 1,000 bytes" in result.output
    assert not (tmp_path / "b.gif").exists()


def test_colors_set_the_gif_palette_and_cap_max_size(tmp_path: Path):
    args = [*ANIMATE, "--frames", "12", "--iters", "600"]
    invoke([*args, "-o", tmp_path / "all.gif"])
    invoke([*args, "--colors", "15", "-o", tmp_path / "15.gif"])
    with Image.open(tmp_path / "15.gif") as im:
        n_entries = len(im.global_palette.palette) // 3  # 15 + transparent, padded
    assert n_entries == 16
    assert (tmp_path / "15.gif").stat().st_size < (tmp_path / "all.gif").stat().st_size
    out = tmp_path / "fit.gif"
    result = invoke(
        [*args, "--colors", "31", "--max-size", "25KB", "-o", out, "--json"]
    )
    assert json.loads(result.output)["fitted"].endswith(", 31 colours")


def test_jobs_give_the_same_file(tmp_path: Path):
    args = [*ANIMATE, "--frames", "30", "--iters", "600"]
    invoke([*args, "--jobs", "1", "-o", tmp_path / "1.gif"])
    invoke([*args, "--jobs", "2", "-o", tmp_path / "2.gif"])
    assert (tmp_path / "1.gif").read_bytes() == (tmp_path / "2.gif").read_bytes()


def test_transparent_theme_frames_do_not_pile_up(tmp_path: Path):
    out = tmp_path / "t.gif"
    invoke([*ANIMATE, "--theme", "transparent", "-o", out])
    first, last = read_frame(out, 0), read_frame(out, 5)
    background = (first[..., 3] == 0) & (last[..., 3] == 0)
    assert background.mean() > 0.5  # most of the figure stays see-through
    moved = (first[..., 3] > 0) & (last[..., 3] == 0)
    assert moved.sum() > 50  # the first frame's curve is gone in the last


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hold", "40"], "'40' is not FRAME=TIME"),
        (["--hold", "9=1s"], "frame 9 is out of range; frames are 0..5"),
        (["--hold", "2=forever"], "'forever' is not a duration"),
        (["--max-size", "big"], "'big' is not a size like 5MB"),
        (["--filmstrip", "0,7", "-o", "s.png"], "frame 7 is out of range"),
        (["--filmstrip", "0,1", "-o", "x.gif"], "a filmstrip is a PNG"),
        (["--poster", "p.jpg"], "--poster: the poster is a PNG"),
        (["--jobs", "0"], "--jobs must be >= 1, got 0"),
        (["--colors", "1"], "--colors must be >= 2, got 1"),
        (["--hold-first", "nan"], "--hold-first: 'nan' is not a duration"),
        (["--max-size", "9" * 400], "is not a size like 5MB"),
        (["--colors", "63", "-o", "x.webp"], "--colors sets a GIF palette"),
        (["-o", "x.avi"], "use one of .gif, .webp, .png, .apng, .mp4, .webm, .html"),
    ],
)
def test_bad_export_options_are_usage_errors(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = invoke([*ANIMATE, *args], expected=2)
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_render_from_a_trace_with_export_options(tmp_path: Path):
    trace = tmp_path / "run.npz"
    invoke(
        [
            "train",
            "sin-regression",
            "--iters",
            "300",
            "--frames",
            "6",
            "-q",
            "-o",
            trace,
        ]
    )
    out = tmp_path / "r.apng"
    invoke(
        [
            "render",
            trace,
            "--size",
            "320x240",
            "--dpi",
            "50",
            "-q",
            "--hold",
            "0=1s",
            "-o",
            out,
        ]
    )
    assert read_animation_info(out).durations_ms[0] == 1100
    invoke(
        [
            "render",
            trace,
            "--size",
            "320x240",
            "--dpi",
            "50",
            "-q",
            "--filmstrip",
            "0,-1",
            "-o",
            tmp_path / "s.png",
        ]
    )
    result = invoke(
        [
            "render",
            trace,
            "--kind",
            "loss",
            "--max-size",
            "5MB",
            "-o",
            tmp_path / "l.png",
        ],
        expected=2,
    )
    assert "--max-size applies to animations" in result.output


def test_info_prints_where_a_file_came_from(tmp_path: Path):
    out = tmp_path / "a.gif"
    invoke([*ANIMATE, "--seed", "4", "--lr", "0.3", "-o", out])
    text = invoke(["info", out]).output
    assert "lesson         sin-regression" in text and "seed           4" in text
    assert "lr=0.3" in text and "(GIF, 320x240 px, 6 frames" in text
    data = json.loads(invoke(["info", out, "--json"]).output)
    assert data["provenance"]["config"]["lr"] == 0.3
    assert data["provenance"]["style"]["width"] == 320
    assert data["file"]["frames"] == 6 and str(tmp_path) not in json.dumps(data)


def test_info_errors(tmp_path: Path):
    Image.new("RGB", (4, 4)).save(tmp_path / "plain.png")
    result = invoke(["info", tmp_path / "plain.png"], expected=1)
    assert "holds no vizlearn provenance" in result.output
    (tmp_path / "x.txt").write_text("hi")
    assert "not a PNG, GIF" in invoke(["info", tmp_path / "x.txt"], 1).output
    assert "does not exist" in invoke(["info", tmp_path / "no.gif"], 2).output


def test_publish_writes_what_the_platform_takes_and_prints_the_snippet(tmp_path):
    from vizlearn.cli.publish import TARGETS
    from vizlearn.export.publish import PLATFORMS

    assert TARGETS == tuple(PLATFORMS)
    result = invoke(
        [
            "publish",
            "sin-regression",
            "--target",
            "zenn",
            "--iters",
            "200",
            "--frames",
            "5",
            "--folder",
            str(tmp_path),
            "-q",
        ]
    )
    gif = tmp_path / "sin-regression.gif"
    assert gif.stat().st_size <= PLATFORMS["zenn"].max_bytes
    assert result.output.strip().endswith("(/images/sin-regression.gif =600x)")
    bad = invoke(["publish", "weight-init", "--target", "zenn"], expected=2)
    assert "draws stills only" in bad.output
