"""How small can the sin-regression GIF get? vizlearn, the reference and a floor.

Usage::

    python benchmarks/bench_gif_floor.py          # ~1 min: both GIFs, variants, floor

``bench_sin_gif.py`` sets a target of GIF bytes <= 0.15x the tutorial GIF
(FuncAnimation + PillowWriter) at 1200x900 px and 100 frames. This script
shows where vizlearn's bytes go and what no GIF of the same frames can go
below, side by side in one run:

- the reference GIF and vizlearn's default GIF (exact antialiasing shades);
- vizlearn with 63- and 15-colour palettes (``--colors``), and with the lines
  and text drawn without antialiasing (jagged, not blog-ready: an experiment,
  not an option);
- ``gifsicle -O3`` (the best-known GIF optimizer) on vizlearn's GIF, plain and
  lossy, when ``gifsicle`` is on PATH (Debian package ``gifsicle``);
- a floor: the first frame as stored plus, for every later frame, the fewest
  bytes any LZW code stream can take for the rectangle that must be stored
  (the bounding box of the pixels that change), before a single moving pixel
  is coded.

The floor argument: a GIF frame is one rectangle, LZW-coded row after row. The
k-th code of a stream stands for at most k pixels (each dictionary entry is an
older one plus one pixel), so a w x h rectangle needs at least n codes with
n (n + 1) / 2 >= w h, whatever the pixels, and codes are 9 bits or more with a
256-entry palette. A clear code only restarts the string lengths, so it never
lowers the count. Splitting a frame into several rectangles is not an option:
browsers play each rectangle as a frame of its own (at least 20 ms).
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_sin_gif import FRAMES, SIZE, TARGETS, reference

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


def vizlearn_gifs(tmp: Path) -> dict[str, Path]:
    """vizlearn's GIF, with smaller palettes, and without antialiasing."""
    from vizlearn import api
    from vizlearn.style import Style

    trace = api.train("sin-regression", frames=FRAMES)
    style = Style.from_preset("default", width=SIZE[0], height=SIZE[1], dpi=150)
    out = {
        "vizlearn (default)": tmp / "vizlearn.gif",
        "vizlearn --colors 63": tmp / "colors63.gif",
        "vizlearn --colors 15": tmp / "colors15.gif",
        "vizlearn, no antialiasing": tmp / "aliased.gif",
    }
    paths = iter(out.values())
    anim = api.animate(trace, style=style)
    anim.save(next(paths), jobs=1)
    for colors in (63, 15):
        dataclasses.replace(anim, max_colors=colors).save(next(paths), jobs=1)
    aliased = api.animate(trace, style=style)
    for artist in aliased.source.figure.findobj():
        if hasattr(artist, "set_antialiased"):
            artist.set_antialiased(False)
    aliased.save(next(paths), jobs=1)
    return out


def gifsicle(src: Path, tmp: Path) -> dict[str, Path]:
    """``gifsicle -O3`` of ``src``, plain and lossy (empty without gifsicle)."""
    exe = shutil.which("gifsicle")
    if exe is None:
        print("gifsicle not on PATH: its rows are left out", file=sys.stderr)
        return {}
    out = {}
    for label, flags in {
        "gifsicle -O3": ["-O3"],
        "gifsicle -O3 --lossy=80 --colors 32": ["-O3", "--lossy=80", "--colors", "32"],
    }.items():
        dst = tmp / f"gifsicle{len(out)}.gif"
        subprocess.run([exe, *flags, str(src), "-o", str(dst)], check=True)
        out[label] = dst
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        ref = tmp / "reference.gif"
        reference(str(ref))
        gifs = {"reference (FuncAnimation + PillowWriter)": ref}
        gifs |= vizlearn_gifs(tmp)
        gifs |= gifsicle(gifs["vizlearn (default)"], tmp)
        rows = {label: path.stat().st_size for label, path in gifs.items()}
        rows["floor: 1st frame + LZW minimum of each rectangle"] = floor_bytes(
            gifs["vizlearn (default)"]
        )
        ref_bytes = rows[next(iter(rows))]
        print(
            f"sin-regression GIF, {SIZE[0]}x{SIZE[1]} px, {FRAMES} frames; "
            f"target <= {TARGETS['bytes']}x = {TARGETS['bytes'] * ref_bytes / 1e3:.0f}"
            " KB\n"
        )
        print(f"| {'GIF':<50} | {'KB':>6} | {'ratio':>6} |")
        print(f"|{'-' * 52}|{'-' * 8}|{'-' * 8}|")
        for label, size in rows.items():
            print(f"| {label:<50} | {size / 1e3:>6.0f} | {size / ref_bytes:>6.3f} |")


if __name__ == "__main__":
    main()
