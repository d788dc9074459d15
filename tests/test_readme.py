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


def test_readme_gallery_commands_are_the_gallerys_own():
    """Each figure in README's gallery table comes with the command that writes it."""
    from vizlearn.gallery import command_for, entries

    section = README.read_text().split("## Gallery", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    images = [re.findall(r'src="figures/([\w-]+)\.(gif|png)"', r) for r in rows]
    pairs = [(i, rows[k + 1]) for k, i in enumerate(images) if i]
    assert len(pairs) >= 10, "README's gallery table lost its figures"
    mnist = {"data_dir": "DIR", "split_from_test": 8000}
    every = entries()
    for shown, command_row in pairs:
        commands = re.findall(r"`(vizlearn [^`]+)`", command_row)
        assert len(commands) == len(shown)
        for (name, ext), command in zip(shown, commands, strict=True):
            entry = every[name]
            assert ext == ("gif" if entry.item.animated else "png"), name
            assert command == command_for(entry, mnist=mnist), name
            assert (README.parent / "figures" / f"{name}.{ext}").is_file(), name


def test_readme_lessons_table_lists_every_lesson_and_its_kinds():
    """README's lesson table is the registry's: a row per lesson, its kinds in order."""
    from vizlearn.lessons import all_lessons

    section = README.read_text().split("## Lessons", 1)[1].split("\n## ", 1)[0]
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([\w-]+)` \|.*\| ([^|]+) \|$", section, re.M)
    }
    lessons = all_lessons()
    assert list(rows) == [lesson.name for lesson in lessons]
    for lesson in lessons:
        kinds = [f"`{k.name}`{'*' if k.animated else ''}" for k in lesson.kinds]
        assert rows[lesson.name].strip() == ", ".join(kinds), lesson.name
