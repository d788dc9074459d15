"""What must never happen: lost work, hangs, executed data, unclear errors."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_cli import invoke
from vizlearn.trace import TraceError, load_trace


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--frames", "100000", "--iters", "200000"], "100000 frames would take about"),
        (["--size", "20000x20000"], "20000x20000 px needs 1.5 GB per frame buffer"),
        (["--size", "40000x100"], "cannot be drawn at all"),
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


def test_allow_large_lifts_the_frame_limit(tmp_path):
    invoke(
        [
            "animate",
            "sin-regression",
            "--iters",
            "2100",
            "--frames",
            "2101",
            "--size",
            "160x120",
            "--allow-large",
            "-q",
            "-o",
            str(tmp_path / "a.gif"),
        ]
    )
    from vizlearn.export.readback import read_animation_info

    assert read_animation_info(tmp_path / "a.gif").n_frames == 2101


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


def _valid_npz() -> bytes:
    from vizlearn.trace import Recorder

    rec = Recorder(meta={"lesson": "fuzz"})
    for i in range(3):
        rec.record(i, loss=1.0 / (i + 1), params={"W1": np.ones((2, 2)) * i})
    buf = io.BytesIO()
    path = Path(__file__).parent / "data" / "_fuzz_seed.npz"
    rec.freeze().save(path)
    buf.write(path.read_bytes())
    path.unlink()
    return buf.getvalue()


VALID = _valid_npz()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fuzzed_trace_files_raise_trace_error_only(tmp_path, data):
    """Flip, cut or splice bytes of a valid trace: TraceError, or a valid Trace."""
    raw = bytearray(VALID)
    how = data.draw(st.sampled_from(["flip", "cut", "random"]))
    if how == "flip":
        for i in data.draw(
            st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=8)
        ):
            raw[i] ^= data.draw(st.integers(1, 255))
    elif how == "cut":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        raw = bytearray(data.draw(st.binary(max_size=2000)))
    path = tmp_path / "fuzz.npz"
    path.write_bytes(bytes(raw))
    try:
        load_trace(path)
    except TraceError:
        pass


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    key=st.sampled_from(["loss", "steps", "W1", "outputs/x", "meta", "metric_steps"]),
    value=st.one_of(
        st.just(np.array([np.nan])),
        st.just(np.zeros((0, 2))),
        st.just(np.array(["text"])),
        st.just(np.array(b"bytes")),
        st.just(np.ones((7, 3, 2))),
        st.just(np.array(3.5)),
        st.just(np.array([1 + 2j])),
        st.just(np.array([True, False])),
    ),
)
def test_wrong_shapes_and_dtypes_raise_trace_error(tmp_path, key, value):
    path = tmp_path / "t.npz"
    with zipfile.ZipFile(io.BytesIO(VALID)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            if info.filename != key + ".npy":
                dst.writestr(info, src.read(info))
        with dst.open(key + ".npy", "w") as f:
            np.lib.format.write_array(f, value, allow_pickle=False)
    try:
        load_trace(path)
    except TraceError:
        pass
