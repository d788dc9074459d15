"""README's Python API example runs as written and makes what it says."""

from __future__ import annotations

import re
from pathlib import Path

from vizlearn.export.readback import read_animation_info

README = Path(__file__).parents[1] / "README.md"


def api_example() -> str:
    """The first ```python block of README's "Python API" section."""
    section = README.read_text().split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README's Python API section lost its example"
    return match.group(1)


def test_readme_api_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(api_example(), "README.md", "exec"), {})
    info = read_animation_info(tmp_path / "sin.gif")
    assert (info.fmt, info.n_frames) == ("gif", 100)
    assert info.durations_ms[0] == 100 and info.durations_ms[-1] == 2100
    assert (tmp_path / "loss.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "run.npz").stat().st_size > 1000
