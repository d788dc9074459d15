"""Peak memory of ``vizlearn animate sin-regression`` at 100 vs 1000 frames.

Usage::

    python benchmarks/bench_memory.py                # GIF, --jobs default and 1
    python benchmarks/bench_memory.py --format png   # APNG (also streamed)
    python benchmarks/bench_memory.py --repeat 3

The frames stream from the renderer through the encoder to the file, one at a
time, so memory must stay flat as the frame count grows. Each run is a fresh
process (960x720 px, 10 000 iterations); memory is the peak of the summed PSS
over the process and its worker processes (sampled every 20 ms, see
``bench_sin_gif.py``) and the peak RSS of the main process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_sin_gif import measure  # noqa: E402


def command(out: Path, frames: int, jobs: int | None) -> list[str]:
    """The CLI run for ``frames`` frames."""
    cmd = [
        sys.executable,
        "-m",
        "vizlearn",
        "animate",
        "sin-regression",
        "--frames",
        str(frames),
        "-q",
        "-o",
        str(out),
    ]
    return cmd + (["--jobs", str(jobs)] if jobs else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--format", default="gif", choices=["gif", "png", "webp"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per setting")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, f"a.{args.format}")
        for jobs in (None, 1):
            for frames in (100, 1000):
                runs = [
                    measure(command(out, frames, jobs), out) for _ in range(args.repeat)
                ]
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                rows.append((jobs, frames, med))
                print(
                    f"jobs {jobs or 'default'}, {frames} frames: {med['wall']:.1f} s",
                    file=sys.stderr,
                )
    print(
        f"sin-regression .{args.format}, 960x720 px; medians of {args.repeat} run(s)\n"
    )
    print(
        "| --jobs  | frames | wall (s) | file (MB) | peak PSS tree (MiB) "
        "| peak RSS main (MiB) |"
    )
    print(
        "|---------|--------|----------|-----------|---------------------|---------------------|"
    )
    for jobs, frames, m in rows:
        print(
            f"| {jobs or 'default':<7} | {frames:>6} | {m['wall']:>8.1f} | "
            f"{m['bytes'] / 1e6:>9.2f} | {m['memory']:>19.0f} | {m['rss']:>19.0f} |"
        )
    for jobs in (None, 1):
        small, large = (m for j, _, m in rows if j == jobs)
        print(
            f"\n--jobs {jobs or 'default'}: 1000 frames use "
            f"{large['memory'] / small['memory']:.2f}x the memory of 100 frames (PSS), "
            f"{large['rss'] / small['rss']:.2f}x (RSS)"
        )


if __name__ == "__main__":
    main()
