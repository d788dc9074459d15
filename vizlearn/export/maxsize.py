"""Fit an animation into a file-size budget (GitHub shows up to 5 MB, Hatena 10 MB).

`save_within` tries settings from a fixed ladder, mildest first: fewer GIF
colours, then every 2nd, 3rd, ... frame (each shown longer, so the animation
lasts as long), then fewer pixels (text scaled with them, so it looks the
same, smaller). After each try it predicts the sizes of the next settings from
the size it got and skips those that cannot fit, so a typical fit takes two or
three renders. The file is replaced only once a setting fits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vizlearn.export.animation import Animation, animation_format, write_encoded
from vizlearn.files import atomic_path

__all__ = ["Fit", "Setting", "LADDER", "save_within"]


@dataclass(frozen=True)
class Setting:
    """One rung: keep every ``stride``-th frame, scale pixels, palette size."""

    stride: int = 1
    scale: float = 1.0
    colors: int = 255

    def weight(self, n_frames: int) -> float:
        """Relative size: pixels and frames kept (diffs grow with the stride)."""
        kept = -(-n_frames // self.stride)
        colors = {255: 1.0, 127: 0.9, 63: 0.8, 31: 0.7}.get(self.colors, 1.0)
        return self.scale**2 * kept**0.8 * colors


LADDER = (
    Setting(1, 1.0, 255),
    Setting(1, 1.0, 127),
    Setting(2, 1.0, 127),
    Setting(2, 0.85, 127),
    Setting(2, 0.7, 127),
    Setting(3, 0.7, 63),
    Setting(3, 0.6, 63),
    Setting(4, 0.5, 63),
    Setting(5, 0.4, 63),
    Setting(6, 0.33, 31),
    Setting(8, 0.25, 31),
)


@dataclass(frozen=True)
class Fit:
    """What `save_within` wrote: the setting, the size, the limit."""

    path: Path
    setting: Setting
    n_bytes: int
    max_bytes: int
    size: tuple[int, int]
    n_frames: int

    def describe(self) -> str:
        """'612 KB of 5.0 MB: every 2nd frame (50 frames), 840x630 px, 127 colours'."""
        parts = [f"{_human(self.n_bytes)} of {_human(self.max_bytes)}:"]
        s = self.setting
        parts.append(
            f"every {_ordinal(s.stride)} frame ({self.n_frames} frames),"
            if s.stride > 1
            else f"all {self.n_frames} frames,"
        )
        parts.append(f"{self.size[0]}x{self.size[1]} px")
        if self.path.suffix.lower() == ".gif":
            parts[-1] += f", {s.colors} colours"
        return " ".join(parts)


def save_within(
    anim: Animation,
    path: str | Path,
    max_bytes: int,
    *,
    on_frame: Callable[[int], Any] | None = None,
    jobs: int | None = None,
) -> Fit:
    """Write ``anim`` to ``path`` with the mildest ladder setting under ``max_bytes``.

    Raises ValueError (nothing written) if even the last rung is too large.
    """
    path = Path(path)
    fmt = animation_format(path)
    ladder = _ladder(fmt, anim.remake is not None, anim.max_colors)
    n_frames = anim.n_frames
    smallest = None
    with atomic_path(path) as tmp:
        i = 0
        while i < len(ladder):
            setting = ladder[i]
            candidate = _apply(anim, setting)
            write_encoded(
                candidate, tmp, fmt, on_frame, anim.jobs if jobs is None else jobs
            )
            n_bytes = tmp.stat().st_size
            if n_bytes <= max_bytes:
                size = candidate.source.figure.canvas.get_width_height(physical=True)
                n_out = len(candidate.plan()[0])
                return Fit(path, setting, n_bytes, max_bytes, size, n_out)
            smallest = n_bytes
            i = _next_rung(ladder, i, (setting, n_bytes), max_bytes, n_frames)
        raise ValueError(  # inside the block: nothing is written
            f"--max-size: cannot fit in {max_bytes:,} bytes; the smallest setting "
            f"({_brief(ladder[-1])}) still takes {smallest:,} bytes"
        )
    raise AssertionError  # pragma: no cover


def _ladder(fmt: str, can_scale: bool, max_colors: int = 255) -> list[Setting]:
    """The rungs that apply: GIF colours up to ``max_colors``, scaling with remake."""
    out: list[Setting] = []
    for s in LADDER:
        s = replace(s, colors=min(s.colors, max_colors) if fmt == "gif" else 255)
        s = s if can_scale else replace(s, scale=1.0)
        if s not in out:
            out.append(s)
    return out


def _next_rung(
    ladder: list[Setting],
    i: int,
    measured: tuple[Setting, int],
    max_bytes: int,
    n_frames: int,
) -> int:
    """The next rung predicted to fit (with 5 % to spare), else the last one."""
    setting, n_bytes = measured
    for j in range(i + 1, len(ladder)):
        ratio = ladder[j].weight(n_frames) / setting.weight(n_frames)
        if n_bytes * ratio <= 0.95 * max_bytes:
            return j
    return len(ladder) - 1 if i < len(ladder) - 1 else len(ladder)


def _apply(anim: Animation, setting: Setting) -> Animation:
    """A copy of ``anim`` with the setting's stride, colours and scale."""
    source = anim.source
    if setting.scale != 1.0 and anim.remake is not None:
        style = source.style
        source = anim.remake(
            replace(
                style,
                width=max(16, round(style.width * setting.scale)),
                height=max(16, round(style.height * setting.scale)),
                dpi=max(20, round(style.dpi * setting.scale)),
            )
        )
    return replace(
        anim,
        source=source,
        stride=anim.stride * setting.stride,
        max_colors=min(anim.max_colors, setting.colors),
    )


def _brief(setting: Setting) -> str:
    frames = (
        "every frame"
        if setting.stride == 1
        else f"every {_ordinal(setting.stride)} frame"
    )
    return f"{frames}, {setting.scale:.0%} size, {setting.colors} colours"


def _human(n_bytes: float) -> str:
    """612 KB, 4.8 MB (decimal units, as hosts state their limits)."""
    if n_bytes < 1e6:
        return f"{n_bytes / 1e3:.0f} KB" if n_bytes >= 1e3 else f"{n_bytes:.0f} bytes"
    return f"{n_bytes / 1e6:.1f} MB"


def _ordinal(n: int) -> str:
    return {1: "", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")
