"""The vizlearn snapshot pytest plugin, run on generated test files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import hypothesis  # noqa: F401  (its pytest plugin imports it in every inner run)
import numpy as np
import pytest
from matplotlib.figure import Figure  # noqa: F401  (imported before in-process runs)
from PIL import Image

import vizlearn.export.animated  # noqa: F401  (pytester drops modules a run imports)
import vizlearn.trace  # noqa: F401
from vizlearn.testing import image_rms, to_rgba

pytest_plugins = ["pytester"]

# Each generated test reads variant.txt, so one test id can draw different things.
FIGURE_TEST = """
from pathlib import Path
from matplotlib.figure import Figure

def variant():
    return Path(__file__).with_name("variant.txt").read_text().strip()

def test_fig(vl_image_snapshot):
    fig = Figure(figsize=(3, 2), dpi=50)
    ax = fig.subplots()
    ax.plot([0, 1, 2], [0, 1, 0] if variant() == "a" else [0, 1, 2], lw=3)
    vl_image_snapshot(fig, tol={tol})
"""

ANIMATION_TEST = """
import json
from pathlib import Path
import numpy as np
from vizlearn.export.animated import save_animation

def test_gif(vl_image_snapshot, tmp_path):
    spec = json.loads(Path(__file__).with_name("variant.txt").read_text())
    frames = [np.full((8, 10, 3), 30 * k, np.uint8) for k in range(spec["n"])]
    if spec.get("dot"):
        frames[2][2:5, 2:5] = 255
    path = tmp_path / "a.gif"
    save_animation(path, frames, durations_ms=spec["ms"], palette_frames=frames)
    vl_image_snapshot(path, frames=[0, 2, -1], tol=0)
"""

TRACE_TEST = """
from pathlib import Path
from vizlearn.trace import Recorder

def test_run(vl_trace_snapshot):
    shift = float(Path(__file__).with_name("variant.txt").read_text())
    rec = Recorder()
    for step in range(5):
        rec.record(step, loss=1.0 / (step + 1) + shift, params={"W1": [step, 2.0]})
    vl_trace_snapshot(rec.freeze(), rtol=1e-6, atol=1e-9)
    vl_trace_snapshot({"curve": [0.5, 0.25 + shift]}, "curve-only")
"""


def _run(pytester: pytest.Pytester, variant: str, *args: str) -> pytest.RunResult:
    (pytester.path / "variant.txt").write_text(variant)
    # pytest-snapshot and syrupy (test extra) can't load together; and with
    # pytest-image-snapshot, image_snapshot is its fixture, not vizlearn's alias
    # pytest-benchmark, where installed, warns (an error here) under xdist
    blocked = ("-p", "no:snapshot", "-p", "no:image-snapshot", "-p", "no:benchmark")
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *blocked, *args)


def _paths(result: pytest.RunResult) -> dict[str, Path]:
    """The expected/actual/diff paths printed in a failure message."""
    text = result.stdout.str()
    found = re.findall(r"(expected|actual|diff): (\S+\.png)", text)
    return {k: Path(p) for k, p in found}


def test_figure_missing_then_update_then_pass(pytester):
    pytester.makepyfile(test_fig=FIGURE_TEST.format(tol=2))
    result = _run(pytester, "a")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*no baseline*test_fig.png; run pytest --vizlearn-update*"]
    )
    assert not (pytester.path / "snapshots").exists()

    result = _run(pytester, "a", "--vizlearn-update")
    result.assert_outcomes(passed=1)
    baseline = pytester.path / "snapshots" / "test_fig" / "test_fig.png"
    result.stdout.fnmatch_lines(
        ["*vizlearn snapshots written*", f"written: {baseline}"]
    )
    assert Image.open(baseline).size == (150, 100)
    assert "Software" not in Image.open(baseline).info  # no version text in the PNG

    _run(pytester, "a").assert_outcomes(passed=1)


def test_figure_mismatch_saves_expected_actual_and_diff(pytester, tmp_path):
    pytester.makepyfile(test_fig=FIGURE_TEST.format(tol=2))
    _run(pytester, "a", "--vizlearn-update").assert_outcomes(passed=1)
    failures = tmp_path / "failures"
    result = _run(pytester, "b", f"--vizlearn-failures={failures}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*test_fig.png: RMS difference * > tolerance 2 (* pixels differ)*"]
    )
    paths = _paths(result)
    assert sorted(paths) == ["actual", "diff", "expected"]
    assert all(p.parent == failures / "test_fig" and p.exists() for p in paths.values())
    expected, actual = to_rgba(paths["expected"]), to_rgba(paths["actual"])
    np.testing.assert_array_equal(
        expected, to_rgba(pytester.path / "snapshots/test_fig/test_fig.png")
    )
    assert image_rms(expected, actual) > 2
    diff = to_rgba(paths["diff"])
    changed = np.any(expected != actual, axis=-1)
    # differing pixels are drawn red in the diff image, the rest stays grey
    assert (diff[changed][:, 0] > diff[changed][:, 1]).mean() > 0.9
    assert (diff[~changed][:, 0] == diff[~changed][:, 1]).all()


def test_default_failure_folder_is_under_pytest_tmp(pytester):
    pytester.makepyfile(test_fig=FIGURE_TEST.format(tol=2))
    _run(pytester, "a", "--vizlearn-update")
    result = _run(pytester, "b")
    result.assert_outcomes(failed=1)
    paths = _paths(result)
    assert paths and all(
        p.exists() and p.parent.parent.name == "vizlearn-failures"
        for p in paths.values()
    )


def test_tolerance_is_per_test_and_update_rewrites(pytester):
    pytester.makepyfile(test_fig=FIGURE_TEST.format(tol=200))
    _run(pytester, "a", "--vizlearn-update")
    baseline = pytester.path / "snapshots" / "test_fig" / "test_fig.png"
    before = baseline.read_bytes()
    _run(pytester, "b").assert_outcomes(passed=1)  # within the generous tolerance

    pytester.makepyfile(test_fig=FIGURE_TEST.format(tol=0))
    _run(pytester, "b").assert_outcomes(failed=1)
    result = _run(pytester, "b", "--vizlearn-update")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"updated: {baseline}"])
    assert baseline.read_bytes() != before
    _run(pytester, "b").assert_outcomes(passed=1)


def test_arrays_image_files_and_parametrized_names(pytester):
    pytester.makepyfile(
        test_arr="""
        import numpy as np, pytest
        from PIL import Image

        @pytest.mark.parametrize("value", [10, 200])
        def test_arr(vl_image_snapshot, tmp_path, value):
            rgb = np.full((4, 6, 3), value, np.uint8)
            vl_image_snapshot(rgb)
            Image.fromarray(rgb).save(tmp_path / "x.png")
            vl_image_snapshot(tmp_path / "x.png")          # second call: -2 suffix
            vl_image_snapshot(rgb / 255.0, "floats")       # floats in [0, 1]
        """
    )
    _run(pytester, "", "--vizlearn-update").assert_outcomes(passed=2)
    names = sorted(p.name for p in (pytester.path / "snapshots" / "test_arr").iterdir())
    assert names == [
        "floats.png",
        "test_arr[10]-2.png",
        "test_arr[10].png",
        "test_arr[200]-2.png",
        "test_arr[200].png",
    ]
    # both parametrizations name one baseline "floats": the last update wins
    _run(pytester, "").assert_outcomes(passed=1, failed=1)


def test_animation_frame_count_durations_and_pixels(pytester, tmp_path):
    pytester.makepyfile(test_anim=ANIMATION_TEST)
    spec = '{"n": 5, "ms": [100, 100, 100, 100, 600]}'
    _run(pytester, spec, "--vizlearn-update").assert_outcomes(passed=1)
    snaps = pytester.path / "snapshots" / "test_anim"
    assert sorted(p.name for p in snaps.iterdir()) == [
        "test_gif.frame0.png",
        "test_gif.frame2.png",
        "test_gif.frame4.png",
        "test_gif.json",
    ]
    _run(pytester, spec).assert_outcomes(passed=1)

    result = _run(pytester, '{"n": 4, "ms": 100}')
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*n_frames: expected 5, got 4*"])

    result = _run(pytester, '{"n": 5, "ms": [100, 100, 100, 100, 100]}')
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*durations differ at 1 frame(s): frame 4: 600 -> 100 ms*"]
    )

    failures = tmp_path / "f"
    spec_dot = '{"n": 5, "ms": [100, 100, 100, 100, 600], "dot": true}'
    result = _run(pytester, spec_dot, f"--vizlearn-failures={failures}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*frame 2: RMS difference * (9 pixels differ)*"])
    paths = _paths(result)
    assert paths["diff"] == failures / "test_anim" / "test_gif.frame2-diff.png"
    assert to_rgba(paths["actual"])[3, 3, 0] == 255


def test_trace_golden_within_tolerance(pytester):
    pytester.makepyfile(test_trace=TRACE_TEST)
    _run(pytester, "0", "--vizlearn-update").assert_outcomes(passed=1)
    golden = pytester.path / "snapshots" / "test_trace" / "test_run.npz"
    with np.load(golden, allow_pickle=False) as npz:
        assert sorted(npz.files) == [
            "loss",
            "loss_steps",
            "metric_steps",
            "params/W1",
            "steps",
        ]
        np.testing.assert_allclose(npz["loss"], 1 / np.arange(1, 6))
    again = golden.read_bytes()
    _run(pytester, "0", "--vizlearn-update")
    assert golden.read_bytes() == again  # nothing rewritten when it matches

    _run(pytester, "1e-9").assert_outcomes(passed=1)  # within rtol 1e-6
    result = _run(pytester, "1e-3")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*test_run.npz:*", "*loss: 5 of 5 values differ; first at (0,)*"]
    )


def test_a_blog_authors_test_file(pytester):
    """The README example: a Still, a GIF and a trace, update once, then pass."""
    pytester.makepyfile(
        """
        import vizlearn as vl

        def test_loss_chart(vl_image_snapshot):
            run = vl.train("sin-regression", iters=200, frames=3, n=20)
            vl_image_snapshot(vl.plot(run, "loss", style=vl.Style(width=200, height=150,
                                                               dpi=40)))

        def test_animation(vl_image_snapshot, tmp_path):
            run = vl.train("sin-regression", iters=200, frames=3, n=20)
            anim = vl.animate(run, style=vl.Style(width=200, height=150, dpi=40))
            vl_image_snapshot(anim.save(tmp_path / "sin.gif"), frames=[0, -1])

        def test_training_numbers(vl_trace_snapshot):
            vl_trace_snapshot(vl.train("sin-regression", iters=200, frames=3, n=20))
        """
    )
    _run(pytester, "", "--vizlearn-update").assert_outcomes(passed=3)
    folder = pytester.path / "snapshots" / "test_a_blog_authors_test_file"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "test_animation.frame0.png",
        "test_animation.frame2.png",
        "test_animation.json",
        "test_loss_chart.png",
        "test_training_numbers.npz",
    ]
    _run(pytester, "").assert_outcomes(passed=3)


SIBLING_TEST = """
from matplotlib.figure import Figure

def test_plot(vl_image_snapshot):
    fig = Figure(figsize=(2, 1), dpi=30)
    fig.patch.set_facecolor("{color}")
    vl_image_snapshot(fig)
"""


def test_same_test_name_in_sibling_files_keeps_two_baselines(pytester):
    pytester.makepyfile(
        test_a=SIBLING_TEST.format(color="red"),
        test_b=SIBLING_TEST.format(color="blue"),
    )
    _run(pytester, "", "--vizlearn-update").assert_outcomes(passed=2)
    snaps = pytester.path / "snapshots"
    a, b = snaps / "test_a" / "test_plot.png", snaps / "test_b" / "test_plot.png"
    assert to_rgba(a)[0, 0, 0] == 255 and to_rgba(b)[0, 0, 2] == 255
    _run(pytester, "").assert_outcomes(passed=2)  # neither overwrote the other


def test_ini_option_moves_the_baselines(pytester):
    pytester.makeini("[pytest]\nvizlearn_snapshot_dir = figures/baselines\n")
    pytester.mkpydir("sub")
    (pytester.path / "sub" / "test_c.py").write_text(SIBLING_TEST.format(color="red"))
    _run(pytester, "", "--vizlearn-update").assert_outcomes(passed=1)
    assert (pytester.path / "figures/baselines/sub/test_c/test_plot.png").exists()
    assert not (pytester.path / "sub" / "snapshots").exists()


def test_other_plugins_flag_and_fixture_names_are_left_alone(pytester):
    # a plugin of someone else's that defines image_snapshot, loaded with -p
    pytester.makepyfile(
        other_plugin="""
        import pytest

        @pytest.fixture
        def image_snapshot():
            return "the other plugin's"
        """,
        test_names="""
        def test_theirs(image_snapshot):
            assert image_snapshot == "the other plugin's"

        def test_ours(vl_trace_snapshot, trace_snapshot):
            assert type(vl_trace_snapshot) is type(trace_snapshot)
        """,
    )
    pytester.syspathinsert()
    _run(pytester, "", "-p", "other_plugin").assert_outcomes(passed=2)
    # no other plugin: the short name is vizlearn's
    result = _run(pytester, "", "-k", "ours or theirs")
    result.assert_outcomes(passed=1, failed=1)
    # and vizlearn never claims --snapshot-update (syrupy's and pytest-snapshot's)
    result = _run(pytester, "", "-p", "no:syrupy", "--snapshot-update")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_unused_baselines_are_listed_after_a_whole_run_only(pytester):
    pytester.makepyfile(test_a=SIBLING_TEST.format(color="red"))
    _run(pytester, "", "--vizlearn-update").assert_outcomes(passed=1)
    folder = pytester.path / "snapshots" / "test_a"
    (folder / "test_gone.png").write_bytes((folder / "test_plot.png").read_bytes())
    (folder / "test_gone").mkdir()  # another plugin's per-test folder: not ours
    (folder / "test_gone" / "x.txt").write_text("1")
    result = _run(pytester, "")
    result.stdout.fnmatch_lines(
        ["*vizlearn baselines no test used*", f"{folder / 'test_gone.png'}", "1 file*"]
    )
    assert "x.txt" not in result.stdout.str()
    result = _run(pytester, "", "-k", "plot")  # a selection: nothing to conclude
    assert "no test used" not in result.stdout.str()


def test_failure_summary_is_offline_html_and_json(pytester, tmp_path):
    pytester.makepyfile(test_fig=FIGURE_TEST.format(tol=2))
    _run(pytester, "a", "--vizlearn-update")
    failures = tmp_path / "out"
    result = _run(pytester, "b", f"--vizlearn-failures={failures}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [f"vizlearn snapshot failures: {failures}/summary.html"]
    )
    (row,) = json.loads((failures / "summary.json").read_text())["failures"]
    assert row["test"] == "test_fig.py::test_fig" and row["rms"] > 2
    assert row["images"]["diff"] == "test_fig/test_fig-diff.png"
    page = (failures / "summary.html").read_text()
    assert 'src="test_fig/test_fig-expected.png"' in page
    assert "<script" not in page and "http" not in page
