"""vizlearn.limits: estimates match what exporters build; refusals are one line."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn import limits
from vizlearn.limits import (
    LimitError,
    check_filmstrip,
    check_iterations,
    check_repeats,
    check_time,
    check_video_frames,
    check_workers,
    filmstrip_size,
    size_text,
    video_frames,
)


@pytest.mark.parametrize(
    ("n", "columns"), [(1, None), (4, None), (5, None), (10, 3), (3, 5)]
)
def test_filmstrip_size_is_the_sheet_tile_frames_builds(n: int, columns) -> None:
    from vizlearn.export.filmstrip import tile_frames

    frames = [np.zeros((7, 11, 4), np.uint8)] * n
    height, width = tile_frames(frames, columns=columns).shape[:2]
    assert filmstrip_size(11, 7, n, columns=columns) == (width, height)


@pytest.mark.parametrize(
    ("durations", "fps"),
    [([100] * 10, 10), ([100] * 98 + [600_000, 2000], 30), ([33, 33, 34] * 7, 24.5)],
)
def test_video_frames_counts_what_write_mp4_repeats(durations, fps) -> None:
    from vizlearn.export.video import repeats

    assert video_frames(durations, fps) == sum(repeats(durations, fps))


def _refusal(call) -> str:
    with pytest.raises(LimitError) as caught:
        call(allow_large=False)
    call(allow_large=True)  # lifted
    message = str(caught.value)
    assert "\n" not in message and message.endswith("(--allow-large lifts it)")
    return message


def test_a_100_frame_2000px_filmstrip_is_refused() -> None:
    message = _refusal(lambda **kw: check_filmstrip(2000, 2000, 100, **kw))
    assert message.startswith(
        "a filmstrip of 100 frames of 2000x2000 px is a 403-megapixel sheet "
        "(20072x20072, about 3.0 GB of memory); the limit is 25 megapixels"
    )
    check_filmstrip(640, 480, 9)  # a usual sheet passes


def test_a_filmstrip_beyond_what_can_be_written_stays_refused() -> None:
    with pytest.raises(LimitError, match="cannot be written \\(a hard limit\\)"):
        check_filmstrip(30_000, 100, 2, allow_large=True)


def test_600_s_holds_are_counted_as_encoded_frames() -> None:
    durations = [100] * 99 + [600_000]
    message = _refusal(lambda **kw: check_video_frames(durations, 30, 640, 480, **kw))
    assert message.startswith("the holds make the MP4 18297 frames at 30 fps")
    check_video_frames([100] * 100, 10, 640, 480)


def test_iterations_repeats_and_workers_are_estimated() -> None:
    message = _refusal(lambda **kw: check_iterations(10_000_000, **kw))
    assert message.startswith("--iters 10000000 (about 440 bytes kept per iteration)")
    assert "needs about 4.1 GB of memory; the limit is 4.0 GB" in message
    message = _refusal(
        lambda **kw: check_repeats(
            99_999_999_999, 1e-3, "--warmup", bytes_each=440, **kw
        )
    )
    assert message.startswith("--warmup 99999999999 needs about 40.0 TB of memory")
    message = _refusal(lambda **kw: check_repeats(10**6, 1e-3, "--repeats", **kw))
    assert message == (
        "--repeats 1000000 would take about 17 min; the limit is 10 min "
        "(--allow-large lifts it)"
    )
    message = _refusal(lambda **kw: check_workers(83, 100 * 2**20, **kw))
    assert message.startswith(
        "--jobs 83 (about 100.0 MB per worker) needs about 8.1 GB"
    )
    check_iterations(10_000, seconds_per_iteration=1e-3)


def test_time_and_sizes_read_well() -> None:
    assert size_text(1536) == "1.5 KB" and size_text(3 * 2**30) == "3.0 GB"
    with pytest.raises(LimitError, match="about 3 h; the limit is 10 min"):
        check_time(3 * 3600, "this")
    check_time(limits.MAX_SECONDS, "this")
