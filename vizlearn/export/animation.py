"""Animation: a FrameSource plus timing, saved through the fast frame path.

``Animation.save`` writes GIF, WebP, APNG (``.png`` or ``.apng``), MP4 (with
the ``video`` extra) or a self-contained HTML player. GIF and APNG frames are
rendered and encoded by `vizlearn.export.pipeline`, in several processes when
``jobs`` allows; the result is byte-identical for any number of jobs.

This module runs past 300 lines because timing (durations, holds, frame
plans), the dispatch to every animated format and their provenance meet
here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vizlearn.export.provenance import provenance_text
from vizlearn.render.frames import FrameSource
from vizlearn.style import Style, is_transparent

__all__ = [
    "Animation",
    "ANIMATION_FORMATS",
    "frame_durations",
    "full_provenance",
    "plan_frames",
    "animation_format",
    "write_encoded",
]

ANIMATION_FORMATS = ("gif", "webp", "apng", "png", "mp4", "webm", "html")  # png: APNG


def frame_durations(
    n_frames: int,
    fps: float,
    *,
    hold_first_ms: int = 0,
    hold_last_ms: int = 0,
    holds: Mapping[int, int] | None = None,
) -> list[int]:
    """Per-frame delays in ms: 1000/fps each (a running total), plus the holds.

    Frame ``i`` ends at ``round(1000 * (i + 1) / fps)`` ms before holds, so
    rounding never adds up: 100 frames at 30 fps last 3 333 ms (33, 34, 33, ...).
    ``holds`` maps a frame index (negative counts from the end) to extra ms.
    """
    ends = [round(1000 * i / fps) for i in range(n_frames + 1)]
    durations = [b - a for a, b in zip(ends, ends[1:], strict=False)]
    durations[0] += hold_first_ms
    durations[-1] += hold_last_ms
    for frame, extra in (holds or {}).items():
        if not -n_frames <= frame < n_frames:
            raise ValueError(
                f"--hold: frame {frame} is out of range; frames are 0..{n_frames - 1}"
            )
        durations[frame] += extra
    return durations


def plan_frames(
    durations_ms: list[int], stride: int = 1
) -> tuple[list[int], list[int]]:
    """Frames to show with ``stride`` (the last always) and their durations.

    A kept frame also shows for the frames skipped after it, so the animation
    lasts as long as with every frame.
    """
    if stride < 1:
        raise ValueError(f"stride must be at least 1, got {stride}")
    n = len(durations_ms)
    indices = list(range(0, n, stride))
    if indices[-1] != n - 1:
        indices.append(n - 1)
    ends = indices[1:] + [n]
    return indices, [sum(durations_ms[a:b]) for a, b in zip(indices, ends, strict=True)]


@dataclass
class Animation:
    """What to animate and how fast; ``save(path)`` writes it in any format."""

    source: FrameSource
    fps: float = 10.0
    hold_first_ms: int = 0
    hold_last_ms: int = 2000
    loop: int = 0
    provenance: Mapping[str, Any] = field(default_factory=dict)
    holds: Mapping[int, int] = field(default_factory=dict)
    """Extra ms on chosen frames, e.g. {40: 1000, 70: 500}."""
    stride: int = 1
    """Show every ``stride``-th frame (and the last), each for longer."""
    max_colors: int = 255
    """GIF palette size."""
    jobs: int | None = None
    """Worker processes for GIF and APNG; None for one per core."""
    remake: Callable[[Style], FrameSource] | None = None
    """Redraws the source in another style (for `save_within`'s smaller sizes)."""
    chroma: str = "420"
    """MP4 chroma subsampling: "420" (plays everywhere) or "444" (sharper)."""

    def __post_init__(self) -> None:
        """Derive ``remake`` from the source's recipe when none is given."""
        recipe = getattr(self.source, "recipe", None)
        if self.remake is None and recipe is not None:
            self.remake = lambda style: recipe.restyled(style).build()

    @property
    def n_frames(self) -> int:
        """Number of frames of the source (before any stride)."""
        return self.source.n_frames

    def plan(self) -> tuple[list[int], list[int]]:
        """The frames to write, in order, and each one's duration in ms."""
        durations = frame_durations(
            self.n_frames,
            self.fps,
            holds=self.holds,
            hold_first_ms=self.hold_first_ms,
            hold_last_ms=self.hold_last_ms,
        )
        return plan_frames(durations, self.stride)

    def durations(self) -> list[int]:
        """Per-frame delays in milliseconds of the frames written."""
        return self.plan()[1]

    def save(
        self,
        path: str | Path,
        *,
        on_frame: Callable[[int], Any] | None = None,
        jobs: int | None = None,
    ) -> Path:
        """Render the frames (blitted) and write them to ``path``, atomically.

        ``on_frame(done)`` is called after each frame with the count so far.
        """
        from vizlearn.files import atomic_path

        path = Path(path)
        fmt = animation_format(path)
        if fmt == "html":
            return _save_html(self, path)
        with atomic_path(path) as tmp:
            write_encoded(self, tmp, fmt, on_frame, self.jobs if jobs is None else jobs)
        return path

    def to_bytes(self, fmt: str = "gif") -> bytes:
        """The encoded file (gif, webp or apng) as bytes, rendered once and cached."""
        import tempfile

        cache = self.__dict__.setdefault("_encoded", {})
        holds = tuple(sorted(self.holds.items()))
        key = (
            fmt,
            self.fps,
            self.hold_first_ms,
            self.hold_last_ms,
            self.loop,
            holds,
            self.stride,
            self.max_colors,
        )
        if key not in cache:
            with tempfile.TemporaryDirectory() as tmp:
                suffix = "png" if fmt == "apng" else fmt
                cache[key] = self.save(Path(tmp) / f"animation.{suffix}").read_bytes()
        return cache[key]

    def embed(self, path: str | Path, *, alt: str | None = None) -> Any:
        """Write the animation to ``path`` and show it in a notebook by reference.

        Missing folders of ``path`` are made. The notebook stores
        ``<img src="fig/x.gif">`` (and nbconvert to Markdown writes
        ``![alt](fig/x.gif)``), not the file's bytes.
        """
        from vizlearn.export.html import file_embed

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.save(path)
        label = alt or f"vizlearn animation: {self.provenance.get('lesson', 'run')}"
        style = self.source.style
        return file_embed(path, alt=label, size=(style.width, style.height))

    def player(self) -> Any:
        """An offline HTML player (play, pause, step, slider) for notebooks."""
        from vizlearn.export.html import HTML, player_html

        return HTML(player_html(self.to_bytes("gif")))

    def _repr_html_(self) -> str:
        """Jupyter: the GIF inline, as a data URI (no files, no network)."""
        import base64

        data = base64.b64encode(self.to_bytes("gif")).decode("ascii")
        w, h = self.source.style.width, self.source.style.height
        return (
            f'<img src="data:image/gif;base64,{data}" width="{w}" height="{h}" '
            'alt="vizlearn animation" style="max-width:100%;height:auto">'
        )

    def _repr_png_(self) -> bytes:
        """Jupyter (and static exports): the last frame, where training ended."""
        import io

        from PIL import Image

        buf = io.BytesIO()
        (last,) = self.source.rgba([self.n_frames - 1])
        Image.fromarray(last).save(buf, format="png")
        return buf.getvalue()


def animation_format(path: Path) -> str:
    """The animation format of ``path`` from its suffix (.png and .apng: APNG)."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in (*ANIMATION_FORMATS, "apng"):
        raise ValueError(
            f"an animation must be .gif, .webp, .png (APNG), .apng, .mp4, .webm or "
            f".html, "
            f"not {path.suffix or '(no extension)'!r}"
        )
    return "apng" if fmt == "png" else fmt


def write_encoded(
    anim: Animation,
    tmp: Path,
    fmt: str,
    on_frame: Callable[[int], Any] | None,
    jobs: int | None,
) -> None:
    """Write ``anim`` as ``fmt`` to the temporary file ``tmp``."""
    indices, durations = anim.plan()
    source = anim.source
    transparent = is_transparent(source.style.theme)
    text = provenance_text(full_provenance(anim))
    if fmt in ("gif", "apng"):
        _write_frame_file(anim, tmp, fmt, indices, durations, on_frame, jobs)
        return
    frames = _counting((b.pixels for b in source.blits(indices)), on_frame)
    if fmt == "webp":
        from vizlearn.export.animated import write_webp

        write_webp(
            tmp,
            frames,
            durations_ms=durations,
            loop=anim.loop,
            transparent=transparent,
            comment=text,
        )
    elif fmt == "webm":
        from vizlearn.export.video import write_webm

        write_webm(tmp, frames, durations_ms=durations, fps=anim.fps, comment=text)
    else:
        from vizlearn.export.video import write_mp4

        chroma = anim.chroma
        write_mp4(
            tmp,
            frames,
            durations_ms=durations,
            fps=anim.fps,
            comment=text,
            chroma=chroma,
        )


def _write_frame_file(
    anim: Animation,
    tmp: Path,
    fmt: str,
    indices: list[int],
    durations: list[int],
    on_frame: Callable[[int], Any] | None,
    jobs: int | None,
) -> None:
    """GIF or APNG, rendered and encoded in workers (`vizlearn.export.pipeline`).

    A GIF's palette comes from the colours of every frame's changed pixels,
    counted while rendering, so no frame is rendered twice.
    """
    from vizlearn.export.apng import APNG_END, ApngCodec, apng_header
    from vizlearn.export.gif import GifCodec, gif_header, gif_schedule
    from vizlearn.export.pipeline import encode_frames

    source = anim.source
    transparent = is_transparent(source.style.theme)
    width, height = source.figure.canvas.get_width_height(physical=True)
    text = provenance_text(full_provenance(anim))
    with open(tmp, "wb") as fp:
        if fmt == "gif":  # under 20 ms a frame cannot show: left out (> 50 fps)
            kept, durations = gif_schedule(durations)
            indices = [indices[i] for i in kept]
            codec: Any = GifCodec(tuple(durations), transparent, anim.max_colors)
            trailer = b";"

            def write_header(palette: Any) -> None:
                fp.write(
                    gif_header(
                        width,
                        height,
                        palette,
                        loop=anim.loop,
                        transparent=transparent,
                        comment=text,
                        metadata={},
                    )
                )

        else:
            codec, trailer = ApngCodec(tuple(durations), transparent), APNG_END
            fp.write(
                apng_header(
                    width,
                    height,
                    len(indices),
                    loop=anim.loop,
                    transparent=transparent,
                    text={"vizlearn": text},
                )
            )
            write_header = None
        frames = encode_frames(
            source,
            indices,
            codec,
            jobs=jobs,
            on_shared=write_header,
            on_rendered=on_frame,
        )
        for payload in frames:
            fp.write(payload)
        fp.write(trailer)


def full_provenance(anim: Animation) -> dict[str, Any]:
    """The animation's provenance plus its look (theme, language, size)."""
    style = anim.source.style
    look = {
        "theme": style.theme,
        "lang": style.lang,
        "width": style.width,
        "height": style.height,
        "dpi": style.dpi,
    }
    return {**anim.provenance, "style": look}


def _save_html(anim: Animation, path: Path) -> Path:
    """A self-contained page with the GIF and a player (no network requests)."""
    from vizlearn.export.html import HTML, player_html

    label = str(anim.provenance.get("lesson", "animation"))
    return HTML(player_html(anim.to_bytes("gif"), label=label)).save(path, title=label)


def _counting(items, on_frame):
    """Yield ``items``, calling ``on_frame(count)`` after each."""
    for i, item in enumerate(items, 1):
        yield item
        if on_frame is not None:
            on_frame(i)
