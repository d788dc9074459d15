"""Lessons with a command of their own.

The commands optimizers, boundary, weight-init and vanishing-gradients.

Each command runs its lesson, then writes a still (.png/.svg/.pdf) or an
animation (.gif/.webp/.apng, or .png with ``--animate``): the output's
extension decides, and ``--animate`` picks an animated default name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from vizlearn.lessons import Lesson

__all__ = [
    "optimizers_command",
    "boundary_command",
    "weight_init_command",
    "vanishing_command",
]


@dataclass(frozen=True)
class _Spec:
    """What a lesson command needs: its lesson, how to train and what to draw."""

    lesson: Lesson
    runner: str  # name of the lesson module's function that returns a Trace
    still: str  # "module:function" drawing a Figure from (trace, frame, style)
    frames: str | None  # "module:function" returning a FrameSource, None = still only
    summary: Callable[[Any], dict[str, Any]]
    progress: Callable[[Any], int] = lambda config: 0  # training steps, for the bar
    records: Callable[[Any], int] = lambda config: config.frames  # snapshots
    n_frames: Callable[[Any], int] = lambda config: config.frames  # animation frames
    still_only: str = ""  # what to say to --animate when there is no animation


def _load(target: str) -> Callable[..., Any]:
    import importlib

    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _frame_param() -> click.Option:
    return click.Option(
        ["--frame"],
        type=int,
        default=-1,
        show_default=True,
        help="still: the snapshot to draw (0 = first, -1 = last)",
    )


def _out_params(stem: str) -> list[click.Parameter]:
    text = (
        f"output file: .png/.svg/.pdf draw a still, .gif/.webp/.apng/.mp4/.html "
        f"an animation [default: {stem}.png, or {stem}.gif with --animate]"
    )
    return [
        click.Option(["-o", "--out"], type=click.Path(path_type=Path), help=text),
        click.Option(
            ["--animate"],
            is_flag=True,
            help="write an animation (.png then means APNG)",
        ),
    ]


def _output(spec: _Spec, kw: dict[str, Any]) -> tuple[Path, bool]:
    """The output path and whether it is an animation."""
    animate = kw.pop("animate")
    out = kw.pop("out") or Path(f"{spec.lesson.name}.{'gif' if animate else 'png'}")
    out = check_output(out, STILLS + OUTPUTS)
    ext = out.suffix.lower().lstrip(".")
    animated = (ext in OUTPUTS and ext != "png") or (animate and ext == "png")
    if animated and spec.still_only:
        raise click.UsageError(spec.still_only)
    return out, animated


def _check_frame(spec: _Spec, config: Any, frame: int | None) -> None:
    n = spec.records(config)
    if frame is not None and not -n <= frame < n:
        raise click.BadParameter(
            f"must be between {-n} and {n - 1}, got {frame}", param_hint="'--frame'"
        )


def _make(spec: _Spec, name: str, help: str) -> click.Command:
    config_cls = spec.lesson.config_class()

    def callback(**kw: Any) -> None:
        config = build_config(config_cls, kw)
        style, quiet, as_json = build_style(kw), kw.pop("quiet"), kw.pop("as_json")
        out, animated = _output(spec, kw)
        frame = kw.pop("frame", None)
        _check_frame(spec, config, frame)
        check_limits(
            style, spec.n_frames(config) if animated else 1, kw, spec.lesson, config
        )
        if animated:
            check_export(kw, out, spec.n_frames(config))
        else:
            drop_export_options(kw)
        written: dict[str, Any] = {"files": [str(out)]}
        with guard():
            trace = _run(spec, config, quiet)
            if animated:
                written = save_frames_animation(
                    _load(spec.frames), trace, out, style, kw, quiet
                )
            else:
                _save_still(spec, trace, out, style, frame)
        _report({**spec.summary(trace), **written}, as_json, quiet)

    params = [*config_params(config_cls)]
    if not spec.still_only:
        params += [*animation_params(), *export_params(), _frame_param()]
    params += [*style_params(), *_out_params(spec.lesson.name), *report_params()]
    return click.Command(name, callback=callback, params=params, help=help)


def _report(summary: dict[str, Any], as_json: bool, quiet: bool) -> None:
    report(summary, as_json, quiet)
    if not (quiet or as_json):
        for name, step in summary.get("diverged", {}).items():
            click.echo(f"note: {name} diverged at step {step}", err=True)


def _run(spec: _Spec, config: Any, quiet: bool):
    runner = getattr(spec.lesson.load(), spec.runner)
    with progress("training", spec.progress(config), quiet) as bar:
        return runner(config, on_step=bar)


def _save_still(spec: _Spec, trace, out: Path, style, frame: int | None) -> None:
    from vizlearn.api import provenance
    from vizlearn.export.still import save_figure

    draw = _load(spec.still)
    fig = (
        draw(trace, style=style)
        if frame is None
        else draw(trace, frame=frame, style=style)
    )
    save_figure(fig, out, provenance=provenance(trace))


# --- the four lessons -----------------------------------------------------------


def _optimizers_summary(trace) -> dict[str, Any]:
    m = trace.meta
    final = {
        n: {
            "x": float(trace.outputs[f"path_{n}"][-1, 0]),
            "y": float(trace.outputs[f"path_{n}"][-1, 1]),
            "f": float(trace.outputs[f"value_{n}"][-1]),
            "lr": m["lr"][n],
            "diverged_at": m["diverged"].get(n),
        }
        for n in m["optimizers"]
    }
    return {
        "lesson": m["lesson"],
        "diverged": dict(m["diverged"]),
        "function": m["function"],
        "steps": m["steps"],
        "start": m["start"],
        "optimizers": final,
    }


def _classifier_summary(trace) -> dict[str, Any]:
    out = trace.outputs
    return {
        "lesson": trace.meta["lesson"],
        "iterations": int(trace.steps[-1]),
        "final_loss": float(out["data_loss"][-1]),
        "final_accuracy": float(out["accuracy"][-1]),
        "seed": trace.meta["seed"],
        "diverged_at": trace.diverged_at,
    }


def _vanishing_summary(trace) -> dict[str, Any]:
    grad = trace.outputs["grad_mean"][-1]
    return {
        **_classifier_summary(trace),
        "mean_abs_grad_first_layer": float(grad[0]),
        "mean_abs_grad_last_layer": float(grad[-1]),
    }


def _weight_init_summary(trace) -> dict[str, Any]:
    out = trace.outputs
    return {
        "lesson": trace.meta["lesson"],
        "activation": trace.meta["activation"],
        "inits": list(trace.meta["inits"]),
        "layer_output_std": out["std"][0].round(5).tolist(),
        "zero_fraction": out["zeros"][0].round(4).tolist(),
    }


def _optimizer_steps(config) -> int:
    from vizlearn.core.functions import SURFACES

    return config.steps or SURFACES[config.function].steps


_SPECS = {
    "optimizers": _Spec(
        Lesson(
            "optimizers",
            "vizlearn.lessons.optimizers",
            "OptimizersConfig",
            "optimizer paths on a 2-D function",
        ),
        "run",
        "vizlearn.render.optimizers:plot_optimizers",
        "vizlearn.render.optimizers:frames_optimizers",
        _optimizers_summary,
        records=lambda config: _optimizer_steps(config) + 1,
        n_frames=lambda config: 100,  # render.optimizers.MAX_FRAMES at most
    ),
    "boundary": _Spec(
        Lesson(
            "boundary",
            "vizlearn.lessons.boundary",
            "BoundaryConfig",
            "decision boundary of a small network",
        ),
        "run",
        "vizlearn.render.boundary:plot_boundary",
        "vizlearn.render.boundary:frames_boundary",
        _classifier_summary,
        lambda config: config.iters,
    ),
    "weight-init": _Spec(
        Lesson(
            "weight-init",
            "vizlearn.lessons.weight_init",
            "WeightInitConfig",
            "activation histograms per layer for several weight inits",
        ),
        "run",
        "vizlearn.render.histograms:plot_weight_init",
        None,
        _weight_init_summary,
        records=lambda config: 1,
        n_frames=lambda config: 1,
        still_only="weight-init draws a still (.png, .svg, .pdf); for the animation "
        "over training use: vizlearn vanishing-gradients --animate",
    ),
    "vanishing-gradients": _Spec(
        Lesson(
            "vanishing-gradients",
            "vizlearn.lessons.weight_init",
            "TrainingConfig",
            "a deep network's per-layer activations and gradients over training",
        ),
        "run_training",
        "vizlearn.render.histograms:plot_vanishing",
        "vizlearn.render.histograms:frames_vanishing",
        _vanishing_summary,
        lambda config: config.iters,
    ),
}

optimizers_command = _make(
    _SPECS["optimizers"],
    "optimizers",
    "Optimizer paths (SGD, Momentum, AdaGrad, Adam) on a 2-D function.\n\n"
    "The defaults are the book's Figure 6-8: f(x, y) = x²/20 + y² from (-7, 2), "
    "30 steps. Try --function rosenbrock, --lr sgd=0.9,adam=0.2, --start -7,2, "
    "--animate.",
)
boundary_command = _make(
    _SPECS["boundary"],
    "boundary",
    "Decision boundary of a small network trained on 2-D data (spiral by default).\n\n"
    "Class regions are shaded by the predicted class (paler where the network is "
    "unsure), data on top. --units adds each hidden unit's output; --animate.",
)
weight_init_command = _make(
    _SPECS["weight-init"],
    "weight-init",
    "Activation histograms per layer for weight std 1, 0.01, Xavier and He.\n\n"
    "The book's Figures 6-10 to 6-14: 1000 random inputs through 5 layers of 100 "
    "units. --activation relu, --gradients. The animation over training is "
    "`vizlearn vanishing-gradients`.",
)
vanishing_command = _make(
    _SPECS["vanishing-gradients"],
    "vanishing-gradients",
    "Why a deep sigmoid network stops learning: per-layer histograms over training.\n\n"
    "10 sigmoid hidden layers, SGD lr 0.01 on the spiral: the gradients reaching "
    "the first layers are orders of magnitude smaller than the last layer's and "
    "the loss stays at ln 3. Compare --activation relu.",
)
