"""Every data test runs with its own empty caches and no data-folder overrides."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_places(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No $VIZLEARN_DATA_DIR/$VIZLEARN_CACHE_DIR; a fresh $XDG_CACHE_HOME."""
    for var in ("VIZLEARN_DATA_DIR", "VIZLEARN_CACHE_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
