"""The lesson commands (optimizers, boundary, weight-init, vanishing-gradients)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.helpers import invoke
from vizlearn.cli import cli
from vizlearn.export.readback import read_animation_info

SMALL = ["--size", "320x240", "--dpi", "50", "-q"]
BOUNDARY = ["boundary", "--dataset", "xor", "--epochs", "3", "--frames", "4", *SMALL]
DEEP = [
    "vanishing-gradients",
    "--layers",
    "4",
    "--hidden",
    "10",
    "--epochs",
    "2",
    "--frames",
    "3",
    *SMALL,
]


def test_listed_in_help_and_list():
    text = invoke(["--help"]).output
    for name in ("optimizers", "boundary", "weight-init", "vanishing-gradients"):
        assert name in text
    assert "regression" in invoke(["list"]).output


def test_optimizers_still_with_json(tmp_path):
    out = tmp_path / "paths.png"
    result = invoke(["optimizers", *SMALL, "--json", "-o", str(out)])
    summary = json.loads(result.output)
    assert summary["files"] == [str(out)] and summary["function"] == "book"
    assert summary["steps"] == 30 and summary["start"] == [-7.0, 2.0]
    assert summary["optimizers"]["sgd"]["lr"] == 0.95 and summary["diverged"] == {}
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_optimizers_animation_has_one_frame_per_step(tmp_path):
    out = tmp_path / "paths.gif"
    invoke(
        [
            "optimizers",
            "--steps",
            "8",
            "--fps",
            "5",
            "--hold-last",
            "1s",
            *SMALL,
            "-o",
            str(out),
        ]
    )
    info = read_animation_info(out)
    assert info.n_frames == 9
    assert list(info.durations_ms) == [200] * 8 + [1200]


def test_animate_flag_and_default_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    invoke(["optimizers", "--steps", "3", *SMALL, "--animate"])
    assert read_animation_info(tmp_path / "optimizers.gif").n_frames == 4
    invoke(["optimizers", "--steps", "3", *SMALL, "--animate", "-o", "apng.png"])
    assert read_animation_info(tmp_path / "apng.png").n_frames == 4
    invoke(["optimizers", "--steps", "3", *SMALL])
    assert (tmp_path / "optimizers.png").exists()


def test_divergence_is_reported_not_crashed(tmp_path):
    out = tmp_path / "d.png"
    result = CliRunner().invoke(
        cli, ["optimizers", "--lr", "sgd=100", "--size", "320x240", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "note: sgd diverged at step 2" in result.output
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["optimizers", "--lr", "sgd:1"], "--lr takes NAME=VALUE"),
        (["optimizers", "--start", "a,b"], "--start must be x,y"),
        (["optimizers", "--function", "sphere"], "'sphere' is not one of"),
        (["optimizers", "--frame", "31"], "must be between -31 and 30, got 31"),
        (["optimizers", "-o", "x.jpg"], "unknown format '.jpg'"),
        (["boundary", "--dataset", "moons"], "'moons' is not one of"),
        (["boundary", "--epochs", "1", "--frames", "20"], "--frames must be at most"),
        (["weight-init", "--animate"], "weight-init draws stills only (histograms)"),
        (["weight-init", "-o", "w.gif"], "weight-init draws stills only"),
        (["weight-init", "--inits", "1,glorot"], "xavier, he or a std > 0"),
        (["vanishing-gradients", "--init", "zero"], "xavier, he or a std > 0"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args, message, tmp_path):
    result = invoke([*args, "-q"], 2)
    assert message in result.output
    assert "Traceback" not in result.output


def test_boundary_still_and_animation(tmp_path):
    png, gif = tmp_path / "b.png", tmp_path / "b.gif"
    summary = json.loads(invoke([*BOUNDARY, "--json", "-o", str(png)]).output)
    assert summary["iterations"] == 30 and 0 <= summary["final_accuracy"] <= 1
    invoke([*BOUNDARY, "--units", "--hidden", "4", "-o", str(gif)])
    assert read_animation_info(gif).n_frames == 4


def test_weight_init_still_formats(tmp_path):
    svg = tmp_path / "w.svg"
    result = invoke(
        [
            "weight-init",
            "--samples",
            "50",
            "--activation",
            "relu",
            "--gradients",
            *SMALL,
            "--json",
            "-o",
            str(svg),
        ]
    )
    summary = json.loads(result.output)
    assert summary["inits"] == ["0.01", "xavier", "he"]  # ReLU: Figure 6-14's
    assert (
        len(summary["layer_output_std"]) == 3 and len(summary["zero_fraction"][0]) == 5
    )
    assert b"<svg" in svg.read_bytes()[:500]


def test_vanishing_gradients_animation_and_still(tmp_path):
    gif = tmp_path / "v.gif"
    summary = json.loads(invoke([*DEEP, "--json", "-o", str(gif)]).output)
    assert read_animation_info(gif).n_frames == 3
    assert summary["mean_abs_grad_first_layer"] < summary["mean_abs_grad_last_layer"]
    png = tmp_path / "v.png"
    invoke([*DEEP, "--frame", "0", "-o", str(png)])
    assert png.exists()


def test_same_command_same_bytes(tmp_path):
    a, b = tmp_path / "a.gif", tmp_path / "b.gif"
    invoke([*BOUNDARY, "-o", str(a)])
    invoke([*BOUNDARY, "-o", str(b)])
    assert a.read_bytes() == b.read_bytes()


def test_seeds_draw_the_mean_and_band_of_several_runs(tmp_path):
    out = tmp_path / "s.png"
    result = invoke(
        [
            "plot",
            "sin-regression",
            "--seeds",
            "0-2",
            "--iters",
            "60",
            "--frames",
            "2",
            "--size",
            "480x360",
            "-o",
            str(out),
            "-q",
            "--json",
        ]
    )
    import json

    summary = json.loads(result.output)
    assert summary["seeds"] == [0, 1, 2] and len(summary["final_loss_per_seed"]) == 3
    assert out.exists()
    saved = tmp_path / "s.npz"
    invoke(["train", "sin-regression", "--seeds", "3,5", "--iters", "20",
            "--frames", "2", "-o", str(saved), "-q"])  # fmt: skip
    from vizlearn.trace import load_trace

    trace = load_trace(saved)
    assert trace.meta["seeds"] == [3, 5] and len(trace.meta["runs"]) == 2
    bad = invoke(["plot", "sin-regression", "--seeds", "9-1"], expected=2)
    assert "Invalid value for '--seeds'" in bad.output


def test_seeds_figure_draws_the_mean_with_n_in_the_legend():
    import numpy as np

    import vizlearn as vl
    from vizlearn.api import train_seeds

    trace = train_seeds("sin-regression", [0, 1, 2], iters=40, frames=2)
    fig = vl.plot(trace).figure
    line = fig.axes[0].get_lines()[0]
    assert line.get_label() == "loss (N = 3)"
    runs = [trace.data[f"runs/{i}/loss"] for i in range(3)]
    np.testing.assert_allclose(line.get_ydata(), np.mean(runs, axis=0))
