"""Animation: a FrameSource plus timing, saved through the fast frame path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vizlearn.export.still import provenance_text
from vizlearn.render.frames import FrameSource

__all__ = ["Animation", "ANIMATION_FORMATS", "frame_durations"]

ANIMATION_FORMATS = ("gif", "webp", "apng", "png")  # .png is written as APNG


def frame_durations(
    n_frames: int, fps: float, *, hold_first_ms: int = 0, hold_last_ms: int = 0
) -> list[int]:
    """Per-frame delays in ms: 1000/fps each, the first and last held longer."""
    base = round(1000 / fps)
    durations = [base] * n_frames
    durations[0] += hold_first_ms
    durations[-1] += hold_last_ms
    return durations


@dataclass
class Animation:
    """What to animate and how fast; ``save(path)`` writes GIF, WebP or APNG."""

    source: FrameSource
    fps: float = 10.0
    hold_first_ms: int = 0
    hold_last_ms: int = 2000
    loop: int = 0
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return self.source.n_frames

    def durations(self) -> list[int]:
        """Per-frame delays in milliseconds."""
        return frame_durations(self.n_frames, self.fps, hold_first_ms=self.hold_first_ms,
                               hold_last_ms=self.hold_last_ms)  # fmt: skip

    def save(
        self, path: str | Path, *, on_frame: Callable[[int], Any] | None = None
    ) -> Path:
        """Render every frame (blitted) and write them to ``path``, atomically."""
        from vizlearn.export.animated import save_animation

        path = Path(path)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ANIMATION_FORMATS:
            raise ValueError(
                f"an animation must be .gif, .webp or .png (APNG), not {path.suffix!r}"
            )
        n = self.n_frames
        palette_frames = list(self.source.rgba([0, n - 1]))
        frames = self.source.rgba()
        if on_frame is not None:
            frames = _counting(frames, on_frame)
        save_animation(path, frames, durations_ms=self.durations(), loop=self.loop,
                       fmt="apng" if fmt == "png" else fmt, palette_frames=palette_frames,
                       transparent=self.source.style.theme == "transparent",
                       comment=provenance_text(self.provenance))  # fmt: skip
        return path

    def to_bytes(self, fmt: str = "gif") -> bytes:
        """The encoded file (gif, webp or apng) as bytes, rendered once and cached."""
        import tempfile

        cache = self.__dict__.setdefault("_encoded", {})
        key = (fmt, self.fps, self.hold_first_ms, self.hold_last_ms, self.loop)
        if key not in cache:
            with tempfile.TemporaryDirectory() as tmp:
                suffix = "png" if fmt == "apng" else fmt
                cache[key] = self.save(Path(tmp) / f"animation.{suffix}").read_bytes()
        return cache[key]

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


def _counting(frames, on_frame):
    for i, frame in enumerate(frames, 1):
        yield frame
        on_frame(i)
