"""Commands of the classification lessons: mnist, gradients, samplers, sweep, metrics.

Each is a thin shell: options -> config dataclass -> one lesson function ->
one renderer -> ``vizlearn.export``. ``--json`` prints the final numbers.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from vizlearn.cli._common import (
    build_config,
    build_style,
    check_limits,
    check_output,
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
    STILLS,
    animation_params,
    check_export,
    drop_export_options,
    export_params,
    save_frames_animation,
)
from vizlearn.lessons.gradients import GradientsConfig
from vizlearn.lessons.metrics import METRIC_KINDS, MetricsConfig
from vizlearn.lessons.mnist import MnistConfig
from vizlearn.lessons.samplers import SamplersConfig
from vizlearn.lessons.sweep import SweepConfig

__all__ = [
    "mnist_command",
    "gradients_command",
    "samplers_command",
    "sweep_command",
    "metrics_command",
]

ANIMATIONS = tuple(ext for ext in OUTPUTS if ext != "png")  # .png is a still here


def _empty(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    return value or ""  # the configs say "" for "not given"


def _data_params() -> list[click.Parameter]:
    folder = click.Path(file_okay=False, exists=True, path_type=str)
    return [
        click.Option(
            ["--data-dir"],
            type=folder,
            callback=_empty,
            help="folder with the MNIST IDX files (.gz or plain) or mnist.npz; "
            "nothing is downloaded",
        ),
        click.Option(
            ["--cache-dir"],
            type=click.Path(file_okay=False, path_type=str),
            callback=_empty,
            help="where MNIST is downloaded to  "
            "[default: $XDG_CACHE_HOME/vizlearn/mnist]",
        ),
    ]


def _pop_common(kw: dict[str, Any]) -> tuple[Any, Path, bool, bool]:
    return build_style(kw), kw.pop("out"), kw.pop("quiet"), kw.pop("as_json")


def _save_still(fig, out: Path, provenance: dict[str, Any]) -> None:
    from vizlearn.export.still import save_figure

    save_figure(fig, out, provenance=provenance)


def _provenance(trace) -> dict[str, Any]:
    from vizlearn.api import provenance

    return provenance(trace)


def _train_mnist(config: MnistConfig, quiet: bool, dataset: str = "mnist"):
    from vizlearn.lessons.mnist import run

    start = time.perf_counter()
    with progress("training", config.iters, quiet) as bar:
        trace = run(config, on_step=bar, dataset=dataset)
    return trace, time.perf_counter() - start


def _write_training(trace, out: Path, style, kw: dict[str, Any], quiet: bool) -> dict:
    from functools import partial

    from vizlearn.render.classification import frames_training

    kind, frame = kw.pop("kind"), kw.pop("frame")
    if out.suffix.lower().lstrip(".") in ANIMATIONS:
        make = partial(frames_training, kind=kind)
        return save_frames_animation(make, trace, out, style, kw, quiet)
    drop_export_options(kw)
    source = frames_training(trace, kind=kind, style=style)
    n = source.n_frames
    if not -n <= frame < n:
        raise ValueError(f"--frame must be between {-n} and {n - 1}, got {frame}")
    _save_still(source.still(frame % n), out, _provenance(trace))
    return {"files": [str(out)]}


def _check_trace_path(ctx: click.Context, param: click.Parameter, value: Path | None):
    try:
        return value and check_output(value, ("npz",))
    except click.BadParameter as e:
        raise click.BadParameter(e.message, ctx, param) from None


def _mnist_params() -> list[click.Parameter]:
    return [
        *config_params(MnistConfig),
        *_data_params(),
        click.Option(
            ["--kind"],
            type=click.Choice(["both", "loss", "accuracy"]),
            default="both",
            show_default=True,
            help="loss per iteration, accuracy per epoch, or both side by side",
        ),
        click.Option(
            ["--frame"],
            type=int,
            default=-1,
            show_default=True,
            help="snapshot drawn in a still (0 = start, -1 = end)",
        ),
        *animation_params(),
        *export_params(),
        *style_params(),
        output_param(
            "mnist.png",
            STILLS + ANIMATIONS,
            "output: .png/.svg/.pdf still, .gif/.webp/.apng/.mp4/.html growing "
            "animation",
        ),
        click.Option(
            ["--save-trace"],
            type=click.Path(dir_okay=False, path_type=Path),
            callback=_check_trace_path,
            help="also save the run's trace (.npz) for `vizlearn metrics --trace`",
        ),
        *report_params(),
    ]


@click.command("mnist", params=_mnist_params())
def mnist_command(**kw: Any) -> None:
    """Train the book's two-layer net on MNIST; draw loss and accuracy."""
    from vizlearn.lessons.mnist import summary

    config = build_config(MnistConfig, kw)
    style, out, quiet, as_json = _pop_common(kw)
    animated = out.suffix.lower().lstrip(".") in ANIMATIONS
    check_limits(style, config.frames if animated else 1, kw)
    save_trace, n = kw.pop("save_trace"), config.frames
    if not animated and not -n <= kw["frame"] < n:
        raise click.UsageError(
            f"--frame must be between {-n} and {n - 1} (--frames {n})"
        )
    if animated:
        check_export(kw, out, config.frames)
    with guard():
        trace, seconds = _train_mnist(config, quiet)
        written = _write_training(trace, out, style, kw, quiet)
        if save_trace:
            trace.save(save_trace)
    files = [*written["files"], *([str(save_trace)] if save_trace else [])]
    extra = {k: v for k, v in written.items() if k != "files"}
    report(
        {"files": files, **summary(trace), **extra, "train_seconds": round(seconds, 3)},
        as_json,
        quiet,
    )


def _gradients_params() -> list[click.Parameter]:
    return [
        *config_params(GradientsConfig),
        *_data_params(),
        *style_params(),
        output_param("gradients.png", STILLS, "output file (.png, .svg, .pdf)"),
        *report_params(),
    ]


@click.command("gradients", params=_gradients_params())
def gradients_command(**kw: Any) -> None:
    """Compare backprop with the numerical gradient: values and time per iteration."""
    from vizlearn.lessons.gradients import run
    from vizlearn.render.gradients import plot_gradients

    config = build_config(GradientsConfig, kw)
    style, out, quiet, as_json = _pop_common(kw)
    check_limits(style, 1, kw)
    with guard():
        if not quiet:
            click.echo("timing backprop and both numerical gradients...", err=True)
        result = run(config)
        fig = plot_gradients(
            result.backprop,
            result.numerical,
            result.seconds,
            naive_measured=result.naive_measured,
            n_params=result.n_params,
            style=style,
        )
        _save_still(fig, out, result.meta)
    report({"files": [str(out)], **result.summary()}, as_json, quiet)


def _sampler_option() -> click.Option:
    from vizlearn.lessons.mnist import SAMPLER_NAMES

    return click.Option(
        ["--sampler", "samplers"],
        multiple=True,
        type=click.Choice(SAMPLER_NAMES),
        help="sampler to compare (repeatable; default: all three)",
    )


def _samplers_params() -> list[click.Parameter]:
    return [
        _sampler_option(),
        *config_params(SamplersConfig),
        *_data_params(),
        *style_params(),
        output_param("samplers.png", STILLS, "output file (.png, .svg, .pdf)"),
        *report_params(),
    ]


@click.command("samplers", params=_samplers_params())
def samplers_command(**kw: Any) -> None:
    """Compare minibatch samplers: examples seen so far, and final accuracy."""
    from vizlearn.lessons.samplers import run

    if kw["samplers"]:
        kw["samplers"] = tuple(dict.fromkeys(kw["samplers"]))
    else:
        kw.pop("samplers")
    config = build_config(SamplersConfig, kw)
    style, out, quiet, as_json = _pop_common(kw)
    check_limits(style, 1, kw)
    with guard():
        with progress("training", config.iters * len(config.samplers), quiet) as bar:
            runs = run(config, on_step=bar)
        _save_still(runs.plot(style=style), out, runs.meta)
    report({"files": [str(out)], **runs.summary()}, as_json, quiet)


def _parse_vary(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    from vizlearn.lessons.sweep import parse_vary

    try:
        return tuple(parse_vary(v) for v in values)
    except ValueError as e:
        raise click.BadParameter(str(e).removeprefix("--vary "), ctx, param) from None


def _sweep_params() -> list[click.Parameter]:
    from vizlearn.lessons.sweep import VARIABLES

    vary = click.Option(
        ["--vary"],
        multiple=True,
        callback=_parse_vary,
        metavar="NAME=V1,V2,...",
        help="values to try (repeatable: a grid); NAME is one of "
        + ", ".join(VARIABLES),
    )
    return [
        vary,
        *config_params(SweepConfig),
        *_data_params(),
        *style_params(),
        output_param("sweep.png", STILLS, "output file (.png, .svg, .pdf)"),
        *report_params(),
    ]


@click.command("sweep", params=_sweep_params())
def sweep_command(**kw: Any) -> None:
    """Run a grid of trainings and overlay their accuracy and loss per epoch.

    \b
    Example (the Keras tutorial's deep-sigmoid lesson):
      vizlearn sweep --dataset mnist --data-dir DIR --layers 10 --hidden 64 \\
          --lr 0.01 --batch-size 32 --epochs 10 --vary activation=sigmoid,relu
    """
    from vizlearn.lessons.sweep import grid, run
    from vizlearn.render.sweep import plot_sweep

    config = build_config(SweepConfig, kw)
    style, out, quiet, as_json = _pop_common(kw)
    check_limits(style, 1, kw)
    try:
        n_runs = len(grid(config))
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    with guard():
        with progress("runs", n_runs, quiet) as bar:
            runs = run(config, on_run=bar)
        fig = plot_sweep(runs, title=_sweep_title(config), style=style)
        _save_still(fig, out, {"lesson": "sweep", "config": runs[0].meta["config"]})
    report({"files": [str(out)], "runs": [r.final() for r in runs]}, as_json, quiet)


def _sweep_title(config: SweepConfig) -> str:
    """What all runs share, e.g. 'spiral · 1×10 sigmoid · sgd lr 1 · batch 30'."""
    varied = {name for name, _ in config.vary}
    parts = [
        ({"dataset"}, config.dataset),
        (
            {"layers", "hidden", "activation"},
            f"{config.layers}×{config.hidden} {config.activation}",
        ),
        ({"optimizer", "lr"}, f"{config.optimizer} lr {config.lr:g}"),
        ({"batch_size"}, f"batch {config.batch_size}"),
        ({"epochs"}, f"{config.epochs} epochs"),
    ]
    return "  ·  ".join(text for keys, text in parts if not keys & varied)


def _metrics_params() -> list[click.Parameter]:
    return [
        *config_params(MetricsConfig),
        *_data_params(),
        click.Option(
            ["--kind"],
            type=click.Choice(METRIC_KINDS),
            default="confusion",
            show_default=True,
            help="confusion matrix + per-class precision/recall, or a grid "
            "of misclassified test examples",
        ),
        click.Option(
            ["--count"],
            type=click.IntRange(1, 100),
            default=40,
            show_default=True,
            help="misclassified examples shown",
        ),
        *style_params(),
        output_param(None, STILLS, "output file [default: KIND.png]"),
        *report_params(),
    ]


@click.command("metrics", params=_metrics_params())
def metrics_command(**kw: Any) -> None:
    """Accuracy, per-class precision and recall, confusion matrix, mistakes."""
    from vizlearn.lessons.metrics import report as metrics_report
    from vizlearn.lessons.metrics import run
    from vizlearn.render.metrics import plot_confusion, plot_misclassified

    config = build_config(MetricsConfig, kw)
    kind, count = kw.pop("kind"), kw.pop("count")
    style, out, quiet, as_json = _pop_common(kw)
    out = out or check_output(Path(f"{kind}.png"), STILLS)
    check_limits(style, 1, kw)
    with guard():
        if config.trace:
            trace = run(config)
        else:
            with progress("training", config.iters, quiet) as bar:
                trace = run(config, on_step=bar)
        if kind == "confusion":
            fig = plot_confusion(trace, style=style)
        else:
            fig = plot_misclassified(trace, count=count, style=style)
        _save_still(fig, out, _provenance(trace))
    report({"files": [str(out)], **metrics_report(trace)}, as_json, quiet)
