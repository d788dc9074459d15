"""Options declared once: dataclass fields that carry their help, range and parser.

Lesson configs, figure (view) options and export options are frozen dataclasses
whose fields come from :func:`option`. The command line builds one click option
per field from that metadata (``vizlearn.cli.options``), the Python API builds
the same dataclass from keyword arguments, and :func:`validate` checks both the
same way: type, range, choices, NaN and infinity, each error naming the option
(``--lr must be > 0, got -1``).

Kept free of numpy, so that ``vizlearn --help`` and usage errors stay fast.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "option",
    "validate",
    "to_dict",
    "flag_name",
    "from_text",
    "fields_with_help",
    "parse_duration",
    "parse_byte_size",
    "parse_holds",
    "parse_pixels",
]


def option(
    default: Any,
    help: str,
    *,
    low: float | None = None,
    low_open: bool = False,
    high: float | None = None,
    high_open: bool = False,
    choices: Sequence[str] | None = None,
    parse: Callable[[str], Any] | None = None,
    check: Callable[[Any], Any] | None = None,
    metavar: str | None = None,
    flag: str | None = None,
    multiple: bool = False,
    path: str | None = None,
) -> Any:
    """Declare a config field with its help text and its allowed values.

    Parameters
    ----------
    low, high, low_open, high_open
        The allowed range of a number (open: the bound itself is refused).
    choices
        The allowed strings.
    parse
        Turns the command-line text into the field's value; raises ValueError
        with a message that says what is allowed (the CLI prefixes the flag).
    check
        Called with the value by :func:`validate`; raises ValueError if it is
        not allowed (for texts with a grammar, e.g. ``"xavier"`` or ``"0.01"``).
    metavar, flag
        The command line's placeholder and option name (default ``--field-name``).
    multiple
        A repeatable option whose values make a tuple.
    path
        ``"file"`` or ``"dir"``: a path that must exist (checked by the CLI).
    """
    meta: dict[str, Any] = {
        "help": help,
        "low": low,
        "low_open": low_open,
        "high": high,
        "high_open": high_open,
    }
    for key, value in (
        ("choices", tuple(choices) if choices is not None else None),
        ("parse", parse),
        ("check", check),
        ("metavar", metavar),
        ("flag", flag),
        ("multiple", multiple or None),
        ("path", path),
    ):
        if value is not None:
            meta[key] = value
    return dataclasses.field(default=default, metadata=meta)


def flag_name(f: dataclasses.Field) -> str:
    """The command-line name of a field: ``--hold-last`` for ``hold_last``."""
    return f.metadata.get("flag") or "--" + f.name.replace("_", "-")


def fields_with_help(config_cls: type) -> list[dataclasses.Field]:
    """The fields of ``config_cls`` that are user options (declared with help)."""
    return [f for f in dataclasses.fields(config_cls) if "help" in f.metadata]


def validate(config: Any) -> None:
    """Raise ValueError naming the first field of wrong type, range or choice."""
    for f in dataclasses.fields(config):
        if "help" in f.metadata:
            _check_field(f, getattr(config, f.name))


def _check_field(f: dataclasses.Field, value: Any) -> None:
    m, name = f.metadata, flag_name(f).split("/")[0]
    if value is None and f.default is None:
        return  # "not given"
    _check_type(f, value, name)
    if "check" in m:
        try:
            m["check"](value)
        except ValueError as e:
            text = str(e)
            raise ValueError(
                text if text.startswith(name) else f"{name}: {text}"
            ) from None
    choices = m.get("choices")
    if choices and not m.get("multiple") and value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    if choices and m.get("multiple"):
        bad = [v for v in value if v not in choices]
        if bad:
            raise ValueError(
                f"{name} must be one of {', '.join(choices)}, not {bad[0]!r}"
            )
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    low, high = m.get("low"), m.get("high")
    if low is not None and (value <= low if m.get("low_open") else value < low):
        op = ">" if m.get("low_open") else ">="
        raise ValueError(f"{name} must be {op} {low:g}, got {value:g}")
    if high is not None and (value >= high if m.get("high_open") else value > high):
        op = "<" if m.get("high_open") else "<="
        raise ValueError(f"{name} must be {op} {high:g}, got {value:g}")


def _check_type(f: dataclasses.Field, value: Any, name: str) -> None:
    """The Python API gets the CLI's types: no '10' for an int, no True for 1."""
    default = f.default
    if default is None or default is dataclasses.MISSING or "parse" in f.metadata:
        return
    if isinstance(default, bool):
        ok, what = isinstance(value, bool), "True or False"
    elif isinstance(default, int):
        ok, what = isinstance(value, int) and not isinstance(value, bool), "an integer"
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        what = "a number"
    elif isinstance(default, str):
        ok, what = isinstance(value, str), "a string"
    elif isinstance(default, tuple):
        ok, what = isinstance(value, tuple), "a tuple"
    else:
        return
    if not ok:
        raise ValueError(f"{name} must be {what}, got {value!r}")


def from_text(f: dataclasses.Field, value: Any) -> Any:
    """A field's value from its command-line text(s), through its ``parse``."""
    parse = f.metadata.get("parse")
    if f.metadata.get("multiple"):
        values = tuple(value) if value else ()
        if parse is not None:
            values = tuple(parse(v) if isinstance(v, str) else v for v in values)
        return values or f.default
    if parse is not None and isinstance(value, str):
        return parse(value)
    return value


def to_dict(config: Any) -> dict[str, Any]:
    """Return the config as a JSON-ready dict."""
    return dataclasses.asdict(config)


# --- parsers of option texts (ValueError says what is allowed) -------------------

MAX_HOLD_MS = 600_000


def parse_duration(value: str | float | int) -> int:
    """'2s', '500ms' or '1.5' (seconds) -> milliseconds (0 to 600 s)."""
    text = str(value).strip().lower()
    match = re.fullmatch(r"([0-9]*\.?[0-9]+)\s*(ms|s)?", text)
    if match is None:
        raise ValueError(f"{value!r} is not a duration like 2s or 500ms")
    number = float(match.group(1))
    ms = number if match.group(2) == "ms" else number * 1000
    if not ms <= MAX_HOLD_MS:
        raise ValueError(f"{value!r}: a hold must be between 0 and 600s")
    return round(ms)


_BYTE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
MAX_BYTES = 1000**4  # 1 TB: anything larger is a typo, not a budget


def parse_byte_size(value: str) -> int:
    """'5MB' (5 000 000 bytes), '500KB', '10MiB' or '123456' -> bytes."""
    match = re.fullmatch(r"\s*([0-9]{1,15}(?:\.[0-9]{0,15})?)\s*([a-zA-Z]*)\s*", value)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _BYTE_UNITS:
        raise ValueError(f"{value!r} is not a size like 5MB, 500KB or 10MiB")
    n_bytes = float(match.group(1)) * _BYTE_UNITS[unit]
    if not 1 <= n_bytes <= MAX_BYTES:
        raise ValueError(f"{value!r}: the size must be between 1 byte and 1TB")
    return int(n_bytes)


def parse_pixels(value: str) -> tuple[int, int]:
    """'1200x900' -> (1200, 900); each side from 16 to 32 768 pixels."""
    match = re.fullmatch(r"\s*([0-9]{1,6})\s*[xX×]\s*([0-9]{1,6})\s*", value)
    if match is None:
        raise ValueError(f"{value!r} is not WIDTHxHEIGHT in pixels, e.g. 1200x900")
    w, h = int(match.group(1)), int(match.group(2))
    if min(w, h) < 16 or max(w, h) > 32_768:
        raise ValueError(
            f"{w}x{h} px: each side must be 16 to 32768 pixels (the limit of the "
            "renderer)"
        )
    return w, h


def parse_holds(text: str | Sequence[str]) -> dict[int, int]:
    """'40=1s,70=500ms' -> {40: 1000, 70: 500}; frames may count from the end."""
    items = [text] if isinstance(text, str) else list(text)
    holds: dict[int, int] = {}
    for item in (part.strip() for value in items for part in value.split(",")):
        if not item:
            continue
        frame, sep, duration = item.partition("=")
        if not sep or not re.fullmatch(r"-?[0-9]{1,9}", frame.strip()):
            raise ValueError(f"{item!r} is not FRAME=TIME like 40=1s")
        k = int(frame)
        holds[k] = holds.get(k, 0) + parse_duration(duration)
    return holds


def check_holds(holds: Mapping[int, int], n_frames: int) -> dict[int, int]:
    """Holds with frames counted from the start; ValueError for frames out of range."""
    out: dict[int, int] = {}
    for k, ms in holds.items():
        if not -n_frames <= k < n_frames:
            raise ValueError(f"frame {k} is out of range; frames are 0..{n_frames - 1}")
        out[k % n_frames] = out.get(k % n_frames, 0) + ms
    return out
