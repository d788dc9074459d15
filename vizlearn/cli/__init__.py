"""The ``vizlearn`` command: a click group whose commands load on first use.

The verbs live in submodules imported only when they run (or when their
``--help`` is asked for), and every lesson is also a command of its own
(``vizlearn mnist``, ``vizlearn boundary --animate``), built from its record;
so ``vizlearn --help`` and usage errors never pay for numpy or matplotlib.
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
from vizlearn.lessons import LESSONS, did_you_mean  # noqa: E402

__all__ = ["cli"]

# verb -> ("module:attribute", short help shown by ``vizlearn --help``)
VERBS: dict[str, tuple[str, str]] = {
    "list": ("vizlearn.cli.listing:list_command", "List every lesson and its figures."),
    "animate": (
        "vizlearn.cli.lessons:animate_command",
        "Train a lesson and write its animation.",
    ),
    "plot": ("vizlearn.cli.lessons:plot_command", "Train a lesson and draw one still."),
    "train": (
        "vizlearn.cli.lessons:train_command",
        "Train a lesson and save its trace (.npz).",
    ),
    "render": (
        "vizlearn.cli.render:render_command",
        "Draw a figure or animation from a saved trace.",
    ),
    "publish": (
        "vizlearn.cli.publish:publish_command",
        "Write an animation as Zenn, Qiita, Hatena, GitHub or slides take it.",
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
    "info": (
        "vizlearn.cli.info:info_command",
        "Show where a vizlearn file came from (lesson, config, seed).",
    ),
}
# `vizlearn plot fit` etc. (before lessons had kinds): kinds of sin-regression
PLOT_ALIASES = ("fit", "loss", "params")


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*VERBS, *LESSONS]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in VERBS:
            module, _, attr = VERBS[name][0].partition(":")
            return getattr(importlib.import_module(module), attr)
        if name in LESSONS:
            from vizlearn.cli.lessons import lesson_command

            return lesson_command(name)
        return None

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            choices = [*VERBS, *LESSONS]
            raise click.UsageError(
                f"no command {name!r}{did_you_mean(name, choices)}; "
                "see vizlearn --help (lessons: vizlearn list)"
            )
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; an unexpected error is one line (exit 1), not a traceback.

        Outputs are written to temporary files and renamed at the end, so a
        failure leaves no partial file and every earlier one as it was.
        """
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:  # noqa: BLE001 - the last resort
            if (ctx.obj or {}).get("debug"):
                raise
            from vizlearn.files import terminal_safe

            lines = str(e).strip().splitlines() or [""]
            what = f"{type(e).__name__}: {lines[0]}" if lines[0] else type(e).__name__
            raise click.ClickException(
                f"{terminal_safe(what)} (run with --debug for details)"
            ) from None

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, VERBS[name][1]) for name in VERBS])
        with formatter.section("Lessons (each also a command: vizlearn LESSON --help)"):
            formatter.write_text(", ".join(LESSONS))


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "-V", "--version", prog_name="vizlearn")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Turn neural-network training into teaching figures and animations.

    \b
    Start with:   vizlearn animate sin-regression
    Lessons:      vizlearn list
    Defaults:     VIZLEARN_LANG=ja, VIZLEARN_THEME, VIZLEARN_PRESET, VIZLEARN_FPS,
                  or lang/theme/preset/fps in vizlearn.toml or [tool.vizlearn]
                  of pyproject.toml in the current folder
    """
    from vizlearn.cli.options import UserDefaults
    from vizlearn.cli.settings import load_settings
    from vizlearn.files import install_signal_handlers

    install_signal_handlers()
    ctx.obj = {"debug": debug}
    ctx.default_map = UserDefaults(load_settings())
