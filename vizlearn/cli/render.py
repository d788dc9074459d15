"""``vizlearn render RUN.npz``: any kind of a saved trace, without retraining."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import click

from vizlearn.cli.kinds import EXPORT, check_frame, frame_param, view_of, view_params
from vizlearn.cli.options import (
    build,
    build_style,
    guard,
    out_param,
    params_for,
    progress,
    report,
    report_params,
    style_params,
    take,
)
from vizlearn.cli.output import Output, deliver, format_param, resolve_output
from vizlearn.export.options import ANIMATIONS, ExportOptions
from vizlearn.lessons import all_lessons, did_you_mean
from vizlearn.lessons.record import Kind

__all__ = ["render_command"]


def _all_kinds() -> list[Kind]:
    from vizlearn.lessons.kinds import GENERIC_KINDS

    kinds = [k for lesson in all_lessons() for k in lesson.kinds]
    return kinds + list(GENERIC_KINDS)


def _render_params() -> list[click.Parameter]:
    kinds = _all_kinds()
    texts = tuple(dict.fromkeys(t for k in kinds for t in k.texts))
    return [
        click.Argument(
            ["trace"], type=click.Path(exists=True, dir_okay=False, path_type=Path)
        ),
        click.Option(
            ["--kind"],
            help="what to draw (default: the lesson's animation for .gif/.webp/..., "
            "its main figure for .png/.svg/.pdf); `vizlearn list` names them",
        ),
        frame_param(),
        *view_params(kinds),
        *params_for(ExportOptions, group=EXPORT),
        *style_params(),
        out_param(
            "output; .gif/.webp/.apng/.mp4/.webm/.html animate, .png/.svg/.pdf are "
            "stills (or a --filmstrip), .dot/.mmd text; - is standard output  "
            "[default: TRACE-KIND.gif, or .png for a still]"
        ),
        format_param(texts),
        *report_params(),
    ]


@click.command("render", params=_render_params())
def render_command(**kw: Any) -> None:
    """Draw a figure or animation from a saved trace, without retraining."""
    from vizlearn import api
    from vizlearn.trace import load_trace

    path, name, out, fmt = kw.pop("trace"), kw.pop("kind"), kw.pop("out"), kw.pop("fmt")
    quiet, as_json = kw.pop("quiet"), kw.pop("as_json")
    allow_large = kw.pop("allow_large")
    style = build_style(kw)
    export = build(ExportOptions, take(kw, ExportOptions, group=EXPORT))
    with guard():
        trace = load_trace(path, allow_large=allow_large)
    kind, animated = _render_kind(trace, name, out, fmt, export)
    ext = "gif" if animated else "png"
    default = path.with_name(f"{path.stem}-{kind.name}.{ext}")
    output = resolve_output(
        out, fmt, default, animated=animated, texts=tuple(kind.texts)
    )
    if output.path is None and as_json:
        raise click.UsageError("--json and -o - both write to standard output")
    view = view_of(kind, kw)
    with guard():
        n = _n_frames(trace, kind, style, view) if kind.animated else trace.n_records
        _checks(kind, export, output, n, style, kw["frame"], allow_large)
        write = partial(
            _write, trace, kind, output, animated, style, view, export, kw["frame"]
        )
        written = deliver(output, partial(write, path, quiet or output.path is None))
    lesson = api.lesson_of(trace)
    summary = {
        "files": [str(f) for f in written.files] if output.path else ["-"],
        "lesson": trace.meta.get("lesson"),
        "kind": kind.name,
        "seed": trace.meta.get("seed"),
        "diverged_at": trace.diverged_at,
        "fitted": written.fitted,
        "warnings": list(written.warnings),
    }
    if lesson is not None and lesson.summary is not None:
        summary.update(lesson.summary(trace))
    report(summary, as_json, quiet or output.path is None)


def _write(
    trace: Any,
    kind: Kind,
    output: Output,
    animated: bool,
    style: Any,
    view: dict[str, Any],
    export: ExportOptions,
    frame: int,
    source: Path,
    quiet: bool,
    path: Path,
) -> Any:
    from vizlearn import api
    from vizlearn.export.write import write_animation, write_still, write_text

    if output.text:
        text = api.text(trace, kind.name, output.fmt, frame=frame)
        return write_text(text, path, inputs=[source])
    if animated:
        anim = api.animate(trace, kind.name, style=style, **view)
        with progress("rendering", len(anim.plan()[0]), quiet) as bar:
            return write_animation(anim, path, export, inputs=[source], on_frame=bar)
    still = api.plot(trace, kind.name, style=style, frame=frame, **view)
    return write_still(still.figure, path, provenance=still.provenance, inputs=[source])


def _render_kind(
    trace: Any,
    name: str | None,
    out: Path | None,
    fmt: str | None,
    export: ExportOptions,
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
    ext = fmt or (out.suffix.lower().lstrip(".") if out and str(out) != "-" else "")
    if ext:
        animated = (ext in ANIMATIONS and ext != "png") or export.filmstrip is not None
    elif name is not None:
        animated = kinds[name].animated
    else:
        animated = any(k.animated for k in kinds.values())
    frame_given = (
        click.get_current_context().get_parameter_source("frame")
        == click.core.ParameterSource.COMMANDLINE
    )
    if not ext and frame_given and export.filmstrip is None:
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


def _n_frames(trace: Any, kind: Kind, style: Any, view: dict[str, Any]) -> int:
    return kind.renderer()(trace, style=style, **view).n_frames


def _checks(
    kind: Kind,
    export: ExportOptions,
    output: Output,
    n: int,
    style: Any,
    frame: int,
    allow_large: bool,
) -> None:
    from vizlearn.export.write import check_export, is_animation
    from vizlearn.limits import LimitError, check_animation

    out = output.path or Path(f"stdout.{output.suffix}")
    try:
        if not output.text and (is_animation(out) or export.filmstrip is not None):
            check_export(export, out, n)
            check_animation(style.width, style.height, n, allow_large=allow_large)
            return
        given = [k for k in ("hold", "max_size", "poster") if getattr(export, k)]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise ValueError(
                f"{flag} applies to animations (.gif, .webp, .apng, .mp4, .webm, "
                ".html), not to stills"
            )
        check_frame(kind, frame, n)
    except (ValueError, LimitError) as e:
        raise click.UsageError(str(e)) from None
