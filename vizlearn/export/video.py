"""MP4 (H.264) through the optional extra ``vizlearn[video]`` (imageio-ffmpeg).

imageio-ffmpeg ships its own ffmpeg binary, so nothing else needs installing.
Frames stream into ffmpeg's stdin one at a time. MP4 plays at a constant frame
rate, so a held frame is repeated. The file is made reproducible with
ffmpeg's bit-exact flags (no encoder version tags, no creation time) and no
metadata but the provenance comment; x264 itself is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from os import PathLike

import numpy as np
from numpy.typing import NDArray

__all__ = ["VideoUnavailable", "write_mp4", "INSTALL_HINT", "read_mp4_comment"]

INSTALL_HINT = "MP4 needs the optional extra: pip install 'vizlearn[video]'"
CRF = 20  # x264 quality: 18-23 is visually lossless for charts


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
) -> None:
    """Write RGBA/RGB frames as an H.264 MP4 at ``fps`` (holds repeat frames)."""
    ffmpeg = _ffmpeg()
    first = next(frames, None)
    if first is None:
        raise ValueError("no frames to write")
    height, width = first.shape[:2]
    params = [
        "-crf",
        str(CRF),
        "-preset",
        "medium",
        "-tune",
        "animation",
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-map_metadata",
        "-1",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2",
    ]
    if comment is not None:
        params += ["-metadata", f"comment={comment}"]
    writer = ffmpeg.write_frames(  # type: ignore[attr-defined]
        str(path),
        (width, height),
        fps=fps,
        codec="libx264",
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
