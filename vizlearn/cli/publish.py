"""``vizlearn publish LESSON --target T``: an animation as a platform takes it.

Trains the lesson, then `vizlearn.export.publish` picks
the format, pixel size, frames and colours that meet the platform's rules,
writes the file(s) into ``--folder`` and returns the snippet to paste, which
is printed on standard output; what it chose goes to standard error.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import click

from vizlearn.cli.kinds import kind_param, view_of, view_params
from vizlearn.cli.lessons import LessonGroup
from vizlearn.cli.options import (
    build,
    build_style,
    guard,
    params_for,
    report,
    report_params,
    style_params,
    take,
    training,
)
from vizlearn.lessons.record import Lesson

__all__ = ["publish_command", "TARGETS"]

# kept in step with vizlearn.export.publish.PLATFORMS (a test checks), so that
# --help needs no numpy
TARGETS = ("zenn", "qiita", "hatena", "github", "slides", "pptx")


def _make(lesson: Lesson) -> click.Command:
    kinds = [k for k in lesson.kinds if k.animated]
    params = [
        click.Option(
            ["--target"],
            type=click.Choice(TARGETS),
            required=True,
            help="where it goes: zenn, qiita, hatena, github, slides (Google "
            "Slides) or pptx (PowerPoint: MP4 + poster + notes)",
        ),
        *params_for(lesson.config),
        kind_param(kinds),
        *view_params(kinds),
        *style_params(),
        click.Option(
            ["--folder"],
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("."),
            show_default=True,
            help="where the file(s) go",
        ),
        click.Option(["--name"], help="file stem  [default: the lesson's name]"),
        click.Option(["--alt"], help="alternative text  [default: the lesson's line]"),
        click.Option(["--caption"], help="caption line (speaker notes in pptx)"),
        click.Option(
            ["--jobs"], type=click.IntRange(1, 256), help="render worker processes"
        ),
        *report_params(),
    ]
    return click.Command(
        lesson.name,
        callback=partial(_callback, lesson),
        params=params,
        help=f"Publish the animation of {lesson.name}: {lesson.description[0]}.",
        short_help=lesson.description[0],
    )


def _callback(lesson: Lesson, **kw: Any) -> None:
    from vizlearn import api
    from vizlearn.export.publish import publish

    config = build(lesson.config, take(kw, lesson.config))
    style, target = build_style(kw), kw.pop("target")
    quiet, as_json = kw.pop("quiet"), kw.pop("as_json")
    kw.pop("allow_large")
    name = kw.pop("kind")
    kind = lesson.kind(name) if name else lesson.animation
    view = view_of(kind, kw)
    folder: Path = kw.pop("folder")
    if not folder.is_dir():
        raise click.UsageError(f"--folder: {str(folder)!r} does not exist")
    i = 1 if style.lang == "ja" else 0
    stem = kw.pop("name") or lesson.name
    alt = kw.pop("alt") or lesson.description[i]
    with guard():
        with training("training", lesson.n_steps(config), quiet) as bar:
            trace = lesson.run(config, on_step=bar)
        anim = api.animate(trace, kind.name, style=style, **view)
        done = publish(
            anim,
            target,
            folder,
            name=stem,
            alt=alt,
            caption=kw.pop("caption"),
            jobs=kw.pop("jobs"),
        )
    summary = {
        "files": [str(f) for f in done.files],
        "target": target,
        "chosen": done.chosen,
        "snippet": done.snippet,
    }
    if as_json:
        report(summary, True, quiet)
        return
    if not quiet:
        click.echo(f"{target}: {done.chosen}", err=True)
        report({"files": summary["files"]}, False, False)
    click.echo(done.snippet)


publish_command = LessonGroup(
    "publish",
    verb="publish",
    make=_make,
    help="Write a lesson's animation the way a platform takes it and print the "
    "snippet to paste (Zenn, Qiita, Hatena, GitHub, Google Slides, PowerPoint).",
)
