"""Render and encode an animation's frames, in one process or several.

Each worker process renders a contiguous chunk of the frames and encodes them
(`vizlearn.export.gif.GifEncoder`, `vizlearn.export.apng.ApngEncoder`); it
first renders the frame before its chunk, so its encoder compares every frame
with the one that really precedes it. The main process writes the encoded
frames in order. The bytes are the same for any number of workers.

Workers are forked (Linux), so they share the figure already laid out and the
palette already built, and need nothing pickled. Elsewhere, or for a few
frames, everything runs in the calling process.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from vizlearn.render.frames import FrameSource

__all__ = ["default_jobs", "encode_frames"]

MIN_FRAMES_PER_JOB = 12  # below this a fork and a background draw cost more


def default_jobs() -> int:
    """The number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def encode_frames(
    source: FrameSource,
    plan: Sequence[int],
    make_encoder: Callable[[], Any],
    *,
    jobs: int | None = None,
) -> Iterator[bytes]:
    """Yield ``encoder.encode(...)`` of frame ``plan[i]`` at position ``i``, in order.

    Parameters
    ----------
    source
        What to render.
    plan
        Frame indices to render, in output order.
    make_encoder
        Returns a fresh encoder (``encode(pixels, boxes, position) -> bytes``);
        each worker makes its own.
    jobs
        Worker processes; None for one per core. Output is identical for any.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    jobs = min(jobs, max(1, len(plan) // MIN_FRAMES_PER_JOB))
    if jobs == 1 or not sys.platform.startswith("linux"):
        yield from _encode_chunk(source, plan, 0, len(plan), make_encoder)
        return
    yield from _Workers(source, plan, make_encoder, jobs).results()


def _encode_chunk(
    source: FrameSource,
    plan: Sequence[int],
    start: int,
    stop: int,
    make_encoder: Callable[[], Any],
) -> Iterator[bytes]:
    """Encode positions ``start:stop``, after priming with the frame before them."""
    encoder = make_encoder()
    blits = source.blits(plan[max(start - 1, 0) : stop])
    if start > 0:
        blit = next(blits)
        encoder.encode(blit.pixels, blit.boxes, start - 1)  # only to know that frame
    for position, blit in zip(range(start, stop), blits, strict=True):
        yield encoder.encode(blit.pixels, blit.boxes, position)


class _Workers:
    """Forked workers, one contiguous chunk each, read back in order."""

    def __init__(
        self,
        source: FrameSource,
        plan: Sequence[int],
        make_encoder: Callable[[], Any],
        jobs: int,
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        bounds = [round(len(plan) * j / jobs) for j in range(jobs + 1)]
        self.conns: list[Connection] = []
        self.processes = []
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
            receive, send = context.Pipe(duplex=False)
            args = (source, plan, start, stop, make_encoder, send)
            process = context.Process(target=_work, args=args, daemon=True)
            process.start()
            send.close()  # the worker's end: EOF here when the worker dies
            self.conns.append(receive)
            self.processes.append(process)

    def results(self) -> Iterator[bytes]:
        """Yield encoded frames in order while draining every worker's pipe."""
        pending: list[deque[bytes]] = [deque() for _ in self.conns]
        done = [False] * len(self.conns)
        try:
            for j in range(len(self.conns)):
                while True:
                    while pending[j]:
                        yield pending[j].popleft()
                    if done[j]:
                        break
                    self._receive(pending, done)
        finally:
            for process in self.processes:
                if process.is_alive():
                    process.terminate()
                process.join()
            for conn in self.conns:
                conn.close()

    def _receive(self, pending: list[deque[bytes]], done: list[bool]) -> None:
        """Read whatever the workers have sent (blocks until something arrives)."""
        open_conns = [c for c, d in zip(self.conns, done, strict=True) if not d]
        for conn in wait(open_conns):
            j = self.conns.index(conn)  # type: ignore[arg-type]
            try:
                message = conn.recv_bytes()
            except EOFError:
                raise RuntimeError(f"frame worker {j + 1} died") from None
            kind, payload = message[:1], message[1:]
            if kind == b"F":
                pending[j].append(payload)
            elif kind == b"D":
                done[j] = True
            else:
                raise RuntimeError(f"frame worker {j + 1}: {payload.decode()}")


def _work(
    source: FrameSource,
    plan: Sequence[int],
    start: int,
    stop: int,
    make_encoder: Callable[[], Any],
    conn: Connection,
) -> None:
    """Worker body: encode a chunk, send each frame, then b"D" (or b"E" + error)."""
    code = 0
    try:
        for payload in _encode_chunk(source, plan, start, stop, make_encoder):
            conn.send_bytes(b"F" + payload)
        conn.send_bytes(b"D")
    except BaseException as error:  # noqa: BLE001  (reported to the parent)
        code = 1
        try:
            conn.send_bytes(b"E" + f"{type(error).__name__}: {error}".encode())
        except OSError:
            pass
    finally:
        conn.close()
        os._exit(code)  # skip the parent's atexit handlers and buffers
