"""Trials: pure functions of a config, run by local worker processes or by Dask.

A trial is ``target(config) -> Trace``: ``target`` names a function under
``vizlearn`` (``"vizlearn.lessons.curve_trials:train_trial"``) and ``config``
is a JSON object holding everything the result depends on, seeds included.
So a trial gives the same Trace wherever it runs, and :func:`run_trials`
returns the same list for any number of workers, in the order of the configs.

Two executors share one interface, ``map(payloads, on_done) -> [bytes]``:

- :class:`LocalProcesses` (``--jobs N``): N long-lived ``python -c`` workers
  with one BLAS thread each (more threads sum in another order, so results
  would depend on N). A request is one line of JSON on the worker's stdin; the
  answer is the Trace as ``.npz`` bytes, read back with ``load_trace`` (never
  unpickled). A worker that dies is replaced and its trial run once more.
- :class:`DaskCluster` (``--scheduler tcp://HOST:PORT``, ``pip install
  'vizlearn[dask]'``): the same JSON text goes to ``client.map``, the same
  bytes come back; the scheduler reruns the trial of a worker that was killed
  (``distributed.scheduler.allowed-failures`` times). Dask's nanny starts its
  workers with one BLAS thread, and each worker needs vizlearn (and MNIST, in
  ``--data-dir`` or its download cache). Dask itself runs whatever Python a
  client sends: connect only to a scheduler on a network you trust (or TLS).

(Both executors and the worker protocol they share stay in this one module,
a little over 300 lines, so the whole contract reads in one place.)
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = [
    "TrialError",
    "LocalProcesses",
    "DaskCluster",
    "executor",
    "run_trials",
    "run_payload",
    "serve",
    "parse_seeds",
    "check_scheduler",
    "trace_bytes",
    "trace_from_bytes",
]

OnDone = Callable[[int], Any] | None
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_SCHEDULER = re.compile(r"^(tcp|tls)://(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):\d{1,5}$")
_MAX_SEEDS = 1000


class TrialError(RuntimeError):
    """A trial raised, or its worker died twice; the message names the trial.

    ``index`` is the trial's position among the configs (None if unknown) and
    ``reason`` the message without the "trial N failed" prefix.
    """

    def __init__(self, reason: str, index: int | None = None, where: str = "") -> None:
        head = f"trial {index} failed{where}: " if index is not None else ""
        super().__init__(head + reason)
        self.index, self.reason = index, reason


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"0-9"`` -> (0, ..., 9); ``"0,3,5-7"`` -> (0, 3, 5, 6, 7); order kept."""
    seeds: list[int] = []
    for part in str(text).replace(" ", "").split(","):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if m is None or (m[2] is not None and int(m[2]) < int(m[1])):
            raise ValueError(
                f"--seeds takes seeds such as 0-9 or 0,3,5-7, got {text!r}"
            )
        low = int(m[1])
        seeds += range(low, int(m[2] or low) + 1)
        if len(seeds) > _MAX_SEEDS or seeds[-1] >= 2**32:
            raise ValueError(
                f"--seeds takes at most {_MAX_SEEDS} seeds below 2^32, got {text!r}"
            )
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"--seeds names a seed twice: {text!r}")
    return tuple(seeds)


def check_scheduler(address: str) -> str:
    """Return ``address`` if it reads tcp://HOST:PORT (or tls://); else ValueError."""
    if not _SCHEDULER.match(address):
        raise ValueError(
            f"--scheduler must be a Dask scheduler address tcp://HOST:PORT "
            f"(or tls://HOST:PORT), got {address!r}"
        )
    return address


def trace_bytes(trace: Trace) -> bytes:
    """The ``.npz`` file ``trace.save`` writes, as bytes (`Trace.to_bytes`)."""
    return trace.to_bytes()


def trace_from_bytes(data: bytes) -> Trace:
    """`vizlearn.trace.trace_from_bytes`, imported when first needed (no numpy here)."""
    from vizlearn.trace import trace_from_bytes as read

    return read(data)


def _payload(target: str, config: Mapping[str, Any]) -> str:
    _resolve(target)  # fail here, before any worker starts
    return json.dumps({"target": target, "config": dict(config)}, sort_keys=True)


def _resolve(target: str) -> Callable[[dict[str, Any]], Trace]:
    """The function ``"vizlearn.module:function"`` names (nothing outside vizlearn)."""
    module, _, name = target.partition(":")
    if not (module.startswith("vizlearn.") and name.isidentifier()):
        raise ValueError(f"a trial target must be vizlearn.MODULE:FUNCTION: {target!r}")
    return getattr(importlib.import_module(module), name)


def run_payload(payload: str) -> bytes:
    """Run one trial given as JSON text; return its Trace as ``.npz`` bytes."""
    request = json.loads(payload)
    return trace_bytes(_resolve(request["target"])(request["config"]))


def serve(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> None:
    """A worker's loop: JSON payloads by line in; ``OK n``/``ERR n`` + n bytes out."""
    stdin = stdin or sys.stdin.buffer
    if stdout is None:  # answers on a copy of fd 1; fd 1 itself becomes stderr,
        sys.stdout.flush()  # so no stray print (Python's or C's) corrupts them
        stdout = os.fdopen(os.dup(1), "wb")
        os.dup2(2, 1)
        sys.stdout = sys.stderr
    for line in stdin:
        try:
            status, body = b"OK", run_payload(line.decode())
        except Exception as e:  # noqa: BLE001 - reported to the parent, one line
            status, body = b"ERR", f"{type(e).__name__}: {e}".encode()
        stdout.write(b"%s %d\n" % (status, len(body)) + body)
        stdout.flush()


class _WorkerDied(Exception):
    """The worker process exited before answering."""


class _Worker:
    """One ``python -c`` process running :func:`serve`, with one BLAS thread."""

    CODE = "from vizlearn.trials import serve; serve()"

    def __init__(self) -> None:
        env = {**os.environ, **dict.fromkeys(_THREAD_VARS, "1")}
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.CODE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
        )

    def run(self, payload: str) -> bytes:
        """Send one payload; return the answer's bytes (TrialError if it raised)."""
        try:
            self.proc.stdin.write(payload.encode() + b"\n")
            self.proc.stdin.flush()
            status, _, size = self.proc.stdout.readline().partition(b" ")
            body = self.proc.stdout.read(int(size)) if size.strip().isdigit() else b""
        except (BrokenPipeError, OSError, ValueError):
            status, body = b"", b""
        if status == b"OK" and len(body) == int(size):
            return body
        if status == b"ERR":
            raise TrialError(body.decode(errors="replace"))
        raise _WorkerDied(self.last_words())

    def last_words(self) -> str:
        """The exit code and the last line the worker wrote to stderr."""
        code = self.proc.poll()
        if code is None:
            self.proc.kill()
            code = self.proc.wait()
        self.stderr.seek(0)
        lines = self.stderr.read().decode(errors="replace").strip().splitlines()
        return f"exit code {code}" + (f": {lines[-1]}" if lines else "")

    def close(self) -> None:
        """End the worker (EOF on stdin, then kill if it lingers)."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


class LocalProcesses:
    """``jobs`` worker processes on this machine (0: one per CPU core)."""

    def __init__(self, jobs: int = 1) -> None:
        if jobs < 0:
            raise ValueError(f"--jobs must be >= 0, got {jobs}")
        self.jobs = jobs or os.cpu_count() or 1

    def map(self, payloads: Sequence[str], on_done: OnDone = None) -> list[bytes]:
        """Run every payload; the answers in payload order."""
        pool = _Pool(payloads)
        threads = [
            threading.Thread(target=pool.drain, daemon=True)
            for _ in range(min(self.jobs, len(payloads)))
        ]
        for thread in threads:
            thread.start()
        try:
            return _collect(pool.done, len(payloads), on_done)
        finally:
            pool.stop()  # an error or Ctrl-C: the other trials are not awaited
            for thread in threads:
                thread.join()


class _Pool:
    """The trials left to run, the answers, and the live workers (to stop them)."""

    def __init__(self, payloads: Sequence[str]) -> None:
        self.todo: queue.Queue = queue.Queue()
        for item in enumerate(payloads):
            self.todo.put(item)
        self.done: queue.Queue = queue.Queue()
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.workers: list[_Worker] = []

    def drain(self) -> None:
        """A thread's loop: feed its own worker trials until none are left."""
        worker = self.start_worker()
        try:
            while worker is not None:
                try:
                    index, payload = self.todo.get_nowait()
                except queue.Empty:
                    return
                worker, body, error = self.run(worker, payload)
                self.done.put((index, body, error))
        finally:
            if worker is not None:
                worker.close()

    def start_worker(self) -> _Worker | None:
        """A new worker, or None once the pool is stopped."""
        with self.lock:
            if self.stopped.is_set():
                return None
            worker = _Worker()
            self.workers.append(worker)
            return worker

    def run(self, worker: _Worker, payload: str) -> tuple[Any, bytes, Any]:
        """(worker, answer, error): a worker that dies is replaced, the trial rerun."""
        for _ in (1, 2):
            try:
                return worker, worker.run(payload), None
            except TrialError as e:
                return worker, b"", e
            except _WorkerDied as e:
                worker.close()
                worker, died = self.start_worker(), e
                if worker is None:
                    return None, b"", TrialError("stopped")
        return worker, b"", TrialError(f"its worker process died twice ({died})")

    def stop(self) -> None:
        """Kill the workers; the threads see them die and end."""
        with self.lock:
            self.stopped.set()
            for worker in self.workers:
                if worker.proc.poll() is None:
                    worker.proc.kill()


def _collect(done: queue.Queue, total: int, on_done: OnDone) -> list[bytes]:
    """Gather ``total`` answers (polling, so Ctrl-C is seen); raise the first error."""
    out: list[bytes] = [b""] * total
    for count in range(1, total + 1):
        while True:
            try:
                index, body, error = done.get(timeout=0.2)
                break
            except queue.Empty:
                continue
        if error is not None:
            raise TrialError(error.reason, index) from None
        out[index] = body
        if on_done is not None:
            on_done(count)
    return out


class DaskCluster:
    """Trials as tasks of the Dask scheduler at ``address`` (tcp://HOST:PORT)."""

    def __init__(self, address: str, *, timeout: float = 10.0) -> None:
        self.address = check_scheduler(address)
        self.timeout = timeout

    def map(self, payloads: Sequence[str], on_done: OnDone = None) -> list[bytes]:
        """Run every payload on the cluster; the answers in payload order."""
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise RuntimeError(
                "--scheduler needs dask.distributed: pip install 'vizlearn[dask]'"
            ) from None
        try:
            client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError) as e:
            raise RuntimeError(
                f"cannot reach the Dask scheduler at {self.address}: {e}"
            ) from None
        keys = [
            f"vizlearn-trial-{i}-{hashlib.sha256(p.encode()).hexdigest()[:16]}"
            for i, p in enumerate(payloads)
        ]
        with client:
            futures = client.map(run_payload, payloads, key=keys, retries=1)
            index = {f.key: i for i, f in enumerate(futures)}
            out: list[bytes] = [b""] * len(payloads)
            done = as_completed(futures, loop=client.loop)
            for count, future in enumerate(done, 1):
                try:
                    out[index[future.key]] = future.result()
                except Exception as e:  # noqa: BLE001 - any remote failure
                    reason = f"{type(e).__name__}: {e}"
                    where = " on the Dask cluster"
                    raise TrialError(reason, index[future.key], where) from None
                if on_done is not None:
                    on_done(count)
        return out


def executor(*, jobs: int = 1, scheduler: str = "") -> LocalProcesses | DaskCluster:
    """The Dask cluster at ``scheduler`` if given, else ``jobs`` local processes."""
    return DaskCluster(scheduler) if scheduler else LocalProcesses(jobs)


def run_trials(
    target: str,
    configs: Sequence[Mapping[str, Any]],
    *,
    jobs: int = 1,
    scheduler: str = "",
    on_done: OnDone = None,
) -> list[Trace]:
    """Run ``target(config)`` for every config; the Traces in config order.

    Parameters
    ----------
    target
        ``"vizlearn.module:function"``: a pure function of its JSON config.
    jobs, scheduler
        Local worker processes, or a Dask scheduler's address (which wins).
    on_done
        Called with the number of trials finished (a progress bar).
    """
    payloads = [_payload(target, config) for config in configs]
    answers = executor(jobs=jobs, scheduler=scheduler).map(payloads, on_done)
    return [trace_from_bytes(body) for body in answers]
