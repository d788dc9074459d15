"""The LZW floor that benchmarks/bench_gif_floor.py argues from holds for Pillow."""

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import GifImagePlugin, Image

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from bench_gif_floor import frame_rects, lzw_floor  # noqa: E402


def pillow_record(tile: np.ndarray) -> int:
    """Bytes of the GIF frame record Pillow writes for a tile of palette indices."""
    image = Image.fromarray(tile, "L")
    return len(b"".join(GifImagePlugin.getdata(image, duration=100, transparency=255)))


@pytest.mark.parametrize("shape", [(1, 1), (30, 40), (829, 1036)])
def test_a_uniform_tile_meets_the_floor_and_nothing_goes_below(shape):
    uniform = np.full(shape, 255, np.uint8)
    assert (
        lzw_floor(uniform.size)
        <= pillow_record(uniform)
        <= 1.02 * lzw_floor(uniform.size) + 4
    )
    rng = np.random.default_rng(0)
    sparse = uniform.copy()
    sparse.flat[rng.choice(sparse.size, sparse.size // 50 + 1)] = rng.integers(
        0, 255, sparse.size // 50 + 1
    )
    assert pillow_record(sparse) >= lzw_floor(sparse.size)


def test_frame_rects_reads_each_frame_rectangle_and_its_bytes(tmp_path):
    frames = [Image.new("L", (40, 30), 0), Image.new("L", (40, 30), 0)]
    frames[1].paste(200, (5, 6, 15, 10))
    path = tmp_path / "two.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    rects = frame_rects(path)
    assert [r[:2] for r in rects] == [(40, 30), (10, 4)]
    assert all(r[2] > 18 for r in rects)  # control extension and descriptor
    assert sum(r[2] for r in rects) < path.stat().st_size - 13  # minus header
