"""Max pooling, forward and backward ("Deep Learning from Scratch" 7.3).

The default is the book's Figure 7-14: 2 x 2 max pooling with stride 2 over the
4 x 4 map ``1 2 1 0 / 0 1 2 3 / 3 0 1 2 / 2 4 0 1``, whose output is ``2 3 / 4
2``. Each forward frame takes one window and keeps its maximum; each backward
frame sends that output's gradient (``0.1, 0.2, ...``, so each is recognisable)
to the one input that was the maximum, and zero to the others. The numbers come
from :class:`vizlearn.core.Pooling` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vizlearn.config import option, to_dict
from vizlearn.lessons import options as o
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["PoolingConfig", "BOOK_MAP", "run", "LESSON"]

NAME = "pooling"
BOOK_MAP = ((1, 2, 1, 0), (0, 1, 2, 3), (3, 0, 1, 2), (2, 4, 0, 1))


@dataclass(frozen=True)
class PoolingConfig(o.LessonConfig):
    """Which feature map, and the pooling window and stride."""

    input: str = option(
        "book",
        "feature map: the book's 4x4 (Fig. 7-14) or random integers",
        choices=("book", "random"),
    )
    size: int = option(
        6, "height = width of a random map", low=2, high=10, flag="--map-size"
    )
    pool: int = option(2, "pooling window (pool x pool)", low=1, high=4)
    stride: int = option(2, "stride of the window", low=1, high=4)
    seed: int = o.seed("random seed (a random map's values)")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.pool > self.map_size():
            raise ValueError(
                f"--pool {self.pool} does not fit a "
                f"{self.map_size()}x{self.map_size()} map"
            )

    def map_size(self) -> int:
        """Height = width of the feature map."""
        return 4 if self.input == "book" else self.size

    def out_size(self) -> int:
        """(H - pool) // stride + 1."""
        return (self.map_size() - self.pool) // self.stride + 1

    def n_frames(self) -> int:
        """One forward and one backward frame per output cell."""
        return 2 * self.out_size() ** 2


def run(
    config: PoolingConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Pool forward, backpropagate a recognisable gradient; one record per frame."""
    import numpy as np

    from vizlearn.core import Pooling
    from vizlearn.trace import Recorder

    config = config or PoolingConfig()
    if config.input == "book":
        x = np.array(BOOK_MAP, np.float64)
    else:
        n = config.size
        x = (
            np.random.default_rng(config.seed)
            .integers(0, 10, (n, n))
            .astype(np.float64)
        )
    layer = Pooling(config.pool, config.pool, stride=config.stride)
    y = layer.forward(x[None, None])[0, 0]
    gy = (np.arange(y.size, dtype=np.float64) + 1).reshape(y.shape) / 10
    dx = layer.backward(gy[None, None])[0, 0]
    data = {
        "x": x,
        "y": y,
        "arg": layer.arg_max[0, 0].astype(np.int64),
        "gy": gy,
        "dx": dx,
    }
    meta = {"lesson": NAME, "config": to_dict(config), "seed": config.seed}
    rec = Recorder(meta=meta, data=data)
    cells = y.size
    for k in range(2 * cells):
        rec.record(k, outputs={"phase": k // cells, "cell": k % cells})
        if on_step is not None:
            on_step(k + 1)
    return rec.freeze()


LESSON = Lesson(
    NAME,
    PoolingConfig,
    run,
    description=(
        "max pooling: each window keeps its maximum; backward sends the gradient there",
        "Max プーリング：窓の最大値を残し、逆伝播では勾配をその位置へ流す",
    ),
    kinds=(
        Kind(
            "steps",
            "vizlearn.render.pooling:frames_pooling",
            "forward window by window, then the gradient routed back",
            animated=True,
        ),
    ),
    source="'Deep Learning from Scratch' 7.3 (Figure 7-14), common/layers.py Pooling",
    steps=lambda config: config.n_frames(),
    frames=lambda config: config.n_frames(),
    gallery=(
        GalleryItem(
            "pooling",
            "steps",
            (
                "2x2 max pooling, stride 2 (Figure 7-14), and its backward pass",
                "2×2 の Max プーリング（ストライド 2、図 7-14）とその逆伝播",
            ),
            (
                "A 2x2 window over a 4x4 map keeps 2, 3, 4 and 2; then each "
                "gradient flows back to the cell that held the maximum",
                "4×4 の上の 2×2 の窓が 2, 3, 4, 2 を残し、逆伝播では各勾配が"
                "最大値の位置に戻る",
            ),
            animated=True,
        ),
        GalleryItem(
            "pooling-ja",
            "steps",
            ("Max pooling (Japanese, dark)", "Max プーリング（プーリング層）"),
            (
                "The same steps with Japanese labels on a dark background",
                "同じ手順を日本語・暗い背景で",
            ),
            style={"lang": "ja", "theme": "dark"},
            animated=True,
        ),
    ),
)
