"""Shared pieces of the CLI.

Options built from config dataclasses, style and output options, progress bars,
and turning library errors into one-line messages.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

__all__ = [
    "config_params",
    "build_config",
    "style_params",
    "build_style",
    "output_param",
    "check_output",
    "check_limits",
    "report_params",
    "progress",
    "report",
    "guard",
    "parse_duration",
    "parse_holds",
    "parse_size",
    "human_size",
]


def _param_for(f: dataclasses.Field) -> click.Option:
    m, default = f.metadata, f.default
    flag = "--" + f.name.replace("_", "-")
    if isinstance(default, bool):
        return click.Option(
            [f"{flag}/--no-{flag[2:]}"],
            default=default,
            show_default=True,
            help=m.get("help"),
        )
    if "choices" in m:
        kind: Any = click.Choice(m["choices"])
    elif isinstance(default, int):
        kind = click.IntRange(
            min=m.get("low"), max=m.get("high"), min_open=m.get("low_open", False)
        )
    elif isinstance(default, float):
        kind = click.FloatRange(
            min=m.get("low"), max=m.get("high"), min_open=m.get("low_open", False)
        )
    else:
        kind = str
    return click.Option(
        [flag], type=kind, default=default, show_default=True, help=m.get("help")
    )


def config_params(config_cls: type) -> list[click.Parameter]:
    """One click option per field of a lesson config that declares a help text."""
    return [
        _param_for(f) for f in dataclasses.fields(config_cls) if "help" in f.metadata
    ]


def build_config(config_cls: type, kwargs: dict[str, Any]) -> Any:
    """Pop the config's fields out of ``kwargs`` and build it (usage error if bad)."""
    names = {f.name for f in dataclasses.fields(config_cls)}
    values = {k: kwargs.pop(k) for k in list(kwargs) if k in names}
    try:
        return config_cls(**values)
    except ValueError as e:
        raise click.UsageError(str(e)) from None


def _parse_size(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        w, h = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not WIDTHxHEIGHT in pixels, e.g. 1200x900",
            param_hint="'--size'",
        ) from None
    if min(w, h) < 16:
        raise click.BadParameter(
            f"{w}x{h} px: each side must be at least 16 pixels", param_hint="'--size'"
        )
    return w, h


def style_params() -> list[click.Parameter]:
    """--preset, --size, --dpi, --theme, --lang (choices listed from vizlearn.style)."""
    from vizlearn.style import LANGS, PRESETS, THEMES

    return [
        click.Option(
            ["--preset"],
            type=click.Choice(list(PRESETS)),
            default="default",
            show_default=True,
            help="size preset",
        ),
        click.Option(
            ["--size"], metavar="WxH", help="figure size in pixels, e.g. 1200x900"
        ),
        click.Option(
            ["--dpi"],
            type=click.IntRange(20, 600),
            help="dots per inch (sets text size relative to the figure)",
        ),
        click.Option(
            ["--theme"],
            type=click.Choice(list(THEMES)),
            default="light",
            show_default=True,
            help="colour theme",
        ),
        click.Option(
            ["--lang"],
            type=click.Choice(list(LANGS)),
            default="en",
            show_default=True,
            help="label language",
        ),
    ]


def build_style(kwargs: dict[str, Any]):
    """Pop the style options out of ``kwargs`` and build a Style."""
    from vizlearn.style import PRESETS, Style

    preset, size, dpi = kwargs.pop("preset"), kwargs.pop("size"), kwargs.pop("dpi")
    changes: dict[str, Any] = {"theme": kwargs.pop("theme"), "lang": kwargs.pop("lang")}
    wh = _parse_size(size)
    if wh:
        changes["width"], changes["height"] = wh
        # same look at any size: text scales with the width unless --dpi is given
        width, _, preset_dpi = PRESETS[preset]
        changes["dpi"] = max(20, round(wh[0] * preset_dpi / width))
    if dpi:
        changes["dpi"] = dpi
    return Style.from_preset(preset, **changes)


def output_param(
    default: str | None, formats: tuple[str, ...], help: str
) -> click.Option:
    """-o/--out, checked (format and writable folder) before any work starts."""

    def callback(ctx: click.Context, param: click.Parameter, value: Path | None):
        return None if value is None else check_output(value, formats)

    return click.Option(
        ["-o", "--out"],
        type=click.Path(path_type=Path),
        default=default,
        show_default=True,
        help=help,
        callback=callback,
    )


def check_output(
    path: Path, formats: tuple[str, ...], param_hint: str = "'-o' / '--out'"
) -> Path:
    """Raise BadParameter unless ``path`` has an allowed suffix and writable folder."""
    ext = path.suffix.lower().lstrip(".")
    if ext not in formats:
        raise click.BadParameter(
            f"unknown format {path.suffix or '(no extension)'!r}; "
            f"use one of .{', .'.join(formats)}",
            param_hint=param_hint,
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise click.BadParameter(
            f"folder {str(folder)!r} does not exist", param_hint=param_hint
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise click.BadParameter(
            f"folder {str(folder)!r} is not writable", param_hint=param_hint
        )
    if path.is_dir():
        raise click.BadParameter(f"{str(path)!r} is a folder", param_hint=param_hint)
    return path


def check_limits(
    style: Any, n_frames: int, kw: dict[str, Any], lesson=None, config=None
) -> None:
    """Pop --allow-large; refuse sizes, frame counts and runs beyond the limits."""
    from vizlearn.limits import LimitError, check_animation

    allow_large = kw.pop("allow_large")
    try:
        if style is not None:
            check_animation(
                style.width, style.height, n_frames, allow_large=allow_large
            )
        if lesson is not None:
            from vizlearn.api import check_budget

            check_budget(lesson, config, allow_large=allow_large)
    except LimitError as e:
        raise click.UsageError(str(e)) from None


def report_params() -> list[click.Parameter]:
    """--quiet, --json and --allow-large."""
    return [
        click.Option(
            ["--allow-large"],
            is_flag=True,
            help="lift the limits on frames, pixels and memory (see README)",
        ),
        click.Option(["-q", "--quiet"], is_flag=True, help="no progress bars"),
        click.Option(
            ["--json", "as_json"],
            is_flag=True,
            help="print a machine-readable summary on stdout",
        ),
    ]


@contextmanager
def progress(label: str, length: int, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A click progress bar on stderr; yields ``update(done)`` (the count so far)."""
    if quiet or length <= 0:
        yield lambda done: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        state = {"done": 0}

        def update(done: int) -> None:
            if done - state["done"] >= max(1, length // 200) or done == length:
                bar.update(done - state["done"])
                state["done"] = done

        yield update


def report(summary: dict[str, Any], as_json: bool, quiet: bool) -> None:
    """Print the summary as JSON, or the written files (and sizes) one per line."""
    files = [Path(f) for f in summary.get("files", [])]
    sizes = {str(f): f.stat().st_size for f in files if f.is_file()}
    if as_json:
        click.echo(json.dumps({**summary, "bytes": sizes}, sort_keys=True))
    elif not quiet:
        for path in files:
            size = f" ({human_size(sizes[str(path)])})" if str(path) in sizes else ""
            click.echo(f"wrote {path}{size}")
        if summary.get("fitted"):
            click.echo(f"to fit --max-size: {summary['fitted']}")
        if summary.get("diverged_at") is not None:
            click.echo(
                f"note: training diverged at iteration {summary['diverged_at']}",
                err=True,
            )


def human_size(n_bytes: float) -> str:
    """612 KB, 4.8 MB: decimal units, as GitHub and blog hosts state their limits."""
    for unit in ("bytes", "KB", "MB"):
        if n_bytes < 1000 or unit == "MB":
            return f"{n_bytes:.0f} {unit}" if unit != "MB" else f"{n_bytes:.1f} MB"
        n_bytes /= 1000
    raise AssertionError  # pragma: no cover


_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}


def parse_size(value: str) -> int:
    """'5MB' (5 000 000 bytes), '500KB', '10MiB' or '123456' -> bytes."""
    import re

    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", str(value))
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise click.BadParameter(
            f"{value!r} is not a size like 5MB, 500KB or 10MiB",
            param_hint="'--max-size'",
        )
    n_bytes = int(float(match.group(1)) * _UNITS[unit])
    if n_bytes < 1:
        raise click.BadParameter(
            f"{value!r}: the size must be positive", param_hint="'--max-size'"
        )
    return n_bytes


def parse_holds(values: tuple[str, ...] | list[str], n_frames: int) -> dict[int, int]:
    """('40=1s,70=500ms',) -> {40: 1000, 70: 500}; frames may count from the end."""
    holds: dict[int, int] = {}
    for item in (part for value in values for part in str(value).split(",")):
        frame, sep, duration = item.strip().partition("=")
        try:
            k = int(frame)
        except ValueError:
            k = None
        if not sep or k is None:
            raise click.BadParameter(
                f"{item.strip()!r} is not FRAME=TIME like 40=1s", param_hint="'--hold'"
            )
        if not -n_frames <= k < n_frames:
            raise click.BadParameter(
                f"frame {k} is out of range; frames are 0..{n_frames - 1}",
                param_hint="'--hold'",
            )
        try:
            ms = parse_duration(duration)
        except click.BadParameter as e:
            raise click.BadParameter(e.message, param_hint="'--hold'") from None
        holds[k % n_frames] = holds.get(k % n_frames, 0) + ms
    return holds


def parse_duration(value: str | float | int) -> int:
    """'2s', '500ms' or '1.5' (seconds) -> milliseconds."""
    text = str(value).strip().lower()
    try:
        if text.endswith("ms"):
            ms = float(text[:-2])
        else:
            ms = float(text.removesuffix("s")) * 1000
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a duration like 2s or 500ms"
        ) from None
    if not 0 <= ms <= 600_000:
        raise click.BadParameter(f"{value!r}: a hold must be between 0 and 600s")
    return round(ms)


@contextmanager
def guard() -> Iterator[None]:
    """Turn library errors into one-line messages (exit 1) unless --debug is set."""
    ctx = click.get_current_context()
    debug = bool((ctx.find_root().obj or {}).get("debug"))
    try:
        yield
    except click.ClickException:
        raise
    except (ValueError, OSError, RuntimeError, MemoryError) as e:
        if debug:
            raise
        raise click.ClickException(_one_line(e)) from None


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
