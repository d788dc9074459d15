"""The CLI end to end: files written, GIF timing, errors, determinism."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import invoke
from vizlearn._version import __version__
from vizlearn.cli import cli
from vizlearn.export.readback import read_animation_info
from vizlearn.lessons import LESSONS

FAST = ["--iters", "300", "--frames", "6", "--size", "320x240", "--dpi", "50"]


def test_version():
    assert invoke(["--version"]).output.strip() == f"vizlearn, version {__version__}"


def test_animate_writes_gif_with_frames_timing_and_loop(tmp_path):
    out = tmp_path / "a.gif"
    result = invoke(
        [
            "animate",
            "sin-regression",
            *FAST,
            "--fps",
            "20",
            "--hold-last",
            "1s",
            "-o",
            str(out),
            "--quiet",
        ]
    )
    assert result.output.strip() == ""
    info = read_animation_info(out)
    assert info.n_frames == 6 and info.loop == 0 and info.size == (320, 240)
    assert list(info.durations_ms) == [50, 50, 50, 50, 50, 1050]
    assert '"lesson":"sin-regression"' in info.comment


def test_animate_json_summary(tmp_path):
    out = tmp_path / "a.gif"
    result = invoke(
        ["animate", "sin-regression", *FAST, "-o", str(out), "--json", "--seed", "3"]
    )
    summary = json.loads(result.stdout)
    assert summary["files"] == [str(out)] and summary["iterations"] == 300
    assert summary["seed"] == 3 and summary["final_loss"] > 0
    assert summary["diverged_at"] is None


def test_animate_default_output_in_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    invoke(["animate", "sin-regression", *FAST, "-q"])
    assert (tmp_path / "sin-regression.gif").exists()


def test_train_then_render_without_retraining(tmp_path):
    run = tmp_path / "run.npz"
    invoke(
        ["train", "sin-regression", "--iters", "200", "--frames", "5", "-o", str(run)]
    )
    for kind, name in [
        ("loss", "l.png"),
        ("params", "p.svg"),
        ("fit", "f.pdf"),
        ("regression", "r.gif"),
        ("regression", "r.png"),
    ]:
        out = tmp_path / name
        invoke(
            [
                "render",
                str(run),
                "--kind",
                kind,
                "-o",
                str(out),
                "--size",
                "320x240",
                "-q",
            ]
        )
        assert out.stat().st_size > 1000, name
    assert read_animation_info(tmp_path / "r.gif").n_frames == 5


@pytest.mark.parametrize("kind", ["fit", "loss", "params", "activations"])
def test_plot_kinds(tmp_path, kind):
    out = tmp_path / f"{kind}.png"
    extra = [] if kind == "activations" else ["--iters", "100", "--frames", "3"]
    invoke(["plot", kind, *extra, "--size", "320x240", "-o", str(out), "-q"])
    from PIL import Image

    with Image.open(out) as im:
        assert im.size == (320, 240)
        assert json.loads(im.text["vizlearn"])  # provenance in a PNG text chunk
        assert "Software" not in im.text


def test_list_names_lessons_and_kinds():
    out = invoke(["list"]).output
    for word in ("sin-regression", "fit", "loss", "params", "activations"):
        assert word in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["animate", "sin-regression", "--lr", "0"],
            "--lr must be > 0, got 0",
        ),
        (
            ["animate", "sin-regression", "--iters", "abc"],
            "Invalid value for '--iters': 'abc' is not an integer",
        ),
        (
            ["animate", "sin-regression", "--frames", "50", "--iters", "10"],
            "--frames must be at most the number of iterations + 1 = 11",
        ),
        (
            ["animate", "cos-regression"],
            "unknown lesson 'cos-regression' (did you mean 'sin-regression'?)",
        ),
        (
            ["animate", "sin-regression", "-o", "x.mp3"],
            "unknown format '.mp3'; use one of .gif",
        ),
        (["animate", "sin-regression", "-o", "/no/such/dir/a.gif"], "does not exist"),
        (
            ["animate", "sin-regression", "--activation", "softmax"],
            "'softmax' is not one of",
        ),
        (["animate", "sin-regression", "--size", "big"], "is not WIDTHxHEIGHT"),
        (["animate", "sin-regression", "--theme", "neon"], "'neon' is not one of"),
        (["plot", "histogram"], "unknown lesson 'histogram'; choose from"),
        (
            ["plot", "sin-regression", "--kind", "los"],
            "'los' (did you mean 'loss'?) is not a kind of this lesson",
        ),
        (["animate", "sin-regression", "--lr", "nan"], "NaN and infinity"),
        (["animate", "sin-regression", "--lr", "inf"], "NaN and infinity"),
        (["animate", "sin-regression", "--fps", "nan"], "NaN and infinity"),
        (
            ["animate", "sin-regression", "--hold-last", "2parsecs"],
            "--hold-last: '2parsecs' is not a duration",
        ),
        (["animte", "sin-regression"], "no command 'animte' (did you mean 'animate'?)"),
        (["render", "missing.npz"], "does not exist"),
        (["animate", "sin-regression", "--hold-last", "forever"], "not a duration"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args, message):
    result = invoke(args, expected=2)
    assert message in result.output
    assert "Traceback" not in result.output


def test_unwritable_folder_fails_before_training(tmp_path, monkeypatch):
    import vizlearn.lessons.sin_regression as lesson

    folder = tmp_path / "ro"
    folder.mkdir()
    real_access = os.access
    # root may write anywhere, so make the folder read-only by decree
    monkeypatch.setattr(
        os, "access", lambda p, m: Path(p) != folder and real_access(p, m)
    )
    never = dataclasses.replace(lesson.LESSON, run=lambda *a, **k: pytest.fail("ran"))
    monkeypatch.setattr(lesson, "LESSON", never)
    result = invoke(["animate", "sin-regression", "-o", str(folder / "a.gif")], 2)
    assert "is not writable" in result.output


def test_broken_trace_is_runtime_error_exit_1(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"garbage")
    result = invoke(["render", str(bad), "-o", str(tmp_path / "x.png")], expected=1)
    assert "not a readable vizlearn trace" in result.output
    assert not (tmp_path / "x.png").exists()


def test_failure_mid_render_leaves_no_file(tmp_path, monkeypatch):
    import vizlearn.render.frames as frames

    def explode(self, indices=None):
        yield from ()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(frames.FrameSource, "rgba", explode)
    monkeypatch.setattr(frames.FrameSource, "blits", explode)
    result = invoke(
        ["animate", "sin-regression", *FAST, "-o", str(tmp_path / "a.gif")], expected=1
    )
    assert "disk on fire" in result.output
    assert list(tmp_path.iterdir()) == []


def _run_cli(args: list[str], cwd: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "vizlearn", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_diverging_run_is_a_lesson_not_a_crash(tmp_path):
    out = tmp_path / "d.gif"
    result = invoke(
        [
            "animate",
            "sin-regression",
            "--lr",
            "10",
            "--size",
            "320x240",
            "-o",
            str(out),
            "--json",
        ]
    )
    summary = json.loads(result.stdout)
    k = summary["diverged_at"]
    assert k is not None and summary["iterations"] == k
    info = read_animation_info(out)
    assert info.n_frames >= 2 and f'"diverged_at":{k}' in info.comment


def test_text_forms_and_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    invoke(["plot", "graph", "-o", "g.dot", "-q"])
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    result = invoke(["plot", "graph", "--format", "mermaid", "-o", "-"])
    assert result.output.startswith("flowchart") and "715" in result.output
    result = CliRunner().invoke(
        cli, ["plot", "sin-regression", *FAST, "--format", "png", "-o", "-"]
    )
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"\x89PNG")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot"]  # nothing else
    bad = invoke(["plot", "graph", "-o", "-"], expected=2)
    assert "-o - (standard output) needs --format" in bad.output
    bad = invoke(["plot", "boundary", "-o", "b.dot"], expected=2)
    assert "this figure has no dot form" in bad.output
    bad = invoke(["plot", "graph", "-o", "-", "--format", "dot", "--json"], 2)
    assert "--json and -o - both write to standard output" in bad.output


def test_every_lesson_command_builds_with_unique_options():
    for name in LESSONS:
        for verb in (["plot"], ["animate"], ["train"], []):
            invoke([*verb, name, "--help"])


def test_a_failing_summary_writes_no_file(tmp_path, monkeypatch):
    """A bug in the --json summary stops the run before any output is written."""
    import vizlearn.cli.lessons as lessons

    def broken(*args, **kwargs):
        raise KeyError("runs")

    monkeypatch.setattr(lessons, "summary_of", broken)
    for verb, name in (("plot", "a.png"), ("train", "a.npz")):
        args = [verb, "sin-regression", "--iters", "20", "--frames", "2", "-q"]
        result = invoke([*args, "-o", tmp_path / name], 1)
        assert "KeyError" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
