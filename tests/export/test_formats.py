"""WebP, MP4, HTML, filmstrips, posters and fitting into a size budget."""

from __future__ import annotations

import builtins
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_pipeline import moving_line  # noqa: E402  (tests/export is on sys.path)

from vizlearn.export.animation import Animation
from vizlearn.export.filmstrip import parse_frames, save_filmstrip, save_poster
from vizlearn.export.maxsize import Setting, save_within
from vizlearn.export.provenance import read_provenance
from vizlearn.export.readback import gif_frames, read_animation_info, read_frame
from vizlearn.export.video import VideoUnavailable, repeats, write_mp4

PROVENANCE = {"lesson": "demo", "seed": 3, "config": {"lr": 0.1}}


def test_webp_is_lossless_and_streamed(tmp_path: Path):
    source = moving_line(12)
    Animation(source, fps=10, hold_last_ms=0, provenance=PROVENANCE).save(
        tmp_path / "a.webp"
    )
    info = read_animation_info(tmp_path / "a.webp")
    assert info.fmt == "webp" and info.n_frames == 12 and info.durations_ms[0] == 100
    for k, expected in zip((0, 7), source.rgba([0, 7]), strict=True):
        np.testing.assert_array_equal(
            read_frame(tmp_path / "a.webp", k)[..., :3], expected[..., :3]
        )
    assert read_provenance(tmp_path / "a.webp")[0]["lesson"] == "demo"


def test_mp4_plays_the_held_frames_and_carries_provenance(tmp_path: Path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = tmp_path / "a.mp4"
    Animation(moving_line(12), fps=10, hold_last_ms=1000, provenance=PROVENANCE).save(
        path
    )
    n_frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert n_frames == 12 + 10 and seconds == pytest.approx(2.2, abs=0.05)
    provenance, facts = read_provenance(path)
    assert facts["format"] == "MP4" and provenance["config"] == {"lr": 0.1}


def test_mp4_repeats_frames_for_holds_without_drift():
    assert repeats([100, 100, 1100, 33, 33, 33], fps=10) == [1, 1, 11, 1, 1, 1]
    assert sum(repeats([40] * 100, fps=25)) == 100


def test_mp4_without_the_extra_names_the_install_command(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_ffmpeg(name, *args, **kwargs):
        if name == "imageio_ffmpeg":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ffmpeg)
    frame = np.zeros((8, 8, 4), np.uint8)
    with pytest.raises(VideoUnavailable, match=r"pip install 'vizlearn\[video\]'"):
        write_mp4(tmp_path / "a.mp4", iter([frame]), durations_ms=[100], fps=10)


def test_html_player_embeds_the_gif(tmp_path: Path):
    path = Animation(moving_line(12), provenance=PROVENANCE).save(tmp_path / "a.html")
    page = path.read_text()
    assert (
        page.startswith("<!DOCTYPE html>")
        and 'src="data:image/gif;base64,R0lGOD' in page
    )
    assert "http://" not in page and "https://" not in page
    provenance, facts = read_provenance(path)
    assert provenance["seed"] == 3 and facts["frames"] == 12


def test_filmstrip_tiles_the_chosen_frames(tmp_path: Path):
    source = moving_line(12)
    save_filmstrip(source, [0, 5, 11], tmp_path / "s.png", provenance=PROVENANCE)
    sheet = np.asarray(Image.open(tmp_path / "s.png").convert("RGBA"))
    assert sheet.shape == (120, 3 * 160 + 2 * 8, 4)
    for i, frame in enumerate(source.rgba([0, 5, 11])):
        x = i * (160 + 8)
        np.testing.assert_array_equal(sheet[:, x : x + 160], frame)
    assert read_provenance(tmp_path / "s.png")[0]["lesson"] == "demo"


def test_filmstrip_of_many_frames_is_a_grid(tmp_path: Path):
    save_filmstrip(moving_line(12), list(range(9)), tmp_path / "g.png")
    assert Image.open(tmp_path / "g.png").size == (3 * 160 + 16, 3 * 120 + 16)


def test_parse_frames():
    assert parse_frames("0, 25,50,-1", 100) == [0, 25, 50, 99]
    with pytest.raises(ValueError, match="frame 100 is out of range; frames are 0..99"):
        parse_frames("0,100", 100)
    with pytest.raises(ValueError, match="not a list of frame numbers"):
        parse_frames("0,a", 100)


def test_poster_is_the_last_frame(tmp_path: Path):
    source = moving_line(12)
    save_poster(source, tmp_path / "p.png", provenance=PROVENANCE)
    (last,) = source.rgba([11])
    poster = np.asarray(Image.open(tmp_path / "p.png").convert("RGBA"))
    np.testing.assert_array_equal(poster, last)


def test_save_within_fits_the_budget_or_says_why(tmp_path: Path):
    anim = Animation(moving_line(), jobs=1, remake=lambda st: moving_line(style=st))
    full = anim.save(tmp_path / "full.gif").stat().st_size
    fit = save_within(anim, tmp_path / "fit.gif", int(full * 0.6))
    assert fit.n_bytes == (tmp_path / "fit.gif").stat().st_size <= full * 0.6
    assert fit.setting != Setting() and "of" in fit.describe()
    with pytest.raises(ValueError, match="cannot fit in 100 bytes"):
        save_within(anim, tmp_path / "tiny.gif", 100)
    assert {p.name for p in tmp_path.iterdir()} == {"full.gif", "fit.gif"}


def test_gif_frames_gives_each_stored_rectangle_and_its_bytes(tmp_path: Path):
    frames = [Image.new("L", (40, 30), 0), Image.new("L", (40, 30), 0)]
    frames[1].paste(200, (5, 6, 15, 10))
    path = tmp_path / "two.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=[70, 120])
    data = path.read_bytes()
    stored = gif_frames(data)
    expected = [(70, (0, 0, 40, 30)), (120, (5, 6, 10, 4))]
    assert [(f.delay_ms, f.box) for f in stored] == expected
    assert all(f.n_bytes > 18 for f in stored)  # control extension and descriptor
    assert sum(f.n_bytes for f in stored) < len(data) - 13  # minus the header
    with pytest.raises(ValueError, match="truncated GIF"):
        gif_frames(data[:-20])
