"""The LZW floor that benchmarks/bench_gif_floor.py argues from holds for Pillow."""

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import GifImagePlugin, Image

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from bench_gif_floor import lzw_floor  # noqa: E402


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
