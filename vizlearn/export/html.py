"""Self-contained HTML: an animation player and the gallery page.

Nothing here loads anything from the network: the player decodes a GIF that is
embedded in the page as base64 (its own ~150-line decoder, below), styles are
inline and fonts are the reader's own. Without JavaScript the player is a plain
``<img>`` of the same GIF. (Over 300 lines: the player's JavaScript and the
gallery's CSS are long strings.) ``player_html`` returns a fragment that
works in a page, in a Jupyter cell or on its own; ``gallery_html`` the page.
"""

# ruff: noqa: E501  (the embedded JavaScript and CSS keep their own line lengths)
from __future__ import annotations

import base64
import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "HTML",
    "FileEmbed",
    "file_embed",
    "Card",
    "player_html",
    "gallery_html",
    "picture_html",
    "markdown_image",
    "human_size",
    "PLAYER_JS",
]

_ids = itertools.count(1)


@dataclass(frozen=True, repr=False)
class HTML:
    """An HTML fragment that Jupyter shows inline; ``save(path)`` writes a page.

    Its repr is one short line, so a notebook stores the fragment once (as
    text/html), not a second time as text/plain.
    """

    fragment: str

    def __repr__(self) -> str:
        return f"<vizlearn HTML, {human_size(len(self.fragment.encode()))}>"

    def _repr_html_(self) -> str:
        return self.fragment

    def save(self, path: str | Path, *, title: str = "vizlearn") -> Path:
        """Write a standalone UTF-8 page holding the fragment."""
        from vizlearn.files import atomic_path

        path = Path(path)
        page = (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n<meta name="viewport" '
            'content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title></head>\n"
            '<body style="margin:1rem auto;max-width:1000px;padding:0 1rem;'
            'font:16px/1.5 system-ui,sans-serif">\n'
            f'<h1 style="font-size:1.2rem">{html.escape(title)}</h1>\n'
            f"{self.fragment}\n</body></html>\n"
        )
        with atomic_path(path) as tmp:
            tmp.write_text(page, encoding="utf-8")
        return path


@dataclass(frozen=True, repr=False)
class FileEmbed:
    """A written file shown in a notebook by reference: ``<img src="fig/x.gif">``.

    Notebooks then store (and nbconvert to Markdown keeps) a link to the file,
    ``![alt](fig/x.gif)``, not the file's bytes as a data URI.
    """

    src: str
    alt: str
    width: int | None = None
    height: int | None = None

    def __repr__(self) -> str:
        return f"<vizlearn file {self.src}>"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        size = (
            f' width="{self.width}" height="{self.height}"'
            if self.width and self.height
            else ""
        )
        alt = html.escape(self.alt)
        src = html.escape(self.src)
        return {
            "text/html": f'<img src="{src}" alt="{alt}"{size} '
            'style="max-width:100%;height:auto">',
            "text/markdown": f"![{_markdown_alt(self.alt)}]({self.src})",
            "text/plain": repr(self),
        }


def _markdown_alt(text: str) -> str:
    return text.replace("[", "(").replace("]", ")")


def file_embed(path: str | Path, *, alt: str, size: tuple[int, int] | None = None):
    """A FileEmbed of ``path`` as given (relative paths stay relative)."""
    width, height = size if size else (None, None)
    return FileEmbed(Path(path).as_posix(), alt, width, height)


def player_html(
    gif: bytes | Path,
    *,
    label: str = "animation",
    autoplay: bool = False,
    element_id: str | None = None,
) -> str:
    """An HTML fragment that plays, pauses and steps through a GIF, offline.

    The GIF's bytes are embedded (base64); its frames are decoded in the page
    and drawn on a canvas, so each frame can be shown on its own.
    """
    data = gif.read_bytes() if isinstance(gif, Path) else bytes(gif)
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise ValueError("the player plays GIF files; this is not one")
    width, height = (
        int.from_bytes(data[6:8], "little"),
        int.from_bytes(data[8:10], "little"),
    )
    element_id = element_id or f"vl-player-{next(_ids)}"
    b64 = base64.b64encode(data).decode("ascii")
    label = html.escape(label)
    # Progressive enhancement: without JavaScript (an untrusted notebook, a
    # preview, a blog that strips scripts) the <img> plays the GIF as it is;
    # the script decodes the same bytes from its src (stored once) onto the
    # canvas and shows the controls.
    return (
        f'<div class="vl-player" id="{element_id}" tabindex="0" role="group" '
        f'aria-label="{label}" data-autoplay="{int(autoplay)}" '
        f'style="max-width:{width}px">\n'
        f'<img class="vl-gif" src="data:image/gif;base64,{b64}" width="{width}" '
        f'height="{height}" alt="{label}" style="max-width:100%;height:auto;'
        'display:block">\n'
        f'<canvas width="{width}" height="{height}" role="img" aria-label="{label}" '
        'style="max-width:100%;height:auto" hidden></canvas>\n'
        '<div class="vl-controls" style="gap:.4em;align-items:center;'
        'margin-top:.3em;font:14px system-ui,sans-serif" hidden>'
        '<button type="button" data-act="first" aria-label="first frame">&#x21E4;</button>'
        '<button type="button" data-act="prev" aria-label="previous frame">&#x2039;</button>'
        '<button type="button" data-act="play" aria-label="play">&#x25B6;</button>'
        '<button type="button" data-act="next" aria-label="next frame">&#x203A;</button>'
        '<button type="button" data-act="last" aria-label="last frame">&#x21E5;</button>'
        '<input type="range" min="0" max="0" value="0" aria-label="frame" style="flex:1">'
        '<span class="vl-counter" aria-live="polite" style="min-width:5em;'
        'text-align:right;font-variant-numeric:tabular-nums">&#x2026;</span></div>\n'
        f"</div>\n<script>{PLAYER_JS}</script>"
    )


PLAYER_JS = r"""// vizlearn's GIF player: decodes the embedded GIF itself (no network, no library),
// draws frame k on a canvas, and offers play/pause, step and a slider.
(function () {
  "use strict";
  if (window.vizlearnPlayer) { window.vizlearnPlayer.scan(); return; }

  function parseGif(u8) {
    var sig = String.fromCharCode.apply(null, u8.subarray(0, 6));
    if (sig !== "GIF89a" && sig !== "GIF87a") throw new Error("not a GIF");
    var W = u8[6] | (u8[7] << 8), H = u8[8] | (u8[9] << 8), flags = u8[10];
    var p = 13, gct = null, frames = [];
    var gce = { delay: 0, disposal: 0, transparent: -1 };
    if (flags & 0x80) { gct = u8.subarray(p, p + (3 << ((flags & 7) + 1))); p += gct.length; }
    function skipBlocks() { while (u8[p] !== 0) p += u8[p] + 1; p++; }
    while (p < u8.length) {
      var b = u8[p++];
      if (b === 0x3b) break;
      if (b === 0x21) {
        var label = u8[p++];
        if (label === 0xf9) {
          var f = u8[p + 1];
          gce = { disposal: (f >> 2) & 7, delay: (u8[p + 2] | (u8[p + 3] << 8)) * 10,
                  transparent: (f & 1) ? u8[p + 4] : -1 };
        }
        skipBlocks();
      } else if (b === 0x2c) {
        var fr = { x: u8[p] | (u8[p + 1] << 8), y: u8[p + 2] | (u8[p + 3] << 8),
                   w: u8[p + 4] | (u8[p + 5] << 8), h: u8[p + 6] | (u8[p + 7] << 8),
                   delay: gce.delay, disposal: gce.disposal, transparent: gce.transparent };
        var lf = u8[p + 8]; p += 9;
        fr.ct = gct;
        if (lf & 0x80) { fr.ct = u8.subarray(p, p + (3 << ((lf & 7) + 1))); p += fr.ct.length; }
        fr.interlaced = !!(lf & 0x40);
        fr.minCode = u8[p++];
        fr.start = p;
        skipBlocks();
        fr.end = p;
        frames.push(fr);
        gce = { delay: 0, disposal: 0, transparent: -1 };
      } else {
        throw new Error("bad GIF block " + b);
      }
    }
    return { width: W, height: H, frames: frames, bytes: u8 };
  }

  // LZW-decode one frame's sub-blocks into palette indices (w * h bytes).
  function decode(u8, fr) {
    var npix = fr.w * fr.h, out = new Uint8Array(npix);
    var clear = 1 << fr.minCode, eoi = clear + 1;
    var prefix = new Int16Array(4096), suffix = new Uint8Array(4096);
    var first = new Uint8Array(4096), stack = new Uint8Array(4097);
    for (var i = 0; i < clear; i++) { prefix[i] = -1; suffix[i] = i; first[i] = i; }
    var size = fr.minCode + 1, next = eoi + 1, prev = -1, acc = 0, bits = 0, op = 0;
    var p = fr.start, left = 0;
    while (op < npix) {
      while (bits < size) {
        if (left === 0) { left = u8[p++]; if (left === 0) return out; }
        acc |= u8[p++] << bits; bits += 8; left--;
      }
      var code = acc & ((1 << size) - 1);
      acc >>>= size; bits -= size;
      if (code === clear) { size = fr.minCode + 1; next = eoi + 1; prev = -1; continue; }
      if (code === eoi) break;
      if (prev === -1) { out[op++] = suffix[code]; prev = code; continue; }
      var inCode = code, sp = 0;
      if (code >= next) { stack[sp++] = first[prev]; code = prev; }  // KwKwK
      while (code >= clear) { stack[sp++] = suffix[code]; code = prefix[code]; }
      stack[sp++] = code;
      if (next < 4096) {
        prefix[next] = prev; suffix[next] = code; first[next] = first[prev]; next++;
        if (next === (1 << size) && size < 12) size++;
      }
      while (sp > 0 && op < npix) out[op++] = stack[--sp];
      prev = inCode;
    }
    return out;
  }

  function rowOrder(h, interlaced) {
    var rows = [];
    if (!interlaced) { for (var r = 0; r < h; r++) rows.push(r); return rows; }
    [[0, 8], [4, 8], [2, 4], [1, 2]].forEach(function (s) {
      for (var r = s[0]; r < h; r += s[1]) rows.push(r);
    });
    return rows;
  }

  function Player(el) {
    var img = el.querySelector("img.vl-gif");
    var raw = atob(img.getAttribute("src").split(",")[1]);
    var u8 = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) u8[i] = raw.charCodeAt(i);
    var gif = parseGif(u8), n = gif.frames.length, W = gif.width, H = gif.height;
    var canvas = el.querySelector("canvas"), ctx = canvas.getContext("2d");
    canvas.width = W; canvas.height = H;
    var image = ctx.createImageData(W, H), px = image.data;
    var cur = -1, saved = null, timer = null, checkpoints = {};
    var slider = el.querySelector("input[type=range]"), counter = el.querySelector(".vl-counter");
    var playBtn = el.querySelector("[data-act=play]");
    slider.max = n - 1;

    function eachPixel(fr, fn) {
      for (var r = 0; r < fr.h; r++) {
        var y = fr.y + r;
        if (y >= H) break;
        for (var c = 0; c < fr.w && fr.x + c < W; c++) fn(r * fr.w + c, ((y * W) + fr.x + c) * 4);
      }
    }
    function apply(k) {
      if (cur >= 0) {
        var prevFr = gif.frames[cur];
        if (prevFr.disposal === 2) eachPixel(prevFr, function (s, o) { px[o] = px[o + 1] = px[o + 2] = px[o + 3] = 0; });
        else if (prevFr.disposal === 3 && saved) px.set(saved);
      }
      var fr = gif.frames[k];
      if (fr.disposal === 3) saved = px.slice();
      if (!fr.pixels) {
        var flat = decode(gif.bytes, fr), order = rowOrder(fr.h, fr.interlaced);
        fr.pixels = new Uint8Array(flat.length);
        for (var r = 0; r < fr.h; r++) fr.pixels.set(flat.subarray(r * fr.w, (r + 1) * fr.w), order[r] * fr.w);
      }
      var idx = fr.pixels, ct = fr.ct, t = fr.transparent;
      eachPixel(fr, function (s, o) {
        var k3 = idx[s];
        if (k3 === t) return;
        px[o] = ct[3 * k3]; px[o + 1] = ct[3 * k3 + 1]; px[o + 2] = ct[3 * k3 + 2]; px[o + 3] = 255;
      });
      cur = k;
      if (k % 10 === 0 && !checkpoints[k]) checkpoints[k] = { px: px.slice(), saved: saved };
    }
    function seek(k) {
      k = Math.max(0, Math.min(n - 1, k));
      if (k < cur || cur < 0) {
        var c = Math.floor(k / 10) * 10;
        while (c > 0 && !checkpoints[c]) c -= 10;
        if (checkpoints[c] && c <= k) {
          px.set(checkpoints[c].px); saved = checkpoints[c].saved; cur = c;
        } else { px.fill(0); saved = null; cur = -1; }
      }
      while (cur < k) apply(cur + 1);
      ctx.putImageData(image, 0, 0);
      slider.value = k;
      counter.textContent = (k + 1) + " / " + n;
      el.setAttribute("data-frame", k);
    }
    function delay(k) { var d = gif.frames[k].delay; return d <= 10 ? 100 : d; }
    function tick() {
      timer = setTimeout(function () { seek((cur + 1) % n); tick(); }, delay(cur));
    }
    function play(on) {
      clearTimeout(timer); timer = null;
      if (on) tick();
      playBtn.textContent = on ? "\u275A\u275A" : "\u25B6";
      playBtn.setAttribute("aria-label", on ? "pause" : "play");
      el.setAttribute("data-playing", on ? "1" : "0");
    }
    el.addEventListener("click", function (e) {
      var act = e.target.getAttribute && e.target.getAttribute("data-act");
      if (act === "play") play(timer === null);
      else if (act === "prev") { play(false); seek(cur - 1); }
      else if (act === "next") { play(false); seek(cur + 1); }
      else if (act === "first") { play(false); seek(0); }
      else if (act === "last") { play(false); seek(n - 1); }
    });
    slider.addEventListener("input", function () { play(false); seek(+slider.value); });
    el.addEventListener("keydown", function (e) {
      if (e.key === "ArrowLeft") { play(false); seek(cur - 1); e.preventDefault(); }
      if (e.key === "ArrowRight") { play(false); seek(cur + 1); e.preventDefault(); }
      if (e.key === " " && e.target.tagName !== "BUTTON") { play(timer === null); e.preventDefault(); }
    });
    // inline display styles would beat the hidden attribute: set them here
    var controls = el.querySelector(".vl-controls");
    img.hidden = true; img.style.display = "none";
    canvas.hidden = false; canvas.style.display = "block";
    controls.hidden = false; controls.style.display = "flex";
    seek(0);
    play(el.getAttribute("data-autoplay") === "1");
    this.seek = seek; this.play = play; this.n = n;
    this.pixels = function () { return ctx.getImageData(0, 0, W, H).data; };
  }

  window.vizlearnPlayer = {
    scan: function () {
      var els = document.querySelectorAll(".vl-player");
      for (var i = 0; i < els.length; i++) {
        if (!els[i].vlPlayer && els[i].querySelector("img.vl-gif")) {
          // on an error the <img> stays: the GIF still plays, without controls
          try { els[i].vlPlayer = new Player(els[i]); } catch (err) {}
        }
      }
    }
  };
  window.vizlearnPlayer.scan();
})();
"""


@dataclass(frozen=True)
class Card:
    """One gallery figure: its files (relative to the page), caption and alt text."""

    name: str
    caption: str
    alt: str
    files: Sequence[str]
    """File names relative to the page, e.g. ("sin.webp", "sin.gif")."""
    sizes: Sequence[int]
    """Bytes of each file, same order as ``files``."""
    width: int
    height: int
    command: str = ""
    player: str | None = None
    """An optional link to a page holding a ``player_html`` of the animation."""
    notes: Sequence[str] = field(default_factory=tuple)


def human_size(n_bytes: int) -> str:
    """1234567 -> '1.2 MB', 2048 -> '2.0 kB', 12 -> '12 B'."""
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes} B"


def _main_file(card: Card) -> str:
    """The file every browser shows: GIF over WebP, else the first."""
    gifs = [f for f in card.files if f.endswith(".gif")]
    return gifs[0] if gifs else card.files[0]


def picture_html(card: Card, prefix: str = "") -> str:
    """``<picture>``: WebP (when smaller than the GIF) with a GIF fallback, or ``<img>``."""
    main = _main_file(card)
    alt = html.escape(card.alt, quote=False).replace('"', "&quot;")
    img = (
        f'<img src="{html.escape(prefix + main)}" alt="{alt}" '
        f'width="{card.width}" height="{card.height}" loading="lazy">'
    )
    if _smaller_webp(card) is None:
        return img
    webp = [_smaller_webp(card)]
    source = f'<source srcset="{html.escape(prefix + webp[0])}" type="image/webp">'
    return f"<picture>\n  {source}\n  {img}\n</picture>"


def _smaller_webp(card: Card) -> str | None:
    """The WebP file, if there is one and it is smaller than the GIF."""
    size = dict(zip(card.files, card.sizes, strict=True))
    webp = [f for f in card.files if f.endswith(".webp")]
    main = _main_file(card)
    if not webp or main == webp[0] or size[webp[0]] >= size[main]:
        return None
    return webp[0]


def markdown_image(card: Card, prefix: str = "") -> str:
    """``![alt](file)`` with the file every Markdown renderer can show."""
    alt = _markdown_alt(card.alt)
    return f"![{alt}]({prefix}{_main_file(card)})"


_TEXT = {
    "en": {
        "files": "Files",
        "markdown": "Markdown",
        "html": "HTML",
        "copy": "Copy",
        "copied": "Copied",
        "command": "Command",
        "player": "Step through it frame by frame (offline player) ›",
        "intro": "Every figure below was drawn by vizlearn. Copy a snippet into "
        "your post and upload the file(s) next to it. This page loads "
        "nothing from the network.",
    },
    "ja": {
        "files": "ファイル",
        "markdown": "Markdown",
        "html": "HTML",
        "copy": "コピー",
        "copied": "コピーしました",
        "command": "コマンド",
        "player": "1コマずつ見る（オフラインのプレーヤー） ›",
        "intro": "下の図はすべて vizlearn で描いたものです。スニペットを記事に貼り、"
        "ファイルを同じ場所に置いてください。このページはネットワークから"
        "何も読み込みません。",
    },
}


def _snippet(kind: str, text: str, t: dict[str, str]) -> str:
    return (
        f'<div class="snippet"><div class="snippet-head"><span>{t[kind]}</span>'
        f'<button type="button" class="copy" data-copied="{t["copied"]}">'
        f"{t['copy']}</button></div><pre><code>{html.escape(text)}</code></pre></div>"
    )


def _card_html(card: Card, t: dict[str, str]) -> str:
    files = " · ".join(
        f'<a href="{html.escape(f)}">{html.escape(f)}</a> ({human_size(s)})'
        for f, s in zip(card.files, card.sizes, strict=True)
    )
    parts = [
        f'<figure class="card" id="{html.escape(card.name)}">',
        picture_html(card),
        f"<figcaption>{html.escape(card.caption)}</figcaption>",
        f'<p class="files">{t["files"]}: {files}</p>',
        *(f'<p class="note">{html.escape(n)}</p>' for n in card.notes),
    ]
    if card.command:
        parts.append(
            f'<p class="cmd">{t["command"]}: <code>{html.escape(card.command)}</code></p>'
        )
    if card.player:
        parts.append(
            f'<p class="player"><a href="{html.escape(card.player)}">{t["player"]}'
            "</a></p>"
        )
    parts += [
        _snippet("markdown", markdown_image(card), t),
        _snippet("html", picture_html(card), t),
        "</figure>",
    ]
    return "\n".join(parts)


def gallery_html(cards: Sequence[Card], *, title: str, lang: str = "en") -> str:
    """The whole gallery page: one card per figure, inline CSS and JS only."""
    t = _TEXT[lang]
    body = "\n".join(_card_html(c, t) for c in cards)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header><h1>{html.escape(title)}</h1><p>{t["intro"]}</p></header>
<main>
{body}
</main>
<script>{_COPY_JS}</script>
</body>
</html>
"""


_CSS = """
:root { --fg: #1f2328; --bg: #ffffff; --card: #f6f8fa; --line: #d0d7de; --muted: #59636e; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --card: #161b22; --line: #30363d; --muted: #9198a1; }
}
body { margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 3rem; color: var(--fg);
  background: var(--bg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI",
  "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", Meiryo, sans-serif; }
header p { color: var(--muted); max-width: 60em; }
main { display: grid; gap: 1.5rem; grid-template-columns: repeat(auto-fill, minmax(min(420px, 100%), 1fr)); }
.card { margin: 0; padding: 1rem; background: var(--card); border: 1px solid var(--line);
  border-radius: 8px; min-width: 0; }
.card img, .card canvas { max-width: 100%; height: auto; display: block; margin: 0 auto;
  border-radius: 4px; }
figcaption { font-weight: 600; margin: .6rem 0 .2rem; }
.files, .cmd, .note { font-size: .85rem; color: var(--muted); margin: .2rem 0; }
.cmd code { white-space: pre-wrap; }
a { color: inherit; }
.snippet { margin-top: .5rem; }
.snippet-head { display: flex; justify-content: space-between; align-items: center;
  font-size: .8rem; color: var(--muted); }
pre { margin: .2rem 0 0; padding: .5rem; overflow-x: auto; background: var(--bg);
  border: 1px solid var(--line); border-radius: 4px; font-size: .78rem;
  white-space: pre-wrap; overflow-wrap: anywhere; }
button { font: inherit; font-size: .8rem; cursor: pointer; border: 1px solid var(--line);
  background: var(--bg); color: var(--fg); border-radius: 4px; padding: .1rem .5rem; }
p.player { margin: .4rem 0; font-size: .9rem; }
"""

_COPY_JS = """
document.addEventListener("click", function (e) {
  if (!e.target.classList || !e.target.classList.contains("copy")) return;
  var btn = e.target, text = btn.closest(".snippet").querySelector("code").textContent;
  function done() { var old = btn.textContent; btn.textContent = btn.dataset.copied;
    setTimeout(function () { btn.textContent = old; }, 1200); }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () {});
  } else {
    var area = document.createElement("textarea"); area.value = text;
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); done(); } catch (err) {}
    area.remove();
  }
});
"""
