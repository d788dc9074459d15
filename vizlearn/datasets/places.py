"""Where data sets are looked for and downloaded to (platformdirs, env overrides).

- ``VIZLEARN_DATA_DIR``: a folder of the user's own files, read as ``--data-dir``
  is (nothing is downloaded into it) when no ``data_dir`` is given.
- ``VIZLEARN_CACHE_DIR``: the download cache, one subfolder per data set
  (``mnist/``, ``fashion-mnist/``, ``kmnist/``); by default the platform's
  user cache folder (``platformdirs.user_cache_dir("vizlearn")``:
  ``$XDG_CACHE_HOME/vizlearn`` or ``~/.cache/vizlearn`` on Linux,
  ``~/Library/Caches/vizlearn`` on macOS, ``%LOCALAPPDATA%/vizlearn/Cache``
  on Windows).
- Older vizlearn downloaded MNIST to ``$XDG_CACHE_HOME/vizlearn/mnist`` (or
  ``~/.cache/vizlearn/mnist``) on every platform, and ``--cache-dir DIR`` held
  the files themselves: both places are still read (`legacy_dirs`).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = [
    "CACHE_ENV",
    "DATA_ENV",
    "cache_root",
    "dataset_cache_dir",
    "env_data_dir",
    "legacy_dirs",
    "subfolder_for",
]

DATA_ENV = "VIZLEARN_DATA_DIR"
CACHE_ENV = "VIZLEARN_CACHE_DIR"


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache: ``cache_dir``, else ``$VIZLEARN_CACHE_DIR``, else the platform's."""
    if cache_dir:
        return Path(cache_dir)
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    return Path(platformdirs.user_cache_dir("vizlearn", appauthor=False))


def dataset_cache_dir(
    name: str, cache_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Where the files of data set ``name`` are downloaded to: ``cache_root()/name``."""
    return cache_root(cache_dir) / name


def env_data_dir() -> Path | None:
    """``$VIZLEARN_DATA_DIR`` as a path, or None when it is unset or empty."""
    value = os.environ.get(DATA_ENV)
    return Path(value).expanduser() if value else None


def subfolder_for(directory: Path, name: str) -> Path:
    """``directory/name`` if it is a folder (one per set), else ``directory``."""
    candidate = directory / name
    return candidate if candidate.is_dir() else directory


def legacy_dirs(
    name: str, cache_dir: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Folders older versions kept MNIST in, read when the cache lacks it.

    ``--cache-dir DIR`` itself (it held the files, not ``DIR/mnist``), or with
    no cache chosen (argument or ``$VIZLEARN_CACHE_DIR``) the old default
    ``$XDG_CACHE_HOME/vizlearn/mnist``; none that is the current folder.
    """
    if name != "mnist":
        return []
    if cache_dir:
        found = [Path(cache_dir)]
    elif os.environ.get(CACHE_ENV):
        found = []
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        found = [Path(base) / "vizlearn" / "mnist"]
    current = dataset_cache_dir(name, cache_dir)
    return [d for d in found if d != current]
