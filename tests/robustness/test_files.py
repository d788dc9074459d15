"""vizlearn.files: group commits, distinct paths, stale temporaries, signals, reads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.helpers import hangup
from vizlearn.files import (
    FileRefused,
    atomic_outputs,
    atomic_path,
    check_distinct,
    open_bounded,
    parse_json,
    read_bounded,
    remove_stale_temps,
    terminal_safe,
)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_group_commit_renames_all_only_on_success(tmp_path: Path) -> None:
    a, b = tmp_path / "a.gif", tmp_path / "sub" / "b.png"
    b.parent.mkdir()
    a.write_bytes(b"old a")
    with pytest.raises(RuntimeError), atomic_outputs([a, b]) as (ta, tb):
        assert ta.parent == a.parent and tb.parent == b.parent
        assert ta.name.startswith(f".a.gif.{os.getpid()}.") and ta.suffix == ".gif"
        ta.write_bytes(b"new a")
        tb.write_bytes(b"new b")
        raise RuntimeError("the poster failed")
    assert _names(tmp_path) == ["a.gif", "sub"] and _names(b.parent) == []
    assert a.read_bytes() == b"old a"
    with atomic_outputs([a, b]) as (ta, tb):
        ta.write_bytes(b"new a")
        with atomic_path(tb) as inner:  # an exporter's own atomic write
            assert inner == tb
            inner.write_bytes(b"new b")
        assert not b.exists()
    assert (a.read_bytes(), b.read_bytes()) == (b"new a", b"new b")
    assert _names(tmp_path) == ["a.gif", "sub"] and _names(b.parent) == ["b.png"]


def test_a_failed_rename_puts_the_earlier_outputs_back(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    a.write_bytes(b"old a")
    c.mkdir()  # os.replace onto a folder fails after a and b were renamed
    with pytest.raises(OSError), atomic_outputs([a, b, c]) as tmps:
        for tmp in tmps:
            tmp.write_bytes(b"new")
    assert a.read_bytes() == b"old a" and not b.exists() and c.is_dir()
    assert _names(tmp_path) == ["a.txt", "c.txt"]


def test_modes_follow_the_replaced_file(tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(b"old")
    path.chmod(0o600)
    with atomic_path(path) as tmp:
        tmp.write_bytes(b"new")
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("outputs", "inputs", "message"),
    [
        (["x.png", "x.png"], [], "the outputs x.png and x.png are the same file"),
        (["x.png", "./x.png"], [], "the outputs x.png and x.png are the same file"),
        (["pts.npz"], ["pts.npz"], "the output pts.npz is the input pts.npz"),
        (["link.npz"], ["pts.npz"], "the output link.npz is the input pts.npz"),
        (["hard.npz"], ["pts.npz"], "the output hard.npz is the input pts.npz"),
        (["sub/../x.gif", "x.gif"], [], "the outputs sub/../x.gif and x.gif"),
    ],
)
def test_outputs_must_differ_from_each_other_and_the_inputs(
    tmp_path: Path, monkeypatch, outputs, inputs, message
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pts.npz").write_bytes(b"points")
    Path("sub").mkdir()
    os.symlink("pts.npz", "link.npz")
    os.link("pts.npz", "hard.npz")
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        check_distinct(outputs, inputs)
    with pytest.raises(ValueError), atomic_outputs(outputs, inputs=inputs):
        pytest.fail("the block ran")
    assert Path("pts.npz").read_bytes() == b"points"


def test_distinct_paths_pass(tmp_path: Path) -> None:
    check_distinct([tmp_path / "a.gif", tmp_path / "a.png"], [tmp_path / "in.csv"] * 2)


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_dead_or_reused_pids_are_removed(tmp_path: Path) -> None:
    alive = subprocess.Popen(["sleep", "30"])
    try:
        time.sleep(0.05)
        dead = tmp_path / f".a.gif.{_dead_pid()}.abcdefgh.tmp.gif"
        reused = tmp_path / f".b.gif.{alive.pid}.abcdefgh.tmp.gif"
        live = tmp_path / f".c.gif.{alive.pid}.abcdefgh.tmp.gif"
        mine = tmp_path / f".d.npz.{os.getpid()}.abcdefgh.tmp"
        others = [tmp_path / ".e.gif.1.tmp", tmp_path / "f.99.abcdefgh.tmp"]
        for path in (dead, reused, live, mine, *others):
            path.write_bytes(b"")
        folder = tmp_path / f".g.{_dead_pid()}.abcdefgh.tmp"
        folder.mkdir()  # only files are touched
        hour_ago = time.time() - 3600
        os.utime(reused, (hour_ago, hour_ago))  # older than the process with its PID
        assert sorted(remove_stale_temps(tmp_path)) == sorted([dead, reused])
        left = {live.name, mine.name, folder.name, *(p.name for p in others)}
        assert set(_names(tmp_path)) == left
        assert remove_stale_temps(tmp_path) == []  # once per folder and process
    finally:
        alive.kill()
        alive.wait()


def test_a_write_sweeps_its_folder_first(tmp_path: Path) -> None:
    stale = tmp_path / f".run.gif.{_dead_pid()}.zzzzzzzz.tmp.gif"
    stale.write_bytes(b"left by a killed run")
    with atomic_path(tmp_path / "other.png") as tmp:
        tmp.write_bytes(b"png")
    assert _names(tmp_path) == ["other.png"]


_SIGNAL_SCRIPT = """
import os, signal, sys, time
from pathlib import Path
from vizlearn.files import atomic_outputs, install_signal_handlers
install_signal_handlers()
out, poster = Path(sys.argv[1]), Path(sys.argv[2])
with atomic_outputs([out, poster]) as (a, b):
    a.write_bytes(b"new")
    print("writing", flush=True)
    time.sleep(20)
"""


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGTERM, 143), hangup(signal.SIGHUP, 129)]
)
def test_sigterm_and_sighup_clean_up_like_ctrl_c(tmp_path: Path, sig, code) -> None:
    out, poster = tmp_path / "out.gif", tmp_path / "poster.png"
    out.write_bytes(b"old")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SIGNAL_SCRIPT, str(out), str(poster)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
    proc.send_signal(sig)
    assert proc.wait(10) == code
    assert proc.stderr is not None
    assert proc.stderr.read().strip() == f"vizlearn: stopped by {sig.name}"
    assert _names(tmp_path) == ["out.gif"] and out.read_bytes() == b"old"


def test_an_ignored_sighup_stays_ignored_and_workers_die_by_default() -> None:
    script = textwrap.dedent(
        """
        import os, signal, time
        from vizlearn.files import install_signal_handlers
        install_signal_handlers()
        os.kill(os.getpid(), signal.SIGHUP)  # ignored, as under nohup
        pid = os.fork()
        if pid == 0:
            time.sleep(20)
            os._exit(0)
        time.sleep(0.2)
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
        print(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=20,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    assert (proc.returncode, proc.stdout) == (0, "True\n"), proc.stderr


def test_bounded_reads(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, 100) == b"x" * 100
    with pytest.raises(
        FileRefused, match=r"f.bin: 100 bytes, larger than the 99 bytes"
    ):
        read_bounded(path, 99)
    with pytest.raises(FileRefused, match=r"^/dev/zero: a character device, not a"):
        read_bounded("/dev/zero", 10)
    with pytest.raises(FileRefused, match=r"^/dev/zero: more than the 1.0 MB limit"):
        read_bounded("/dev/zero", 1 << 20, streams=True)
    os.mkfifo(tmp_path / "fifo")  # refused without waiting for a writer
    with pytest.raises(FileRefused, match=r"fifo: a pipe \(FIFO\), not a regular"):
        open_bounded(tmp_path / "fifo", 10)
    with pytest.raises(IsADirectoryError):
        open_bounded(tmp_path, 10)
    with pytest.raises(FileNotFoundError):
        open_bounded(tmp_path / "missing", 10)
    assert len(read_bounded("/proc/self/status", 1 << 20)) > 0  # st_size is 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 5000 + "]" * 5000, "JSON nested over 32 levels"),
        ("[" * 40 + "]" * 40, "JSON nested over 32 levels or with over"),
        ("[" + "0," * 100_001 + "0]", "with over 100000 values"),
        ("9" * 5000, "JSON with a number too large to read"),
        ("1" + "0" * 30, "JSON with an integer beyond 64 bits"),
        ('{"lr": NaN}', "JSON with NaN or infinity"),
        ("[-Infinity]", "JSON with NaN or infinity"),
        ("{", r"not valid JSON \(Expecting property name"),
    ],
    ids=["deep", "depth-40", "many", "bigint", "int-65-bit", "nan", "inf", "broken"],
)
def test_parse_json_refuses_in_one_line(text: str, message: str) -> None:
    with pytest.raises(FileRefused, match=message):
        parse_json(text)


def test_parse_json_reads_ordinary_json() -> None:
    assert parse_json('{"a": [1, 2.5, "日本", null, true]}') == {
        "a": [1, 2.5, "日本", None, True]
    }


def test_terminal_safe_escapes_what_drives_a_terminal() -> None:
    evil = "x\x1b[2J\x1b]0;title\x07\r\nvizlearn 9.9.9\u202eabc\x9b\u2028"
    assert terminal_safe(evil) == (
        "x\\x1b[2J\\x1b]0;title\\x07\\x0d\\x0avizlearn 9.9.9\\u202eabc\\x9b\\u2028"
    )
    assert terminal_safe("損失 loss 0.5") == "損失 loss 0.5"
    assert terminal_safe("\x1b\u202e", json_text=True) == "\\u001b\\u202e"


def test_a_signal_that_lands_in_a_finalizer_still_stops_the_run() -> None:
    """Python only prints an exception raised in __del__ or an at-fork hook."""
    script = textwrap.dedent(
        """
        import time
        from vizlearn.files import install_signal_handlers
        install_signal_handlers()
        class Slow:
            def __del__(self):
                print("finalizing", flush=True)
                time.sleep(3)
        slow = Slow()
        del slow  # the signal arrives in __del__, whose exceptions are dropped
        time.sleep(5)
        print("ran to the end", flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "finalizing\n"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 143
    assert proc.stdout.read() == ""


def test_a_swallowed_stop_still_keeps_the_earlier_file(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import os, signal, sys
        from pathlib import Path
        from vizlearn.files import atomic_outputs, install_signal_handlers
        install_signal_handlers()
        out = Path(sys.argv[1])
        with atomic_outputs([out]) as (tmp,):
            try:
                os.kill(os.getpid(), signal.SIGTERM)
            except BaseException:
                pass  # some library code that catches everything
            tmp.write_bytes(b"new")
        print("committed")
        """
    )
    out = tmp_path / "out.gif"
    out.write_bytes(b"old")
    proc = subprocess.run(
        [sys.executable, "-c", script, str(out)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert (proc.returncode, proc.stdout) == (143, ""), proc.stderr
    assert _names(tmp_path) == ["out.gif"] and out.read_bytes() == b"old"


def test_a_cleanup_that_hangs_after_sigterm_is_cut_short() -> None:
    script = textwrap.dedent(
        """
        import time
        from vizlearn.files import install_signal_handlers, signals
        signals.STOP_GRACE_SECONDS = 0.5
        install_signal_handlers()
        try:
            print("working", flush=True)
            time.sleep(20)
        finally:
            time.sleep(20)  # a stuck cleanup
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "working\n"
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 143
    assert time.monotonic() - start < 5
    assert proc.stderr is not None
    assert proc.stderr.read().strip().splitlines() == [
        "vizlearn: stopped by SIGTERM",
        "vizlearn: still stopping after 0.5 s",
    ]
