"""Signals for command-line runs: SIGTERM and SIGHUP stop a run the way Ctrl-C does.

`install_signal_handlers` (the CLI calls it once) turns them into `Terminated`
raised in the main thread, so every ``with`` block cleans up; a swallowed
exception is raised again; a cleanup that hangs is cut short.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "STOP_GRACE_SECONDS",
    "Terminated",
    "check_stop",
    "deferred_signals",
    "install_signal_handlers",
]

_STOP_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP")
    if hasattr(signal, name)
)


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived; raised in the main thread so cleanups run.

    Its exit status is 128 + the signal number (143 for SIGTERM, 129 for SIGHUP).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


#: How long cleaning up after a stop signal may take before the process just ends.
STOP_GRACE_SECONDS = 10.0


class _Stopping:
    """What the handlers know: who installed them, and which signal is stopping us."""

    owner: int | None = None  # the PID that installed the handlers
    signum: int | None = None  # the signal being acted on (cleanups running)
    redeliver = False  # set when that signal's exception was swallowed
    deferred = 0  # depth of `_signals_deferred` blocks
    pending: int | None = None  # a signal that arrived inside one


_STOP = _Stopping()


def install_signal_handlers() -> None:
    """Make SIGTERM and SIGHUP stop the run like Ctrl-C: raise `Terminated`.

    Call once, from the main thread, at the start of a command-line run.
    Ctrl-C still raises KeyboardInterrupt. A signal that is ignored
    (``nohup``) stays ignored; a second signal while cleaning up kills at
    once; forked worker processes keep the default action (they die). An
    exception Python has to drop (a signal that lands in a finalizer or an
    at-fork hook, where exceptions are only printed) is raised again in the
    main code a moment later.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    _STOP.owner = os.getpid()
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        current = signal.getsignal(signum) if signum is not None else None
        if signum is None or current == signal.SIG_IGN:
            continue
        if name == "SIGINT" and current is not signal.default_int_handler:
            continue  # someone else's Ctrl-C handler: leave it alone
        signal.signal(signum, _on_signal)
    if not getattr(sys.unraisablehook, "vizlearn", False):
        sys.unraisablehook = _unraisable_hook(sys.unraisablehook)


def _on_signal(signum: int, frame: object) -> None:
    if os.getpid() != _STOP.owner or (_STOP.signum and not _STOP.redeliver):
        # a forked worker, or a second signal while cleaning up: as by default
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if _STOP.deferred:
        _STOP.pending = signum
        return
    _stop(signum)


def _stop(signum: int) -> None:
    first = _STOP.signum is None
    _STOP.signum, _STOP.redeliver = signum, False
    if first:
        watchdog = threading.Thread(target=_watchdog, args=(signum,), daemon=True)
        watchdog.start()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    if first:
        name = signal.Signals(signum).name
        with contextlib.suppress(OSError, ValueError):
            os.write(2, f"\nvizlearn: stopped by {name}\n".encode())
    raise Terminated(signum)


def _watchdog(signum: int) -> None:
    """End the process if cleaning up after a stop signal takes too long."""
    time.sleep(STOP_GRACE_SECONDS)
    with contextlib.suppress(OSError):
        os.write(
            2, f"vizlearn: still stopping after {STOP_GRACE_SECONDS:g} s\n".encode()
        )
    os._exit(128 + signum)


def check_stop() -> None:
    """Raise again if a stop signal arrived, even if its exception was lost.

    A loop that can run for long calls it now and then; `atomic_outputs`
    calls it before committing, so no output replaces an earlier file after
    SIGINT, SIGTERM or SIGHUP even if some code swallowed the exception.
    """
    if _STOP.signum is not None and _STOP.owner == os.getpid():
        if _STOP.signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Terminated(_STOP.signum)


def _unraisable_hook(previous: Any) -> Any:
    """A sys.unraisablehook that sends a swallowed stop signal again."""

    def hook(unraisable: Any) -> None:
        exc = unraisable.exc_value
        ours = isinstance(exc, Terminated | KeyboardInterrupt) and _STOP.signum
        if ours and os.getpid() == _STOP.owner:
            _STOP.redeliver = True  # the handler raises it again, outside
            timer = threading.Timer(0.01, os.kill, (os.getpid(), _STOP.signum))
            timer.daemon = True
            timer.start()
            return
        previous(unraisable)

    hook.vizlearn = True  # type: ignore[attr-defined]
    return hook


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back for a few system calls (`atomic`).

    With the handlers installed, a signal inside is noted and acted on at the
    end of the block (whatever thread the OS delivered it to); otherwise the
    main thread blocks the signals.
    """
    if _STOP.owner == os.getpid():
        _STOP.deferred += 1
        try:
            yield
        finally:
            _STOP.deferred -= 1
            if not _STOP.deferred and _STOP.pending is not None:
                signum, _STOP.pending = _STOP.pending, None
                _stop(signum)
        return
    block = hasattr(signal, "pthread_sigmask") and (
        threading.current_thread() is threading.main_thread()
    )
    if block:
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        if block:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
