"""Render and encode an animation's frames, in one process or several.

Each worker renders a contiguous chunk of the frames (first the frame before
its chunk, so its encoder compares every frame with the one that really
precedes it) and feeds them to a codec's encoder. A one-pass encoder (APNG)
returns each frame's bytes at once. A two-pass encoder (GIF) keeps what it
needs and sends a summary (the colours it saw); the parent combines the
summaries (the palette) and sends the result back, and the workers then write
their frames. The parent yields the frames in order: the bytes are the same
for any number of workers.

How workers start (`start_method`): forked when this process runs a single
thread (they share the figure already laid out); a process with other
threads (a Jupyter kernel, a GUI) must not fork, so there the workers are
started by a fork server and rebuild the figure from the source's
`vizlearn.render.frames.Recipe` (renderer name, trace, style); without a
recipe everything runs in the calling process. Workers ignore Ctrl-C (the
parent stops them) and die with their parent (`vizlearn.export.workers`).

Summaries and the shared value cross the pipes as ``.npy`` arrays read with
``allow_pickle=False`` (`pack` / `unpack`): nothing is ever unpickled. A
codec whose shared value is not arrays says how to send it (``to_arrays`` /
``from_arrays``: a GIF palette travels as its colours).
"""

from __future__ import annotations

import io
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from vizlearn.export.workers import (
    blas_pool_threads,
    die_with_parent,
    free_cores,
    usable_cores,
)
from vizlearn.render.frames import FrameSource, Recipe

__all__ = [
    "MIN_FRAMES_PER_JOB",
    "pack",
    "unpack",
    "default_jobs",
    "encode_frames",
    "single_threaded",
    "resolve_jobs",
    "start_method",
]

MIN_FRAMES_PER_JOB = 12  # below this a worker costs more than it renders


def default_jobs() -> int:
    """Worker processes to use: the cores not busy with other work (at least 1)."""
    return free_cores()


def resolve_jobs(jobs: int | None, *, allow_more: bool = False) -> int:
    """``jobs`` checked, or the default; capped by the cores unless ``allow_more``."""
    if jobs is None:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    return jobs if allow_more else min(jobs, usable_cores())


def start_method(recipe: Recipe | None) -> str | None:
    """'fork', 'forkserver' or None (run in this process); see the docstring."""
    if not sys.platform.startswith("linux"):
        return None
    if single_threaded():
        return "fork"
    return "forkserver" if recipe is not None else None


def single_threaded() -> bool:
    """True when no other thread runs in this process (Python's or native).

    OpenBLAS's own pool threads (numpy starts cores - 1 of them) do not
    count: OpenBLAS stops them around a fork (``pthread_atfork``).
    """
    if threading.active_count() != 1:
        return False
    try:
        n_os = len(os.listdir("/proc/self/task"))
    except OSError:
        return False
    return n_os <= 1 + blas_pool_threads()


def encode_frames(
    source: FrameSource,
    plan: Sequence[int],
    codec: Any,
    *,
    jobs: int | None = None,
    on_shared: Callable[[Any], None] | None = None,
    on_rendered: Callable[[int], Any] | None = None,
) -> Iterator[bytes]:
    """Yield the encoded frame at each position of ``plan``, in order.

    Parameters
    ----------
    source
        What to render (its ``recipe``, if any, lets threaded processes use
        workers too).
    plan
        Frame indices to render, in output order.
    codec
        ``codec.encoder()`` gives a worker's encoder (``add``, ``summary``,
        ``finish``) and ``codec.combine(summaries)`` joins what they saw;
        picklable when workers are not forked.
    jobs
        Worker processes (None: the free cores). Output is identical for any.
    on_shared
        Called with ``codec.combine(...)`` before the second pass's frames.
    on_rendered
        Called with the number of frames rendered so far (all workers).
    """
    jobs = resolve_jobs(jobs)
    jobs = min(jobs, max(1, len(plan) // MIN_FRAMES_PER_JOB))
    method = start_method(source.recipe) if jobs > 1 else None
    rendered = _Counter(on_rendered)
    if method is None:
        yield from _in_process(source, plan, codec, on_shared, rendered)
    else:
        workers = _Workers(source, plan, codec, jobs, method, rendered)
        yield from workers.results(on_shared)


class _Counter:
    """Counts rendered frames and reports the count."""

    def __init__(self, report: Callable[[int], Any] | None) -> None:
        self.report, self.count = report, 0

    def __call__(self) -> None:
        self.count += 1
        if self.report is not None:
            self.report(self.count)


def _in_process(
    source: FrameSource,
    plan: Sequence[int],
    codec: Any,
    on_shared: Callable[[Any], None] | None,
    rendered: _Counter,
) -> Iterator[bytes]:
    chunk = _chunk(source, plan, 0, len(plan), codec)
    item = next(chunk)
    while not isinstance(item, _Summary):
        if item is _RENDERED:
            rendered()
        else:
            yield item
        item = next(chunk)
    shared = codec.combine([item.value])
    if on_shared is not None:
        on_shared(shared)
    yield from _resume(chunk, shared)


_RENDERED = object()  # marks a rendered frame in a chunk's first pass


class _Summary:
    """What a chunk's first pass saw (marks the end of that pass)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _chunk(source: FrameSource, plan: Sequence[int], start: int, stop: int, codec: Any):
    """Yield the first pass's bytes, then a `_Summary`; then the second pass's.

    The generator is sent the shared value after the summary.
    """
    encoder = codec.encoder()
    blits = source.blits(plan[max(start - 1, 0) : stop])
    if start > 0:
        blit = next(blits)
        encoder.add(blit.pixels, blit.boxes, start - 1, emit=False)
    for position, blit in zip(range(start, stop), blits, strict=True):
        out = encoder.add(blit.pixels, blit.boxes, position)
        yield _RENDERED
        if out:
            yield out
    shared = yield _Summary(encoder.summary())
    yield from encoder.finish(shared)


class _Workers:
    """Worker processes, one contiguous chunk each, read back in order."""

    def __init__(
        self,
        source: FrameSource,
        plan: Sequence[int],
        codec: Any,
        jobs: int,
        method: str,
        rendered: _Counter,
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["vizlearn.render.frames"])
        self.codec, self.rendered = codec, rendered
        what = source if method == "fork" else source.recipe
        bounds = [round(len(plan) * j / jobs) for j in range(jobs + 1)]
        self.conns: list[Connection] = []
        self.processes = []
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
            here, there = context.Pipe(duplex=True)
            args = (what, list(plan), start, stop, codec, there, os.getpid())
            process = context.Process(target=_work, args=args, daemon=True)
            process.start()
            there.close()  # only the worker holds its end: EOF here if it dies
            self.conns.append(here)
            self.processes.append(process)
        self.pending: list[deque[bytes]] = [deque() for _ in self.conns]
        self.summaries: list[Any] = [None] * len(self.conns)
        self.done = [False] * len(self.conns)

    def results(self, on_shared: Callable[[Any], None] | None) -> Iterator[bytes]:
        """Yield encoded frames in order while draining every worker's pipe."""
        try:
            yield from self._in_order(lambda j: self.summaries[j] is not None)
            shared = self.codec.combine([s.value for s in self.summaries])
            if on_shared is not None:
                on_shared(shared)
            to_arrays = getattr(self.codec, "to_arrays", None)
            blob = pack(to_arrays(shared) if to_arrays else shared)
            for conn in self.conns:
                conn.send_bytes(blob)
            yield from self._in_order(lambda j: self.done[j])
        finally:
            self.stop()

    def _in_order(self, finished: Callable[[int], bool]) -> Iterator[bytes]:
        for j in range(len(self.conns)):
            while True:
                while self.pending[j]:
                    yield self.pending[j].popleft()
                if finished(j):
                    break
                self._receive(finished)

    def _receive(self, finished: Callable[[int], bool]) -> None:
        """Read whatever the workers have sent (blocks until something arrives)."""
        open_conns = [c for j, c in enumerate(self.conns) if not finished(j)]
        for conn in wait(open_conns):
            j = self.conns.index(conn)  # type: ignore[arg-type]
            try:
                message = conn.recv_bytes()
            except EOFError:
                raise RuntimeError(f"frame worker {j + 1} died") from None
            kind, payload = message[:1], message[1:]
            if kind == b"P":
                self.rendered()
            elif kind == b"F":
                self.pending[j].append(payload)
            elif kind == b"S":
                self.summaries[j] = _Summary(unpack(payload))
            elif kind == b"D":
                self.done[j] = True
            else:
                raise RuntimeError(f"frame worker {j + 1}: {payload.decode()}")

    def stop(self) -> None:
        """End and reap every worker (also on errors and signals)."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join()
        for conn in self.conns:
            conn.close()


def _work(
    what: FrameSource | Recipe,
    plan: Sequence[int],
    start: int,
    stop: int,
    codec: Any,
    conn: Connection,
    parent: int,
) -> None:
    """Worker body: pass one, b"S" + summary, the shared value, pass two, b"D".

    Frames go as b"F" + bytes; an error as b"E" + its message.
    """
    die_with_parent(parent)
    code = 0
    try:
        source = what if isinstance(what, FrameSource) else what.build()
        chunk = _chunk(source, plan, start, stop, codec)
        item = next(chunk)
        while not isinstance(item, _Summary):
            conn.send_bytes(b"P" if item is _RENDERED else b"F" + item)
            item = next(chunk)
        conn.send_bytes(b"S" + pack(item.value))
        shared = unpack(conn.recv_bytes())
        from_arrays = getattr(codec, "from_arrays", None)
        shared = from_arrays(shared) if from_arrays else shared
        for payload in _resume(chunk, shared):
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


def _resume(chunk, shared: Any) -> Iterator[bytes]:
    """The rest of a `_chunk` generator once it is sent ``shared``."""
    try:
        item = chunk.send(shared)
        while True:
            yield item
            item = next(chunk)
    except StopIteration:
        return


Wire = Any  # None, an array, or a tuple of arrays


def pack(value: Wire) -> bytes:
    """``value`` (None, a numpy array or a tuple of them) as bytes, without pickle."""
    import numpy as np

    if value is None:
        return b"N"
    single = not isinstance(value, tuple)
    arrays = (value,) if single else value
    buffer = io.BytesIO()
    buffer.write(b"A" if single else b"T")
    buffer.write(len(arrays).to_bytes(4, "little"))
    for array in arrays:
        np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=False)
    return buffer.getvalue()


def unpack(data: bytes) -> Wire:
    """The value `pack` wrote (arrays read with ``allow_pickle=False``)."""
    import numpy as np

    kind = data[:1]
    if kind == b"N":
        return None
    if kind not in (b"A", b"T"):
        raise ValueError(f"not a packed value (starts with {kind!r})")
    count = int.from_bytes(data[1:5], "little")
    stream = io.BytesIO(data)
    stream.seek(5)
    arrays = tuple(
        np.lib.format.read_array(stream, allow_pickle=False) for _ in range(count)
    )
    return arrays[0] if kind == b"A" else arrays
