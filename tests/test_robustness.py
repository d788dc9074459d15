"""What must never happen: lost work, hangs, executed data, unclear errors."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import invoke


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--frames", "100000", "--iters", "200000"], "100000 frames would take about"),
        (["--size", "20000x20000"], "20000x20000 px needs 1.5 GB per frame buffer"),
        (["--size", "40000x100"], "each side must be 16 to 32768 pixels"),
        (["--n", "1000000", "--hidden", "10000"], "needs about 447.8 GB of memory"),
    ],
)
def test_absurd_requests_refused_before_work(args, message, tmp_path, monkeypatch):
    import vizlearn.lessons.sin_regression as lesson

    monkeypatch.setattr(lesson, "run", lambda *a, **k: pytest.fail("trained anyway"))
    result = invoke(
        ["animate", "sin-regression", *args, "-o", str(tmp_path / "a.gif")], 2
    )
    assert message in result.output and "limit" in result.output
    assert list(tmp_path.iterdir()) == []


def test_allow_large_lifts_the_frame_limit(tmp_path, monkeypatch):
    """Past the frame limit (2 000; 30 here, to stay quick): refused, or written."""
    import vizlearn.limits as limits
    from vizlearn.export.readback import read_animation_info

    monkeypatch.setattr(limits, "MAX_FRAMES", 30)
    out = tmp_path / "a.gif"
    args = ["animate", "sin-regression", "--iters", "40", "--frames", "31"]
    args += ["--size", "160x120", "-q", "-o", str(out)]
    result = invoke(args, 2)
    assert "the limit is 30 frames (--allow-large lifts it)" in result.output
    assert not out.exists()
    invoke([*args, "--allow-large"])
    assert read_animation_info(out).n_frames == 31


def _interrupt_when(args: list[str], marker: str, cwd: Path) -> int:
    """Start vizlearn, wait for ``marker`` on stderr, send SIGINT; return exit code."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "vizlearn", *args],
        cwd=cwd,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    seen = b""
    while marker.encode() not in seen:
        chunk = proc.stderr.read1(256) if proc.stderr else b""
        assert chunk, f"process ended before {marker!r}: {seen!r}"
        seen += chunk
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=30)
    finally:
        proc.kill()


@pytest.mark.parametrize(
    ("phase", "args"),
    [
        ("training", ["--iters", "3000000", "--frames", "10"]),
        ("rendering", ["--iters", "1500", "--frames", "1500", "--size", "640x480"]),
    ],
)
def test_ctrl_c_leaves_no_file_and_keeps_the_old_one(tmp_path, phase, args):
    old = tmp_path / "old.gif"
    old.write_bytes(b"the user's previous GIF")
    code = _interrupt_when(
        ["animate", "sin-regression", *args, "-o", "new.gif"], phase, tmp_path
    )
    assert code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.gif"]
    code = _interrupt_when(
        ["animate", "sin-regression", *args, "-o", "old.gif"], phase, tmp_path
    )
    assert code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.gif"]
    assert old.read_bytes() == b"the user's previous GIF"


def test_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "vizlearn", "--debug", "render", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "Traceback" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "vizlearn", "render", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0  # one line


# The trace-file fuzz tests moved to tests/robustness/test_trace_files.py.
