"""Write animations (GIF, WebP, APNG) from a lazy stream of RGBA frames.

All three formats stream: frames are consumed one at a time and never kept,
so memory stays flat however many frames there are. GIF (`vizlearn.export.gif`)
uses one global palette and stores only the pixels that changed; APNG
(`vizlearn.export.apng`) only the rectangle that changed. Both encode each
frame against the previous one alone, which lets `vizlearn.export.animation`
split the work across processes. WebP goes through Pillow's (libwebp's)
animation encoder, fed one frame at a time.

Before these writers, WebP and APNG went through Pillow's ``save_all`` with a
list of all frames: peak RSS for 800x600 frames grew from 248 to 617 MiB
(WebP) and from 417 to 1151 MiB (APNG) between 100 and 300 frames
(``python benchmarks/bench_gif_encoder.py --memory``). libwebp merges
consecutive identical frames into one frame with the summed duration, so a
WebP's frame count can be lower than the number of inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from vizlearn.export.apng import APNG_END, ApngEncoder, apng_header
from vizlearn.export.gif import GifEncoder, gif_delays, gif_header
from vizlearn.export.palette import MAX_COLORS, build_palette
from vizlearn.export.readback import (
    AnimationInfo,
    read_animation_info,
    to_xmp,
)
from vizlearn.files import atomic_path

__all__ = ["FORMATS", "FrameFile", "save_animation", "write_webp", "frame_file"]

FORMATS = {".gif": "gif", ".webp": "webp", ".png": "apng", ".apng": "apng"}
# Lossless WebP effort (`python benchmarks/bench_gif_encoder.py --webp`, 30 chart
# frames 1200x900): method 0 1.81 MB in 0.7 s, method 1-2 quality 0 0.44 MB in
# 0.55 s, method 2 quality 50 0.32 MB in 0.9 s; more effort gains nothing (method 6
# quality 100: 0.32 MB in 44 s).
WEBP_METHOD = 2
WEBP_QUALITY = 50

Frame = NDArray[np.uint8]
Boxes = NDArray[np.int64]


@dataclass(frozen=True)
class FrameFile:
    """How to write one animation file, split into parts workers can share.

    ``header`` and ``trailer`` frame the file; ``make_encoder()`` gives an
    object whose ``encode(pixels, boxes, position)`` returns the bytes of one
    frame, computed from that frame and the previous one given to the same
    encoder only. (For WebP, which libwebp encodes as a whole, use
    `write_webp` instead.)
    """

    header: bytes
    make_encoder: Callable[[], Any]
    trailer: bytes


def frame_file(
    fmt: str,
    size: tuple[int, int],
    *,
    n_frames: int | None,
    durations_ms: Sequence[int],
    loop: int = 0,
    palette_frames: Sequence[Frame] | None = None,
    transparent: bool = False,
    comment: str | None = None,
    metadata: Mapping[str, str] | None = None,
    max_colors: int = MAX_COLORS,
) -> FrameFile:
    """Header, encoder factory and trailer of a GIF or APNG of ``size`` (w, h).

    ``palette_frames`` (GIF only, required) are the frames whose colours the
    global palette keeps exact, e.g. the first and the last.
    """
    options = _Options(0, loop, transparent, comment, dict(metadata or {}))
    width, height = size
    durations = durations_ms
    if n_frames is not None:
        _Options(list(durations), loop, transparent, comment, {}).check_count(n_frames)
    if fmt == "gif":
        if not palette_frames:
            raise ValueError("a GIF needs palette_frames")
        palette = build_palette(
            palette_frames, transparent=transparent, max_colors=max_colors
        )
        header = gif_header(
            width,
            height,
            palette,
            loop=loop,
            transparent=transparent,
            comment=comment,
            metadata=options.metadata,
        )

        delays = (
            durations if isinstance(durations, _Constant) else gif_delays(durations)
        )

        def gif_encoder() -> GifEncoder:
            return GifEncoder(palette, delays, transparent=transparent)

        return FrameFile(header, gif_encoder, b";")
    if fmt == "apng":
        text = dict(options.metadata)
        if comment is not None:
            text["Comment"] = comment
        header = apng_header(
            width, height, n_frames, loop=loop, transparent=transparent, text=text
        )

        def apng_encoder() -> ApngEncoder:
            return ApngEncoder(durations, transparent=transparent)

        return FrameFile(header, apng_encoder, APNG_END)
    raise ValueError(f"fmt must be gif or apng for frame files, got {fmt!r}")


def save_animation(
    path: str | PathLike[str],
    frames: Iterable[Frame],
    *,
    durations_ms: Sequence[int] | int,
    loop: int = 0,
    fmt: str | None = None,
    palette_frames: Sequence[Frame] | None = None,
    transparent: bool = False,
    comment: str | None = None,
    metadata: Mapping[str, str] | None = None,
    max_colors: int = MAX_COLORS,
) -> AnimationInfo:
    """Write ``frames`` as an animated GIF, WebP or APNG, atomically.

    Parameters
    ----------
    path
        Output file. Written via a temporary file in the same folder, so an
        existing file is only ever replaced by a complete one.
    frames
        RGBA (or RGB) uint8 arrays of shape (H, W, 4), all the same size,
        consumed lazily. Alpha is ignored unless ``transparent``.
    durations_ms
        Display time of every frame, or one per frame (e.g. to hold the first
        and last frame). GIF rounds to 10 ms steps, at least 20 ms.
    loop
        Number of plays, 0 for forever. (In a GIF, ``loop=n`` is stored as the
        NETSCAPE repeat count ``n - 1``, the way browsers read it.)
    fmt
        "gif", "webp" or "apng"; default from the suffix (.png means APNG).
    palette_frames
        GIF only: frames whose colours the global palette keeps exact
        (e.g. the first and last). Default: the first frame.
    transparent
        Keep alpha. GIF: pixels with alpha below 128 become transparent.
    comment
        Text stored in the file (GIF comment, APNG tEXt "Comment", WebP XMP).
    metadata
        Extra text key/values (APNG tEXt chunks, WebP XMP, GIF a comment
        holding ``vizlearn-metadata:`` and JSON).
    max_colors
        GIF only: palette size (2..255).

    Returns
    -------
    AnimationInfo
        Read back from the written file.
    """
    fmt = _resolve_format(Path(path), fmt)
    _Options(durations_ms, loop, transparent, comment, dict(metadata or {}))
    with atomic_path(path) as tmp:
        if fmt == "webp":
            write_webp(
                tmp,
                _checked(frames),
                durations_ms=durations_ms,
                loop=loop,
                transparent=transparent,
                comment=comment,
                metadata=metadata,
            )
        else:
            _write_streamed(
                tmp,
                fmt,
                _checked(frames),
                durations_ms,
                dict(
                    loop=loop,
                    palette_frames=palette_frames,
                    transparent=transparent,
                    comment=comment,
                    metadata=metadata,
                    max_colors=max_colors,
                ),
            )
    return read_animation_info(path)


def _write_streamed(
    tmp: Path,
    fmt: str,
    frames: Iterator[Frame],
    durations_ms: Sequence[int] | int,
    options: dict[str, Any],
) -> None:
    """GIF or APNG from frames without change boxes (each compared whole)."""
    if isinstance(durations_ms, int) and fmt == "apng":  # acTL needs the count
        stack = list(frames)
        durations_ms = [durations_ms] * len(stack)
        frames = iter(stack)
        del stack
    first = next(frames, None)
    if first is None:
        raise ValueError("no frames to write")
    n_frames = None if isinstance(durations_ms, int) else len(durations_ms)
    durations = (
        _Constant(durations_ms) if isinstance(durations_ms, int) else durations_ms
    )
    size = (first.shape[1], first.shape[0])
    palette_frames = options.pop("palette_frames") or [first]
    spec = frame_file(
        fmt,
        size,
        n_frames=n_frames,
        durations_ms=durations,
        palette_frames=palette_frames,
        **options,
    )
    del palette_frames
    encoder, stream = spec.make_encoder(), _prepend(first, frames)
    del first
    with open(tmp, "wb") as fp:
        fp.write(spec.header)
        n_written = 0
        for n_written, frame in enumerate(stream, start=1):
            if n_frames is not None and n_written > n_frames:
                raise ValueError(f"more frames than the {n_frames} durations")
            fp.write(encoder.encode(frame, None, n_written - 1))
            del frame
        if n_frames is not None and n_written != n_frames:
            raise ValueError(f"{n_frames} durations_ms for {n_written} frames")
        fp.write(spec.trailer)


class _Constant(Sequence[int]):
    """The same duration for any number of frames (an unknown count).

    Item ``i`` is that frame's share of the running total in whole 10 ms
    ticks, so a GIF of 33 ms frames plays 30, 40, 30, ... ms; APNG reads
    ``value``.
    """

    def __init__(self, value: int) -> None:
        self.value = value

    def __getitem__(self, index: Any) -> Any:
        def tick(ms: int) -> int:
            return (ms + 5) // 10

        return 10 * (tick((index + 1) * self.value) - tick(index * self.value))

    def __len__(self) -> int:
        raise TypeError("a constant duration has no length")


def write_webp(
    path: str | PathLike[str],
    frames: Iterator[Frame],
    *,
    durations_ms: Sequence[int] | int,
    loop: int = 0,
    transparent: bool = False,
    comment: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Write a lossless animated WebP, feeding libwebp one frame at a time."""
    mode = "RGBA" if transparent else "RGB"
    first = next(frames, None)
    if first is None:
        raise ValueError("no frames to write")
    if isinstance(durations_ms, int):
        rest = [np.ascontiguousarray(f) for f in frames]
        durations_ms = [durations_ms] * (1 + len(rest))
        frames = iter(rest)
    image = Image.fromarray(np.ascontiguousarray(first)).convert(mode)
    del first  # the encoder takes one frame at a time from here
    sequence = _LazyFrames(frames, len(durations_ms) - 1, mode)
    image.save(
        path,
        format="WEBP",
        save_all=True,
        append_images=[sequence],
        duration=list(durations_ms),
        loop=loop,
        lossless=True,
        method=WEBP_METHOD,
        quality=WEBP_QUALITY,
        xmp=to_xmp(comment, dict(metadata or {})),
    )
    sequence.check_done()


class _LazyFrames:
    """A multi-frame image for Pillow's WebP writer whose frames arrive lazily.

    Pillow's ``save_all`` asks each appended image for ``n_frames``, then
    ``seek``s 0, 1, 2, ... and encodes the current frame, so one frame at a
    time is enough.
    """

    def __init__(self, frames: Iterator[Frame], n_frames: int, mode: str) -> None:
        self.frames, self.n_frames, self.mode = frames, n_frames, mode
        self.position, self.current = -1, None
        self.has_transparency_data = mode == "RGBA"

    def seek(self, index: int) -> None:
        """Move to frame ``index``: the next one (or stay)."""
        if index == self.position:
            return
        if index != self.position + 1:
            raise ValueError("frames can only be read in order")
        frame = next(self.frames, None)
        if frame is None:
            raise ValueError(f"fewer frames than the {self.n_frames + 1} durations")
        self.current = Image.fromarray(np.ascontiguousarray(frame)).convert(self.mode)
        self.position = index

    def tell(self) -> int:
        """The current frame."""
        return self.position

    def getim(self) -> Any:
        """Pillow's core image of the current frame."""
        return self.current.getim()

    @property
    def im(self) -> Any:
        """Pillow's core image of the current frame (older Pillow)."""
        return self.current.im

    def convert(self, mode: str) -> Image.Image:
        """The current frame in ``mode``."""
        return self.current.convert(mode)

    def check_done(self) -> None:
        """Raise ValueError if frames remain after the last duration."""
        if next(self.frames, None) is not None:
            raise ValueError(f"more frames than the {self.n_frames + 1} durations")


@dataclass(frozen=True)
class _Options:
    """The validated per-file settings shared by all formats."""

    durations_ms: Sequence[int] | int
    loop: int
    transparent: bool
    comment: str | None
    metadata: dict[str, str]

    def __post_init__(self) -> None:
        """Check the loop count and durations."""
        if not 0 <= self.loop <= 65_535:
            raise ValueError(f"loop must be in 0..65535, got {self.loop}")
        durations = self.durations_ms
        if min([durations] if isinstance(durations, int) else durations, default=0) < 0:
            raise ValueError("durations_ms must not be negative")

    def check_count(self, n_frames: int) -> None:
        """Raise ValueError unless there is one duration per frame (or one for all)."""
        if n_frames == 0:
            raise ValueError("no frames to write")
        if (
            not isinstance(self.durations_ms, int)
            and len(self.durations_ms) != n_frames
        ):
            raise ValueError(
                f"{len(self.durations_ms)} durations_ms for {n_frames} frames"
            )


def _checked(frames: Iterable[Frame]) -> Iterator[Frame]:
    """Yield ``frames``, checking that all are uint8 (H, W, 3|4) of one shape."""
    shape = None
    for frame in frames:
        frame = np.asarray(frame)
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] not in (3, 4):
            raise ValueError(
                f"expected uint8 (H, W, 4) frames, got {frame.dtype} {frame.shape}"
            )
        if shape is not None and frame.shape != shape:
            raise ValueError(f"frame of shape {frame.shape} after frames of {shape}")
        shape = frame.shape
        yield frame


def _prepend(first: Frame, rest: Iterator[Frame]) -> Iterator[Frame]:
    """Yield ``first``, then ``rest``, dropping ``first`` once it is used."""
    yield first
    del first  # itertools.chain([first], rest) would keep it to the end
    yield from rest


def _resolve_format(path: Path, fmt: str | None) -> str:
    """Return "gif", "webp" or "apng" from ``fmt`` or the file suffix."""
    fmt = fmt.lower() if fmt else FORMATS.get(path.suffix.lower())
    if fmt not in ("gif", "webp", "apng"):
        raise ValueError(
            f"fmt must be one of gif, webp, apng (or a suffix among "
            f"{', '.join(FORMATS)}), got {fmt or path.suffix!r}"
        )
    return fmt
