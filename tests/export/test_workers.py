"""Render workers: never forked from a threaded process, never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import alone, hangup
from vizlearn.export import pipeline
from vizlearn.export.animation import Animation
from vizlearn.export.workers import free_cores, usable_cores, worker_memory
from vizlearn.render.frames import Recipe
from vizlearn.style import Style
from vizlearn.trace import load_trace

TRACE = Path(__file__).parents[1] / "data" / "sin_small.npz"
STYLE = Style(width=160, height=120, dpi=40)
RENDERER = "vizlearn.render.regression:frames_regression"
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def recipe_source():
    return Recipe.of(RENDERER, load_trace(TRACE), STYLE).build()


def in_thread(function):
    """Run ``function`` in another thread (as a Jupyter kernel's cell would)."""
    result = {}

    def run():
        try:
            result["value"] = function()
        except BaseException as error:  # noqa: BLE001
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


@linux
@alone
def test_a_threaded_process_never_forks(tmp_path: Path, monkeypatch):
    serial = Animation(recipe_source(), jobs=1).save(tmp_path / "serial.gif")
    assert pipeline.start_method(None) == "fork"  # this test runs one thread

    def no_fork():
        raise AssertionError("os.fork() called while another thread runs")

    def threaded():
        assert pipeline.start_method(None) is None
        assert pipeline.start_method(recipe_source().recipe) == "forkserver"
        monkeypatch.setattr(os, "fork", no_fork)
        source = recipe_source()
        Animation(source, jobs=2).save(tmp_path / "server.gif")
        source.recipe = None  # nothing to rebuild it from: one process
        Animation(source, jobs=2).save(tmp_path / "alone.gif")

    in_thread(threaded)
    expected = serial.read_bytes()
    assert (tmp_path / "server.gif").read_bytes() == expected
    assert (tmp_path / "alone.gif").read_bytes() == expected


def test_jobs_are_capped_by_the_cores_unless_asked():
    cores = usable_cores()
    assert pipeline.resolve_jobs(cores + 80) == cores
    assert pipeline.resolve_jobs(cores + 80, allow_more=True) == cores + 80
    assert 1 <= pipeline.resolve_jobs(None) <= cores
    assert 1 <= free_cores() <= cores
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="jobs must be"):
            pipeline.resolve_jobs(bad)


def test_worker_memory_grows_with_pixels_and_frames():
    small = worker_memory(320, 240, 100)
    assert worker_memory(1200, 900, 100) > small
    assert worker_memory(320, 240, 1000) > small > 100 * 2**20


SLOW_RENDER = """
import sys, time
import numpy as np
from vizlearn.export.animation import Animation
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style

style = Style(width=120, height=90, dpi=30)
fig = new_figure(style)
ax = fig.subplots()
(line,) = ax.plot([0, 1], [0, 1])
ax.set(xlim=(0, 1), ylim=(0, 1))

def update(k):
    time.sleep(0.05)  # slow enough to be killed while rendering
    line.set_ydata([0, k / 400])
    return [line]

print("ready", flush=True)
Animation(FrameSource(fig, update, 400, style), jobs=2).save(sys.argv[1])
"""


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has ended


@linux
@pytest.mark.parametrize(
    "signum", [signal.SIGKILL, signal.SIGTERM, hangup(signal.SIGHUP)]
)
def test_workers_never_outlive_their_parent(tmp_path: Path, signum: int):
    script = tmp_path / "slow.py"
    script.write_text(textwrap.dedent(SLOW_RENDER))
    child = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "a.gif")],
        stdout=subprocess.PIPE,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 30
        while len(workers := _children(child.pid)) < 2:
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.05)
        os.kill(child.pid, signum)
        child.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_running(w) for w in workers):
            assert time.monotonic() < deadline, f"workers {workers} outlived it"
            time.sleep(0.05)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert not (tmp_path / "a.gif").exists()


SLEEPING_WORKER = """
import os, sys, time
from vizlearn.export.workers import die_with_parent

parent = os.getpid()
if os.fork() == 0:  # a worker that never touches a pipe
    die_with_parent(parent)
    time.sleep(60)
    os._exit(0)
print("ready", flush=True)
time.sleep(60)
"""


@linux
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_worker_blocked_elsewhere_dies_with_its_parent(tmp_path: Path, signum):
    script = tmp_path / "sleep.py"
    script.write_text(textwrap.dedent(SLEEPING_WORKER))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 10
        while not (workers := _children(child.pid)):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(child.pid, signum)
        child.wait(timeout=10)
        deadline = time.monotonic() + 3
        while _running(workers[0]):
            assert time.monotonic() < deadline, "the worker outlived its parent"
            time.sleep(0.02)
    finally:
        for pid in _children(child.pid):
            os.kill(pid, signal.SIGKILL)
        if child.poll() is None:
            child.kill()
            child.wait()
