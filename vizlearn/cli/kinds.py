"""The options every lesson command shares: --kind, --frame, views, --save-trace.

Also how a chosen kind's view options are taken from a command's arguments,
the --frame check and the --json summary of a run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click

from vizlearn.cli.options import build, params_for
from vizlearn.config import validate
from vizlearn.lessons import did_you_mean
from vizlearn.lessons.record import Kind, Lesson

__all__ = [
    "VIEW",
    "EXPORT",
    "KindChoice",
    "kind_param",
    "frame_param",
    "view_fields",
    "view_params",
    "save_trace_param",
    "view_of",
    "check_frame",
    "summary_of",
]

VIEW, EXPORT = "view__", "export__"


class KindChoice(click.Choice):
    """``--kind``: one of the lesson's kinds, with a suggestion for a typo."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        """The kind, or a usage error naming the closest one."""
        if value is None or value in self.choices:
            return value
        self.fail(
            f"{value!r}{did_you_mean(value, list(self.choices))} is not a kind of "
            f"this lesson; choose from {', '.join(self.choices)}",
            param,
            ctx,
        )


def kind_param(kinds: list[Kind]) -> click.Option:
    """``--kind``, its help listing every kind and what it draws."""
    lines = "; ".join(f"{k.name}: {k.help}" for k in kinds)
    return click.Option(
        ["--kind"], type=KindChoice([k.name for k in kinds]), help=f"figure: {lines}"
    )


def frame_param() -> click.Option:
    """``--frame``: the snapshot a still shows."""
    return click.Option(
        ["--frame"],
        type=int,
        default=-1,
        show_default=True,
        help="the snapshot a still shows (0 = first, -1 = last)",
    )


def view_fields(kinds: list[Kind]) -> list[dataclasses.Field]:
    """The view options of ``kinds``, each name once.

    Kinds that share an option name with other choices or defaults (``--look``
    is vizlearn|book for curves, book|dezero for graphs) get one option that
    offers every choice and has no default: each kind keeps its own.
    """
    seen: dict[str, dataclasses.Field] = {}
    for k in kinds:
        for f in k.view_fields():
            if f.name not in seen:
                seen[f.name] = f
            elif (seen[f.name].metadata, seen[f.name].default) != (
                f.metadata,
                f.default,
            ):
                seen[f.name] = _merged(seen[f.name], f)
    return list(seen.values())


def _merged(a: dataclasses.Field, b: dataclasses.Field) -> dataclasses.Field:
    meta = dict(a.metadata)
    if "choices" in a.metadata or "choices" in b.metadata:
        choices = (*a.metadata.get("choices", ()), *b.metadata.get("choices", ()))
        meta["choices"] = tuple(dict.fromkeys(choices))
    meta["help"] = a.metadata["help"].split(":")[0] + ": the kind's own default"
    field = dataclasses.field(default=None, metadata=meta)
    field.name, field.type = a.name, "str | None"
    return field


def view_params(kinds: list[Kind]) -> list[click.Parameter]:
    """One click option per view option of ``kinds`` (named ``view__NAME``)."""
    fields = view_fields(kinds)
    if not fields:
        return []
    holder = dataclasses.make_dataclass(
        "Views", [(f.name, f.type, f) for f in fields], frozen=True
    )
    return params_for(holder, group=VIEW)


def save_trace_param() -> click.Option:
    """``--save-trace``: also keep the run's trace."""
    return click.Option(
        ["--save-trace"],
        type=click.Path(dir_okay=False, path_type=Path),
        help="also save the run's trace (.npz) for `vizlearn render`",
    )


def view_of(kind: Kind, kw: dict[str, Any]) -> dict[str, Any]:
    """The chosen kind's view options; a usage error for another kind's option."""
    ctx = click.get_current_context()
    own = {f.name for f in kind.view_fields()}
    values = {}
    for key in [k for k in kw if k.startswith(VIEW)]:
        name, value = key[len(VIEW) :], kw.pop(key)
        if name in own and value is not None:  # None: the kind's own default
            values[name] = value
        elif ctx.get_parameter_source(key) == click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError(
                f"{_flag_of(name)} is not an option of kind {kind.name}"
            )
    if kind.view is None:
        return {}
    view = build(kind.view, values)
    try:
        validate(view)  # a view class need not validate itself
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    return dataclasses.asdict(view)


def _flag_of(name: str) -> str:
    """The flag of view option ``name`` as the command line spells it (--class)."""
    from vizlearn.config import flag_name
    from vizlearn.lessons import all_lessons

    for lesson in all_lessons():
        for k in lesson.kinds:
            for f in k.view_fields():
                if f.name == name:
                    return flag_name(f).split("/")[0]
    return "--" + name.replace("_", "-")


def check_frame(kind: Kind, frame: int, n_frames: int) -> None:
    """ValueError unless ``frame`` exists (stills without a time axis take -1)."""
    if kind.animated or kind.timed:
        if not -n_frames <= frame < n_frames:
            raise ValueError(
                f"--frame must be between {-n_frames} and {n_frames - 1}, got {frame}"
            )
    elif frame != -1:
        raise ValueError(f"--frame: kind {kind.name} has no time axis (a final still)")


def summary_of(
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
    if "seeds" in trace.meta and "runs" in trace.meta:  # --seeds: each run's end
        finals = {
            info["label"]: float(trace.data[f"runs/{i}/loss"][-1])
            for i, info in enumerate(trace.meta["runs"])
            if len(trace.data[f"runs/{i}/loss"])
        }
        out["seeds"], out["final_loss_per_seed"] = trace.meta["seeds"], finals
    elif lesson.summary is not None:
        out.update(lesson.summary(trace))
    return out
