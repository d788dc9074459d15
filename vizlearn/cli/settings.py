"""Defaults from the current folder: ``vizlearn.toml`` or ``[tool.vizlearn]``.

Only the look and the timing can be set there (``lang``, ``theme``,
``preset``, ``fps``); options on the command line and ``VIZLEARN_*``
environment variables come first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

__all__ = ["load_settings", "SETTINGS"]

SETTINGS: dict[str, tuple[str, ...] | type] = {
    "lang": ("en", "ja"),
    "theme": ("light", "dark", "transparent", "transparent-dark"),
    "preset": ("default", "blog", "slide", "slide-4x3", "thumbnail"),
    "fps": float,
}
MAX_BYTES = 1_000_000


def load_settings(folder: Path | None = None) -> dict[str, Any]:
    """Read and check the settings file of ``folder`` (default: the current one)."""
    import tomllib

    folder = folder or Path.cwd()
    for name, table in (("vizlearn.toml", None), ("pyproject.toml", "tool.vizlearn")):
        path = folder / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(_read(path))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
            raise click.UsageError(f"{path}: not valid TOML ({e})") from None
        for key in (table or "").split(".") if table else ():
            data = data.get(key, {}) if isinstance(data, dict) else {}
        if data:
            return _check(path, data)
    return {}


def _read(path: Path) -> str:
    with open(path, "rb") as f:
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise click.UsageError(f"{path}: larger than {MAX_BYTES} bytes")
    return raw.decode("utf-8")


def _check(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        allowed = SETTINGS.get(key)
        if allowed is None:
            raise click.UsageError(
                f"{path}: unknown setting {key!r}; allowed: {', '.join(SETTINGS)}"
            )
        if allowed is float:
            ok = isinstance(value, int | float) and 0 < value <= 100
        else:
            ok = value in allowed
        if not ok:
            what = (
                "a number of frames per second (0-100]"
                if allowed is float
                else ("one of " + ", ".join(allowed))
            )
            raise click.UsageError(f"{path}: {key} must be {what}, not {value!r}")
        out[key] = value
    return out
