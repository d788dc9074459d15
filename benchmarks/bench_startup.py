"""How fast ``vizlearn --help`` and usage errors answer (target: under 0.1 s).

Usage::

    python benchmarks/bench_startup.py            # 15 runs each, medians
    python benchmarks/bench_startup.py --repeat 31

Each command runs as a fresh process through the installed console script.
The table shows the median wall time, the same for a bare ``python -c pass``
(interpreter and site start-up, which vizlearn cannot change), and from
``python -X importtime`` the time spent importing vizlearn's own modules and
click, and whether numpy or matplotlib were imported (they must not be: they
load only when something is drawn or trained).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("vizlearn")
COMMANDS = {
    "vizlearn --help": ["--help"],
    "vizlearn animate --help": ["animate", "sin-regression", "--help"],
    "usage error: --lr 0": ["animate", "sin-regression", "--lr", "0"],
    "usage error: unknown lesson": ["animate", "cos-regression"],
    "usage error: -o x.mp3": ["animate", "sin-regression", "-o", "x.mp3"],
}


def wall(cmd: list[str], repeat: int) -> float:
    """Median wall seconds of ``cmd`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def imports(args: list[str]) -> tuple[float, bool]:
    """Seconds importing vizlearn and click (cumulative), and numpy/mpl imported?"""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(SCRIPT), *args],
        capture_output=True,
        text=True,
    )
    total, heavy = 0, False
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, raw = line[12:].split("|")
        name = raw.strip()
        top_level = raw.startswith(" ") and not raw.startswith("  ")  # not nested
        if top_level and name.split(".")[0] in ("vizlearn", "click"):
            total += int(cumulative)
        heavy |= name in ("numpy", "matplotlib")
    return total / 1e6, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    bare = wall([sys.executable, "-c", "pass"], args.repeat)
    print(
        f"medians of {args.repeat} runs; bare `python -c pass`: {bare * 1000:.0f} ms\n"
    )
    print(
        "| command                     | wall (ms) | minus bare python | "
        "vizlearn+click imports (ms) | numpy/matplotlib loaded |"
    )
    print(
        "|-----------------------------|-----------|-------------------|"
        "-----------------------------|-------------------------|"
    )
    for label, cmd in COMMANDS.items():
        seconds = wall([str(SCRIPT), *cmd], args.repeat)
        imported, heavy = imports(cmd)
        print(
            f"| {label:<27} | {seconds * 1000:>9.0f} | {(seconds - bare) * 1000:>17.0f}"
            f" | {imported * 1000:>27.0f} | {'yes' if heavy else 'no':>23} |"
        )


if __name__ == "__main__":
    main()
