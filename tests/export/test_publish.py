"""publish: each target's file passes that platform's limits, and its snippet."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from test_pipeline import moving_line  # noqa: E402  (tests/export is on sys.path)

from vizlearn.export.animation import Animation
from vizlearn.export.publish import PLATFORMS, publish
from vizlearn.export.readback import read_animation_info
from vizlearn.style import Style


def small(n: int = 24, style: Style | None = None) -> Animation:
    anim = Animation(moving_line(n, style=style), fps=10, hold_last_ms=500)
    anim.remake = lambda s: moving_line(n, style=s)
    return anim


@pytest.mark.parametrize("target", ["zenn", "qiita", "hatena", "github", "slides"])
def test_gif_targets_meet_their_limits(tmp_path: Path, target: str):
    rules = PLATFORMS[target]
    done = publish(small(), target, tmp_path, name="fit", alt="a [fit]", caption="c")
    (path,) = done.files
    info = read_animation_info(path)
    assert info.fmt == "gif" and info.loop == 0 and info.n_frames == 24
    assert path.stat().st_size <= rules.max_bytes
    width, height = info.size
    assert rules.max_side is None or max(width, height) <= rules.max_side
    assert rules.max_pixels is None or width * height <= rules.max_pixels
    assert done.chosen.startswith("GIF, ")
    assert "fit.gif" in done.snippet and rules.source


def test_zenn_snippet_and_a_budget_that_needs_fewer_frames(tmp_path, monkeypatch):
    monkeypatch.setitem(
        PLATFORMS,
        "zenn",
        PLATFORMS["zenn"].__class__(
            **{**PLATFORMS["zenn"].__dict__, "max_bytes": 12_000}
        ),
    )
    done = publish(small(60), "zenn", tmp_path, name="x", alt="fit", caption="cap")
    width = read_animation_info(tmp_path / "x.gif").size[0]
    assert done.snippet == f"![fit](/images/x.gif ={width}x)\n*cap*"
    assert (tmp_path / "x.gif").stat().st_size <= 12_000
    assert "every" in done.chosen or "colours" in done.chosen


def test_hatena_long_side_is_redrawn_smaller(tmp_path, monkeypatch):
    monkeypatch.setitem(
        PLATFORMS,
        "hatena",
        PLATFORMS["hatena"].__class__(
            **{**PLATFORMS["hatena"].__dict__, "max_side": 100}
        ),
    )
    done = publish(small(), "hatena", tmp_path, name="h")
    assert max(read_animation_info(done.files[0]).size) <= 100


def test_pptx_holds_the_mp4_poster_and_notes(tmp_path: Path):
    pytest.importorskip("imageio_ffmpeg")
    pptx = pytest.importorskip("pptx")
    done = publish(small(), "pptx", tmp_path, name="deck", caption="学習の様子")
    video, poster, deck = done.files
    assert video.suffix == ".mp4" and poster.suffix == ".png" and deck.suffix == ".pptx"
    with Image.open(poster) as im:
        assert im.size == (160, 120)
    slides = pptx.Presentation(str(deck)).slides
    assert len(slides) == 1
    (slide,) = slides
    assert slide.notes_slide.notes_text_frame.text == "学習の様子"
    assert any(shape.shape_type == 16 for shape in slide.shapes)  # MEDIA
    assert "<video" in done.snippet and "deck.mp4" in done.snippet


def test_unknown_target_names_the_choices(tmp_path: Path):
    with pytest.raises(ValueError, match="zenn, qiita, hatena, github, slides, pptx"):
        publish(small(), "tumblr", tmp_path)
