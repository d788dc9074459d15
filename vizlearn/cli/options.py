"""Click options generated from option dataclasses, and the shared CLI pieces.

Every option a command has comes from a dataclass field declared with
:func:`vizlearn.config.option` (lesson configs, kind views, `ExportOptions`,
`StyleOptions`), so its help, range and checks are written once. Values are
checked by building the dataclass: a bad one is a usage error (exit 2) naming
the option, before any work starts.

This module runs past 300 lines because besides the option generator it
holds the small pieces every command shares (style, output, report, progress
bars, the error guard), which use the same click types.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from vizlearn.config import (
    fields_with_help,
    flag_name,
    from_text,
    option,
    parse_pixels,
    validate,
)
from vizlearn.files import terminal_safe

__all__ = [
    "StyleOptions",
    "params_for",
    "build",
    "take",
    "style_params",
    "build_style",
    "report_params",
    "out_param",
    "check_output",
    "progress",
    "training",
    "report",
    "guard",
    "UserDefaults",
    "SHARED",
]


class UserDefaults(dict):
    """A click ``default_map`` that gives every command the settings-file defaults.

    Click looks a subcommand's defaults up under its name (``get``), then each
    option's under the option's name (``in`` and ``[]``); this map answers
    itself for any command name and the setting for a shared option (``lang``,
    ``theme``, ``preset``, ``fps``), whatever group prefix its name has.
    """

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__()
        self.settings = dict(settings)

    @staticmethod
    def _name(key: Any) -> str:
        return str(key).rpartition("__")[2]  # options are named style__lang, ...

    def __contains__(self, key: Any) -> bool:
        return self._name(key) in self.settings

    def __getitem__(self, key: Any) -> Any:
        return self.settings[self._name(key)]

    def get(self, key: Any, default: Any = None) -> Any:  # noqa: D102
        return self[key] if key in self else self


class _Finite(click.ParamType):
    """A float that must be finite (NaN and infinity are bad input) and in range."""

    name = "float"

    def __init__(self, low: float | None, high: float | None, m: Mapping) -> None:
        self.low, self.high, self.m = low, high, m

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        if isinstance(value, float) and math.isfinite(value):
            number = value
        else:
            try:
                number = float(value)
            except (TypeError, ValueError):
                self.fail(f"{value!r} is not a number", param, ctx)
            if not math.isfinite(number):
                self.fail(f"{value!r}: NaN and infinity are not allowed", param, ctx)
        return number

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        low, high = self.low, self.high
        if low is None and high is None:
            return "FLOAT"
        lo = "" if low is None else f"{low:g}{'<' if self.m.get('low_open') else '<='}"
        hi = (
            ""
            if high is None
            else f"{'<' if self.m.get('high_open') else '<='}{high:g}"
        )
        return f"FLOAT {lo}x{hi}"


class _Bounded(click.ParamType):
    """An integer; a number beyond 64 bits is refused (no OverflowError later)."""

    name = "integer"

    def __init__(self, low: float | None, high: float | None, m: Mapping) -> None:
        self.low, self.high, self.m = low, high, m

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if len(text) > 20 or not text.lstrip("+-").isdigit():
            self.fail(f"{value!r} is not an integer", param, ctx)
        return int(text)

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        if self.low is None and self.high is None:
            return "INTEGER"
        lo = "" if self.low is None else f"{int(self.low)}<="
        hi = "" if self.high is None else f"<={int(self.high)}"
        return f"INTEGER {lo}x{hi}"


def _click_type(f: dataclasses.Field) -> Any:
    m, default = f.metadata, f.default
    if "choices" in m:
        return click.Choice(m["choices"])
    if m.get("path") == "file":
        return click.Path(exists=True, dir_okay=False, path_type=str)
    if m.get("path") == "dir":
        return click.Path(exists=True, file_okay=False, path_type=str)
    if m.get("path") == "newdir":
        return click.Path(file_okay=False, path_type=str)
    if isinstance(default, bool):
        return None
    if isinstance(default, int) or (default is None and f.type in ("int | None",)):
        return _Bounded(m.get("low"), m.get("high"), m)
    if isinstance(default, float) or (default is None and "float" in str(f.type)):
        return _Finite(m.get("low"), m.get("high"), m)
    return str


def _show_default(f: dataclasses.Field) -> Any:
    default = f.default
    if default is None or default == "" or default == ():
        return False
    if isinstance(default, tuple):
        return ", ".join(map(str, default))
    return True


def _as_text(value: Any) -> str:
    """A default as the command line would write it: (-3.0, 4.0) -> -3,4."""
    if isinstance(value, tuple | list):
        return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return str(value)


def _param_for(f: dataclasses.Field, *, dest: str, shared: bool) -> click.Option:
    """The click option of one field; ``shared``: VIZLEARN_NAME and vizlearn.toml."""
    m, flag = f.metadata, flag_name(f)
    default: Any = f.default
    envvar = f"VIZLEARN_{f.name.upper()}" if shared else None
    if isinstance(f.default, bool):
        decls = [flag if "/" in flag else f"{flag}/--no-{flag[2:]}", dest]
        return click.Option(
            decls,
            default=default,
            show_default=True,
            help=m.get("help"),
            envvar=envvar,
        )
    if m.get("path") and default == "":
        default = None  # click checks a default path exists; "" means "not given"
    shown: Any = _show_default(f)
    if "parse" in m and not isinstance(default, str | None) and not m.get("multiple"):
        # a parsed value (e.g. a point (-3.0, 4.0)) is shown as its text and not
        # given to click, which would turn it into "(-3.0, 4.0)"
        shown = _as_text(default)
        default = None
    return click.Option(
        [flag, dest],
        type=_click_type(f),
        default=default if not m.get("multiple") else (),
        multiple=bool(m.get("multiple")),
        show_default=shown,
        metavar=m.get("metavar"),
        help=m.get("help"),
        envvar=envvar,
    )


#: options read from VIZLEARN_<NAME> and from vizlearn.toml / [tool.vizlearn]
SHARED = ("preset", "theme", "lang", "fps")


def params_for(cls: type, *, group: str = "", skip: Iterable[str] = ()) -> list[Any]:
    """One click option per field of ``cls`` that declares a help text.

    ``group`` prefixes the Python names (``view__log``), so fields of several
    dataclasses never collide in a command's keyword arguments.
    """
    skipped = set(skip)
    return [
        _param_for(f, dest=f"{group}{f.name}", shared=f.name in SHARED)
        for f in fields_with_help(cls)
        if f.name not in skipped
    ]


def take(kw: dict[str, Any], cls: type, *, group: str = "") -> dict[str, Any]:
    """Pop the values of ``cls``'s fields (as ``params_for`` named them) from ``kw``."""
    out = {}
    for f in dataclasses.fields(cls):
        key = f"{group}{f.name}"
        if key in kw:
            value = kw.pop(key)
            if value is None and f.default is not None:
                value = f.default  # not given: the field's own default
            try:
                out[f.name] = from_text(f, value)
            except ValueError as e:
                raise click.BadParameter(
                    str(e), param_hint=f"'{flag_name(f)}'"
                ) from None
    return out


def build(cls: type, values: Mapping[str, Any]) -> Any:
    """``cls(**values)``; a bad value is a usage error naming its option."""
    try:
        return cls(**values)
    except ValueError as e:
        raise click.UsageError(_one_line(e)) from None


# --- style -------------------------------------------------------------------------


def _presets() -> tuple[str, ...]:
    from vizlearn.style import PRESETS

    return tuple(PRESETS)


@dataclass(frozen=True)
class StyleOptions:
    """The look of a figure: size preset, pixel size, theme, language."""

    preset: str = option("default", "size preset", choices=_presets())
    size: str | None = option(
        None, "figure size in pixels, e.g. 1200x900", metavar="WxH", check=parse_pixels
    )
    dpi: int | None = option(
        None, "dots per inch (sets text size relative to the figure)", low=20, high=600
    )
    theme: str = option(
        "light",
        "colour theme (transparent: see-through with dark text; transparent-dark: "
        "with light text, for dark slides)",
        choices=("light", "dark", "transparent", "transparent-dark"),
    )
    lang: str = option("en", "label language", choices=("en", "ja"))

    def __post_init__(self) -> None:
        validate(self)


def style_params() -> list[Any]:
    """--preset, --size, --dpi, --theme, --lang."""
    return params_for(StyleOptions, group="style__")


def build_style(kw: dict[str, Any]) -> Any:
    """Pop the style options out of ``kw`` and build a Style."""
    from vizlearn.style import PRESETS, Style

    options = build(StyleOptions, take(kw, StyleOptions, group="style__"))
    changes: dict[str, Any] = {"theme": options.theme, "lang": options.lang}
    if options.size:
        w, h = parse_pixels(options.size)
        changes["width"], changes["height"] = w, h
        # same look at any size: text scales with the width unless --dpi is given
        width, _, preset_dpi = PRESETS[options.preset]
        changes["dpi"] = max(20, round(w * preset_dpi / width))
    if options.dpi:
        changes["dpi"] = options.dpi
    return Style.from_preset(options.preset, **changes)


# --- output, report ------------------------------------------------------------------


def out_param(help: str) -> click.Option:
    """-o/--out (checked later, when the default name is known)."""
    return click.Option(["-o", "--out"], type=click.Path(path_type=Path), help=help)


def check_output(path: Path, formats: Iterable[str], hint: str = "-o") -> Path:
    """Usage error unless ``path`` has an allowed suffix and a writable folder."""
    import os

    formats = tuple(formats)
    ext = path.suffix.lower().lstrip(".")
    if ext not in formats:
        raise click.UsageError(
            f"{hint}: unknown format {path.suffix or '(no extension)'!r}; "
            f"use one of .{', .'.join(dict.fromkeys(formats))}"
        )
    if len(path.name.encode()) > 255:
        raise click.UsageError(f"{hint}: the file name is longer than 255 bytes")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise click.UsageError(f"{hint}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise click.UsageError(f"{hint}: folder {str(folder)!r} is not writable")
    if path.is_dir():
        raise click.UsageError(f"{hint}: {str(path)!r} is a folder")
    return path


def report_params() -> list[Any]:
    """--allow-large, --quiet and --json."""
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


class _DownloadBars:
    """A click progress bar on stderr per downloaded file (a loader's ``progress``)."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, name: str, done: int, total: int | None) -> None:
        if name != self.name:
            self.close()
            self.name, self.done = name, done
            label = f"downloading {terminal_safe(name)}"
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self.bar.__enter__()
            self.bar.update(done)
        self.bar.update(done - self.done)
        self.done = done
        if total is not None and done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        self.name, self.bar = None, None


def _note(text: str) -> None:
    click.echo(f"note: {terminal_safe(text)}", err=True)


@contextmanager
def training(label: str, length: int, quiet: bool) -> Iterator[Callable[[int], None]]:
    """`progress` of a lesson's run, with its data's download bars and notes on stderr.

    Notes about the data (a folder that does not hold the published files) are
    shown even with ``--quiet``; download bars are not.
    """
    from vizlearn.datasets.reporting import reporting

    bars = None if quiet else _DownloadBars()
    try:
        with reporting(progress=bars, note=_note):
            with progress(label, length, quiet) as bar:
                yield bar
    finally:
        if bars is not None:
            bars.close()


def report(summary: Mapping[str, Any], as_json: bool, quiet: bool) -> None:
    """Print the summary as JSON, or the written files (and sizes) one per line."""
    files = [Path(f) for f in summary.get("files", [])]
    sizes = {str(f): f.stat().st_size for f in files if f.is_file()}
    if as_json:
        click.echo(json.dumps({**summary, "bytes": sizes}, sort_keys=True, default=str))
        return
    for warning in summary.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
    if quiet:
        return
    from vizlearn.limits import size_text

    for path in files:
        size = f" ({size_text(sizes[str(path)])})" if str(path) in sizes else ""
        click.echo(f"wrote {terminal_safe(path)}{size}")
    if summary.get("fitted"):
        click.echo(f"to fit --max-size: {summary['fitted']}")
    if summary.get("diverged_at") is not None:
        click.echo(
            f"note: training diverged at iteration {summary['diverged_at']}", err=True
        )
    for name, step in (summary.get("diverged") or {}).items():
        click.echo(f"note: {name} diverged at step {step}", err=True)


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
    return terminal_safe(text[0]) if text else type(e).__name__
