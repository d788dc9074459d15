"""The same sin-regression frames through every GIF encoder: bytes, time, PSNR.

Usage::

    python benchmarks/bench_gif_floor.py                 # 1200x900, 100 frames
    python benchmarks/bench_gif_floor.py --size 640x480

vizlearn renders the frames once; then, side by side in one run:

- vizlearn's writer (`Animation.save`, --jobs 1 so the time is comparable);
- Pillow ``save_all`` (its own adaptive palette per frame, ``optimize``);
- ffmpeg ``palettegen`` + ``paletteuse`` (no dithering; the system ffmpeg or
  imageio-ffmpeg's);
- ``gifsicle -O3`` of vizlearn's GIF (time: gifsicle's alone);
- the ``gif`` package (``gif.save``: Pillow underneath).

PSNR is over every pixel of every frame as a decoder shows it (Pillow
decodes), against the rendered RGB frames; "exact" is the share of pixels
shown with their own colour. Also printed: the LZW floor (first frame plus the
fewest bytes any LZW stream can take for each later frame's rectangle).
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from vizlearn.export.readback import gif_frames

HEADER = 8 + 10 + 1 + 1  # control extension, descriptor, code size, terminator


def lzw_floor(area: int, code_size: int = 8) -> int:
    """Fewest bytes of a frame record whose LZW stream covers ``area`` pixels."""
    n = math.ceil((math.sqrt(8 * area + 1) - 1) / 2)  # n (n + 1) / 2 >= area
    first = (1 << code_size) + 2  # clear and end codes come first
    bits = 2 * (code_size + 1)  # the clear code and the end code, at least
    for j in range(n):  # code j is read when the next free entry is first + j - 1
        bits += max(code_size + 1, (first + j - 1).bit_length())
    payload = -(-bits // 8)
    return HEADER + payload + -(-payload // 255)


def floor_bytes(path: Path) -> int:
    """The first frame as stored plus the LZW floor of every later rectangle."""
    first, *rest = gif_frames(path.read_bytes())
    return first.n_bytes + sum(lzw_floor(f.box[2] * f.box[3]) for f in rest)


def animation(size: tuple[int, int], frames: int):
    from vizlearn import api
    from vizlearn.style import Style

    trace = api.train("sin-regression", frames=frames)
    style = Style.from_preset("default", width=size[0], height=size[1], dpi=150)
    style = style if size[0] >= 1000 else Style(width=size[0], height=size[1])
    return api.animate(trace, style=style, hold_last_ms=0)


def psnr(path: Path, truth: list[np.ndarray]) -> tuple[float, float]:
    """PSNR (dB) and exact share over all frames as decoded."""
    se, exact, n = 0.0, 0, 0
    with Image.open(path) as im:
        for k, want in enumerate(truth):
            im.seek(k)
            got = np.asarray(im.convert("RGB"), np.int32)
            se += float(((got - want) ** 2).sum())
            exact += int((got == want).all(axis=2).sum())
            n += want.shape[0] * want.shape[1]
    mse = se / (3 * n)
    return (99.0 if mse == 0 else 10 * math.log10(255**2 / mse)), exact / n


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def encoders(anim, truth: list[np.ndarray], tmp: Path) -> dict[str, tuple[Path, float]]:
    out: dict[str, tuple[Path, float]] = {}
    viz = tmp / "vizlearn.gif"
    out["vizlearn (Animation.save, --jobs 1)"] = (
        viz,
        timed(lambda: anim.save(viz, jobs=1)),
    )
    images = [Image.fromarray(f) for f in truth]
    pil = tmp / "pillow.gif"
    out["Pillow save_all(optimize=True)"] = (
        pil,
        timed(
            lambda: images[0].save(
                pil,
                save_all=True,
                append_images=images[1:],
                duration=100,
                loop=0,
                optimize=True,
            )
        ),
    )
    ff = tmp / "ffmpeg.gif"
    out["ffmpeg palettegen + paletteuse"] = (ff, timed(lambda: _ffmpeg(truth, ff)))
    exe = shutil.which("gifsicle")
    if exe:
        o3 = tmp / "gifsicle.gif"
        out["gifsicle -O3 of vizlearn's GIF"] = (
            o3,
            timed(
                lambda: subprocess.run(
                    [exe, "-O3", str(viz), "-o", str(o3)], check=True
                )
            ),
        )
    try:
        import gif

        pkg = tmp / "gif-package.gif"
        out["gif package (gif.save)"] = (
            pkg,
            timed(lambda: gif.save(images, str(pkg), duration=100)),
        )
    except ImportError:
        print("the gif package is not installed: its row is left out", file=sys.stderr)
    return out


def _ffmpeg(truth: list[np.ndarray], path: Path) -> None:
    exe = shutil.which("ffmpeg")
    if exe is None:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    h, w = truth[0].shape[:2]
    graph = "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=none"
    cmd = [
        exe,
        "-v",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{w}x{h}",
        "-r",
        "10",
        "-i",
        "-",
        "-filter_complex",
        graph,
        str(path),
    ]
    subprocess.run(cmd, input=b"".join(f.tobytes() for f in truth), check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1200x900")
    parser.add_argument("--frames", type=int, default=100)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    anim = animation(size, args.frames)
    truth = [np.ascontiguousarray(f[..., :3]) for f in anim.source.rgba()]
    with tempfile.TemporaryDirectory() as name:
        rows = encoders(anim, truth, Path(name))
        viz_bytes = rows["vizlearn (Animation.save, --jobs 1)"][0].stat().st_size
        print(f"sin-regression GIF, {size[0]}x{size[1]} px, {args.frames} frames\n")
        print(
            f"| {'encoder':<38} | {'KB':>6} | {'x vizlearn':>10} | {'s':>6} | "
            f"{'PSNR dB':>7} | {'exact':>7} |"
        )
        print(f"|{'-' * 40}|{'-' * 8}|{'-' * 12}|{'-' * 8}|{'-' * 9}|{'-' * 9}|")
        for label, (path, seconds) in rows.items():
            db, exact = psnr(path, truth)
            n = path.stat().st_size
            print(
                f"| {label:<38} | {n / 1e3:>6.0f} | {n / viz_bytes:>10.3f} | "
                f"{seconds:>6.2f} | {db:>7.1f} | {exact:>7.2%} |"
            )
        floor = floor_bytes(rows["vizlearn (Animation.save, --jobs 1)"][0])
        print(f"\nLZW floor of vizlearn's rectangles: {floor / 1e3:.0f} KB")


if __name__ == "__main__":
    main()
