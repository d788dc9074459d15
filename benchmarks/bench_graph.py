"""Issue 16's animations at the blog preset: vizlearn's blitted frames vs full redraws.

For each default example (the book's apple-and-orange graph, the growing graph
of tanh's n-th derivative, the gradient race on MNIST or a planar fallback,
the spiral net's diagram), two ways to render every frame, taking turns so
both see the same load of a shared machine:

- vizlearn: ``frames_*(trace, style).blits()`` (figure and layout built once,
  then only what changed is redrawn), including building the figure;
- plain matplotlib: the same figure, every frame drawn in full
  (``source.still(k)`` then ``canvas.draw()``), as ``FuncAnimation.save``
  without blitting does.

Prints the median seconds of the whole animation for each and the ratio, and
the layout time of the graphs (pure numpy, no Graphviz). The traces are built
once before timing: only rendering is measured. Target: each animation
<= 1 s with vizlearn.

    python benchmarks/bench_graph.py [--repeats 5] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(
    os.environ.get("VIZLEARN_MNIST_DIR", HERE.parents[1] / "shared/data/mnist")
)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    return p.parse_args()


def cases(data_dir: Path):
    """(name, trace, make source) for each animation's default example."""
    from vizlearn.lessons.derivatives import LESSON as DERIVATIVES
    from vizlearn.lessons.gradient_race import LESSON as RACE
    from vizlearn.lessons.graph import LESSON as GRAPH
    from vizlearn.lessons.network import LESSON as NETWORK
    from vizlearn.render.derivatives import frames_growth
    from vizlearn.render.gradient_race import frames_race
    from vizlearn.render.graph import frames_graph
    from vizlearn.render.network import frames_network

    yield "graph (apple-orange)", GRAPH.run(GRAPH.make_config()), frames_graph
    yield (
        "derivatives (growth)",
        DERIVATIVES.run(DERIVATIVES.make_config()),
        (frames_growth),
    )
    if (data_dir / "t10k-images-idx3-ubyte.gz").exists() or any(data_dir.glob("*")):
        race = RACE.run(RACE.make_config(data_dir=str(data_dir), split_from_test=8000))
        yield "gradient race (MNIST)", race, frames_race
    else:
        yield (
            "gradient race (spiral)",
            RACE.run(RACE.make_config(dataset="spiral")),
            frames_race,
        )
    yield "network (spiral)", NETWORK.run(NETWORK.make_config()), frames_network


def blitted(make, trace, style) -> None:
    for _ in make(trace, style=style).blits():
        pass


def full_redraws(make, trace, style) -> None:
    source = make(trace, style=style)
    for k in range(source.n_frames):
        source.still(k).canvas.draw()


def layout_times(repeats: int) -> None:
    from vizlearn.core.expr_text import build_preset, derivative_graphs
    from vizlearn.render.graph_layout import layout

    graphs = {"apple-orange": build_preset("apple-orange").run_backward()}
    _, growth = derivative_graphs("tanh", 1.0, 5)
    graphs.update({f"tanh order {n}": g for n, g in enumerate(growth) if n >= 3})
    print("\nlayout (numpy, no Graphviz), median ms:")
    for name, g in graphs.items():
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            layout(len(g.kinds), g.edges, direction="TB")
            runs.append(time.perf_counter() - start)
        ms = 1000 * statistics.median(runs)
        print(f"  {name:<14} {len(g.kinds):>4} nodes  {ms:8.1f}")


def main() -> None:
    args = parse()
    from vizlearn.style import Style

    style = Style.from_preset("blog")
    head = ("animation", "frames", "vizlearn s", "full redraw s", "ratio")
    print(f"{head[0]:<24} {head[1]:>6} {head[2]:>11} {head[3]:>14} {head[4]:>6}")
    for name, trace, make in cases(args.data_dir):
        n = make(trace, style=style).n_frames
        times: dict[str, list[float]] = {"blit": [], "full": []}
        blitted(make, trace, style)  # warm caches (fonts, glyphs) for both
        for _ in range(args.repeats):
            for key, fn in (("blit", blitted), ("full", full_redraws)):
                start = time.perf_counter()
                fn(make, trace, style)
                times[key].append(time.perf_counter() - start)
        blit, full = (statistics.median(times[k]) for k in ("blit", "full"))
        print(f"{name:<24} {n:>6} {blit:>11.3f} {full:>14.3f} {full / blit:>6.2f}")
    layout_times(args.repeats)


if __name__ == "__main__":
    main()
