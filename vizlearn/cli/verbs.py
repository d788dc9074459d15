"""The verbs every lesson answers: animate, plot, train, render, list, and ``LESSON``.

Each command is built from a lesson's record (`vizlearn.lessons.record`): its
config's fields are the options, its kinds are ``--kind``, the kinds' views add
their options, and animations get the `ExportOptions`. A command parses, builds
the configs (a bad value is a usage error before any work), makes one library
call (`vizlearn.api` + `vizlearn.export.write`) and reports.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from typing import Any

import click

from vizlearn.cli.options import (
    build,
    build_style,
    check_output,
    guard,
    out_param,
    params_for,
    progress,
    report,
    report_params,
    style_params,
    take,
)
from vizlearn.export.options import ANIMATIONS, STILLS, ExportOptions
from vizlearn.lessons import LESSONS, all_lessons, did_you_mean, get_lesson
from vizlearn.lessons.record import Kind, Lesson

__all__ = [
    "animate_command",
    "plot_command",
    "train_command",
    "render_command",
    "list_command",
    "lesson_command",
]

VIEW, EXPORT = "view__", "export__"


class _KindChoice(click.Choice):
    """``--kind``: one of the lesson's kinds, with a suggestion for a typo."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None or value in self.choices:
            return value
        self.fail(
            f"{value!r}{did_you_mean(value, list(self.choices))} is not a kind of "
            f"this lesson; choose from {', '.join(self.choices)}",
            param,
            ctx,
        )


def _kind_param(kinds: list[Kind]) -> click.Option:
    lines = "; ".join(f"{k.name}: {k.help}" for k in kinds)
    return click.Option(
        ["--kind"], type=_KindChoice([k.name for k in kinds]), help=f"figure: {lines}"
    )


def _frame_param() -> click.Option:
    return click.Option(
        ["--frame"],
        type=int,
        default=-1,
        show_default=True,
        help="the snapshot a still shows (0 = first, -1 = last)",
    )


def _view_fields(kinds: list[Kind]) -> list[dataclasses.Field]:
    seen: dict[str, dataclasses.Field] = {}
    for k in kinds:
        for f in k.view_fields():
            seen.setdefault(f.name, f)
    return list(seen.values())


def _view_params(kinds: list[Kind]) -> list[click.Parameter]:
    fields = _view_fields(kinds)
    if not fields:
        return []
    holder = dataclasses.make_dataclass(
        "Views", [(f.name, f.type, f) for f in fields], frozen=True
    )
    return params_for(holder, group=VIEW)


def _save_trace_param() -> click.Option:
    return click.Option(
        ["--save-trace"],
        type=click.Path(dir_okay=False, path_type=Path),
        help="also save the run's trace (.npz) for `vizlearn render`",
    )


# --- building a lesson's command ---------------------------------------------------


def _make(lesson: Lesson, verb: str) -> click.Command:
    """The command of ``lesson`` under ``verb`` (animate, plot, train or lesson)."""
    params: list[click.Parameter] = [*params_for(lesson.config)]
    animating = verb in ("animate", "lesson") and lesson.animation is not None
    # --animate on a lesson without animation is still accepted, to be refused
    # with a message that says so
    if verb != "train":
        kinds = [k for k in lesson.kinds if k.animated or verb != "animate"]
        params += [_kind_param(kinds), *_view_params(kinds)]
        if verb != "animate":
            params.append(_frame_param())
        if animating:
            params += params_for(ExportOptions, group=EXPORT)
        if verb == "lesson":
            params.append(
                click.Option(
                    ["--animate"],
                    is_flag=True,
                    help="write the animation (.gif by default; .png means APNG)",
                )
            )
        params += style_params()
        params.append(_save_trace_param())
    params += [out_param(_out_help(lesson, verb)), *report_params()]
    return click.Command(
        lesson.name,
        callback=partial(_callback, lesson, verb),
        params=params,
        help=_help(lesson, verb),
        short_help=lesson.description[0],
    )


def _help(lesson: Lesson, verb: str) -> str:
    what = {
        "animate": "Train and write the animation of",
        "plot": "Train and draw a still of",
        "train": "Train and save the trace (.npz) of",
        "lesson": "Train and draw (or --animate)",
    }[verb]
    text = f"{what} {lesson.name}: {lesson.description[0]}."
    if lesson.source:
        text += f"\n\nDefaults: {lesson.source}."
    kinds = ", ".join(
        k.name + (" (animated)" if k.animated else "") for k in lesson.kinds
    )
    return text + f"\n\nKinds: {kinds}."


def _out_help(lesson: Lesson, verb: str) -> str:
    if verb == "train":
        return f"trace file to write (.npz)  [default: {lesson.name}.npz]"
    if verb == "animate":
        return (
            "output: .gif, .webp, .png (APNG), .mp4, .html (player)  "
            f"[default: {lesson.name}.gif]"
        )
    return (
        "output: .png/.svg/.pdf still, or .gif/.webp/.apng/.mp4/.html animation  "
        f"[default: {lesson.name}.png]"
    )


def _callback(lesson: Lesson, verb: str, **kw: Any) -> None:
    config = build(lesson.config, take(kw, lesson.config))
    quiet, as_json, allow_large = (
        kw.pop("quiet"),
        kw.pop("as_json"),
        kw.pop("allow_large"),
    )
    if verb == "train":
        return _train_only(lesson, config, kw.pop("out"), quiet, as_json, allow_large)
    style = build_style(kw)
    job = _Job.plan(lesson, verb, config, style, kw, allow_large)
    with guard():
        trace = _train(lesson, config, quiet)
        written = job.write(trace, quiet)
    report(_summary(lesson, trace, written), as_json, quiet)


def _train_only(
    lesson: Lesson,
    config: Any,
    out: Path | None,
    quiet: bool,
    as_json: bool,
    allow: bool,
) -> None:
    from vizlearn.files import check_distinct

    out = check_output(out or Path(f"{lesson.name}.npz"), ("npz",))
    _check_budget(lesson, config, allow)
    try:
        check_distinct([out], _inputs(lesson, config))
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    with guard():
        trace = _train(lesson, config, quiet)
        trace.save(out)
    report(_summary(lesson, trace, None, [out]), as_json, quiet)


def _train(lesson: Lesson, config: Any, quiet: bool):
    with progress("training", lesson.n_steps(config), quiet) as bar:
        return lesson.run(config, on_step=bar)


def _inputs(lesson: Lesson, config: Any) -> list[Path]:
    """The files the config reads (fields declared with path="file")."""
    return [
        Path(getattr(config, f.name))
        for f in dataclasses.fields(lesson.config)
        if f.metadata.get("path") == "file" and getattr(config, f.name)
    ]


def _check_budget(lesson: Lesson, config: Any, allow_large: bool) -> None:
    from vizlearn.api import check_budget
    from vizlearn.limits import LimitError

    try:
        check_budget(lesson, config, allow_large=allow_large)
    except LimitError as e:
        raise click.UsageError(str(e)) from None


@dataclasses.dataclass
class _Job:
    """What a lesson command will write, checked before training."""

    lesson: Lesson
    kind: Kind
    style: Any
    out: Path
    view: dict[str, Any]
    export: ExportOptions | None
    frame: int
    save_trace: Path | None
    inputs: list[Path]

    @classmethod
    def plan(
        cls,
        lesson: Lesson,
        verb: str,
        config: Any,
        style: Any,
        kw: dict[str, Any],
        allow_large: bool,
    ) -> _Job:
        """Parse and check everything; usage errors before any work."""
        animated, kind = _choose(lesson, verb, kw)
        export = None
        if lesson.animation is not None and verb != "plot":
            export = build(ExportOptions, take(kw, ExportOptions, group=EXPORT))
            animated = animated or export.filmstrip is not None
        n_frames = lesson.n_frames(config) if kind.animated or kind.timed else 1
        out = _output(lesson, kind, kw.pop("out"), animated, verb)
        job = cls(
            lesson,
            kind,
            style,
            out,
            _view(kind, kw),
            export if animated else None,
            kw.pop("frame", -1),
            kw.pop("save_trace", None),
            _inputs(lesson, config),
        )
        job.check(n_frames, allow_large)
        _check_budget(lesson, config, allow_large)
        return job

    def check(self, n_frames: int, allow_large: bool) -> None:
        """Frame range, export options, limits, distinct outputs (usage errors)."""
        from vizlearn.export.write import check_export
        from vizlearn.files import check_distinct
        from vizlearn.limits import LimitError, check_animation, check_filmstrip

        try:
            if self.export is not None:
                check_export(self.export, self.out, n_frames)
                check_animation(
                    self.style.width,
                    self.style.height,
                    n_frames,
                    allow_large=allow_large,
                )
                if self.export.filmstrip is not None:
                    count = len(self.export.filmstrip.split(","))
                    check_filmstrip(
                        self.style.width,
                        self.style.height,
                        count,
                        allow_large=allow_large,
                    )
            else:
                check_animation(
                    self.style.width, self.style.height, 1, allow_large=allow_large
                )
                _check_frame(self.kind, self.frame, n_frames)
            outputs = [self.out]
            if self.export is not None and self.export.poster:
                outputs.append(Path(self.export.poster))
            if self.save_trace is not None:
                outputs.append(check_output(self.save_trace, ("npz",), "--save-trace"))
            check_distinct(outputs, self.inputs)
        except (ValueError, LimitError) as e:
            raise click.UsageError(str(e)) from None
        except RuntimeError as e:  # a missing optional extra
            raise click.ClickException(str(e)) from None

    def write(self, trace: Any, quiet: bool) -> Any:
        """Draw the figure or animation of ``trace`` and write every output."""
        from vizlearn import api
        from vizlearn.export.write import write_animation, write_still

        extras = {self.save_trace: trace.save} if self.save_trace else {}
        if self.export is not None:
            anim = api.animate(trace, self.kind.name, style=self.style, **self.view)
            with progress("rendering", len(anim.plan()[0]), quiet) as bar:
                return write_animation(
                    anim,
                    self.out,
                    self.export,
                    extras=extras,
                    inputs=self.inputs,
                    on_frame=bar,
                )
        still = api.plot(
            trace, self.kind.name, style=self.style, frame=self.frame, **self.view
        )
        return write_still(
            still.figure,
            self.out,
            provenance=still.provenance,
            extras=extras,
            inputs=self.inputs,
        )


def _choose(lesson: Lesson, verb: str, kw: dict[str, Any]) -> tuple[bool, Kind]:
    """Whether the command animates, and the kind it draws."""
    name, out = kw.pop("kind", None), kw.get("out")
    wants = kw.pop("animate", False) or verb == "animate"
    ext = out.suffix.lower().lstrip(".") if out is not None else ""
    animated = wants or (ext in ANIMATIONS and ext != "png")
    if animated and lesson.animation is None:
        names = ", ".join(k.name for k in lesson.kinds)
        raise click.UsageError(
            f"{lesson.name} draws stills only ({names}); write .png, .svg or .pdf"
        )
    if verb == "plot" and animated:
        raise click.UsageError(
            f"plot draws a still; for .{ext} use: vizlearn animate {lesson.name}"
        )
    if name is None:
        return animated, lesson.animation if animated else lesson.still
    kind = lesson.kind(name)
    if animated and not kind.animated:
        raise click.UsageError(
            f"--kind {name} is a still: write .png, .svg or .pdf, or choose an "
            f"animated kind ({', '.join(k.name for k in lesson.kinds if k.animated)})"
        )
    return animated, kind


def _output(
    lesson: Lesson, kind: Kind, out: Path | None, animated: bool, verb: str
) -> Path:
    if out is None:
        ext = "gif" if animated else "png"
        default = kind.name == (lesson.animation if animated else lesson.still).name
        out = Path(
            f"{lesson.name}.{ext}" if default else f"{lesson.name}-{kind.name}.{ext}"
        )
    formats = (*ANIMATIONS, "png") if animated else STILLS
    return check_output(out, formats)


def _view(kind: Kind, kw: dict[str, Any]) -> dict[str, Any]:
    """The chosen kind's view options; a usage error for another kind's option."""
    ctx = click.get_current_context()
    own = {f.name for f in kind.view_fields()}
    values = {}
    for key in [k for k in kw if k.startswith(VIEW)]:
        name, value = key[len(VIEW) :], kw.pop(key)
        if name in own:
            values[name] = value
        elif ctx.get_parameter_source(key) == click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError(
                f"--{name.replace('_', '-')} is not an option of kind {kind.name}"
            )
    if kind.view is None:
        return {}
    return dataclasses.asdict(build(kind.view, values))


def _check_frame(kind: Kind, frame: int, n_frames: int) -> None:
    if kind.animated or kind.timed:
        if not -n_frames <= frame < n_frames:
            raise ValueError(
                f"--frame must be between {-n_frames} and {n_frames - 1}, got {frame}"
            )
    elif frame != -1:
        raise ValueError(f"--frame: kind {kind.name} has no time axis (a final still)")


def _summary(
    lesson: Lesson, trace: Any, written: Any, files: list[Path] | None = None
) -> dict[str, Any]:
    """The --json summary: files, lesson, iterations, final loss, seed, extras."""
    out: dict[str, Any] = {
        "files": [str(f) for f in (files or written.files)],
        "lesson": lesson.name,
        "iterations": int(trace.loss_steps[-1]) + 1 if len(trace.loss) else 0,
        "final_loss": float(trace.outputs["loss"][-1])
        if "loss" in trace.outputs and len(trace.outputs["loss"])
        else None,
        "seed": trace.meta.get("seed"),
        "diverged_at": trace.diverged_at,
    }
    if written is not None:
        out["fitted"], out["warnings"] = written.fitted, list(written.warnings)
    if lesson.summary is not None:
        out.update(lesson.summary(trace))
    return out


# --- the groups: animate LESSON, plot LESSON, train LESSON ---------------------------


class LessonGroup(click.Group):
    """Subcommands are lessons; each is built from its record on demand."""

    def __init__(self, *args: Any, verb: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verb = verb

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The lessons, in table order."""
        return list(LESSONS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """Build the command of lesson ``name`` (None if unknown)."""
        if name not in LESSONS:
            return None
        lesson = get_lesson(name)
        if self.verb == "animate" and lesson.animation is None:
            return _no_animation(lesson)
        return _make(lesson, self.verb)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        """Name the valid lessons (and a close one) when the given one is unknown."""
        from vizlearn.cli import PLOT_ALIASES

        if self.verb == "plot" and args and args[0] in PLOT_ALIASES:
            # the old `vizlearn plot fit`: sin-regression's kind, written to fit.png
            kind, rest = args[0], args[1:]
            has_out = any(a in ("-o", "--out") or a.startswith("--out=") for a in rest)
            args[:] = ["sin-regression", "--kind", kind, *rest]
            if not has_out:
                args += ["-o", f"{kind}.png"]
        if args and args[0] not in LESSONS and not args[0].startswith("-"):
            raise click.UsageError(
                f"unknown lesson {args[0]!r}{did_you_mean(args[0], list(LESSONS))}; "
                f"choose from {', '.join(LESSONS)}"
            )
        return super().resolve_command(ctx, args)


def _no_animation(lesson: Lesson) -> click.Command:
    def callback(**kw: Any) -> None:
        raise click.UsageError(
            f"{lesson.name} draws stills only; use: vizlearn plot {lesson.name}"
        )

    return click.Command(
        lesson.name,
        callback=callback,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        help=f"{lesson.name} draws stills only: see `vizlearn plot {lesson.name}`.",
    )


animate_command = LessonGroup(
    "animate",
    verb="animate",
    help="Train a lesson and write its animation (GIF, WebP, APNG, MP4, HTML).",
)
plot_command = LessonGroup(
    "plot", verb="plot", help="Train a lesson and draw one still (PNG, SVG, PDF)."
)
train_command = LessonGroup(
    "train",
    verb="train",
    help="Train a lesson and save its trace (.npz) for `vizlearn render`.",
)


def lesson_command(name: str) -> click.Command:
    """``vizlearn LESSON``: a still by default, the animation for .gif or --animate."""
    return _make(get_lesson(name), "lesson")


# --- render and list ---------------------------------------------------------------


def _all_kinds() -> list[Kind]:
    from vizlearn.lessons.kinds import GENERIC_KINDS

    kinds = [k for lesson in all_lessons() for k in lesson.kinds]
    return kinds + list(GENERIC_KINDS)


def _render_params() -> list[click.Parameter]:
    return [
        click.Argument(
            ["trace"], type=click.Path(exists=True, dir_okay=False, path_type=Path)
        ),
        click.Option(
            ["--kind"],
            help="what to draw (default: the lesson's animation for .gif/.webp/..., "
            "its main figure for .png/.svg/.pdf); `vizlearn list` names them",
        ),
        _frame_param(),
        *_view_params(_all_kinds()),
        *params_for(ExportOptions, group=EXPORT),
        *style_params(),
        out_param(
            "output; .gif/.webp/.apng/.mp4/.html animate, .png/.svg/.pdf are stills "
            "(or a --filmstrip)  [default: TRACE-KIND.gif, or .png for a still]"
        ),
        *report_params(),
    ]


@click.command("render", params=_render_params())
def render_command(**kw: Any) -> None:
    """Draw a figure or animation from a saved trace, without retraining."""
    from vizlearn.export.write import write_animation, write_still
    from vizlearn.trace import load_trace

    path, name, out = kw.pop("trace"), kw.pop("kind"), kw.pop("out")
    quiet, as_json, allow_large = (
        kw.pop("quiet"),
        kw.pop("as_json"),
        kw.pop("allow_large"),
    )
    style = build_style(kw)
    export = build(ExportOptions, take(kw, ExportOptions, group=EXPORT))
    with guard():
        trace = load_trace(path, allow_large=allow_large)
    kind, animated = _render_kind(trace, name, out, export)
    out = _output_for_trace(path, kind, out, animated)
    view = _view(kind, kw)
    with guard():
        from vizlearn import api

        n = _n_frames(trace, kind, style, view) if kind.animated else trace.n_records
        _render_checks(kind, export, out, n, style, kw["frame"], path, allow_large)
        if animated:
            anim = api.animate(trace, kind.name, style=style, **view)
            with progress("rendering", len(anim.plan()[0]), quiet) as bar:
                written = write_animation(
                    anim, out, export, inputs=[path], on_frame=bar
                )
        else:
            still = api.plot(trace, kind.name, style=style, frame=kw["frame"], **view)
            written = write_still(
                still.figure, out, provenance=still.provenance, inputs=[path]
            )
    lesson = api.lesson_of(trace)
    summary = {
        "files": [str(f) for f in written.files],
        "lesson": trace.meta.get("lesson"),
        "kind": kind.name,
        "seed": trace.meta.get("seed"),
        "diverged_at": trace.diverged_at,
        "fitted": written.fitted,
        "warnings": list(written.warnings),
    }
    if lesson is not None and lesson.summary is not None:
        summary.update(lesson.summary(trace))
    report(summary, as_json, quiet)


def _render_kind(
    trace: Any, name: str | None, out: Path | None, export: ExportOptions
) -> tuple[Kind, bool]:
    """The kind ``render`` draws and whether it animates (from -o, --kind, --frame)."""
    from vizlearn import api

    kinds = api.kinds_for(trace)
    if name is not None and name not in kinds:
        raise click.BadParameter(
            f"{name!r}{did_you_mean(name, list(kinds))} is not a kind of this trace; "
            f"it can draw {', '.join(kinds) or 'nothing'}",
            param_hint="'--kind'",
        )
    if out is not None:
        ext = out.suffix.lower().lstrip(".")
        animated = (ext in ANIMATIONS and ext != "png") or export.filmstrip is not None
    elif name is not None:
        animated = kinds[name].animated
    else:
        animated = any(k.animated for k in kinds.values())
    frame_given = (
        click.get_current_context().get_parameter_source("frame")
        == click.core.ParameterSource.COMMANDLINE
    )
    if out is None and frame_given and export.filmstrip is None:
        animated = False  # --frame N asks for a still
    try:
        chosen = kinds[name] if name is not None else api.default_kind(trace, animated)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    if animated and not chosen.animated:
        raise click.UsageError(
            f"--kind {chosen.name} is a still; use .png, .svg or .pdf"
        )
    return chosen, animated


def _output_for_trace(path: Path, kind: Kind, out: Path | None, animated: bool) -> Path:
    if out is None:
        out = path.with_name(f"{path.stem}-{kind.name}.{'gif' if animated else 'png'}")
    return check_output(out, (*ANIMATIONS, "png") if animated else STILLS)


def _n_frames(trace: Any, kind: Kind, style: Any, view: dict[str, Any]) -> int:
    return kind.renderer()(trace, style=style, **view).n_frames


def _render_checks(
    kind: Kind,
    export: ExportOptions,
    out: Path,
    n: int,
    style: Any,
    frame: int,
    path: Path,
    allow_large: bool,
) -> None:
    from vizlearn.export.write import check_export, is_animation
    from vizlearn.limits import LimitError, check_animation

    try:
        if is_animation(out) or export.filmstrip is not None:
            check_export(export, out, n)
            check_animation(style.width, style.height, n, allow_large=allow_large)
        else:
            given = [k for k in ("hold", "max_size", "poster") if getattr(export, k)]
            if given:
                flag = "--" + given[0].replace("_", "-")
                raise ValueError(
                    f"{flag} applies to animations (.gif, .webp, .apng, .mp4, "
                    ".html), not to stills"
                )
            _check_frame(kind, frame, n)
    except (ValueError, LimitError) as e:
        raise click.UsageError(str(e)) from None


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
@click.option(
    "--lang", type=click.Choice(["en", "ja"]), default="en", help="descriptions in"
)
def list_command(as_json: bool, lang: str) -> None:
    """List every lesson with its figure kinds."""
    import json

    from vizlearn.lessons.kinds import GENERIC_KINDS

    i = 1 if lang == "ja" else 0
    lessons = list(all_lessons())
    if as_json:
        data = {
            lesson.name: {
                "description": lesson.description[i],
                "source": lesson.source,
                "kinds": {k.name: k.help for k in lesson.kinds},
                "animation": lesson.animation.name if lesson.animation else None,
            }
            for lesson in lessons
        }
        click.echo(json.dumps({"lessons": data}, ensure_ascii=False))
        return
    click.echo("Lessons (vizlearn animate|plot|train LESSON, or vizlearn LESSON):")
    for lesson in lessons:
        click.echo(f"\n  {lesson.name:<20} {lesson.description[i]}")
        for k in lesson.kinds:
            mark = "animated" if k.animated else "still"
            click.echo(f"      --kind {k.name:<14} {mark:<9} {k.help}")
    click.echo("\nAny trace (vizlearn render RUN.npz --kind KIND):")
    for k in GENERIC_KINDS:
        click.echo(f"      --kind {k.name:<14} {'still':<9} {k.help}")
