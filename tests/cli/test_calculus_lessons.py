"""numerical-diff, gradient-descent and newton through the CLI (issue 19)."""

from __future__ import annotations

import json

import pytest

import vizlearn.lessons
from tests.helpers import invoke
from vizlearn.export.readback import read_animation_info

SMALL = ["--size", "320x240", "--dpi", "50", "-q"]
MODULES = {
    "numerical-diff": "vizlearn.lessons.numerical_diff",
    "gradient-descent": "vizlearn.lessons.gradient_descent",
    "newton": "vizlearn.lessons.newton",
}


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    """The lessons as the table will list them (the lead adds the lines)."""
    for name, module in MODULES.items():
        monkeypatch.setitem(vizlearn.lessons.LESSONS, name, module)


def test_plot_with_the_default_points(tmp_path):
    out = tmp_path / "diff.png"
    result = invoke(["plot", "numerical-diff", "-o", str(out), "--json", *SMALL])
    summary = json.loads(result.output)
    assert summary["slopes"] == [0.1999999999990898, 0.2999999999986347]
    assert out.stat().st_size > 0


def test_animate_gradient_descent(tmp_path):
    out = tmp_path / "gd.gif"
    invoke(["animate", "gradient-descent", "--steps", "4", "-o", str(out), *SMALL])
    assert read_animation_info(out).n_frames == 5


def test_newton_json(tmp_path):
    out = tmp_path / "n.png"
    args = ["plot", "newton", "--iters", "300", "--start", "0,2", "--json"]
    summary = json.loads(invoke([*args, "-o", str(out), *SMALL]).output)
    assert summary["arrived"] == {"gd": None, "gd_1d": 70, "newton": 4, "newton_1d": 4}


@pytest.mark.parametrize(
    "args, message",
    [
        (["numerical-diff", "--points", "5;10"], "--points must be 1 to 4"),
        (["gradient-descent", "--start", "1,nan"], "--start must be two numbers"),
        (["newton", "--hessian", "exact"], "'exact' is not one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    out = tmp_path / "x.png"
    result = invoke(["plot", *args, "-o", str(out)], expected=2)
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()
