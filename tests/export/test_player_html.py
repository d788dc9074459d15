"""The HTML player: the GIF stored once, an <img> without JavaScript, compact reprs,
and Animation.embed showing a written file by reference."""

from __future__ import annotations

import base64
import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vizlearn.export.animated import save_animation
from vizlearn.export.html import HTML, FileEmbed, player_html
from vizlearn.export.readback import read_frame

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def gif(tmp_path) -> Path:
    frames = [np.full((12, 16, 3), 40 * k, np.uint8) for k in range(4)]
    for k, f in enumerate(frames):
        f[2:6, 2 + 2 * k : 6 + 2 * k] = (230, 30, 30)
    path = tmp_path / "a.gif"
    save_animation(path, frames, durations_ms=[100] * 4, palette_frames=frames)
    return path


def test_the_gif_is_stored_once_and_the_repr_is_one_line(gif):
    b64 = base64.b64encode(gif.read_bytes()).decode()
    fragment = player_html(gif)
    assert fragment.count(b64) == 1
    assert f'<img class="vl-gif" src="data:image/gif;base64,{b64}"' in fragment
    player = HTML(fragment)
    assert repr(player) == f"<vizlearn HTML, {len(fragment.encode()) / 1000:.1f} kB>"
    assert b64 not in repr(player) and player._repr_html_() == fragment


def test_file_embed_links_the_file():
    bundle = FileEmbed("fig/x.gif", "sin [regression]", 320, 240)._repr_mimebundle_()
    assert bundle["text/markdown"] == "![sin (regression)](fig/x.gif)"
    assert bundle["text/html"].startswith('<img src="fig/x.gif" alt="sin [regression]"')
    assert "base64" not in "".join(bundle.values())


def test_animation_embed_writes_the_file_and_refers_to_it(tmp_path, monkeypatch):
    import vizlearn as vl

    monkeypatch.chdir(tmp_path)
    run = vl.train("sin-regression", iters=20, frames=3, n=10)
    anim = vl.animate(run, style=vl.Style(width=160, height=120, dpi=40))
    shown = anim.embed("fig/x.gif")
    assert (tmp_path / "fig/x.gif").read_bytes()[:6] == b"GIF89a"
    bundle = shown._repr_mimebundle_()
    assert (
        'src="fig/x.gif"' in bundle["text/html"]
        and 'width="160"' in bundle["text/html"]
    )
    assert bundle["text/markdown"].endswith("(fig/x.gif)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="pip install playwright (not 'playwright install')",
    )
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium: apt-get update && apt-get install -y chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, page_path: Path, *, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri(), wait_until="load")
    return context, page, errors


def test_in_a_browser_the_script_upgrades_the_img_to_the_player(browser, gif, tmp_path):
    page_path = HTML(player_html(gif, element_id="p")).save(tmp_path / "p.html")
    context, page, errors = _open(browser, page_path, javascript=True)
    player = page.locator("#p")
    assert (
        player.locator("canvas").is_visible()
        and player.locator(".vl-controls").is_visible()
    )
    assert not player.locator("img.vl-gif").is_visible()
    player.locator("[data-act=next]").click()
    assert player.locator(".vl-counter").inner_text() == "2 / 4"
    url = player.locator("canvas").evaluate("c => c.toDataURL('image/png')")
    drawn = np.asarray(
        Image.open(io.BytesIO(base64.b64decode(url.split(",")[1]))).convert("RGBA")
    )
    np.testing.assert_array_equal(drawn, read_frame(gif, 1))
    assert errors == []
    context.close()


def test_without_javascript_the_gif_plays_as_an_img(browser, gif, tmp_path):
    page_path = HTML(player_html(gif, element_id="p")).save(tmp_path / "p.html")
    context, page, _ = _open(browser, page_path, javascript=False)
    player = page.locator("#p")
    img = player.locator("img.vl-gif")
    assert img.is_visible() and img.bounding_box()["width"] == 16
    assert not player.locator("canvas").is_visible()
    assert not player.locator(".vl-controls").is_visible()
    context.close()
