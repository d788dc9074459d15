"""Benchmark vizlearn's animation writer against Pillow's plain ``save_all``.

Usage::

    python benchmarks/bench_gif_encoder.py             # GIF: vizlearn vs Pillow
    python benchmarks/bench_gif_encoder.py --mapping   # frame -> palette indices
    python benchmarks/bench_gif_encoder.py --memory    # peak RSS, 100 vs 1000 frames
    python benchmarks/bench_gif_encoder.py --webp      # WebP methods, APNG

The frames are a synthetic chart (white background, grey grid, black text
blocks, an antialiased blue curve that moves and an orange curve that grows),
made with numpy so that no matplotlib time is measured.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from vizlearn.export.animated import save_animation
from vizlearn.export.palette import build_palette

BLUE = np.array([31, 119, 180], np.float32)
ORANGE = np.array([255, 127, 14], np.float32)


def chart_frame(
    k: int, n: int, height: int = 900, width: int = 1200
) -> NDArray[np.uint8]:
    """Return frame ``k`` of ``n`` of the synthetic chart, RGBA (H, W, 4)."""
    rgb = np.full((height, width, 3), 255, np.float32)
    rgb[::60] = rgb[:, ::80] = 176  # grid
    for x in range(40, width - 200, 300):  # "text"
        rgb[20:40, x : x + 150] = 0
        rgb[24:36:4, x + 2 : x + 148 : 5] = 255
    x = np.arange(width, dtype=np.float32)
    rows = np.arange(height, dtype=np.float32)[:, None]
    moving = height / 2 + height / 4 * np.sin(x / 90 + k * 0.2)
    growing = height - 60 - (height - 200) * np.exp(-x / 300)
    growing[x > (k + 1) * width / n] = np.nan
    for curve, color in ((moving, BLUE), (growing, ORANGE)):
        cover = np.clip(2.0 - np.abs(rows - curve[None, :]), 0, 1)
        cover = np.nan_to_num(cover)[..., None]
        rgb = rgb * (1 - cover) + color * cover
    out = np.empty((height, width, 4), np.uint8)
    out[..., :3] = np.rint(rgb)
    out[..., 3] = 255
    return out


def frames(n: int, height: int = 900, width: int = 1200) -> Iterator[NDArray[np.uint8]]:
    """Yield the ``n`` frames lazily."""
    return (chart_frame(k, n, height, width) for k in range(n))


def median_time(run: Callable[[], object], repeats: int = 3) -> float:
    """Return the median wall time of ``run`` in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_gif(n: int = 100) -> None:
    """Compare time and size of the vizlearn GIF writer and Pillow's save_all."""
    stack = [chart_frame(k, n) for k in range(n)]  # pre-made: time only encoding
    with tempfile.TemporaryDirectory() as folder:
        ours, theirs = Path(folder, "ours.gif"), Path(folder, "pillow.gif")

        def run_ours() -> None:
            save_animation(
                ours, iter(stack), durations_ms=40, palette_frames=[stack[0], stack[-1]]
            )

        def run_pillow() -> None:
            images = (Image.fromarray(f[..., :3]) for f in stack[1:])
            Image.fromarray(stack[0][..., :3]).save(
                theirs, save_all=True, append_images=images, duration=40, loop=0
            )

        t_ours, t_pillow = median_time(run_ours), median_time(run_pillow)
        b_ours, b_pillow = ours.stat().st_size, theirs.stat().st_size
    print(f"{n} frames 1200x900, median of 3")
    print(f"vizlearn: {t_ours:7.2f} s {b_ours / 1e6:8.2f} MB")
    print(f"pillow:   {t_pillow:7.2f} s {b_pillow / 1e6:8.2f} MB")
    print(
        f"ratio vizlearn/pillow: time {t_ours / t_pillow:.2f}, "
        f"size {b_ours / b_pillow:.2f}"
    )


def bench_mapping() -> None:
    """Time mapping one frame to the palette: lookup table vs Pillow quantize."""
    first, last, middle = (chart_frame(k, 100) for k in (0, 99, 50))
    start = time.perf_counter()
    palette = build_palette([first, last])
    print(
        f"build_palette: {time.perf_counter() - start:.3f} s, "
        f"{len(palette.colors)} colours"
    )
    image = Image.new("P", (1, 1))
    image.putpalette(palette.colors.tobytes())

    def pillow() -> object:
        rgb = Image.fromarray(middle[..., :3])
        return rgb.quantize(palette=image, dither=Image.Dither.NONE)

    t_lut = median_time(lambda: palette.index(middle, transparent=False), 21)
    t_pil = median_time(pillow, 21)
    wrong = palette.colors[np.asarray(pillow())] != first[..., :3]
    print(
        f"lookup table: {t_lut * 1e3:.1f} ms/frame; Pillow quantize: "
        f"{t_pil * 1e3:.1f} ms/frame"
    )
    lut_first = palette.colors[palette.index(first, transparent=False)]
    print(
        "pixels of frame 0 whose colour changed: table",
        int((lut_first != first[..., :3]).any(-1).sum()),
        "Pillow",
        int(wrong.any(-1).sum()),
        "of",
        first.shape[0] * first.shape[1],
    )


def memory_child(n: int, fmt: str) -> None:
    """Write ``n`` lazily made 800x600 frames and print the peak RSS in MiB."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, f"out.{fmt}")
        save_animation(path, frames(n, 600, 800), durations_ms=40)
        size = path.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{fmt} {n} frames 800x600: peak RSS {peak:.0f} MiB, file {size / 1e6:.1f} MB"
    )


def bench_memory() -> None:
    """Run `memory_child` in fresh processes for 100 and 1000 frames."""
    for fmt, counts in (
        ("gif", (1, 100, 1000)),
        ("webp", (100, 300)),
        ("png", (100, 300)),
    ):
        for n in counts:
            subprocess.run(
                [sys.executable, __file__, "--memory-child", str(n), fmt], check=True
            )


def bench_webp(n: int = 30) -> None:
    """Time and size of lossless WebP per (method, quality), and of APNG."""
    import vizlearn.export.animated as animated

    stack = [chart_frame(k, n) for k in range(n)]
    chosen = animated.WEBP_METHOD, animated.WEBP_QUALITY
    with tempfile.TemporaryDirectory() as folder:
        for method, quality in ((0, 80), (1, 0), (2, 0), (2, 50), (4, 80)):
            animated.WEBP_METHOD, animated.WEBP_QUALITY = method, quality
            path = Path(folder, "a.webp")
            seconds = median_time(
                lambda p=path: save_animation(p, iter(stack), durations_ms=40)
            )
            mark = " (used)" if (method, quality) == chosen else ""
            print(
                f"webp method {method} quality {quality:3}: {seconds:5.2f} s "
                f"{path.stat().st_size / 1e6:5.2f} MB{mark}"
            )
        path = Path(folder, "a.png")
        seconds = median_time(
            lambda: save_animation(path, iter(stack), durations_ms=40)
        )
        print(f"apng: {seconds:5.2f} s {path.stat().st_size / 1e6:5.2f} MB")
    print(f"({n} frames 1200x900, median of 3)")


def main() -> None:
    """Parse the command line and run the chosen benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--mapping", action="store_true")
    group.add_argument("--memory", action="store_true")
    group.add_argument("--webp", action="store_true")
    group.add_argument("--memory-child", nargs=2, metavar=("N", "FMT"))
    args = parser.parse_args()
    if args.mapping:
        bench_mapping()
    elif args.memory:
        bench_memory()
    elif args.webp:
        bench_webp()
    elif args.memory_child:
        memory_child(int(args.memory_child[0]), args.memory_child[1])
    else:
        bench_gif()


if __name__ == "__main__":
    main()
