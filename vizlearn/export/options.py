"""How an animation is written: timing, holds, size budget, palette, extras.

Declared like lesson configs (:func:`vizlearn.config.option`), so the command
line's export options are generated from these fields and checked the same way
(numpy-free). Texts keep the user's spelling (``"2s"``, ``"5MB"``), so they show
as given in ``--help`` and in provenance; the ``*_ms`` properties parse them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vizlearn.config import (
    option,
    parse_byte_size,
    parse_duration,
    parse_holds,
    validate,
)

__all__ = ["ExportOptions", "check_timing", "FPS_WARNING", "STILLS", "ANIMATIONS"]

STILLS = ("png", "svg", "pdf")
ANIMATIONS = ("gif", "webp", "png", "apng", "mp4", "webm", "html")  # .png: APNG
FPS_WARNING = 50  # browsers slow down GIFs faster than this


def _check_filmstrip(text: str | None) -> None:
    if text is None:
        return
    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items or not all(s.lstrip("-").isdigit() and len(s) < 10 for s in items):
        raise ValueError(f"{text!r} is not a list of frame numbers like 0,25,50,-1")


def _check_optional(parse):
    return lambda value: None if value is None else parse(value)


@dataclass(frozen=True)
class ExportOptions:
    """Everything about writing an animation beyond its pixels."""

    fps: float = option(10.0, "frames per second", low=0, low_open=True, high=100)
    hold_first: str = option(
        "0s",
        "extra time on the first frame (e.g. 1s, 500ms)",
        check=parse_duration,
        metavar="TIME",
    )
    hold_last: str = option(
        "2s", "extra time on the last frame", check=parse_duration, metavar="TIME"
    )
    loop: int = option(0, "times to loop; 0 = forever", low=0, high=65535)
    hold: tuple[str, ...] = option(
        (),
        "extra time on chosen frames, e.g. 40=1s,70=500ms",
        check=lambda values: [parse_holds(v) for v in values],
        multiple=True,
        metavar="FRAME=TIME,...",
    )
    max_size: str | None = option(
        None,
        "fit the file into SIZE (e.g. 5MB for GitHub, 10MB for Hatena) by "
        "dropping frames, pixels or colours",
        check=_check_optional(parse_byte_size),
        metavar="SIZE",
    )
    colors: int | None = option(
        None,
        "GIF palette size: fewer make smaller files, 63 looks the same on most "
        "charts  [default: 255]",
        low=2,
        high=255,
    )
    chroma: str | None = option(
        None,
        "MP4 colour detail: 420 plays everywhere; 444 keeps thin coloured lines "
        "sharp, but Safari, QuickTime, Windows' player and PowerPoint refuse it  "
        "[default: 420]",
        choices=("420", "444"),
    )
    filmstrip: str | None = option(
        None,
        "write these frames side by side as one PNG instead (e.g. 0,25,50,-1)",
        check=_check_filmstrip,
        metavar="FRAMES",
    )
    poster: str | None = option(
        None, "also write one frame as PNG (see --poster-frame)", metavar="PATH"
    )
    poster_frame: int = option(
        -1, "the frame --poster writes (-1 = the last)", low=-100_000, high=100_000
    )
    jobs: int | None = option(
        None,
        "processes that render GIF/APNG frames (the file is the same for any)  "
        "[default: number of free cores]",
        low=1,
        high=256,
    )

    def __post_init__(self) -> None:
        validate(self)

    @property
    def hold_first_ms(self) -> int:
        """``hold_first`` in milliseconds."""
        return parse_duration(self.hold_first)

    @property
    def hold_last_ms(self) -> int:
        """``hold_last`` in milliseconds."""
        return parse_duration(self.hold_last)

    @property
    def holds(self) -> dict[int, int]:
        """``hold`` as frame -> extra milliseconds (frames may count from the end)."""
        return parse_holds(self.hold)

    @property
    def max_bytes(self) -> int | None:
        """``max_size`` in bytes, or None."""
        return None if self.max_size is None else parse_byte_size(self.max_size)

    def warnings(self) -> list[str]:
        """Things that work but that the user should know."""
        if self.fps > FPS_WARNING:
            return [
                f"--fps {self.fps:g} is above {FPS_WARNING}; browsers slow such "
                "GIFs down"
            ]
        return []


def check_timing(*, fps: float, hold_first_ms: int, hold_last_ms: int) -> None:
    """ValueError unless 0 < fps <= 100 and each hold is 0 to 600 s."""
    if not (isinstance(fps, int | float) and math.isfinite(fps) and 0 < fps <= 100):
        raise ValueError(f"fps must be > 0 and <= 100, got {fps!r}")
    for name, ms in (("hold_first_ms", hold_first_ms), ("hold_last_ms", hold_last_ms)):
        if not (isinstance(ms, int) and 0 <= ms <= 600_000):
            raise ValueError(f"{name} must be 0 to 600000 ms, got {ms!r}")
