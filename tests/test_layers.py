"""Imports point down the layers, and no private name crosses a module boundary.

The layer contract lives in pyproject.toml ([tool.importlinter]) and is
checked by import-linter; the private-name rule by reading every module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vizlearn"


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 kept, 0 broken" in result.stdout


def _private_imports(path: Path) -> list[str]:
    """``from vizlearn.x import _name`` where x is another module (a leak)."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if not node.module.startswith("vizlearn") or node.module == module:
            continue
        for alias in node.names:
            if alias.name.startswith("_") and not alias.name.startswith("__"):
                found.append(f"{module}: from {node.module} import {alias.name}")
    return found


def test_no_private_name_is_imported_across_modules():
    leaks = [
        leak for p in sorted(PACKAGE.rglob("*.py")) for leak in _private_imports(p)
    ]
    assert leaks == []


def test_the_private_name_check_sees_a_leak(tmp_path):
    bad = ROOT / "vizlearn" / "_probe_for_test.py"
    try:
        bad.write_text("from vizlearn.export.animation import _format\n")
        assert _private_imports(bad) == [
            "vizlearn._probe_for_test: from vizlearn.export.animation import _format"
        ]
    finally:
        bad.unlink()
