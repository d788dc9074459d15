"""vizlearn's pytest plugin next to syrupy, pytest-snapshot, pytest-mpl and
pytest-image-snapshot (and pytest-xdist): each one's own example suite passes
in the same environment, in a fresh pytest process.

syrupy and pytest-snapshot both register ``--snapshot-update``, so those two
cannot load in one session whatever vizlearn does (the last test shows it);
each of their suites runs with the other one disabled (``-p no:...``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent / "examples"
PLUGINS = {
    "syrupy": "syrupy",
    "pytest-snapshot": "pytest_snapshot",
    "pytest-mpl": "pytest_mpl",
    "pytest-image-snapshot": "pytest_image_snapshot",
    "pytest-xdist": "xdist",
}
MISSING = [name for name, mod in PLUGINS.items() if not importlib.util.find_spec(mod)]
pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"needs {', '.join(MISSING)} (pip install -e '.[test]' installs them)",
)


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of the example suites with their committed baselines."""
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def _summary_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def test_every_plugin_suite_passes_next_to_vizlearn(examples):
    # syrupy, pytest-mpl, pytest-image-snapshot and vizlearn, under xdist
    a = _pytest(
        examples,
        "-p",
        "no:snapshot",
        "--ignore=test_pytest_snapshot_example.py",
        "--mpl",
        "-n",
        "2",
    )
    assert a.returncode == 0, a.stdout + a.stderr
    assert "7 passed" in _summary_line(a), a.stdout
    assert "2 snapshots passed" in a.stdout  # syrupy's own report
    # pytest-snapshot, pytest-mpl, pytest-image-snapshot and vizlearn
    b = _pytest(examples, "-p", "no:syrupy", "--ignore=test_syrupy_example.py", "--mpl")
    assert b.returncode == 0, b.stdout + b.stderr
    assert "7 passed" in _summary_line(b), b.stdout
    # vizlearn took none of the others' snapshot files for unused baselines
    for run in (a, b):
        assert "baselines no test used" not in run.stdout
        assert "conflicting option" not in run.stderr


def test_failure_summary_under_xdist(examples):
    snaps = examples / "snapshots" / "test_vizlearn_example"
    shutil.copy(snaps / "test_plot[ramp].png", snaps / "test_plot[peak].png")
    failures = examples / "failures"
    result = _pytest(
        examples,
        "test_vizlearn_example.py",
        "-p",
        "no:snapshot",
        "-n",
        "2",
        f"--vizlearn-failures={failures}",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 2 passed" in _summary_line(result)
    assert f"vizlearn snapshot failures: {failures / 'summary.html'}" in result.stdout
    (row,) = json.loads((failures / "summary.json").read_text())["failures"]
    assert row["test"] == "test_vizlearn_example.py::test_plot[peak]"
    assert row["rms"] > row["tol"] == 2
    assert sorted(row["images"]) == ["actual", "diff", "expected"]
    for relative in row["images"].values():
        assert (failures / relative).is_file()
    page = (failures / "summary.html").read_text()
    assert "<script" not in page and "http" not in page  # offline, nothing fetched
    assert all(f'src="{src}"' in page for src in row["images"].values())


def test_syrupy_and_pytest_snapshot_conflict_without_vizlearn(examples):
    result = _pytest(examples, "-p", "no:vizlearn", "--collect-only", "-q")
    assert result.returncode != 0
    assert "conflicting option string: --snapshot-update" in result.stderr
