"""`vizlearn plot KIND` (train, then one still) and `vizlearn render RUN.npz`."""

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
    report,
    report_params,
    style_params,
)
from vizlearn.cli._export import (
    OUTPUTS,
    STILLS,
    animation_params,
    check_export,
    export_params,
    save_animation,
)
from vizlearn.cli.regression import run_summary, train_lesson
from vizlearn.lessons import KINDS, LESSONS

__all__ = ["plot_command", "render_command"]


def _kind_params(kind: str) -> list[click.Parameter]:
    if kind == "loss":
        return [
            click.Option(
                ["--log/--linear"],
                default=False,
                show_default=True,
                help="log or linear y axis",
            )
        ]
    if kind == "regression":
        return [
            click.Option(
                ["--frame"],
                type=int,
                default=-1,
                show_default=True,
                help="snapshot to draw (0 = initial, -1 = final)",
            )
        ]
    return []


def _make_plot(kind: str) -> click.Command:
    lesson = LESSONS["sin-regression"]

    def callback(**kw: Any) -> None:
        from vizlearn import api

        config = build_config(lesson.config_class(), kw)
        style, out, quiet, as_json = (
            build_style(kw),
            kw.pop("out"),
            kw.pop("quiet"),
            kw.pop("as_json"),
        )
        check_limits(style, 1, kw, lesson, config)
        with guard():
            trace = train_lesson(lesson, config, quiet)
            fig = api.plot(trace, kind, style=style, **kw)
            api.save(fig, out, provenance=api.provenance(trace))
        report(run_summary(trace, [out]), as_json, quiet)

    params = [
        *config_params(lesson.config_class()),
        *_kind_params(kind),
        *style_params(),
        output_param(f"{kind}.png", STILLS, "output file (.png, .svg, .pdf)"),
        *report_params(),
    ]
    return click.Command(
        kind,
        callback=callback,
        params=params,
        help=f"Train sin-regression and draw {KINDS[kind]}.",
    )


def _make_activations() -> click.Command:
    from vizlearn.lessons.activations import FUNCTIONS, ActivationsConfig

    def callback(**kw: Any) -> None:
        from vizlearn.export.still import save_figure
        from vizlearn.lessons.activations import curves, titles
        from vizlearn.render.activations import plot_activations

        kw["functions"] = tuple(kw["functions"] or FUNCTIONS)
        config = build_config(ActivationsConfig, kw)
        style, out, quiet, as_json = (
            build_style(kw),
            kw.pop("out"),
            kw.pop("quiet"),
            kw.pop("as_json"),
        )
        check_limits(style, 1, kw)
        with guard():
            x, cv = curves(config)
            fig = plot_activations(x, cv, titles=titles(config), style=style)
            save_figure(
                fig, out, provenance={"lesson": "activations", "config": vars(config)}
            )
        report({"files": [str(out)]}, as_json, quiet)

    functions = click.Option(
        ["--function", "functions"],
        multiple=True,
        type=click.Choice(FUNCTIONS),
        help="function to draw (repeatable; default: all)",
    )
    params = [
        functions,
        *config_params(ActivationsConfig),
        *style_params(),
        output_param("activations.png", STILLS, "output file (.png, .svg, .pdf)"),
        *report_params(),
    ]
    return click.Command(
        "activations",
        callback=callback,
        params=params,
        help="Draw activation functions (and derivatives).",
    )


class _KindGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*KINDS, "activations"]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "activations":
            return _make_activations()
        return _make_plot(name) if name in KINDS else None

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if (
            args
            and args[0] not in self.list_commands(ctx)
            and not args[0].startswith("-")
        ):
            raise click.UsageError(
                f"unknown kind {args[0]!r}; choose from "
                f"{', '.join(self.list_commands(ctx))}"
            )
        return super().resolve_command(ctx, args)


plot_command = _KindGroup(
    "plot", help="Train sin-regression and draw one still figure."
)


def _render_params() -> list[click.Parameter]:
    return [
        click.Argument(
            ["trace"], type=click.Path(exists=True, dir_okay=False, path_type=Path)
        ),
        click.Option(
            ["--kind"],
            type=click.Choice(list(KINDS)),
            default="regression",
            show_default=True,
            help="what to draw",
        ),
        *_kind_params("loss"),
        *_kind_params("regression"),
        *animation_params(),
        *export_params(),
        *style_params(),
        click.Option(
            ["-o", "--out"],
            type=click.Path(path_type=Path),
            help="output file; .gif/.webp/.apng/.mp4/.html animate, "
            ".png/.svg/.pdf are stills (or a --filmstrip) "
            "[default: TRACE-KIND.gif for regression, else .png]",
        ),
        *report_params(),
    ]


@click.command("render", params=_render_params())
def render_command(**kw: Any) -> None:
    """Draw a figure or animation from a saved trace, without retraining."""
    from vizlearn import api
    from vizlearn.cli._common import check_output
    from vizlearn.trace import load_trace

    path, kind, style = kw.pop("trace"), kw.pop("kind"), build_style(kw)
    default = f"{path.stem}-{kind}.{'gif' if kind == 'regression' else 'png'}"
    out = check_output(kw.pop("out") or Path(default), STILLS + OUTPUTS)
    quiet, as_json, allow_large = kw.pop("quiet"), kw.pop("as_json"), kw["allow_large"]
    ext = out.suffix.lower().lstrip(".")
    animated = ext not in STILLS or kw["filmstrip"] is not None
    if not animated:
        _refuse_export_options(kw)
    check_limits(style, 1, kw)
    written: dict[str, Any] = {}
    with guard():
        trace = load_trace(path)
        if animated:
            if kind != "regression":
                raise click.UsageError(
                    f"--kind {kind} is a still; use .png, .svg or .pdf"
                )
            check_limits(style, trace.n_records, {"allow_large": allow_large})
            check_export(kw, out, trace.n_records)
            written = save_animation(trace, out, style, kw, quiet)
        else:
            fig = api.plot(trace, kind, style=style, frame=kw["frame"], log=kw["log"])
            api.save(fig, out, provenance=api.provenance(trace))
    report({**run_summary(trace, [out]), **written}, as_json, quiet)


def _refuse_export_options(kw: dict[str, Any]) -> None:
    """Options that only make sense for animations are a usage error on stills."""
    for name in ("hold", "max_size", "poster"):
        if kw[name]:
            flag = "--" + name.replace("_", "-")
            raise click.UsageError(
                f"{flag} applies to animations (.gif, .webp, .apng, "
                ".mp4, .html), not to stills"
            )
