"""Worker processes that never outlive their parent, and how many to start.

`die_with_parent` runs first in every render worker: Linux delivers SIGKILL
to it when the process that started it ends (``prctl(PR_SET_PDEATHSIG)``
through ctypes), a watchdog thread checks twice a second that the parent is
still there (for parents that die between the fork and the ``prctl``, and a
fork server's workers, whose own parent is the server), and Ctrl-C is left to
the parent, which stops its workers. A worker blocked on its pipe also ends:
the pipe reports EOF once the parent is gone.

`free_cores` counts the cores this process may use that no other process is
running on at the moment (``procs_running`` in ``/proc/stat``, sampled three
times): on the 2-core machine with one core busy, two workers were slower
than one. `worker_memory` estimates what one GIF or APNG worker holds, for
the memory check before a run (multiply by the jobs).
"""

from __future__ import annotations

import os
import signal
import threading
import time

__all__ = [
    "blas_pool_threads",
    "die_with_parent",
    "free_cores",
    "usable_cores",
    "worker_memory",
]

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5
INTERPRETER_BYTES = 110 * 2**20  # numpy + matplotlib + a figure, measured RSS
CHANGED_SHARE = 0.03  # pixels a chart frame changes (sin-regression: 0.5 %)


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def free_cores() -> int:
    """Usable cores minus those other runnable processes occupy now (at least 1)."""
    cores = usable_cores()
    samples = []
    for i in range(3):
        running = _procs_running()
        if running is None:
            return cores
        samples.append(running)
        if i < 2:
            time.sleep(0.005)
    others = max(sorted(samples)[1] - 1, 0)  # the median, less this process
    return max(1, min(cores, cores - others))


def _procs_running() -> int | None:
    """Runnable processes on the machine now (Linux), or None."""
    try:
        with open("/proc/stat", "rb") as f:
            for line in f:
                if line.startswith(b"procs_running"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


_BLAS_GETTERS = (
    "openblas_get_num_threads",
    "openblas_get_num_threads64_",
    "scipy_openblas_get_num_threads64_",
    "scipy_openblas_get_num_threads",
)


def blas_pool_threads() -> int:
    """Threads of OpenBLAS's pool in this process (its thread count less one).

    Read from the OpenBLAS library numpy loaded (found in /proc/self/maps),
    as threadpoolctl does; 0 when there is none or it cannot be asked.
    """
    try:
        import ctypes

        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "openblas" in line.lower()}
        for path in sorted(libs):
            lib = ctypes.CDLL(path)
            for name in _BLAS_GETTERS:
                getter = getattr(lib, name, None)
                if getter is not None:
                    return max(int(getter()) - 1, 0)
    except (OSError, ValueError, IndexError):
        pass
    return 0


def worker_memory(width: int, height: int, n_frames: int) -> int:
    """Bytes one render worker holds for ``n_frames`` frames of ``width x height``.

    The interpreter with matplotlib and the figure, the canvas and its
    background, the previous frame, the palette indices and the GIF's kept
    changes (8 bytes per changed pixel, assuming `CHANGED_SHARE`).
    """
    pixels = width * height
    frames_bytes = 4 * pixels * 4 + pixels + 16 * 2**20 // 8
    kept = int(8 * CHANGED_SHARE * pixels * n_frames)
    return INTERPRETER_BYTES + frames_bytes + kept


def die_with_parent(parent: int) -> None:
    """Make this (worker) process end when process ``parent`` ends; ignore Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _set_death_signal()
    first = os.getppid()
    if not _alive(parent):
        os._exit(1)
    watch = threading.Thread(target=_watch, args=(parent, first), daemon=True)
    watch.start()


def _set_death_signal() -> None:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; nothing elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _watch(parent: int, first: int) -> None:
    """Exit as soon as the parent (or the process that forked us) is gone."""
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != first or not _alive(parent):
            os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
