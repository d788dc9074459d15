"""MP4 (H.264) and WebM (VP9) through the optional extra ``vizlearn[video]``.

imageio-ffmpeg ships its own ffmpeg binary, so nothing else needs installing.
Frames stream into ffmpeg's stdin one at a time. MP4 plays at a constant frame
rate, so a held frame is repeated. The file is made reproducible with
ffmpeg's bit-exact flags (no encoder version tags, no creation time) and no
metadata but the provenance comment; x264 itself is deterministic.

Chroma: ``yuv420p`` (the default) plays everywhere (browsers, PowerPoint,
QuickTime, phones) but halves the colour resolution, so thin coloured lines
blur (39 dB on the sin-regression lines); ``chroma="444"`` keeps it (49 dB,
+1.6 % bytes) but H.264 High 4:4:4 does not play in Safari, QuickTime,
PowerPoint on macOS or most phones: use it for files you play yourself.
WebM is VP9 (libvpx, in imageio-ffmpeg's ffmpeg), lossless-looking at crf 30
with ``-row-mt``; browsers play it, PowerPoint and Safari before 14 do not.
`video_html` gives the ``<video>`` element with a GIF fallback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from os import PathLike

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CHROMA",
    "INSTALL_HINT",
    "VideoUnavailable",
    "read_mp4_comment",
    "video_html",
    "write_mp4",
    "write_webm",
]

INSTALL_HINT = "MP4 needs the optional extra: pip install 'vizlearn[video]'"
CRF = 20  # x264 quality: 18-23 is visually lossless for charts
VP9_CRF = 30  # libvpx-vp9 constant quality (0-63)
CHROMA = {"420": "yuv420p", "444": "yuv444p"}


class VideoUnavailable(RuntimeError):
    """imageio-ffmpeg (the ``video`` extra) is not installed."""


def _ffmpeg() -> object:
    try:
        import imageio_ffmpeg
    except ImportError:
        raise VideoUnavailable(INSTALL_HINT) from None
    return imageio_ffmpeg


def repeats(durations_ms: Sequence[int], fps: float) -> list[int]:
    """How often to repeat each frame at ``fps`` so the holds last (at least once).

    Rounds the running total, so rounding errors do not add up.
    """
    out, shown, elapsed = [], 0, 0.0
    for ms in durations_ms:
        elapsed += ms * fps / 1000
        n = max(1, round(elapsed) - shown)
        out.append(n)
        shown += n
    return out


def write_mp4(
    path: str | PathLike[str],
    frames: Iterator[NDArray[np.uint8]],
    *,
    durations_ms: Sequence[int],
    fps: float,
    comment: str | None = None,
    chroma: str = "420",
) -> None:
    """Write RGBA/RGB frames as an H.264 MP4 at ``fps`` (holds repeat frames).

    ``chroma`` is "420" (plays everywhere) or "444" (sharper colour lines,
    fewer players; see the module docstring).
    """
    params = [
        "-crf",
        str(CRF),
        "-preset",
        "medium",
        "-tune",
        "animation",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
    ]
    _encode(
        path, frames, durations_ms, fps, "libx264", params, comment, _pix_fmt(chroma)
    )


def write_webm(
    path: str | PathLike[str],
    frames: Iterator[NDArray[np.uint8]],
    *,
    durations_ms: Sequence[int],
    fps: float,
    comment: str | None = None,
) -> None:
    """Write RGBA/RGB frames as a VP9 WebM at ``fps`` (holds repeat frames)."""
    params = [
        "-crf",
        str(VP9_CRF),
        "-b:v",
        "0",
        "-row-mt",
        "1",
        "-deadline",
        "good",
        "-cpu-used",
        "4",
        "-threads",
        "1",  # one thread: the same bytes on every machine
        "-f",
        "webm",
    ]
    _encode(path, frames, durations_ms, fps, "libvpx-vp9", params, comment, "yuv420p")


def _pix_fmt(chroma: str) -> str:
    if chroma not in CHROMA:
        raise ValueError(f"chroma must be 420 or 444, got {chroma!r}")
    return CHROMA[chroma]


def _encode(
    path: str | PathLike[str],
    frames: Iterator[NDArray[np.uint8]],
    durations_ms: Sequence[int],
    fps: float,
    codec: str,
    params: list[str],
    comment: str | None,
    pix_fmt: str,
) -> None:
    """Stream frames into imageio-ffmpeg's ffmpeg with reproducible flags."""
    ffmpeg = _ffmpeg()
    first = next(frames, None)
    if first is None:
        raise ValueError("no frames to write")
    height, width = first.shape[:2]
    params = [
        *params,
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-map_metadata",
        "-1",
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2",
    ]
    if comment is not None:
        params += ["-metadata", f"comment={comment}"]
    writer = ffmpeg.write_frames(  # type: ignore[attr-defined]
        str(path),
        (width, height),
        fps=fps,
        codec=codec,
        pix_fmt_out=pix_fmt,
        quality=None,
        macro_block_size=1,
        ffmpeg_log_level="error",
        output_params=params,
    )
    writer.send(None)  # start ffmpeg
    try:
        stream = _chain(first, frames)
        del first
        for frame, n in zip(stream, repeats(durations_ms, fps), strict=True):
            data = np.ascontiguousarray(frame[..., :3]).tobytes()
            for _ in range(n):
                writer.send(data)
    finally:
        writer.close()


def video_html(
    sources: Sequence[str],
    *,
    gif: str,
    width: int,
    height: int,
    alt: str,
    poster: str | None = None,
) -> str:
    """A ``<video>`` (autoplay, muted, loop) with a GIF ``<img>`` as fallback.

    ``sources`` are file names (``.webm`` first, then ``.mp4``: browsers take
    the first they play); text is escaped, nothing is fetched but the files.
    """
    from html import escape

    kinds = {".webm": "video/webm", ".mp4": "video/mp4"}
    lines = [
        f'<video width="{width}" height="{height}" autoplay muted loop playsinline'
        + (f' poster="{escape(poster)}"' if poster else "")
        + f' aria-label="{escape(alt)}">'
    ]
    for src in sources:
        kind = kinds.get(src[src.rfind(".") :].lower(), "video/mp4")
        lines.append(f'  <source src="{escape(src)}" type="{kind}">')
    lines.append(
        f'  <img src="{escape(gif)}" width="{width}" height="{height}" '
        f'alt="{escape(alt)}">'
    )
    lines.append("</video>")
    return "\n".join(lines)


def _chain(first: NDArray[np.uint8], rest: Iterator[NDArray[np.uint8]]):
    yield first
    del first
    yield from rest


def read_mp4_comment(data: bytes) -> str | None:
    """The ``©cmt`` text of an MP4 (moov/udta/meta/ilst), or None."""
    path = [b"moov", b"udta", b"meta", b"ilst", b"\xa9cmt", b"data"]
    start, end = 0, len(data)
    for kind in path:
        found = None
        pos = start
        while pos + 8 <= end:
            size = int.from_bytes(data[pos : pos + 4], "big")
            if size < 8:
                return None
            if data[pos + 4 : pos + 8] == kind:
                found = (pos + 8, pos + size)
                break
            pos += size
        if found is None:
            return None
        start, end = found
        if kind == b"meta":  # a full box: version and flags first
            start += 4
    return data[start + 8 : end].decode("utf-8", "replace")  # type, locale, text
