"""Where a command's figure goes: a file by its extension, text, or stdout (``-o -``).

The output's format comes from ``--format`` or the file's extension: a still
(png, svg, pdf), an animation (gif, webp, apng, mp4, webm, html; ``.png`` is
APNG when animating) or, for kinds that have one, a text form (dot, mermaid).
``-o -`` writes to standard output and needs ``--format``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from vizlearn.cli.options import check_output
from vizlearn.export.options import ANIMATIONS, STILLS

__all__ = ["TEXT_SUFFIXES", "Output", "resolve_output", "format_param", "deliver"]

#: text forms and the file extensions that select them
TEXT_SUFFIXES = {"dot": ("dot", "gv"), "mermaid": ("mmd", "md")}


@dataclass(frozen=True)
class Output:
    """The file (None: stdout) and its format."""

    path: Path | None
    fmt: str

    @property
    def text(self) -> bool:
        """A text form (dot, mermaid) rather than an image."""
        return self.fmt in TEXT_SUFFIXES

    @property
    def suffix(self) -> str:
        """The extension a file of this format has."""
        return TEXT_SUFFIXES[self.fmt][0] if self.text else self.fmt


def format_param(texts: tuple[str, ...] = ()) -> click.Option:
    """``--format``: the output's format, for ``-o -`` or without ``-o``."""
    choices = [*dict.fromkeys((*STILLS, *ANIMATIONS, *texts))]
    return click.Option(
        ["--format", "fmt"],
        type=click.Choice(choices),
        help="output format, for -o - (standard output) or without -o",
    )


def _format_of(path: Path) -> str:
    ext = path.suffix.lower().lstrip(".")
    for fmt, suffixes in TEXT_SUFFIXES.items():
        if ext in suffixes:
            return fmt
    return ext


def resolve_output(
    out: Path | None,
    fmt: str | None,
    default: Path,
    *,
    animated: bool,
    texts: tuple[str, ...] = (),
) -> Output:
    """The checked output: ``-o``/``--format``, else ``default``; usage error if bad."""
    if out is not None and str(out) == "-":
        if fmt is None:
            raise click.UsageError("-o - (standard output) needs --format")
        return Output(None, fmt)
    if out is None:
        out = default if fmt is None else default.with_suffix("." + _suffix(fmt))
    found = _format_of(out)
    if fmt is not None and fmt != found:
        raise click.UsageError(
            f"--format {fmt} does not match -o {out.name} (a .{found} file)"
        )
    if found in TEXT_SUFFIXES:
        if found not in texts:
            raise click.UsageError(
                f"-o: this figure has no {found} form"
                + (f"; it has {', '.join(texts)}" if texts else "")
            )
        return Output(check_output(out, TEXT_SUFFIXES[found]), found)
    allowed = (*ANIMATIONS, "png") if animated else STILLS
    return Output(check_output(out, allowed), found)


def _suffix(fmt: str) -> str:
    return TEXT_SUFFIXES[fmt][0] if fmt in TEXT_SUFFIXES else fmt


def deliver(output: Output, write: Callable[[Path], Any]) -> Any:
    """Run ``write(path)`` for ``output``: to its file, or to standard output.

    Standard output gets a temporary file's bytes (the file is then removed).
    """
    if output.path is not None:
        return write(output.path)
    with tempfile.TemporaryDirectory(prefix="vizlearn-") as tmp:
        path = Path(tmp) / f"out.{output.suffix}"
        result = write(path)
        with open(path, "rb") as f:
            shutil.copyfileobj(f, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return result
