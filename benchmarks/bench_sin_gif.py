"""vizlearn's sin-regression GIF against the way tutorials make it, side by side.

Usage::

    python benchmarks/bench_sin_gif.py                 # 3 runs each, medians, ratios
    python benchmarks/bench_sin_gif.py --repeat 5 --jobs 1
    python benchmarks/bench_sin_gif.py --profile       # cProfile of vizlearn's run

Both sides train the same network (DeZero's 1-10-1 sigmoid net, N = 100,
lr 0.2, 10 000 iterations, seed 0) and write a 100-frame GIF of 1200x900 px at
10 fps. The reference is written the way tutorials do it: ``plt.subplots``, a
``FuncAnimation`` whose update clears both axes and redraws the data, the true
curve, the residuals, the prediction, title and legend in the top panel and
the loss curve with a cursor in the bottom panel, saved with ``PillowWriter``
(figsize 8x6 at 150 dpi, the pixels and text size of ``vizlearn animate
sin-regression --size 1200x900``). vizlearn runs as its command line.

Each run is a fresh process. Wall time includes interpreter start, imports and
training. Peak memory is the largest sum of PSS (proportional set size, which
splits pages shared by forked workers fairly) over the process and its
children, sampled every 20 ms in one extra run of each side after the timed
ones (sampling takes CPU from the render workers, so timed runs are not
sampled); the peak RSS of the main process is shown too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TARGETS = {"wall": 0.08, "bytes": 0.15, "memory": 0.35}
SIZE, FRAMES = (1200, 900), 100


def reference(out: str) -> None:
    """The tutorial way: train, then FuncAnimation + PillowWriter, redrawing all."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.animation import FuncAnimation, PillowWriter

    rng = np.random.default_rng(0)
    x = rng.random((100, 1))
    t = np.sin(2 * np.pi * x) + rng.random((100, 1))
    W1, b1 = 0.01 * rng.standard_normal((1, 10)), np.zeros(10)
    W2, b2 = 0.01 * rng.standard_normal((10, 1)), np.zeros(1)
    grid = np.linspace(0, 1, 200)[:, None]
    lr, iters = 0.2, 10_000
    snaps = set(np.linspace(0, iters, FRAMES).round().astype(int).tolist())
    history, losses = [], []
    for i in range(iters + 1):
        h = 1 / (1 + np.exp(-(x @ W1 + b1)))
        y = h @ W2 + b2
        loss = np.mean((y - t) ** 2)
        if i in snaps:
            curve = 1 / (1 + np.exp(-(grid @ W1 + b1))) @ W2 + b2
            history.append((i, curve[:, 0], y[:, 0], loss))
        if i == iters:
            break
        losses.append(loss)
        gy = 2 * (y - t) / len(x)
        gh = gy @ W2.T * h * (1 - h)
        W2 -= lr * h.T @ gy
        b2 -= lr * gy.sum(0)
        W1 -= lr * x.T @ gh
        b1 -= lr * gh.sum(0)

    fig, (ax, ax2) = plt.subplots(
        2, 1, figsize=(8, 6), dpi=150, height_ratios=[3, 1], layout="constrained"
    )

    def update(k: int) -> None:
        step, curve, fit, loss = history[k]
        ax.clear()
        ax.scatter(x[:, 0], t[:, 0], s=14, alpha=0.8, label="data")
        ax.plot(grid[:, 0], np.sin(2 * np.pi * grid[:, 0]) + 0.5, "g--", label="truth")
        ax.vlines(x[:, 0], t[:, 0], fit, colors="gray", lw=0.8, label="residual")
        ax.plot(grid[:, 0], curve, "r", lw=2.2, label="prediction")
        ax.set_ylim(-1.3, 2.3)
        ax.set_title(f"iteration {step:,} / {iters:,}   loss {loss:.4f}")
        ax.set_xlabel("input x")
        ax.set_ylabel("output y")
        ax.legend(loc="upper right", ncols=2)
        ax2.clear()
        ax2.plot(losses)
        ax2.set_yscale("log")
        ax2.axvline(step, color="k", lw=0.8)
        ax2.plot([step], [loss], "ko", ms=5)
        ax2.set_xlabel("iteration")
        ax2.set_ylabel("loss")

    anim = FuncAnimation(fig, update, frames=len(history))
    anim.save(out, writer=PillowWriter(fps=10))


def vizlearn_command(out: str, jobs: int | None) -> list[str]:
    """The command line a user types (run as ``python -m vizlearn``)."""
    cmd = [
        sys.executable,
        "-m",
        "vizlearn",
        "animate",
        "sin-regression",
        "--size",
        f"{SIZE[0]}x{SIZE[1]}",
        "--frames",
        str(FRAMES),
        "-q",
        "-o",
        out,
    ]
    return cmd + (["--jobs", str(jobs)] if jobs else [])


def _pss_kib(pid: int) -> int:
    """Proportional set size of one process in KiB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def measure(cmd: list[str], out: Path, *, sample: bool) -> dict[str, float]:
    """Run ``cmd``; return wall seconds, output bytes, peak tree PSS, peak RSS.

    With ``sample`` a thread reads the PSS of the process tree every 20 ms.
    Reading ``smaps_rollup`` walks each process's page tables, which takes CPU
    from a command that renders on every core, so timed runs do not sample.
    """
    peak = [0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    done = threading.Event()

    def sampling() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], sum(_pss_kib(p) for p in _tree(proc.pid)))

    sampler = threading.Thread(target=sampling, daemon=True)
    if sample:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return {
        "wall": wall,
        "bytes": out.stat().st_size,
        "memory": peak[0] / 1024,
        "rss": usage.ru_maxrss / 1024,
    }


def run(repeat: int, jobs: int | None) -> None:
    """Alternate reference and vizlearn runs; print medians and ratios."""
    results: dict[str, list[dict[str, float]]] = {"reference": [], "vizlearn": []}
    with tempfile.TemporaryDirectory() as tmp:
        ref_out, viz_out = Path(tmp, "reference.gif"), Path(tmp, "vizlearn.gif")
        ref_cmd = [sys.executable, __file__, "--reference", str(ref_out)]
        viz_cmd = vizlearn_command(str(viz_out), jobs)
        for i in range(repeat):  # timed, not sampled
            results["reference"].append(measure(ref_cmd, ref_out, sample=False))
            results["vizlearn"].append(measure(viz_cmd, viz_out, sample=False))
            print(
                f"run {i + 1}/{repeat}: reference "
                f"{results['reference'][-1]['wall']:.1f} s, "
                f"vizlearn {results['vizlearn'][-1]['wall']:.2f} s",
                file=sys.stderr,
            )
        pss = {  # one more run each, sampled for the PSS of the process tree
            "reference": measure(ref_cmd, ref_out, sample=True)["memory"],
            "vizlearn": measure(viz_cmd, viz_out, sample=True)["memory"],
        }
    med = {
        side: {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        | {"memory": pss[side]}
        for side, runs in results.items()
    }
    _print_table(med, repeat, jobs)


def _print_table(
    med: dict[str, dict[str, float]], repeat: int, jobs: int | None
) -> None:
    ref, viz = med["reference"], med["vizlearn"]
    print(
        f"sin-regression GIF, {SIZE[0]}x{SIZE[1]} px, {FRAMES} frames, training "
        f"included; medians of {repeat} runs; vizlearn --jobs {jobs or 'default'}"
        f" ({os.cpu_count()} cores)\n"
    )
    print(
        f"| {'':<28} | {'reference':>11} | {'vizlearn':>10} | {'ratio':>6} | target |"
    )
    print(f"|{'-' * 30}|{'-' * 13}|{'-' * 12}|{'-' * 8}|--------|")
    rows = [
        ("wall time (s)", "wall", "{:.2f}"),
        ("GIF size (KB)", "bytes", "{:.0f}"),
        ("peak memory, PSS tree (MiB)", "memory", "{:.0f}"),
        ("peak RSS, main process (MiB)", "rss", "{:.0f}"),
    ]
    for label, key, fmt in rows:
        scale = 1e-3 if key == "bytes" else 1
        ratio = viz[key] / ref[key]
        target = TARGETS.get(key)
        verdict = (
            ""
            if target is None
            else f"≤ {target}" + (" ✓" if ratio <= target else " ✗")
        )
        print(
            f"| {label:<28} | {fmt.format(ref[key] * scale):>11} | "
            f"{fmt.format(viz[key] * scale):>10} | {ratio:>6.3f} | {verdict:<6} |"
        )


def profile(jobs: int) -> None:
    """cProfile vizlearn's animate in this process (training excluded)."""
    import cProfile
    import pstats

    from vizlearn import api
    from vizlearn.style import Style

    trace = api.train("sin-regression", frames=FRAMES)
    style = Style.from_preset("default", width=SIZE[0], height=SIZE[1], dpi=150)
    anim = api.animate(trace, style=style)
    with tempfile.TemporaryDirectory() as tmp, cProfile.Profile() as prof:
        start = time.perf_counter()
        anim.save(Path(tmp, "a.gif"), jobs=jobs)
        print(f"render + encode: {time.perf_counter() - start:.2f} s (jobs={jobs})")
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side")
    parser.add_argument("--jobs", type=int, default=None, help="vizlearn --jobs")
    parser.add_argument("--profile", action="store_true", help="profile vizlearn")
    parser.add_argument("--reference", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference:
        reference(args.reference)
    elif args.profile:
        profile(args.jobs or 1)
    else:
        run(args.repeat, args.jobs)


if __name__ == "__main__":
    main()
