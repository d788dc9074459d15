"""Lesson commands: ``animate|plot|train LESSON`` and ``vizlearn LESSON``.

Each command is built from a lesson's record (`vizlearn.lessons.record`): its
config's fields are the options, its kinds are ``--kind``, the kinds' views add
their options, and animations get the `ExportOptions`. A command parses, builds
the configs (a bad value is a usage error before any work), makes one library
call (`vizlearn.api` + `vizlearn.export.write`) and reports.

This module runs past 300 lines because it builds four verbs (animate, plot,
train and vizlearn LESSON) from the same record with the same parse, budget
and output steps, and one builder keeps them alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click

from vizlearn.cli.kinds import (
    EXPORT,
    check_frame,
    frame_param,
    kind_param,
    save_trace_param,
    summary_of,
    view_of,
    view_params,
)
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
    training,
)
from vizlearn.cli.output import Output, deliver, format_param, resolve_output
from vizlearn.export.options import ANIMATIONS, ExportOptions
from vizlearn.lessons import LESSONS, did_you_mean, get_lesson
from vizlearn.lessons.kinds import SEEDS
from vizlearn.lessons.record import Kind, Lesson

__all__ = ["animate_command", "plot_command", "train_command", "lesson_command"]


def _make(lesson: Lesson, verb: str) -> click.Command:
    """The command of ``lesson`` under ``verb`` (animate, plot, train or lesson)."""
    params: list[click.Parameter] = [*params_for(lesson.config)]
    animating = verb in ("animate", "lesson") and lesson.animation is not None
    # --animate on a lesson without animation is still accepted, to be refused
    # with a message that says so
    seedable = _seedable(lesson) and verb != "animate"
    if seedable:
        params.append(
            click.Option(
                ["--seeds"],
                metavar="SEEDS",
                help="train once per seed (e.g. 0-9) and draw the mean of the "
                "curves with a band and N (kind seeds)",
            )
        )
    if verb != "train":
        kinds = [k for k in lesson.kinds if k.animated or verb != "animate"]
        if seedable:
            kinds.append(SEEDS)
        params += [kind_param(kinds), *view_params(kinds)]
        if verb != "animate":
            params.append(frame_param())
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
        params += [save_trace_param(), format_param(_texts(kinds))]
    params += [out_param(_out_help(lesson, verb)), *report_params()]
    _check_unique(lesson, params)
    return click.Command(
        lesson.name,
        callback=partial(_callback, lesson, verb),
        params=params,
        help=_help(lesson, verb),
        short_help=lesson.description[0],
    )


def _check_unique(lesson: Lesson, params: list[click.Parameter]) -> None:
    """A lesson option may not reuse a shared option's name (e.g. --preset)."""
    seen: set[str] = set()
    for param in params:
        for opt in getattr(param, "opts", []) + getattr(param, "secondary_opts", []):
            if opt in seen:
                raise RuntimeError(
                    f"lesson {lesson.name}: option {opt} is declared twice"
                )
            seen.add(opt)


def _texts(kinds: list[Kind]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for k in kinds for t in k.texts))


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
    seeds = _seeds(kw.pop("seeds", None))
    if verb == "train":
        return _train_only(
            lesson, config, kw.pop("out"), quiet, as_json, allow_large, seeds
        )
    style = build_style(kw)
    if seeds is not None:
        if kw.get("kind") not in (None, "seeds") or kw.get("animate"):
            raise click.UsageError("--seeds draws the seeds figure (--kind seeds)")
        kw["kind"] = "seeds"
    job = _Job.plan(lesson, verb, config, style, kw, allow_large)
    to_stdout = job.out.path is None
    if to_stdout and as_json:
        raise click.UsageError("--json and -o - both write to standard output")
    with guard():
        trace = _train(lesson, config, quiet or to_stdout, seeds)
        summary_of(lesson, trace, None, [Path("-")])  # a bug here writes nothing
        written = job.write(trace, quiet)
    summary = summary_of(lesson, trace, written)
    if to_stdout:
        summary["files"] = ["-"]
    report(summary, as_json, quiet or to_stdout)


def _train_only(
    lesson: Lesson,
    config: Any,
    out: Path | None,
    quiet: bool,
    as_json: bool,
    allow: bool,
    seeds: tuple[int, ...] | None = None,
) -> None:
    from vizlearn.files import check_distinct

    out = check_output(out or Path(f"{lesson.name}.npz"), ("npz",))
    _check_budget(lesson, config, allow)
    try:
        check_distinct([out], _inputs(lesson, config))
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    with guard():
        trace = _train(lesson, config, quiet, seeds)
        summary_of(lesson, trace, None, [out])  # a bug here writes nothing
        trace.save(out)
    report(summary_of(lesson, trace, None, [out]), as_json, quiet)


def _train(
    lesson: Lesson, config: Any, quiet: bool, seeds: tuple[int, ...] | None = None
):
    if seeds is None:
        with training("training", lesson.n_steps(config), quiet) as bar:
            return lesson.run(config, on_step=bar)
    from vizlearn.api import train_seeds

    options = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    total = lesson.n_steps(config) * len(seeds)
    with training(f"training {len(seeds)} seeds", total, quiet) as bar:
        return train_seeds(lesson.name, seeds, on_step=bar, **options)


def _seedable(lesson: Lesson) -> bool:
    """A lesson with one seed option (and no several-seeds option of its own)."""
    names = {f.name for f in dataclasses.fields(lesson.config)}
    return "seed" in names and "seeds" not in names


def _seeds(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    from vizlearn.trials import parse_seeds

    try:
        return parse_seeds(text)
    except ValueError as e:
        raise click.BadParameter(
            str(e).removeprefix("--seeds "), param_hint="'--seeds'"
        ) from None


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
    out: Output
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
        out = _output(lesson, kind, kw.pop("out"), kw.pop("fmt", None), animated)
        job = cls(
            lesson,
            kind,
            style,
            out,
            view_of(kind, kw),
            export if animated and not out.text else None,
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

        w, h = self.style.width, self.style.height
        try:
            if self.export is not None:
                out = self.out.path or Path(f"stdout.{self.out.suffix}")
                check_export(self.export, out, n_frames)
                check_animation(w, h, n_frames, allow_large=allow_large)
                if self.export.filmstrip is not None:
                    count = len(self.export.filmstrip.split(","))
                    check_filmstrip(w, h, count, allow_large=allow_large)
                if self.export.jobs:
                    from vizlearn.export.workers import worker_memory
                    from vizlearn.limits import check_workers

                    per = worker_memory(w, h, n_frames)
                    check_workers(self.export.jobs, per, allow_large=allow_large)
            else:
                check_animation(w, h, 1, allow_large=allow_large)
                check_frame(self.kind, self.frame, n_frames)
            outputs = [self.out.path] if self.out.path is not None else []
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
        """Draw the figure, animation or text of ``trace``; write every output."""
        return deliver(
            self.out, partial(self._write, trace, quiet or not self.out.path)
        )

    def _write(self, trace: Any, quiet: bool, path: Path) -> Any:
        from vizlearn import api
        from vizlearn.export.write import write_animation, write_still, write_text

        extras = {self.save_trace: trace.save} if self.save_trace else {}
        if self.out.text:
            text = api.text(trace, self.kind.name, self.out.fmt, frame=self.frame)
            return write_text(text, path, extras=extras, inputs=self.inputs)
        if self.export is not None:
            anim = api.animate(trace, self.kind.name, style=self.style, **self.view)
            with progress("rendering", len(anim.plan()[0]), quiet) as bar:
                return write_animation(
                    anim,
                    path,
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
            path,
            provenance=still.provenance,
            extras=extras,
            inputs=self.inputs,
        )


def _choose(lesson: Lesson, verb: str, kw: dict[str, Any]) -> tuple[bool, Kind]:
    """Whether the command animates, and the kind it draws."""
    name, out, fmt = kw.pop("kind", None), kw.get("out"), kw.get("fmt")
    wants = kw.pop("animate", False) or verb == "animate"
    ext = fmt or (out.suffix.lower().lstrip(".") if out is not None else "")
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
    if name == "seeds" and _seedable(lesson):
        return animated, SEEDS
    kind = lesson.kind(name)
    if animated and not kind.animated:
        raise click.UsageError(
            f"--kind {name} is a still: write .png, .svg or .pdf, or choose an "
            f"animated kind ({', '.join(k.name for k in lesson.kinds if k.animated)})"
        )
    return animated, kind


def _output(
    lesson: Lesson, kind: Kind, out: Path | None, fmt: str | None, animated: bool
) -> Output:
    ext = "gif" if animated else "png"
    main = kind.name == (lesson.animation if animated else lesson.still).name
    default = Path(
        f"{lesson.name}.{ext}" if main else f"{lesson.name}-{kind.name}.{ext}"
    )
    return resolve_output(out, fmt, default, animated=animated, texts=tuple(kind.texts))


# --- the groups: animate LESSON, plot LESSON, train LESSON ---------------------------


class LessonGroup(click.Group):
    """Subcommands are lessons; each is built from its record on demand.

    ``make`` builds a lesson's command (default: this module's, for ``verb``);
    for ``animate`` and ``publish`` a lesson without an animation answers
    with a usage error naming what it draws instead.
    """

    def __init__(
        self,
        *args: Any,
        verb: str,
        make: Callable[[Lesson], click.Command] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.verb, self.make = verb, make

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The lessons, in table order."""
        return list(LESSONS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """Build the command of lesson ``name`` (None if unknown)."""
        if name not in LESSONS:
            return None
        lesson = get_lesson(name)
        if self.verb in ("animate", "publish") and lesson.animation is None:
            return _no_animation(lesson, self.verb)
        return self.make(lesson) if self.make else _make(lesson, self.verb)

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


def _no_animation(lesson: Lesson, verb: str = "animate") -> click.Command:
    def callback(**kw: Any) -> None:
        plot = f"vizlearn plot {lesson.name}"
        if verb == "publish":
            raise click.UsageError(
                f"{lesson.name} draws stills only: nothing to publish (see {plot})"
            )
        raise click.UsageError(f"{lesson.name} draws stills only; use: {plot}")

    return click.Command(
        lesson.name,
        callback=callback,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        help=f"{lesson.name} draws stills only: see `vizlearn plot {lesson.name}`.",
        hidden=verb == "publish",  # publish lists only what it can publish
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
