"""What vizlearn's pytest plugin costs a project that never uses it.

Runs ``pytest`` on a one-test file in fresh processes, with the plugin (as
installed: it loads in every session) and without it (``-p no:vizlearn``),
and prints the medians and their difference. The plugin imports only pytest
at load time; numpy, Pillow and matplotlib load when a fixture is first used.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# pytest-snapshot and syrupy (both in the test extra) cannot load together
_BLOCK = ("-p", "no:cacheprovider", "-p", "no:snapshot")


def _run(folder: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *_BLOCK, *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    """Print the medians of both ways and what the plugin adds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
        (folder / "pytest.ini").write_text("[pytest]\n")
        _run(folder)  # warm the file cache
        with_plugin, without = [], []
        for _ in range(repeat):  # interleaved, so load changes hit both alike
            with_plugin.append(_run(folder))
            without.append(_run(folder, "-p", "no:vizlearn"))
    a, b = statistics.median(with_plugin), statistics.median(without)
    print(f"pytest, one test, {repeat} runs each (medians)")
    print(f"  without vizlearn's plugin: {b * 1000:7.1f} ms")
    print(f"  with it (as installed):    {a * 1000:7.1f} ms")
    print(f"  difference:                {(a - b) * 1000:+7.1f} ms ({a / b:.3f}x)")
    code = (
        "import time, pytest; t = time.perf_counter(); import vizlearn.testing; "
        "print(time.perf_counter() - t)"
    )
    imports = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeat)
    ]
    print(f"  plugin import after pytest: {statistics.median(imports) * 1e3:.1f} ms")
    code = (
        "import sys, vizlearn.testing; "
        "print(sorted({'numpy', 'matplotlib', 'PIL'} & set(sys.modules)))"
    )
    heavy = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    print(f"  heavy modules the plugin imports at load: {heavy.stdout.strip()}")


if __name__ == "__main__":
    main()
