"""The gallery without a browser: registry, files, page content, CLI."""

from __future__ import annotations

import json
import re
import shlex
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import locked, session_dir
from vizlearn.cli import cli
from vizlearn.export.html import Card, human_size, picture_html, player_html
from vizlearn.export.readback import read_animation_info
from vizlearn.gallery import (
    GalleryResult,
    build_gallery,
    command_for,
    entries,
    needs_mnist,
)

ENTRIES = entries()

SIN = ["sin-regression", "fit", "loss", "params", "fit-ja-dark"]


def quick_gallery(tmp_path_factory) -> tuple[Path, GalleryResult]:
    """Every entry, quick, built once per test session (the browser tests share it).

    Under pytest-xdist the first worker to ask builds it and writes what it
    built to ``result.json``; the others wait on the lock and read that.
    """
    root = session_dir(tmp_path_factory)
    out, done = root / "quick-gallery", root / "quick-gallery.json"
    with locked(root / "quick-gallery.lock"):
        if not done.exists():
            result = build_gallery(out, quick=True)
            fields = {
                "index": str(result.index),
                "files": [str(p) for p in result.files],
                "entries": list(result.entries),
                "skipped": list(result.skipped),
            }
            done.write_text(json.dumps(fields), encoding="utf-8")
    fields = json.loads(done.read_text(encoding="utf-8"))
    result = GalleryResult(
        Path(fields["index"]),
        tuple(Path(p) for p in fields["files"]),
        tuple(fields["entries"]),
        tuple(fields["skipped"]),
    )
    return out, result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return quick_gallery(tmp_path_factory)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(text: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def test_registry_has_the_sin_regression_figures_and_the_other_lessons():
    assert SIN == list(ENTRIES)[: len(SIN)]
    others = {
        "optimizers",
        "boundary",
        "weight-init",
        "vanishing-gradients",
        "samplers",
        "sweep",
    }
    assert others <= set(ENTRIES)
    for e in ENTRIES.values():
        assert all(e.item.caption) and all(e.item.alt), e.name
        assert command_for(e).startswith("vizlearn "), e.name


def test_files_written_and_listed_with_sizes(built):
    out, result = built
    names = sorted(p.name for p in result.files)
    expected = []
    assert set(result.entries) | set(result.skipped) == set(ENTRIES)
    assert all(needs_mnist(ENTRIES[n].lesson, {}) for n in result.skipped)
    for e in (ENTRIES[name] for name in result.entries):
        if e.item.animated:
            expected.append(f"{e.name}.gif")
            webp = out / f"{e.name}.webp"
            if webp.exists():  # kept only where it is smaller than the GIF
                assert webp.stat().st_size < (out / f"{e.name}.gif").stat().st_size
                expected.append(webp.name)
        else:
            expected.append(f"{e.name}.png")
        if e.item.player:
            expected.append(f"{e.name}-player.html")
    assert names == sorted(expected)
    for name in ("sin-regression.gif", "fit.png", "optimizers.gif", "sweep.png"):
        assert name in names
    info = read_animation_info(out / "sin-regression.gif")
    assert info.n_frames == 8 and info.size == (800, 600)
    page = (out / "index.html").read_text(encoding="utf-8")
    for path in result.files:
        assert f'href="{path.name}"' in page
        if path.suffix != ".html":  # the player page is a link, not a download
            assert f"({human_size(path.stat().st_size)})" in page


def test_page_is_self_contained(built):
    out, _ = built
    page = (out / "index.html").read_text(encoding="utf-8")
    for tag, attrs in _tags(page):
        for key in ("src", "href", "srcset"):
            value = attrs.get(key) or ""
            assert not re.match(r"(https?:)?//", value), (tag, key, value)
            if value and not value.startswith(("data:", "#")):
                assert (out / value).exists(), value
        assert tag not in ("link", "iframe")  # no stylesheets, fonts or frames
    assert "@import" not in page and "url(" not in page


def test_cards_have_alt_text_captions_and_snippets(built):
    out, result = built
    page = (out / "index.html").read_text(encoding="utf-8")
    imgs = [a for t, a in _tags(page) if t == "img"]
    assert len(imgs) == len(result.entries)
    assert all(a["alt"] and a["width"] for a in imgs)
    assert (
        "<figcaption>The final fit: data, trained curve and residuals</figcaption>"
        in page
    )
    gif, webp = (
        (out / "sin-regression.gif").stat().st_size,
        (out / "sin-regression.webp").stat().st_size,
    )
    # the HTML snippet offers the WebP in a <picture> only when it is the smaller file
    source = "&lt;source srcset=&quot;sin-regression.webp&quot; type="
    assert (source in page) == (webp < gif)
    alt = "Noisy points of a sine wave with the trained red curve through them"
    assert f"![{alt}](fit.png)" in page
    assert 'class="vl-player"' not in page  # players live on their own pages
    player = (out / "sin-regression-player.html").read_text(encoding="utf-8")
    assert (
        player.count('class="vl-player"') == 1
        and player.count("data:") == 1  # the GIF, once (the <img> the script reads)
    )
    assert 'href="sin-regression-player.html"' in page


def test_japanese_page(tmp_path):
    result = build_gallery(tmp_path, lang="ja", quick=True, names=["loss"])
    page = result.index.read_text(encoding="utf-8")
    assert '<html lang="ja">' in page and "vizlearn ギャラリー" in page
    assert "学習回数ごとの損失関数" in page and "コピー" in page


def test_same_command_same_bytes(built, tmp_path):
    out, _ = built
    again = build_gallery(tmp_path, quick=True, names=["sin-regression", "fit"])
    for path in again.files:
        assert path.read_bytes() == (out / path.name).read_bytes(), path.name


@pytest.mark.parametrize("name", ["loss", "weight-init"])
def test_the_command_shown_writes_the_same_file(tmp_path, monkeypatch, name):
    build_gallery(tmp_path / "g", names=[name])  # full options, as in figures/
    command = command_for(ENTRIES[name])
    assert command.endswith(f"-o {name}.png")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*shlex.split(command)[1:], "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{name}.png").read_bytes() == (
        tmp_path / "g" / f"{name}.png"
    ).read_bytes()


def test_picture_only_when_webp_and_gif_exist():
    card = Card("x", "c", 'a "quoted" alt', ["x.png"], [10], 8, 6)
    assert picture_html(card) == (
        '<img src="x.png" alt="a &quot;quoted&quot; alt" width="8" height="6" '
        'loading="lazy">'
    )
    both = Card("y", "c", "alt", ["y.gif", "y.webp"], [10, 5], 8, 6)
    assert picture_html(both).startswith('<picture>\n  <source srcset="y.webp"')
    bigger_webp = Card("y", "c", "alt", ["y.gif", "y.webp"], [10, 50], 8, 6)
    assert picture_html(bigger_webp).startswith('<img src="y.gif"')


def test_player_rejects_non_gif():
    with pytest.raises(ValueError, match="not one"):
        player_html(b"\x89PNG....")


def test_cli_gallery(tmp_path):
    result = CliRunner().invoke(
        cli, ["gallery", str(tmp_path), "--quick", "--only", "loss", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "loss.png").exists() and (tmp_path / "index.html").exists()
    assert '"entries": ["loss"]' in result.output


def test_cli_gallery_unknown_entry(tmp_path):
    result = CliRunner().invoke(cli, ["gallery", str(tmp_path), "--only", "nope"])
    assert result.exit_code == 2
    assert "unknown entry 'nope'; choose from sin-regression, fit" in result.output
    assert not any(Path(tmp_path).iterdir())


def test_committed_figures_are_the_gallery_and_small():
    figures = Path(__file__).parents[1] / "figures"
    page = (figures / "index.html").read_text(encoding="utf-8")
    for name in (
        "sin-regression.gif",
        "fit.png",
        "loss.png",
        "params.png",
        "activations.png",
        "fit-ja-dark.png",
    ):
        assert (figures / name).exists() and f'href="{name}"' in page
    for gif in figures.glob("*.gif"):
        assert gif.stat().st_size < 1_000_000, gif.name
