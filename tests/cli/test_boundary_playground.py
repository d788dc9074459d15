"""The boundary lesson's Playground options through the CLI (issue 19)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import invoke
from vizlearn.export.readback import read_animation_info

SMALL = ["--size", "320x240", "--dpi", "50", "-q"]


@pytest.fixture
def labelled(tmp_path):
    path = tmp_path / "mine.csv"
    rows = [
        f"{(i % 7) / 7 - 0.5},{(i % 5) / 5 - 0.5},{1 if i % 7 > 3 else -1}"
        for i in range(40)
    ]
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    return path


def test_own_data_with_every_control(tmp_path, labelled):
    out = tmp_path / "b.gif"
    args = ["animate", "boundary", "--data", str(labelled), "--test-ratio", "0.25"]
    args += ["--features", "x1,x2,x1x2", "--l1", "0.001", "--l2", "0.001"]
    args += ["--init-seed", "4", "--until", "test_loss<0.2", "--epochs", "400"]
    args += ["--frames", "5", "--json", "-o", str(out), *SMALL]
    summary = json.loads(invoke(args).output)
    assert summary["final_test_loss"] < 0.2 and summary["stopped_at"] is not None
    assert summary["stopped_at"] < 400  # 1 update per epoch: 30 training points
    assert 2 <= read_animation_info(out).n_frames <= 5


def test_same_command_same_bytes(tmp_path):
    args = ["plot", "boundary", "--dataset", "gauss", "--test-ratio", "0.2"]
    args += ["--epochs", "3", "--frames", "2", *SMALL]
    invoke([*args, "-o", str(tmp_path / "a.png")])
    invoke([*args, "-o", str(tmp_path / "b.png")])
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_confusion_kind(tmp_path):
    out = tmp_path / "c.png"
    args = ["plot", "boundary", "--kind", "confusion", "--test-ratio", "0.3"]
    invoke([*args, "--epochs", "3", "--frames", "2", "-o", str(out), *SMALL])
    assert out.stat().st_size > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--until", "__import__('os').system('x')"], "--until must be METRIC<VALUE"),
        (["--until", "test_acc>0.9"], "needs --test-ratio above 0"),
        (["--features", "x1,cos1"], "--features must list distinct names"),
        (["--test-ratio", "0.95"], "--test-ratio"),
        (["--l2", "-1"], "--l2"),
        (["--noise", "nan"], "--noise"),
        (["--dataset", "plane", "--until", "accuracy>0.5"], "plane has no accuracy"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    out = tmp_path / "x.png"
    result = invoke(["plot", "boundary", *args, "-o", str(out)], expected=2)
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_bad_csv_names_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0,0,1\n0,0,one\n")
    result = invoke(
        ["plot", "boundary", "--data", str(bad), "-o", str(tmp_path / "x.png")], 2
    )
    assert "line 3, column 3 (label): 'one' is not a number" in result.output
