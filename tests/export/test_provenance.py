"""Provenance in every format: written, read back, never machine-specific."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure
from PIL import Image
from test_pipeline import moving_line

from vizlearn.export.animation import Animation
from vizlearn.export.provenance import (
    ProvenanceError,
    clean,
    provenance_text,
    read_provenance,
)
from vizlearn.export.still import save_figure

PROVENANCE = {
    "lesson": "sin-regression",
    "seed": 7,
    "vizlearn": "0.1.0",
    "config": {"lr": 0.2, "note": '(a) "b" <c> & d\'', "data_dir": "/home/me/mnist"},
}


def figure() -> Figure:
    fig = Figure(figsize=(2, 1.5), dpi=50)
    fig.subplots().plot([0, 1], [1, 0])
    return fig


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_stills_carry_provenance(tmp_path: Path, suffix: str):
    path = save_figure(figure(), tmp_path / f"a{suffix}", provenance=PROVENANCE)
    provenance, facts = read_provenance(path)
    assert provenance["seed"] == 7 and provenance["config"]["lr"] == 0.2
    assert provenance["config"]["note"] == PROVENANCE["config"]["note"]  # escaped
    assert "data_dir" not in provenance["config"]  # no paths
    assert facts["format"] == suffix[1:].upper()


FORMATS = [(".gif", "GIF"), (".webp", "WebP"), (".png", "APNG")]


@pytest.mark.parametrize(("suffix", "fmt"), FORMATS)
def test_animations_carry_provenance_and_style(tmp_path: Path, suffix: str, fmt: str):
    path = Animation(moving_line(12), provenance=PROVENANCE).save(
        tmp_path / f"a{suffix}"
    )
    provenance, facts = read_provenance(path)
    assert provenance["lesson"] == "sin-regression" and provenance["seed"] == 7
    assert provenance["style"] == {
        "theme": "light",
        "lang": "en",
        "width": 160,
        "height": 120,
        "dpi": 40,
    }
    assert facts["format"] == fmt and facts["frames"] == 12
    assert facts["size"] == [160, 120]


def test_provenance_text_is_stable_and_clean():
    text = provenance_text(PROVENANCE)
    assert text == provenance_text(dict(reversed(list(PROVENANCE.items()))))
    assert "/home" not in text and text.isascii()
    assert clean({"out": "figs/a.gif", "cache_dir": "x", "k": 1}) == {"k": 1}


def test_files_without_provenance_or_not_images_are_refused(tmp_path: Path):
    Image.new("RGB", (4, 4)).save(tmp_path / "plain.png")
    with pytest.raises(ProvenanceError, match="plain.png .PNG. holds no vizlearn"):
        read_provenance(tmp_path / "plain.png")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ProvenanceError, match="not a PNG, GIF, WebP"):
        read_provenance(tmp_path / "notes.txt")
    with pytest.raises(ProvenanceError, match="cannot read"):
        read_provenance(tmp_path / "missing.gif")
    good = Animation(moving_line(12), provenance=PROVENANCE).save(tmp_path / "a.gif")
    (tmp_path / "cut.gif").write_bytes(good.read_bytes()[:200])
    with pytest.raises(ProvenanceError, match="cut.gif"):
        read_provenance(tmp_path / "cut.gif")
