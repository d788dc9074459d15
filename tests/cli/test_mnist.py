"""End to end: vizlearn mnist, gradients, samplers, sweep and metrics."""

from __future__ import annotations

import json

import pytest

import vizlearn as vl
from tests.datasets.idx_files import fake_set, write_files
from tests.helpers import SHARED_MNIST, invoke, needs_mnist, summary
from vizlearn.export.readback import read_animation_info

MNIST = ["--data-dir", str(SHARED_MNIST), "--split-from-test", "8000"]


@needs_mnist
def test_mnist_animation_trace_and_metrics(tmp_path):
    gif, npz = tmp_path / "m.gif", tmp_path / "run.npz"
    result = invoke(
        [
            "mnist",
            *MNIST,
            "--iters",
            "400",
            "--frames",
            "8",
            "-q",
            "--json",
            "-o",
            str(gif),
            "--save-trace",
            str(npz),
        ]
    )
    s = summary(result)
    assert s["files"] == [str(gif), str(npz)]
    assert s["iterations"] == 400 and s["epochs"] == 5.0
    assert 0.5 < s["test_acc"] <= 1 and s["n_train"] == 8000 and s["n_test"] == 2000
    info = read_animation_info(gif)
    assert info.n_frames == 8 and info.size == (960, 720)
    out = tmp_path / "confusion.png"
    s = summary(invoke(["metrics", "--trace", str(npz), "--json", "-o", str(out)]))
    assert s["accuracy"] == pytest.approx(summary(result)["test_acc"])
    assert len(s["confusion"]) == 10 and set(s["per_class"]) == set("0123456789")
    assert out.stat().st_size > 10_000
    out = tmp_path / "mis.png"
    invoke(
        [
            "metrics",
            "--trace",
            str(npz),
            "--kind",
            "misclassified",
            "-q",
            "-o",
            str(out),
        ]
    )
    assert out.exists()


@needs_mnist
def test_mnist_still_is_deterministic(tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    for out in (a, b):
        invoke(
            [
                "mnist",
                *MNIST,
                "--iters",
                "100",
                "--kind",
                "accuracy",
                "-q",
                "-o",
                str(out),
            ]
        )
    assert a.read_bytes() == b.read_bytes()


def test_mnist_offline_error_names_the_files_and_data_dir(tmp_path, monkeypatch):
    import vizlearn.datasets.mnist as mnist

    monkeypatch.setattr(mnist, "MIRRORS", ("http://127.0.0.1:9/",))  # nothing there
    result = invoke(
        [
            "mnist",
            "-q",
            "--cache-dir",
            str(tmp_path / "cache"),
            "-o",
            str(tmp_path / "m.png"),
        ],
        expected=1,
    )
    message = result.output.strip()
    assert message.startswith("Error: could not download")
    assert "t10k-images-idx3-ubyte.gz" in message and "--data-dir DIR" in message
    assert "Traceback" not in message and len(message.splitlines()) == 1
    assert not (tmp_path / "m.png").exists()


def test_samplers_json_reports_coverage(tmp_path):
    out = tmp_path / "s.png"
    s = summary(
        invoke(
            [
                "samplers",
                "--iters",
                "60",
                "--sampler",
                "epoch-shuffle",
                "--sampler",
                "with-replacement",
                "--json",
                "-o",
                str(out),
            ]
        )
    )
    assert list(s["samplers"]) == ["epoch-shuffle", "with-replacement"]
    assert s["samplers"]["epoch-shuffle"]["coverage_after_1_epoch"] == 1.0
    assert s["samplers"]["with-replacement"]["coverage_after_1_epoch"] < 0.75
    assert s["n_train"] == 300 and s["iters_per_epoch"] == 10 and out.exists()


def test_sweep_json_and_usage_errors(tmp_path):
    out = tmp_path / "sweep.png"
    s = summary(
        invoke(
            [
                "sweep",
                "--vary",
                "lr=0.5,2",
                "--epochs",
                "5",
                "--jobs",
                "2",
                "--json",
                "-o",
                str(out),
            ]
        )
    )
    assert [r["values"] for r in s["runs"]] == [{"lr": 0.5}, {"lr": 2.0}]
    assert all(0 <= r["test_acc"] <= 1 for r in s["runs"]) and out.exists()
    bad = invoke(["sweep", "--vary", "momentum=0.9"], expected=2)
    assert "NAME one of lr, layers" in bad.output
    bad = invoke(["sweep", "--vary", "lr=-1"], expected=2)
    assert "--lr must be > 0" in bad.output


def test_gradients_json(tmp_path):
    out = tmp_path / "g.png"
    s = summary(
        invoke(
            [
                "gradients",
                "--dataset",
                "spiral",
                "--hidden",
                "6",
                "--warmup",
                "10",
                "--naive",
                "20",
                "--repeats",
                "1",
                "--json",
                "-q",
                "-o",
                str(out),
            ]
        )
    )
    assert max(s["max_rel_error"].values()) < 1e-6
    assert s["naive_extrapolated_from"] == 20 and s["n_params"] == 2 * 6 + 6 + 6 * 3 + 3
    assert s["seconds_per_iter"]["naive"] > s["seconds_per_iter"]["backprop"]
    assert out.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["mnist", "--grad", "adjoint"], "'adjoint' is not one of"),
        (["mnist", "--iters", "5", "--frames", "10"], "--frames must be at most"),
        (
            ["mnist", "--weight-init", "huge"],
            "--weight-init: a weight init must be xavier, he or a std > 0",
        ),
        (["mnist", "-o", "x.mp3"], "unknown format"),
        (["mnist", "--data-dir", "/no/such/folder"], "does not exist"),
        (
            ["mnist", "--frames", "5", "--frame", "5"],
            "--frame must be between -5 and 4",
        ),
        (["mnist", "--save-trace", "/no/such/run.npz"], "folder '/no/such' does not"),
        (["samplers", "--sampler", "random"], "'random' is not one of"),
        (["metrics", "--kind", "roc"], "'roc' is not a kind of this lesson"),
        (
            ["sweep", "--no-normalize"],
            "--no-normalize applies to image sets (mnist, fashion-mnist, kmnist), "
            "not spiral",
        ),
        (["metrics", "--kind", "table", "--class", "10"], "--class must be <= 9"),
        (["gradients", "--sizes", "5,x"], "--sizes takes 1 to 12 distinct hidden"),
    ],
)
def test_usage_errors_exit_2(args, message):
    assert message in invoke(args, expected=2).output


@needs_mnist
def test_keras_tutorial_figures_on_raw_pixels(tmp_path):
    """The tutorial's run: raw pixels, 3 x 30 sigmoid; its 2x2 table and history."""
    npz, table, history = tmp_path / "k.npz", tmp_path / "t.png", tmp_path / "h.png"
    base = ["--no-normalize", "--layers", "3", "--hidden", "30", "--iters", "300"]
    invoke(["train", "mnist", *MNIST, *base, "--frames", "2", "-q", "-o", str(npz)])
    invoke(["render", str(npz), "--kind", "table", "--class", "3", "-o", str(table)])
    invoke(["render", str(npz), "--kind", "keras", "-o", str(history)])
    info = json.loads(invoke(["info", "--json", str(table)]).output)
    config = info["provenance"]["config"]
    assert config["normalize"] is False and config["layers"] == 3
    assert "data_dir" not in config  # no folders in a figure either
    assert history.stat().st_size > 10_000
    bad = invoke(["render", str(npz), "--kind", "keras", "--class", "3"], expected=2)
    assert "is not an option of kind keras" in bad.output  # (it says --label)


# ---- the other MNIST-format sets: Fashion-MNIST and KMNIST ------------------------


@pytest.fixture
def fashion_dir(tmp_path):
    """A folder with one subfolder per set, holding a small random Fashion-MNIST."""
    write_files(tmp_path / "sets" / "fashion-mnist", fake_set(300, 100))
    return tmp_path / "sets"


def test_fashion_mnist_trains_with_a_note_and_draws_class_names(fashion_dir, tmp_path):
    npz = tmp_path / "f.npz"
    args = ["train", "metrics", "--dataset", "fashion-mnist", "--data-dir", fashion_dir]
    result = invoke([*args, "--iters", "20", "--frames", "2", "-q", "-o", npz])
    # files that are not the published ones are read, with one note on stderr
    assert result.stderr.startswith("note: ") and result.stderr.count("\n") == 1
    assert "not the published Fashion-MNIST files" in result.stderr
    trace = vl.load_trace(npz)
    assert trace.meta["config"]["dataset"] == "fashion-mnist"
    assert trace.meta["config"]["data_dir"] == "sets"  # the folder's name only
    fig = vl.plot(trace, "confusion")
    confusion, bars = fig.axes[:2]
    ticks = [t.get_text() for t in confusion.get_xticklabels()]
    assert ticks[0] == "T-shirt/top" and ticks[9] == "Ankle boot"
    assert [t.get_text() for t in bars.get_yticklabels()] == ticks
    assert "Fashion-MNIST" in fig.get_suptitle()
    grid = vl.plot(trace, "misclassified")
    first = grid.axes[0].get_title()
    assert " → " in first and not first[0].isdigit()


def test_image_sets_are_choices_and_planar_sets_refuse_no_normalize(fashion_dir):
    help_text = invoke(["train", "gradients", "--help"]).output
    assert "mnist|fashion-mnist|kmnist|spiral" in help_text
    bad = invoke(["train", "metrics", "--dataset", "xor", "--no-normalize"], 2)
    assert "--no-normalize applies to image sets" in bad.output
    # raw pixels of another image set are fine
    args = ["--dataset", "fashion-mnist", "--data-dir", fashion_dir, "--no-normalize"]
    out = fashion_dir / "raw.npz"
    invoke(
        ["train", "metrics", *args, "--iters", "5", "--frames", "2", "-q", "-o", out]
    )
    assert vl.load_trace(out).meta["config"]["normalize"] is False
