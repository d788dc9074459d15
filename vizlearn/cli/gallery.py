"""The commands `vizlearn gallery`, `vizlearn import` and `vizlearn plot-metrics`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from vizlearn.cli.options import (
    build_style,
    check_output,
    guard,
    out_param,
    report,
    report_params,
    style_params,
)

__all__ = ["gallery_command", "import_command", "plot_metrics_command"]

METRICS_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("gallery")
@click.argument(
    "outdir", required=False, type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ja"]),
    default="en",
    show_default=True,
    help="language of captions and figure labels",
)
@click.option(
    "--quick",
    is_flag=True,
    help="train and render less (a fast preview, used by the tests)",
)
@click.option(
    "--only",
    "names",
    multiple=True,
    metavar="NAME",
    help="build only this entry (repeatable)",
)
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    help="MNIST folder for the lessons that read it (without it they are left out)",
)
@click.option(
    "--split-from-test",
    type=click.IntRange(0, 9999),
    default=0,
    help="with --data-dir holding only the t10k files: first N train, rest test",
)
@click.option("--list", "list_only", is_flag=True, help="list the entries and exit")
@click.option("-q", "--quiet", is_flag=True, help="no progress lines")
@click.option("--json", "as_json", is_flag=True, help="print a JSON summary on stdout")
def gallery_command(
    outdir: Path | None,
    lang: str,
    quick: bool,
    names: tuple[str, ...],
    data_dir: str | None,
    split_from_test: int,
    list_only: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Render every lesson's figures into OUTDIR with an index.html to browse them."""
    from vizlearn.gallery import build_gallery, entries
    from vizlearn.lessons import did_you_mean

    found = entries()
    if list_only:
        for name, e in found.items():
            click.echo(f"{name:<22} {e.item.caption[0]}")
        return
    if outdir is None:
        raise click.UsageError("Missing argument 'OUTDIR'.")
    unknown = [n for n in names if n not in found]
    if unknown:
        raise click.BadParameter(
            f"unknown entry {unknown[0]!r}{did_you_mean(unknown[0], list(found))}; "
            f"choose from {', '.join(found)}",
            param_hint="'--only'",
        )
    progress = (
        None if quiet or as_json else lambda n: click.echo(f"drawing {n}", err=True)
    )
    with guard():
        mnist = {"data_dir": data_dir} if data_dir else {}
        if data_dir and split_from_test:
            mnist["split_from_test"] = split_from_test
        result = build_gallery(
            outdir,
            lang=lang,
            quick=quick,
            names=names or None,
            on_entry=progress,
            mnist=mnist,
        )
    files = [*map(str, result.files), str(result.index)]
    if result.skipped and not (quiet or as_json):
        click.echo(
            f"note: left out (they read MNIST; give --data-dir): "
            f"{', '.join(result.skipped)}",
            err=True,
        )
    summary = {"files": files, "entries": list(result.entries)}
    report({**summary, "skipped": list(result.skipped)}, as_json, quiet)


@click.command("import")
@click.argument("file", type=METRICS_FILE)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="trace file to write [default: FILE with .npz]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "keras-csv", "keras-json", "csv"]),
    default="auto",
    show_default=True,
    help="how to read FILE",
)
@click.option("--json", "as_json", is_flag=True, help="print a JSON summary on stdout")
def import_command(file: Path, out: Path | None, fmt: str, as_json: bool) -> None:
    """Turn a Keras CSVLogger/History file or a CSV of metrics into a trace (.npz).

    Draw it with `vizlearn plot-metrics RUN.npz`, or in Python with
    vl.plot(vl.load_trace("RUN.npz"), "metrics").
    """
    from vizlearn.files import check_distinct
    from vizlearn.importers import read_metrics

    default = file.with_suffix(".npz")
    if out is None and default.resolve() == file.resolve():
        default = file.with_name(f"{file.stem}-trace.npz")
    out = check_output(out or default, ("npz",))
    try:
        check_distinct([out], [file])
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    with guard():
        trace = read_metrics(file, fmt=fmt)
        trace.save(out)
    summary = {
        "files": [str(out)],
        "metrics": sorted(trace.metrics),
        "records": len(trace.metric_steps),
    }
    report(summary, as_json, quiet=False)


def _plot_metrics_params() -> list[click.Parameter]:
    return [
        click.Argument(["file"], type=METRICS_FILE),
        click.Option(
            ["--metric", "metrics"],
            multiple=True,
            metavar="NAME",
            help="panel to draw, e.g. loss or accuracy (repeatable; default: all)",
        ),
        click.Option(
            ["--log/--linear"],
            default=False,
            show_default=True,
            help="log y axis for the loss panel",
        ),
        click.Option(
            ["--format", "fmt"],
            type=click.Choice(["auto", "keras-csv", "keras-json", "csv", "trace"]),
            default="auto",
            show_default=True,
            help="how to read FILE",
        ),
        *style_params(),
        out_param("output file (.png, .svg, .pdf)  [default: metrics.png]"),
        *report_params(),
    ]


@click.command("plot-metrics", params=_plot_metrics_params())
def plot_metrics_command(**kw: Any) -> None:
    """Chart loss and accuracy from a Keras log, a CSV of metrics or a trace (.npz)."""
    from vizlearn import api
    from vizlearn.export.write import write_still
    from vizlearn.importers import read_metrics
    from vizlearn.render.metrics_chart import plot_metrics

    style = build_style(kw)
    out = check_output(kw["out"] or Path("metrics.png"), ("png", "svg", "pdf"))
    with guard():
        trace = read_metrics(kw["file"], fmt=kw["fmt"])
        fig = plot_metrics(
            trace, names=kw["metrics"] or None, log=kw["log"], style=style
        )
        write_still(fig, out, provenance=api.provenance(trace), inputs=[kw["file"]])
    report({"files": [str(out)]}, kw["as_json"], kw["quiet"])
