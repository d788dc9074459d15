"""The gallery page in a real browser: headless Chromium driven by Playwright.

Needs the Debian package ``chromium`` (``apt-get install -y chromium``) and
``pip install playwright`` (never ``playwright install``: it downloads a
browser). Without them these tests skip and say how to install them.
"""

from __future__ import annotations

import functools
import http.server
import io
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image

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
LOCAL = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium, or skip with install instructions."""
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


@pytest.fixture(scope="module")
def gallery(tmp_path_factory) -> Path:
    """The quick gallery of tests/test_gallery.py (built once per session)."""
    from tests.test_gallery import quick_gallery

    return quick_gallery(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def server(gallery):
    """Serve the gallery folder on 127.0.0.1 (a random free port)."""
    handler = functools.partial(_QuietHandler, directory=str(gallery))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def page(browser):
    """A page whose every non-local request is recorded and refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.outside, page.errors = [], []

    def route(r):
        url = urlparse(r.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL:
            page.outside.append(r.request.url)
            return r.abort()
        return r.continue_()

    page.route("**/*", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def _png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def test_every_image_loads_nothing_leaves_localhost(
    page, server, gallery, tmp_path, tmp_path_factory
):
    page.goto(server + "/index.html", wait_until="load")
    for img in page.locator("img").all():  # they load lazily, when scrolled to
        img.scroll_into_view_if_needed()
    page.wait_for_function(
        "Array.from(document.images).every(i => i.complete)", timeout=10_000
    )
    sizes = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.currentSrc, e.complete, e.naturalWidth])"
    )
    from tests.test_gallery import quick_gallery

    entries = quick_gallery(tmp_path_factory)[1].entries
    assert len(sizes) == len(entries)  # one per entry
    assert all(complete and width > 0 for _, complete, width in sizes), sizes
    # a <picture> offers the WebP only where it is smaller than the GIF
    webp = [src for src, _, _ in sizes if src.endswith(".webp")]
    for src in webp:
        name = src.rsplit("/", 1)[1]
        assert (gallery / name).stat().st_size < (gallery / name).with_suffix(
            ".gif"
        ).stat().st_size
    assert page.outside == [] and page.errors == []
    shot = tmp_path / "gallery.png"
    page.screenshot(path=str(shot), full_page=True)
    assert Image.open(shot).size[0] == 1280
    print(f"screenshot: {shot}")


def test_animated_image_advances(page, server):
    page.goto(server + "/index.html", wait_until="load")
    img = page.locator("#sin-regression img")
    img.scroll_into_view_if_needed()
    first = _png(img.screenshot())
    page.wait_for_timeout(450)  # quick GIF: 8 frames at 100 ms, then a 2 s hold
    later = _png(img.screenshot())
    assert first.shape == later.shape
    assert np.any(first != later), "the GIF did not move"


def test_player_plays_steps_and_draws_the_gifs_frames(page, server, gallery):
    page.goto(server + "/index.html", wait_until="load")
    page.click("#sin-regression p.player a")  # the card links to its player page
    page.wait_for_url("**/sin-regression-player.html")
    player = page.locator("#player-sin-regression")
    counter = player.locator(".vl-counter")
    assert counter.inner_text() == "1 / 8"
    player.locator("[data-act=next]").click()
    player.locator("[data-act=next]").click()
    assert counter.inner_text() == "3 / 8"
    _assert_canvas_is_frame(player, gallery / "sin-regression.gif", 2)
    player.locator("[data-act=last]").click()
    _assert_canvas_is_frame(player, gallery / "sin-regression.gif", 7)
    player.locator("[data-act=first]").click()  # back to the start (replayed)
    _assert_canvas_is_frame(player, gallery / "sin-regression.gif", 0)
    player.locator("[data-act=play]").click()
    page.wait_for_function(
        "document.querySelector('#player-sin-regression').dataset.frame >= 3"
    )
    player.locator("[data-act=play]").click()  # pause
    assert player.get_attribute("data-playing") == "0"
    player.locator("input[type=range]").fill("5")
    assert counter.inner_text() == "6 / 8"
    _assert_canvas_is_frame(player, gallery / "sin-regression.gif", 5)
    player.focus()
    page.keyboard.press("ArrowLeft")
    assert counter.inner_text() == "5 / 8"
    assert page.outside == [] and page.errors == []


def _assert_canvas_is_frame(player, gif: Path, k: int) -> None:
    url = player.locator("canvas").evaluate("c => c.toDataURL('image/png')")
    import base64

    drawn = _png(base64.b64decode(url.split(",", 1)[1]))
    np.testing.assert_array_equal(drawn, read_frame(gif, k))


def test_page_works_from_a_file_url(page, gallery):
    page.goto((gallery / "index.html").as_uri(), wait_until="load")
    for img in page.locator("img").all():
        img.scroll_into_view_if_needed()
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
    assert widths and min(widths) > 0
    page.click("#optimizers p.player a")
    assert (
        page.locator("#player-optimizers .vl-counter").inner_text().startswith("1 / ")
    )
    assert page.outside == [] and page.errors == []
