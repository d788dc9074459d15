"""Same command, same seed: byte-identical files from two separate processes."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

FORMATS = ["png", "svg", "pdf", "gif", "webp", "apng", "mp4", "html"]
if importlib.util.find_spec("imageio_ffmpeg") is None:
    FORMATS.remove("mp4")

# One process writes every format with the CLI (in-process, as a user's
# `vizlearn ...` would), so the test pays for one interpreter start per run.
SCRIPT = """
import sys
from vizlearn.cli import cli

folder, formats = sys.argv[1], sys.argv[2].split(",")
run = ["--iters", "400", "--frames", "14", "--seed", "5", "--size", "320x240",
       "--dpi", "50", "-q"]
for fmt in formats:
    if fmt in ("png", "svg", "pdf"):
        args = ["plot", "fit", *run, "-o", f"{folder}/fit.{fmt}"]
    else:
        args = ["animate", "sin-regression", *run, "-o", f"{folder}/anim.{fmt}"]
    cli.main(args, standalone_mode=False)
cli.main(["train", "sin-regression", *run[:6], "-q", "-o", f"{folder}/run.npz"],
         standalone_mode=False)
cli.main(["animate", "sin-regression", *run, "--lang", "ja", "--theme", "dark",
          "--filmstrip", "0,7,-1", "-o", f"{folder}/strip.png"], standalone_mode=False)
"""


def _write_all(folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder), ",".join(FORMATS)],
        check=True,
        timeout=300,
    )
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    base = tmp_path_factory.mktemp("determinism")
    return _write_all(base / "one"), _write_all(base / "two")


@pytest.mark.parametrize("fmt", [*FORMATS, "filmstrip", "trace"])
def test_two_processes_write_the_same_bytes(two_runs, fmt: str):
    one, two = two_runs
    name = {
        "png": "fit.png",
        "svg": "fit.svg",
        "pdf": "fit.pdf",
        "filmstrip": "strip.png",
        "trace": "run.npz",
    }.get(fmt, f"anim.{fmt}")
    assert len(one[name]) > 100
    assert one[name] == two[name], f"{name} differs between two runs"


def test_no_dates_versions_or_paths_in_the_files(two_runs, tmp_path_factory):
    one, _ = two_runs
    for name, data in one.items():
        assert b"Matplotlib v" not in data and b"CreationDate" not in data, name
        assert b"/tmp/" not in data and b"determinism" not in data, name
