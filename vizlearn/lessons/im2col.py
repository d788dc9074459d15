"""im2col: a convolution as one matrix product ("Deep Learning from Scratch" 7.4).

The default is the book's example: an input of shape (1, 3, 7, 7) and 5 x 5
filters give a column matrix of shape (9, 75), one row per window
(``common/util.py``'s ``im2col``). The animation takes the windows one by one
into the rows, then the filters into the columns of the filter matrix
(``W.reshape(FN, -1).T``), multiplies, and reshapes the product back into
``(N, FN, OH, OW)``. Every matrix comes from :mod:`vizlearn.core.conv`.
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

__all__ = ["Im2colConfig", "run", "LESSON", "PHASES"]

NAME = "im2col"
PHASES = ("rows", "columns", "product", "reshape")
MAX_ROWS = 64


@dataclass(frozen=True)
class Im2colConfig(o.LessonConfig):
    """The shapes: batch, channels, image size, filters (the book's defaults)."""

    batch: int = option(1, "images N in the batch", low=1, high=4)
    channels: int = option(3, "channels C of each image", low=1, high=4)
    size: int = option(
        7, "height = width H of each image", low=2, high=16, flag="--image-size"
    )
    filter_size: int = option(5, "filter height = width FH", low=1, high=7)
    filter_num: int = option(
        2, "filters FN (columns of the filter matrix)", low=1, high=6
    )
    stride: int = option(1, "stride S", low=1, high=4)
    pad: int = option(0, "zero padding P", low=0, high=3)
    seed: int = o.seed("random seed (input and filter values)")

    def __post_init__(self) -> None:
        super().__post_init__()
        span = self.size + 2 * self.pad - self.filter_size
        if span < 0:
            raise ValueError(
                f"--filter-size {self.filter_size} does not fit --image-size "
                f"{self.size} with --pad {self.pad}"
            )
        if self.rows() > MAX_ROWS:
            raise ValueError(
                f"im2col would have {self.rows()} rows; at most {MAX_ROWS} are drawn "
                "(use a smaller --batch or --size, or a larger --stride)"
            )

    def out_size(self) -> int:
        """OH = (H + 2P - FH) // S + 1."""
        return (self.size + 2 * self.pad - self.filter_size) // self.stride + 1

    def rows(self) -> int:
        """Rows of the column matrix: N x OH x OW."""
        return self.batch * self.out_size() ** 2

    def n_frames(self) -> int:
        """One frame per row, one per filter, then the product and the reshape."""
        return self.rows() + self.filter_num + 2


def run(
    config: Im2colConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Compute im2col, the filter matrix and their product; one record per frame."""
    import numpy as np

    from vizlearn.core import Convolution, im2col
    from vizlearn.trace import Recorder

    config = config or Im2colConfig()
    rng = np.random.default_rng(config.seed)
    N, C, H, FN, FH = (
        config.batch,
        config.channels,
        config.size,
        config.filter_num,
        config.filter_size,
    )
    x = rng.integers(0, 10, size=(N, C, H, H)).astype(np.float64)
    W = rng.integers(-2, 3, size=(FN, C, FH, FH)).astype(np.float64)
    col = im2col(x, FH, FH, config.stride, config.pad)
    out = Convolution(W, np.zeros(FN), config.stride, config.pad).forward(x)
    data = {"x": x, "W": W, "col": col, "col_W": W.reshape(FN, -1).T, "out": out}
    meta = {"lesson": NAME, "config": to_dict(config), "seed": config.seed}
    rec = Recorder(meta=meta, data=data)
    frames = [(0, r) for r in range(len(col))] + [(1, f) for f in range(FN)]
    for k, (phase, index) in enumerate([*frames, (2, 0), (3, 0)]):
        rec.record(k, outputs={"phase": phase, "index": index})
        if on_step is not None:
            on_step(k + 1)
    return rec.freeze()


LESSON = Lesson(
    NAME,
    Im2colConfig,
    run,
    description=(
        "im2col: windows become rows, filters columns, convolution one product",
        "im2col：窓を行に、フィルターを列に並べて畳み込みを 1 回の行列積に",
    ),
    kinds=(
        Kind(
            "steps",
            "vizlearn.render.im2col:frames_im2col",
            "windows to rows, filters to columns, the product reshaped back",
            animated=True,
        ),
    ),
    source="'Deep Learning from Scratch' 7.4.3, common/util.py im2col",
    steps=lambda config: config.n_frames(),
    frames=lambda config: config.n_frames(),
    gallery=(
        GalleryItem(
            "im2col",
            "steps",
            (
                "im2col: (1, 3, 7, 7) becomes a (9, 75) matrix, the filters (75, 2)",
                "im2col：(1, 3, 7, 7) の入力が (9, 75) の行列に、"
                "フィルターは (75, 2) に",
            ),
            (
                "A 5x5x3 window moving over three stacked 7x7 planes while each "
                "position fills one row of a 9 by 75 matrix; then the product",
                "3 枚重ねの 7×7 の上を 5×5×3 の窓が動き、位置ごとに 9×75 の行列の"
                "1 行が埋まる。最後に行列積",
            ),
            animated=True,
        ),
        GalleryItem(
            "im2col-ja",
            "steps",
            (
                "im2col in Japanese, dark theme",
                "im2col による畳み込みの展開（ダークテーマ）",
            ),
            (
                "The same im2col steps with Japanese labels on a dark background",
                "同じ im2col の手順を日本語・暗い背景で",
            ),
            style={"lang": "ja", "theme": "dark"},
            animated=True,
        ),
    ),
)
