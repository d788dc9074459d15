"""The ``vizlearn`` command: a click group whose commands load on first use.

Each command lives in a submodule and is imported only when it runs (or when
``--help`` of that command is asked for), so ``vizlearn --help`` and usage
errors never pay for numpy or matplotlib.
"""

from __future__ import annotations

import importlib
import os

import click

# The lessons multiply small matrices, for which extra BLAS threads cost more
# than they give (measured up to 10x slower on a busy 2-core machine); the
# command line runs one thread unless the user chose otherwise. Set before
# numpy is imported; the library itself leaves the setting alone.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from vizlearn._version import __version__  # noqa: E402

__all__ = ["cli"]

# command name -> ("module:function", short help shown by ``vizlearn --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("vizlearn.cli.regression:list_command", "List lessons and figure kinds."),
    "train": (
        "vizlearn.cli.regression:train_command",
        "Train a lesson and save its trace (.npz).",
    ),
    "animate": (
        "vizlearn.cli.regression:animate_command",
        "Train a lesson and write its animation.",
    ),
    "plot": (
        "vizlearn.cli.plot:plot_command",
        "Train sin-regression and draw one still figure.",
    ),
    "render": (
        "vizlearn.cli.plot:render_command",
        "Draw a figure or animation from a saved trace.",
    ),
    "optimizers": (
        "vizlearn.cli.lessons:optimizers_command",
        "SGD, Momentum, AdaGrad and Adam paths on a 2-D function.",
    ),
    "boundary": (
        "vizlearn.cli.lessons:boundary_command",
        "Decision boundary of a small network on 2-D data.",
    ),
    "weight-init": (
        "vizlearn.cli.lessons:weight_init_command",
        "Activation histograms per layer for several weight inits.",
    ),
    "vanishing-gradients": (
        "vizlearn.cli.lessons:vanishing_command",
        "Why a deep sigmoid network stops learning, layer by layer.",
    ),
    "gallery": (
        "vizlearn.cli.gallery:gallery_command",
        "Render every lesson's figures into a folder with an index.html.",
    ),
    "import": (
        "vizlearn.cli.gallery:import_command",
        "Turn a Keras/CSV training log into a trace (.npz).",
    ),
    "plot-metrics": (
        "vizlearn.cli.gallery:plot_metrics_command",
        "Chart loss/accuracy from a Keras log, a CSV or a trace.",
    ),
    "mnist": (
        "vizlearn.cli.mnist:mnist_command",
        "The book's two-layer net on MNIST: loss and accuracy.",
    ),
    "gradients": (
        "vizlearn.cli.mnist:gradients_command",
        "Backprop vs numerical gradient: values and time per iteration.",
    ),
    "samplers": (
        "vizlearn.cli.mnist:samplers_command",
        "Minibatch samplers: training examples seen, final accuracy.",
    ),
    "sweep": (
        "vizlearn.cli.mnist:sweep_command",
        "A grid of trainings (lr, layers, units, ...) overlaid per epoch.",
    ),
    "metrics": (
        "vizlearn.cli.mnist:metrics_command",
        "Confusion matrix, per-class precision/recall, mistakes.",
    ),
    "info": (
        "vizlearn.cli.info:info_command",
        "Show where a vizlearn file came from (lesson, config, seed).",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[name][0].partition(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vizlearn")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Turn neural-network training into teaching figures and animations.

    \b
    Start with:   vizlearn animate sin-regression
    """
    from vizlearn.files import install_signal_handlers

    install_signal_handlers()  # SIGTERM/SIGHUP clean up like Ctrl-C (exit 143/129)
    ctx.obj = {"debug": debug}
