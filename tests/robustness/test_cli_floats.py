"""Every float option of every lesson refuses NaN, infinities and absurd numbers.

Each case is a usage error (exit 2) at parse time, one line naming the option,
no traceback, nothing trained and no file written.
"""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

from vizlearn.cli import cli
from vizlearn.config import fields_with_help, flag_name
from vizlearn.export.options import ExportOptions
from vizlearn.lessons import LESSONS, get_lesson

BAD = ["nan", "inf", "-inf", "NaN", "1e999", "--1", "0x10", ""]


def _float_options():
    for name in LESSONS:
        for f in fields_with_help(get_lesson(name).config):
            if isinstance(f.default, float) and not f.metadata.get("parse"):
                yield name, flag_name(f)
    for f in fields_with_help(ExportOptions):
        if isinstance(f.default, float):
            yield "sin-regression", flag_name(f)


CASES = [(lesson, flag, bad) for lesson, flag in _float_options() for bad in BAD]


def test_there_are_float_options_to_try():
    assert len({flag for _, flag, _ in CASES}) >= 10


@pytest.mark.parametrize(("lesson", "flag", "bad"), CASES)
def test_float_option_refuses(lesson, flag, bad, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    verb = "animate" if get_lesson(lesson).animation is not None else "plot"
    result = CliRunner().invoke(cli, [verb, lesson, f"{flag}={bad}"])
    assert result.exit_code == 2, (lesson, flag, bad, result.output)
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error:") and flag in last, last
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_unexpected_error_is_one_line_and_leaves_no_file(tmp_path, monkeypatch):
    import vizlearn.lessons.sin_regression as lesson

    def broken(config, *, on_step=None):
        raise IndexError("index 7 is out of bounds")

    monkeypatch.setattr(
        lesson, "LESSON", dataclasses.replace(lesson.LESSON, run=broken)
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["animate", "sin-regression", "-o", "a.gif", "-q"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: IndexError: index 7 is out of bounds (run with --debug for details)"
    )
    assert list(tmp_path.iterdir()) == []
    debug = CliRunner().invoke(cli, ["--debug", "animate", "sin-regression"])
    assert isinstance(debug.exception, IndexError)
