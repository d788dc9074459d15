"""Lesson options: dataclass fields that also describe their command-line option.

Kept free of numpy so that ``vizlearn --help`` and usage errors stay fast.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

__all__ = ["option", "check_range", "to_dict"]


def option(
    default: Any,
    help: str,
    *,
    low: float | None = None,
    low_open: bool = False,
    high: float | None = None,
    choices: Sequence[str] | None = None,
) -> Any:
    """Declare a config field with its help text and its allowed values."""
    meta = {"help": help, "low": low, "low_open": low_open, "high": high}
    if choices is not None:
        meta["choices"] = tuple(choices)
    return dataclasses.field(default=default, metadata=meta)


def check_range(config: Any) -> None:
    """Raise ValueError naming the first field outside its declared range."""
    for f in dataclasses.fields(config):
        value, m = getattr(config, f.name), f.metadata
        name = "--" + f.name.replace("_", "-")
        choices = m.get("choices")
        if choices and value not in choices:
            raise ValueError(
                f"{name} must be one of {', '.join(choices)}, not {value!r}"
            )
        low, high = m.get("low"), m.get("high")
        if low is not None and (value <= low if m.get("low_open") else value < low):
            op = ">" if m.get("low_open") else ">="
            raise ValueError(f"{name} must be {op} {low}, got {value}")
        if high is not None and value > high:
            raise ValueError(f"{name} must be <= {high}, got {value}")


def to_dict(config: Any) -> dict[str, Any]:
    """Return the config as a JSON-ready dict."""
    return dataclasses.asdict(config)
