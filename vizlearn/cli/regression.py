"""Commands for the regression lessons: list, train, animate, plot, render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from vizlearn.cli._common import (
    build_config, build_style, check_limits, config_params, guard, output_param,
    parse_duration,
    progress, report, report_params, style_params,
)  # fmt: skip
from vizlearn.lessons import KINDS, LESSONS, Lesson

STILLS = ("png", "svg", "pdf")
ANIMATIONS = ("gif", "webp", "apng")


class LessonGroup(click.Group):
    """Subcommands are lessons; each gets its config's options, built on demand."""

    def __init__(self, *args: Any, make: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.make = make

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(LESSONS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self.make(LESSONS[name]) if name in LESSONS else None

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in LESSONS and not args[0].startswith("-"):
            raise click.UsageError(
                f"unknown lesson {args[0]!r}; choose from {', '.join(sorted(LESSONS))}"
            )
        return super().resolve_command(ctx, args)


def _train(lesson: Lesson, config: Any, quiet: bool):
    with progress("training", config.iters, quiet) as bar:
        return lesson.load().run(config, on_step=bar)


def _summary(trace, files: list[Path]) -> dict[str, Any]:
    return {
        "files": [str(f) for f in files],
        "lesson": trace.meta.get("lesson"),
        "iterations": int(trace.loss_steps[-1]) + 1 if len(trace.loss) else 0,
        "final_loss": float(trace.outputs["loss"][-1]) if "loss" in trace.outputs else None,
        "seed": trace.meta.get("seed"),
        "diverged_at": trace.diverged_at,
    }  # fmt: skip


def _animation_params() -> list[click.Parameter]:
    return [
        click.Option(["--fps"], type=click.FloatRange(0, 100, min_open=True), default=10,
                     show_default=True, help="frames per second"),
        click.Option(["--hold-first"], default="0s", show_default=True,
                     help="extra time on the first frame (e.g. 1s, 500ms)"),
        click.Option(["--hold-last"], default="2s", show_default=True,
                     help="extra time on the last frame"),
        click.Option(["--loop"], type=click.IntRange(0, 65535), default=0,
                     show_default=True, help="times to loop; 0 = forever"),
    ]  # fmt: skip


def _save_animation(trace, out: Path, style, kw: dict[str, Any], quiet: bool) -> None:
    from vizlearn import api

    fps = kw.pop("fps")
    if fps > 50:
        click.echo(f"warning: --fps {fps:g} is above 50; browsers slow such GIFs down",
                   err=True)  # fmt: skip
    anim = api.animate(trace, style=style, fps=fps, loop=kw.pop("loop"),
                       hold_first_ms=parse_duration(kw.pop("hold_first")),
                       hold_last_ms=parse_duration(kw.pop("hold_last")))  # fmt: skip
    with progress("rendering", anim.n_frames, quiet) as bar:
        api.save(anim, out, on_frame=bar)


def _make_animate(lesson: Lesson) -> click.Command:
    def callback(**kw: Any) -> None:
        config = build_config(lesson.config_class(), kw)
        style, out, quiet, as_json = build_style(kw), kw.pop("out"), kw.pop("quiet"), kw.pop("as_json")  # fmt: skip
        check_limits(style, config.frames, kw, lesson, config)
        with guard():
            trace = _train(lesson, config, quiet)
            _save_animation(trace, out, style, kw, quiet)
        report(_summary(trace, [out]), as_json, quiet)

    params = [*config_params(lesson.config_class()), *_animation_params(), *style_params(),
              output_param(f"{lesson.name}.gif", ANIMATIONS, "output file (.gif, .webp, .apng)"),
              *report_params()]  # fmt: skip
    return click.Command(lesson.name, callback=callback, params=params,
                         help=f"Animate {lesson.description}.")  # fmt: skip


def _make_train(lesson: Lesson) -> click.Command:
    def callback(**kw: Any) -> None:
        config = build_config(lesson.config_class(), kw)
        out, quiet, as_json = kw.pop("out"), kw.pop("quiet"), kw.pop("as_json")
        check_limits(None, 0, kw, lesson, config)
        with guard():
            trace = _train(lesson, config, quiet)
            trace.save(out)
        report(_summary(trace, [out]), as_json, quiet)

    params = [*config_params(lesson.config_class()),
              output_param("run.npz", ("npz",), "trace file to write (.npz)"),
              *report_params()]  # fmt: skip
    return click.Command(lesson.name, callback=callback, params=params,
                         help=f"Train {lesson.description}; save the trace.")  # fmt: skip


animate_command = LessonGroup("animate", make=_make_animate,
                              help="Train a lesson and write its animation (GIF, WebP, APNG).")  # fmt: skip
train_command = LessonGroup("train", make=_make_train,
                            help="Train a lesson and save its trace (.npz) for `vizlearn render`.")  # fmt: skip


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
    click.echo("\nFigure kinds (vizlearn plot KIND, vizlearn render RUN.npz --kind KIND):")
    for name, text in KINDS.items():
        click.echo(f"  {name:<16} {text}")
    click.echo(f"  {'activations':<16} activation functions and derivatives (plot only)")
    others = sorted(set(COMMANDS) - {"list", "train", "animate", "plot", "render"})
    if others:
        click.echo("\nMore lessons, each its own command: " + ", ".join(others))

