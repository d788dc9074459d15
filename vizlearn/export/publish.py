"""Write an animation the way a platform takes it, and the snippet to paste there.

`PLATFORMS` holds each place's rules (formats, bytes, pixels) with where they
are stated; `publish` picks the format, fits pixel size, frames and colours
into the limits (`vizlearn.export.maxsize.save_within`), writes the file(s)
and returns the Markdown or HTML to paste and what it chose. ``pptx`` writes
a PowerPoint file (one slide: the MP4, its poster frame, the caption as
speaker notes) with python-pptx, the optional extra ``vizlearn[pptx]``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

from vizlearn.export.animation import Animation
from vizlearn.export.filmstrip import save_poster
from vizlearn.export.maxsize import save_within
from vizlearn.export.video import video_html

__all__ = ["PLATFORMS", "Platform", "Published", "publish", "write_pptx"]

PPTX_HINT = "--target pptx needs the optional extra: pip install 'vizlearn[pptx]'"


@dataclass(frozen=True)
class Platform:
    """What one place accepts for an animated figure, and where that is stated."""

    name: str
    format: str
    """The file written: gif or mp4."""
    max_bytes: int
    max_side: int | None
    """Longest side in pixels, if limited."""
    max_pixels: int | None
    """Width x height, if limited."""
    display_width: int | None
    """Width to show it at in the snippet (None: its own width)."""
    source: str


PLATFORMS = {
    "zenn": Platform(
        "zenn",
        "gif",
        3_000_000,
        None,
        None,
        600,
        "Zenn Markdown guide (zenn.dev/zenn/articles/markdown-guide): PNG, JPEG, "
        "GIF and WebP up to 3 MB; no SVG",
    ),
    "qiita": Platform(
        "qiita",
        "gif",
        10_000_000,
        None,
        None,
        None,
        "Qiita help (help.qiita.com, image upload): GIF plays, APNG and <video> "
        "do not; 10 MB per image",
    ),
    "hatena": Platform(
        "hatena",
        "gif",
        10_000_000,
        10_000,
        None,
        None,
        "Hatena Fotolife help (f.hatena.ne.jp/help): JPEG, GIF, PNG up to 10 MB, "
        "long side up to 10 000 px; WebP is re-encoded",
    ),
    "github": Platform(
        "github",
        "gif",
        5_000_000,
        None,
        None,
        None,
        "GitHub docs, attaching files: images and videos up to 10 MB on free "
        "plans; the camo image proxy serves images up to 5 MB",
    ),
    "slides": Platform(
        "slides",
        "gif",
        50_000_000,
        None,
        25_000_000,
        None,
        "Google Slides help, insert images: PNG, JPEG, GIF; under 50 MB and "
        "25 megapixels",
    ),
    "pptx": Platform(
        "pptx",
        "mp4",
        100_000_000,
        None,
        None,
        None,
        "Microsoft support, video formats in PowerPoint: MP4 with H.264 video "
        "(yuv420p); GIF loop flags are honoured inconsistently",
    ),
}


@dataclass(frozen=True)
class Published:
    """What `publish` wrote and what to paste."""

    files: tuple[Path, ...]
    snippet: str
    chosen: str
    """E.g. 'GIF, 612 KB of 3.0 MB: all 100 frames, 960x720 px, 255 colours'."""


def publish(
    anim: Animation,
    target: str,
    folder: str | Path,
    *,
    name: str = "animation",
    alt: str = "animation",
    caption: str | None = None,
    jobs: int | None = None,
) -> Published:
    """Write ``anim`` into ``folder`` for ``target`` and return the snippet.

    Parameters
    ----------
    anim
        The animation; its ``remake`` (or the source's recipe) lets it shrink
        its pixels when the platform needs it.
    target
        A key of `PLATFORMS`: zenn, qiita, hatena, github, slides or pptx.
    folder
        Where the files go (``NAME.gif``, or ``NAME.mp4``, ``NAME.png`` and
        ``NAME.pptx``).
    name, alt, caption
        File stem, alternative text and the caption line (speaker notes in
        pptx).
    jobs
        Render worker processes (None: the free cores).
    """
    if target not in PLATFORMS:
        raise ValueError(
            f"target must be one of {', '.join(PLATFORMS)}, not {target!r}"
        )
    platform = PLATFORMS[target]
    anim = _fit_pixels(anim, platform)
    folder = Path(folder)
    if platform.format == "mp4":
        return _publish_pptx(anim, folder, name, caption or alt, jobs)
    path = folder / f"{name}.gif"
    fit = save_within(anim, path, platform.max_bytes, jobs=jobs)
    width, height = fit.size
    snippet = _snippet(target, path.name, alt, caption, width, height, platform)
    return Published((path,), snippet, f"GIF, {fit.describe()}")


def _fit_pixels(anim: Animation, platform: Platform) -> Animation:
    """``anim`` redrawn smaller if its size breaks the platform's pixel limits."""
    style = anim.source.style
    scale = 1.0
    if platform.max_side is not None:
        scale = min(scale, platform.max_side / max(style.width, style.height))
    if platform.max_pixels is not None:
        scale = min(scale, (platform.max_pixels / (style.width * style.height)) ** 0.5)
    if scale >= 1.0:
        return anim
    if anim.remake is None:
        raise ValueError(
            f"{platform.name} takes at most {platform.max_side or ''} px a side / "
            f"{platform.max_pixels or ''} px; this animation cannot be redrawn smaller"
        )
    smaller = replace(
        style,
        width=int(style.width * scale),
        height=int(style.height * scale),
        dpi=max(20, int(style.dpi * scale)),
    )
    return replace(anim, source=anim.remake(smaller))


def _snippet(
    target: str,
    file: str,
    alt: str,
    caption: str | None,
    width: int,
    height: int,
    platform: Platform,
) -> str:
    """The Markdown or HTML that shows the file on the platform."""
    shown = min(width, platform.display_width or width)
    lines: list[str]
    if target == "zenn":
        lines = [f"![{_md(alt)}](/images/{file} ={shown}x)"]
        lines += [f"*{_md(caption)}*"] if caption else []
    elif target == "github":
        lines = [
            "<picture>",
            f'  <img src="{escape(file)}" width="{shown}" alt="{escape(alt)}">',
            "</picture>",
        ]
        lines += [f"<p><em>{escape(caption)}</em></p>"] if caption else []
    else:  # qiita, hatena, slides: plain Markdown
        lines = [f"![{_md(alt)}]({file})"]
        lines += [f"*{_md(caption)}*"] if caption else []
    return "\n".join(lines)


def _md(text: str) -> str:
    """Text safe inside Markdown image alt text or emphasis."""
    return "".join("\\" + c if c in "[]()*_`\\" else c for c in text).replace("\n", " ")


def _publish_pptx(
    anim: Animation, folder: Path, name: str, notes: str, jobs: int | None
) -> Published:
    """MP4 (H.264, yuv420p), its poster frame, and a one-slide PowerPoint file."""
    video = anim.save(folder / f"{name}.mp4", jobs=jobs)
    poster = save_poster(anim.source, folder / f"{name}.png")
    deck = write_pptx([(video, poster, notes)], folder / f"{name}.pptx")
    style = anim.source.style
    snippet = video_html(
        [video.name], gif=poster.name, width=style.width, height=style.height, alt=notes
    )
    size = video.stat().st_size
    chosen = f"MP4 H.264 yuv420p, {size / 1e6:.1f} MB, {style.width}x{style.height} px"
    return Published((video, poster, deck), snippet, chosen)


def write_pptx(slides: list[tuple[Path, Path, str]], path: str | Path) -> Path:
    """A PowerPoint file with one slide per (MP4, poster PNG, speaker notes)."""
    try:
        from pptx import Presentation
        from pptx.util import Emu
    except ImportError:
        raise RuntimeError(PPTX_HINT) from None
    from PIL import Image

    from vizlearn.files import atomic_path

    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(12_192_000), Emu(6_858_000)  # 16:9
    for video, poster, notes in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
        with Image.open(poster) as im:
            width, height = im.size
        scale = min(deck.slide_width / width, deck.slide_height / height)
        w, h = int(width * scale), int(height * scale)
        left, top = (deck.slide_width - w) // 2, (deck.slide_height - h) // 2
        slide.shapes.add_movie(
            str(video),
            left,
            top,
            w,
            h,
            poster_frame_image=str(poster),
            mime_type="video/mp4",
        )
        slide.notes_slide.notes_text_frame.text = notes
    with atomic_path(path) as tmp:
        deck.save(str(tmp))
    return Path(path)
