"""Commands for the regression lessons: list, train, animate, plot, render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from vizlearn.cli._common import (
    build_config,
    build_style,
    check_limits,
    config_params,
    guard,
    output_param,
    progress,
    report,
    report_params,
    style_params,
)
from vizlearn.cli._export import (
    OUTPUTS,
    animation_params,
    check_export,
    export_params,
    save_animation,
)
from vizlearn.lessons import KINDS, LESSONS, Lesson


class LessonGroup(click.Group):
    """Subcommands are lessons; each gets its config's options, built on demand."""

    def __init__(self, *args: Any, make: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.make = make

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The lessons, sorted."""
        return sorted(LESSONS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """Build the command of lesson ``name`` (None if unknown)."""
        return self.make(LESSONS[name]) if name in LESSONS else None

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """Name the valid lessons when the given one is unknown."""
        if args and args[0] not in LESSONS and not args[0].startswith("-"):
            raise click.UsageError(
                f"unknown lesson {args[0]!r}; choose from {', '.join(sorted(LESSONS))}"
            )
        return super().resolve_command(ctx, args)


def train_lesson(lesson: Lesson, config: Any, quiet: bool):
    """Run ``lesson`` on ``config`` behind a "training" progress bar."""
    with progress("training", config.iters, quiet) as bar:
        return lesson.load().run(config, on_step=bar)


def run_summary(trace, files: list[Path]) -> dict[str, Any]:
    """The --json summary of a run: files, lesson, iterations, final loss, seed."""
    return {
        "files": [str(f) for f in files],
        "lesson": trace.meta.get("lesson"),
        "iterations": int(trace.loss_steps[-1]) + 1 if len(trace.loss) else 0,
        "final_loss": float(trace.outputs["loss"][-1])
        if "loss" in trace.outputs
        else None,
        "seed": trace.meta.get("seed"),
        "diverged_at": trace.diverged_at,
    }


def _make_animate(lesson: Lesson) -> click.Command:
    def callback(**kw: Any) -> None:
        config = build_config(lesson.config_class(), kw)
        style, out, quiet, as_json = (
            build_style(kw),
            kw.pop("out"),
            kw.pop("quiet"),
            kw.pop("as_json"),
        )
        check_limits(style, config.frames, kw, lesson, config)
        check_export(kw, out, config.frames)
        with guard():
            trace = train_lesson(lesson, config, quiet)
            written = save_animation(trace, out, style, kw, quiet)
        report({**run_summary(trace, [out]), **written}, as_json, quiet)

    params = [
        *config_params(lesson.config_class()),
        *animation_params(),
        *export_params(),
        *style_params(),
        output_param(
            f"{lesson.name}.gif",
            OUTPUTS,
            "output: .gif, .webp, .png (APNG), .mp4, .html (player)",
        ),
        *report_params(),
    ]
    return click.Command(
        lesson.name,
        callback=callback,
        params=params,
        help=f"Animate {lesson.description}.",
    )


def _make_train(lesson: Lesson) -> click.Command:
    def callback(**kw: Any) -> None:
        config = build_config(lesson.config_class(), kw)
        out, quiet, as_json = kw.pop("out"), kw.pop("quiet"), kw.pop("as_json")
        check_limits(None, 0, kw, lesson, config)
        with guard():
            trace = train_lesson(lesson, config, quiet)
            trace.save(out)
        report(run_summary(trace, [out]), as_json, quiet)

    params = [
        *config_params(lesson.config_class()),
        output_param("run.npz", ("npz",), "trace file to write (.npz)"),
        *report_params(),
    ]
    return click.Command(
        lesson.name,
        callback=callback,
        params=params,
        help=f"Train {lesson.description}; save the trace.",
    )


animate_command = LessonGroup(
    "animate",
    make=_make_animate,
    help="Train a lesson and write its animation (GIF, WebP, APNG, MP4, HTML).",
)
train_command = LessonGroup(
    "train",
    make=_make_train,
    help="Train a lesson and save its trace (.npz) for `vizlearn render`.",
)


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
def list_command(as_json: bool) -> None:
    """List lessons and figure kinds with one-line descriptions."""
    from vizlearn.cli import COMMANDS

    if as_json:
        import json

        lessons = {k: v.description for k, v in LESSONS.items()}
        click.echo(json.dumps({"lessons": lessons, "kinds": KINDS}, sort_keys=True))
        return
    click.echo("Lessons (vizlearn animate LESSON, vizlearn train LESSON):")
    for name, lesson in sorted(LESSONS.items()):
        click.echo(f"  {name:<16} {lesson.description}")
    click.echo(
        "\nFigure kinds (vizlearn plot KIND, vizlearn render RUN.npz --kind KIND):"
    )
    for name, text in KINDS.items():
        click.echo(f"  {name:<16} {text}")
    click.echo(
        f"  {'activations':<16} activation functions and derivatives (plot only)"
    )
    others = sorted(set(COMMANDS) - {"list", "train", "animate", "plot", "render"})
    if others:
        click.echo("\nMore commands (vizlearn COMMAND --help): " + ", ".join(others))
