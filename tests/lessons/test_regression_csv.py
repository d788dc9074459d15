"""Your own regression data: the CSV reader, the lesson, and `animate regression`."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import invoke
from vizlearn.datasets.csv import CsvError, read_xy_csv
from vizlearn.export.readback import read_animation_info
from vizlearn.lessons.regression import RegressionConfig, run, x_scaling
from vizlearn.render.regression import plot_regression
from vizlearn.style import Style

FAST = ["--iters", "200", "--frames", "5", "--size", "320x240", "--dpi", "50", "-q"]


def write(tmp_path, text: str, name: str = "points.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        "x,y\n0,1\n0.5,2\n1,3\n",
        "0,1\n0.5,2\n1,3\n",  # no header
        "y,x\n1,0\n2,0.5\n3,1\n",  # named columns in any order
        "id,x,y\n7,0,1\n8,0.5,2\n9,1,3\n",  # extra columns ignored
        "\ufefftime;value\n0;1\n\n# a comment\n0.5;2\n1;3\n",  # BOM, ';', blank, '#'
        "x\ty\n0\t1\n0.5\t2\n1\t3\n",
    ],
)
def test_accepted_layouts(tmp_path, text):
    data = read_xy_csv(write(tmp_path, text))
    np.testing.assert_array_equal(data.x, [[0.0], [0.5], [1.0]])
    np.testing.assert_array_equal(data.t, [[1.0], [2.0], [3.0]])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no data rows \\(the file is empty\\)"),
        ("x,y\n", "no data rows below the header on line 1"),
        ("x,y\n0,1\n1,abc\n", "line 3, column 2 \\(y\\): 'abc' is not a number"),
        ("0,1\n1,\n", "line 2, column 2 \\(y\\): an empty cell is not a number"),
        ("1,abc\n2,3\n", "line 1, column 2 \\(y\\): 'abc' is not a number"),
        ("x,y\n0,1\n1,2,3\n", "line 3 has 3 columns, expected 2"),
        ("0,1,2\n1,2,3\n", "line 1 has 3 columns; without a header the file needs"),
        ("a,b,c\n0,1,2\n", "header has 3 columns \\(a, b, c\\); name two of them x"),
        ("x,y\nnan,1\n1,2\n", "line 2, column 1 \\(x\\): 'nan' is not a finite number"),
        ("x,y\n0,inf\n1,2\n", "line 2, column 2 \\(y\\): 'inf' is not a finite number"),
        ("x,y\n0,1\n", "needs at least 2 points, found 1"),
        ("x,y\n2,1\n2,5\n", "every x is 2; need at least two different x values"),
    ],
)
def test_malformed_files_say_where(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CsvError, match=message) as info:
        read_xy_csv(path)
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(CsvError, match="no such file"):
        read_xy_csv(tmp_path / "missing.csv")
    with pytest.raises(CsvError, match="is a folder"):
        read_xy_csv(tmp_path)
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(CsvError, match="not a UTF-8 text file"):
        read_xy_csv(tmp_path / "bin.csv")


def test_x_scaling_only_when_far_from_the_unit_interval():
    assert x_scaling(np.array([0.0, 1.0])) == (0.0, 1.0)
    assert x_scaling(np.array([-0.5, 1.5])) == (0.0, 1.0)
    assert x_scaling(np.array([1990.0, 2020.0])) == (1990.0, 30.0)
    assert x_scaling(np.array([0.0, 0.01])) == (0.0, 0.01)  # too narrow: stretched


@pytest.fixture
def years_csv(tmp_path):
    """x in years (far from [0, 1]), y a bump: needs the scaling to be learnt."""
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(1990, 2020, 40))
    y = np.sin((x - 1990) / 30 * 2 * np.pi) + 0.1 * rng.standard_normal(40)
    lines = ["x,y", *(f"{a:.3f},{b:.4f}" for a, b in zip(x, y, strict=True))]
    return write(tmp_path, "\n".join(lines) + "\n", "years.csv")


def test_lesson_trains_in_data_units(years_csv):
    trace = run(RegressionConfig(data=str(years_csv), iters=3000, frames=4, lr=0.5))
    d = trace.data
    assert set(d) == {"x", "t", "grid"}  # no truth line for the user's data
    assert d["grid"][0] == d["x"].min() and d["grid"][-1] == d["x"].max()
    assert trace.meta["x_scaling"] == {"offset": d["x"].min(), "scale": np.ptp(d["x"])}
    assert trace.meta["config"]["data"] == "years.csv"  # no folders in provenance
    assert len(trace.meta["data_sha256"]) == 64
    assert trace.outputs["curve"].shape == (4, 200)
    # unscaled, the sigmoids would saturate on x ~ 2000 and only learn the mean,
    # whose loss is the variance of t
    assert trace.outputs["loss"][-1] < 0.6 * np.var(d["t"])
    np.testing.assert_allclose(
        trace.outputs["fit"][-1],
        np.interp(d["x"], d["grid"], trace.outputs["curve"][-1]),
        atol=0.02,
    )  # the curve on the grid and the fitted values agree: same units


def test_renderer_draws_no_truth_line(years_csv):
    trace = run(RegressionConfig(data=str(years_csv), iters=20, frames=2))
    fig = plot_regression(trace, style=Style(width=320, height=240, dpi=50))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "E[y|x] = sin(2πx) + ½" not in labels and "data" in labels
    assert fig.axes[0].get_xlim()[0] < 1991


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "--data is required: a CSV file with columns x, y"),
        ("missing.csv", "--data: missing.csv: no such file"),
    ],
)
def test_config_errors_name_data(data, message):
    with pytest.raises(ValueError, match=message):
        RegressionConfig(data=data)


def test_animate_regression_from_csv(years_csv, tmp_path):
    out = tmp_path / "mine.gif"
    invoke(
        ["animate", "regression", "--data", str(years_csv), *FAST, "-o", str(out)], 0
    )
    assert read_animation_info(out).n_frames == 5
    npz = tmp_path / "run.npz"
    invoke(
        [
            "train",
            "regression",
            "--data",
            str(years_csv),
            *FAST[:4],
            "-q",
            "-o",
            str(npz),
        ],
        0,
    )
    png = tmp_path / "fit.png"
    invoke(["render", str(npz), "--kind", "fit", "-o", str(png), "-q"], 0)
    assert png.stat().st_size > 0


def test_animate_regression_bad_data_is_a_usage_error(tmp_path):
    out = str(tmp_path / "a.gif")
    result = invoke(["animate", "regression", *FAST, "-o", out], 2)
    assert "--data is required" in result.output
    bad = write(tmp_path, "x,y\n0,1\n1,oops\n")
    result = invoke(["animate", "regression", "--data", str(bad), *FAST, "-o", out], 2)
    assert "Error: --data:" in result.output
    assert "line 3, column 2 (y): 'oops' is not a number" in result.output
    assert not (tmp_path / "a.gif").exists()
