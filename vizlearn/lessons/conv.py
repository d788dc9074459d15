"""A filter sliding over an input: the convolution of "Deep Learning from Scratch" 7.2.

The default is the book's Figure 7-4: the 4 x 4 input ``1 2 3 0 / 0 1 2 3 / 3 0 1
2 / 2 3 0 1`` and the 3 x 3 filter ``2 0 1 / 0 1 2 / 1 0 2``, whose output is ``15
16 / 6 15``. ``--bias 3`` is Figure 7-5, ``--pad 1`` Figure 7-6 and ``--stride
2`` Figure 7-7; ``--channels 3`` stacks planes as Figure 7-8 (the first plane is
the book's, the others small integers drawn from ``--seed``), and ``--input
mnist`` slides the filter over a handwritten digit. The output itself comes from
:class:`vizlearn.core.Convolution`; each frame fills the next output cell(s).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option
from vizlearn.lessons import options as o
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["ConvConfig", "BOOK_INPUT", "FILTERS", "run", "LESSON", "MAX_FRAMES"]

NAME = "conv"
BOOK_INPUT = ((1, 2, 3, 0), (0, 1, 2, 3), (3, 0, 1, 2), (2, 3, 0, 1))
FILTERS = {
    "book": ((2, 0, 1), (0, 1, 2), (1, 0, 2)),
    "vertical-edge": ((1, 0, -1), (1, 0, -1), (1, 0, -1)),
    "horizontal-edge": ((1, 1, 1), (0, 0, 0), (-1, -1, -1)),
    "blur": ((1, 1, 1), (1, 1, 1), (1, 1, 1)),
}
MAX_FRAMES = 100
"""Frames of a large output: several cells are filled per frame beyond this."""


@dataclass(frozen=True)
class ConvConfig(o.DataOptions, o.LessonConfig):
    """Which input and filter, and the padding and stride of the convolution."""

    input: str = option(
        "book",
        "input: the book's 4x4 (Fig. 7-4) or an MNIST digit",
        choices=("book", "mnist"),
    )
    filter: str = option(
        "book", "3x3 filter (book: Figure 7-4's)", choices=tuple(FILTERS)
    )
    pad: int = option(0, "zero padding P around the input", low=0, high=4)
    stride: int = option(1, "stride S: cells the filter moves per step", low=1, high=4)
    bias: float = option(
        0.0, "bias b added to every output (Fig. 7-5: 3)", low=-1e6, high=1e6
    )
    channels: int = option(
        1, "input channels C, drawn as stacked planes (book input only)", low=1, high=4
    )
    digit: int = option(0, "MNIST test image (with --input mnist)", low=0, high=9999)
    frames: int = option(
        0,
        f"animation frames (0: one per output cell, at most {MAX_FRAMES})",
        low=0,
        high=2000,
    )
    seed: int = o.seed("random seed (the extra channels' values)")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.channels > 1 and self.input != "book":
            raise ValueError(
                "--channels needs --input book: MNIST digits have one channel"
            )
        size = (4 if self.input == "book" else 28) + 2 * self.pad
        if size < 3:
            raise ValueError("the 3x3 filter does not fit the padded input")

    def output_size(self) -> int:
        """OH = OW = (H + 2P - FH) // S + 1."""
        size = 4 if self.input == "book" else 28
        return (size + 2 * self.pad - 3) // self.stride + 1

    def n_frames(self) -> int:
        """Frames: one per output cell, or ``frames``, or ``MAX_FRAMES`` at most."""
        cells = self.output_size() ** 2
        return min(cells, self.frames or MAX_FRAMES)


def _input(config: ConvConfig) -> Any:
    """The input ``(C, H, W)``: the book's 4x4 (+ seeded planes) or an MNIST digit."""
    import numpy as np

    if config.input == "mnist":
        from vizlearn.lessons.training import split_for

        split = split_for(config, np.float64, "mnist")
        if config.digit >= len(split.x_test):
            raise ValueError(
                f"--digit must be below the {len(split.x_test)} test images, "
                f"got {config.digit}"
            )
        return split.x_test[config.digit].reshape(1, 28, 28)
    rng = np.random.default_rng(config.seed)
    extra = rng.integers(0, 4, size=(config.channels - 1, 4, 4))
    return np.concatenate([np.array(BOOK_INPUT)[None], extra]).astype(np.float64)


def run(
    config: ConvConfig | None = None, *, on_step: Callable[[int], object] | None = None
) -> Trace:
    """Convolve and record, per frame, how many output cells are filled."""
    import numpy as np

    from vizlearn.core import Convolution
    from vizlearn.trace import Recorder

    config = config or ConvConfig()
    x = _input(config)
    C = len(x)
    W = np.broadcast_to(np.array(FILTERS[config.filter], np.float64), (C, 3, 3)).copy()
    y = Convolution(
        W[None], np.array([config.bias]), config.stride, config.pad
    ).forward(x[None])
    cells, frames = y.size, config.n_frames()
    ends = np.unique(np.round(np.linspace(1, cells, frames)).astype(np.int64))
    meta = {
        "lesson": NAME,
        "config": o.recorded(config),
        "seed": config.seed,
        "step_unit": "cell",
    }
    data = {"x": x, "W": W, "b": np.array([config.bias]), "y": y[0, 0]}
    rec = Recorder(meta=meta, data=data)
    for k, end in enumerate(ends):
        rec.record(k, outputs={"filled": end})
        if on_step is not None:
            on_step(k + 1)
    return rec.freeze()


LESSON = Lesson(
    NAME,
    ConvConfig,
    run,
    description=(
        "a 3x3 filter sliding over an input: each output is a sum of products",
        "畳み込み演算：フィルターをずらしながら積和を計算する",
    ),
    kinds=(
        Kind(
            "slide",
            "vizlearn.render.conv:frames_conv",
            "the filter sliding, the sum of products, the output-size formula",
            animated=True,
        ),
    ),
    source="'Deep Learning from Scratch' 7.2, Figures 7-4 to 7-8",
    steps=lambda config: config.n_frames(),
    frames=lambda config: config.n_frames(),
    gallery=(
        GalleryItem(
            "conv",
            "slide",
            (
                "Convolution as the book draws it: 4x4 input, 3x3 filter, "
                "output 15 16 6 15",
                "畳み込み演算（図 7-4）：4×4 の入力と 3×3 のフィルター、"
                "出力は 15 16 6 15",
            ),
            (
                "A 3x3 window moving over a 4x4 grid of numbers; each step writes "
                "the sum of products into a 2x2 output grid",
                "4×4 の数値の上を 3×3 の窓が動き、"
                "積和の結果が 2×2 の出力に書き込まれる",
            ),
            animated=True,
        ),
        GalleryItem(
            "conv-pad-stride-ja",
            "slide",
            (
                "Padding 1 and stride 2 change the output size (Japanese)",
                "パディング 1・ストライド 2 で出力サイズが変わる",
            ),
            (
                "The 4x4 input framed by zeros, the filter jumping two cells, and the "
                "formula (4 + 2 - 3) / 2 + 1 = 2",
                "0 で囲まれた入力の上をフィルターが 2 マスずつ動き、"
                "出力サイズの式 (4 + 2 − 3) / 2 + 1 = 2 が表示される",
            ),
            options={"pad": 1, "stride": 2},
            style={"lang": "ja"},
            animated=True,
        ),
        GalleryItem(
            "conv-channels",
            "slide",
            (
                "Three input channels as stacked planes: one filter plane per channel",
                "3 チャンネルの入力：チャンネルごとのフィルターの積和を足し合わせる",
            ),
            (
                "Three stacked 4x4 planes and three stacked 3x3 filter planes; the "
                "outputs add the sums of all planes",
                "重なった 3 枚の 4×4 の入力と 3 枚の 3×3 のフィルター。"
                "出力は全チャンネルの積和の合計",
            ),
            options={"channels": 3},
            animated=True,
        ),
    ),
    reads_data=lambda config: config.input == "mnist",
)
