"""The book's ``SimpleConvNet`` trained on MNIST (ch. 7, ``ch07/train_convnet.py``).

Defaults are the book's: conv 30 x 5x5 (pad 0, stride 1) - ReLU - 2x2 max pool -
affine 100 - ReLU - affine 10, every weight 0.01 * randn, Adam lr 0.001,
minibatches of 100 (``np.random.choice``, with replacement, as the book's
``Trainer``), 20 epochs. The full 60 000 images take about 15 minutes on two
cores, so the default is the reduced set the script itself suggests
(``x_train[:5000]``, ``x_test[:1000]``; ``--train-size 0 --test-size 0`` for all).
Each epoch records the 30 first-layer filters (W1, the book's Figure 7-24), the
feature maps of one test digit after the convolution and after pooling, and the
loss and accuracy.
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

__all__ = ["CnnConfig", "run", "summary", "LESSON"]

NAME = "cnn"
MNIST_TRAIN = 60_000


@dataclass(frozen=True)
class CnnConfig(o.DataOptions, o.LessonConfig):
    """SimpleConvNet on MNIST, the book's hyper-parameters."""

    epochs: int = option(20, "training epochs (one snapshot each)", low=1, high=200)
    optimizer: str = option("adam", "optimizer", choices=o.OPTIMIZER_NAMES)
    lr: float = o.learning_rate(0.001)
    batch_size: int = o.batch_size(100)
    train_size: int = option(
        5000,
        "training images used (the book's reduced set; 0 = all: 60 000 take "
        "~15 min on 2 cores)",
        low=0,
        high=MNIST_TRAIN,
    )
    test_size: int = option(1000, "test images used (0 = all)", low=0, high=10_000)
    digit: int = option(0, "test image whose feature maps are recorded", low=0)
    dtype: str = option("float32", "float type", choices=("float32", "float64"))
    seed: int = o.seed("random seed (weights, minibatches)")

    @property
    def iters(self) -> int:
        """Updates of the whole run: epochs x ceil(training images / batch)."""
        n = self.split_from_test or MNIST_TRAIN
        n = min(n, self.train_size) if self.train_size else n
        return self.epochs * -(-n // self.batch_size)

    @property
    def frames(self) -> int:
        """Snapshots: before training, then after every epoch."""
        return self.epochs + 1


def run(
    config: CnnConfig | None = None, *, on_step: Callable[[int], object] | None = None
) -> Trace:
    """Train SimpleConvNet; the Trace holds filters and feature maps per epoch."""
    from dataclasses import replace

    import numpy as np

    from vizlearn.core import SimpleConvNet
    from vizlearn.lessons.training import split_for, train_classifier

    config = config or CnnConfig()
    dtype = np.dtype(config.dtype).type
    split = split_for(config, dtype, "mnist")
    split = replace(
        split,
        x_train=split.x_train[: config.train_size or None],
        t_train=split.t_train[: config.train_size or None],
        x_test=split.x_test[: config.test_size or None],
        t_test=split.t_test[: config.test_size or None],
    )
    if config.digit >= len(split.x_test):
        raise ValueError(
            f"--digit must be below the {len(split.x_test)} test images, "
            f"got {config.digit}"
        )
    model = SimpleConvNet(rng=np.random.default_rng(config.seed), dtype=dtype)
    digit = split.x_test[config.digit : config.digit + 1]
    per_epoch = -(-len(split.x_train) // config.batch_size)
    trace = train_classifier(
        model,
        split,
        optimizer=config.optimizer,
        lr=config.lr,
        batch_size=config.batch_size,
        iters=config.epochs * per_epoch,
        frames=config.epochs + 1,
        seed=config.seed,
        meta={"lesson": NAME, "config": o.recorded(config), "seed": config.seed},
        on_step=on_step,
        probe=lambda net: _probe(net, digit),
    )
    data = {
        "digit": digit.reshape(28, 28).astype(np.float64),
        "digit_label": np.int64(split.t_test[config.digit]),
    }
    return replace(trace, data={**trace.data, **data})


def _probe(model: Any, digit: Any) -> dict[str, Any]:
    """The filters and one digit's feature maps at this snapshot."""
    conv, pool = model.features(digit)
    return {"filters": model.conv.W.data, "conv": conv[0], "pool": pool[0]}


def summary(trace: Trace) -> dict[str, Any]:
    """The final numbers of a run: loss, accuracies, epochs."""
    last = {k: round(float(v[-1]), 6) for k, v in trace.metrics.items() if len(v)}
    return {
        "iterations": int(trace.loss_steps[-1]) + 1 if len(trace.loss) else 0,
        "epochs": int(trace.meta.get("config", {}).get("epochs", 0)),
        "final_loss": float(trace.loss[-1]) if len(trace.loss) else None,
        **last,
        "n_train": trace.meta.get("n_train"),
        "n_test": trace.meta.get("n_test"),
        "seed": trace.meta.get("seed"),
        "diverged_at": trace.diverged_at,
    }


_QUICK = {"epochs": 2, "train_size": 300, "test_size": 100}

LESSON = Lesson(
    NAME,
    CnnConfig,
    run,
    description=(
        "the book's SimpleConvNet on MNIST: the filters it learns, feature maps",
        "MNIST で SimpleConvNet を学習：学習したフィルターと特徴マップ",
    ),
    kinds=(
        Kind(
            "filters",
            "vizlearn.render.cnn:frames_filters",
            "the 30 first-layer filters, epoch by epoch",
            animated=True,
        ),
        Kind(
            "before-after",
            "vizlearn.render.cnn:plot_filters",
            "the 30 filters before and after training (Figure 7-24)",
        ),
        Kind(
            "features",
            "vizlearn.render.cnn:plot_features",
            "one digit's feature maps after the convolution and after pooling",
            timed=True,
        ),
        Kind(
            "training",
            "vizlearn.render.classification:frames_training",
            "loss per iteration and train/test accuracy per epoch",
            animated=True,
        ),
    ),
    source="'Deep Learning from Scratch' ch. 7, train_convnet.py / visualize_filter.py",
    default_still="before-after",
    summary=summary,
    steps=lambda config: config.iters,
    frames=lambda config: config.frames,
    gallery=(
        GalleryItem(
            "cnn-filters",
            "before-after",
            (
                "The 30 first-layer filters before and after training (Figure 7-24)",
                "学習前と学習後の 1 層目のフィルター（図 7-24）",
            ),
            (
                "Two grids of 30 small grey squares: random noise before training, "
                "stroke and edge detectors after",
                "30 個の小さな灰色の正方形が 2 組：学習前はランダム、学習後は"
                "エッジや線に反応するフィルター",
            ),
            quick=_QUICK,
        ),
        GalleryItem(
            "cnn-filters-evolution",
            "filters",
            (
                "The filters of SimpleConvNet taking shape, epoch by epoch",
                "エポックごとに形を変える SimpleConvNet のフィルター",
            ),
            (
                "An animation of 30 grey 5x5 filters turning from noise into "
                "edge detectors over 20 epochs",
                "30 個の 5×5 フィルターが 20 エポックでノイズからエッジ検出器に"
                "変わるアニメーション",
            ),
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "cnn-features-ja",
            "features",
            (
                "One digit after the convolution and after pooling (Japanese)",
                "畳み込み層とプーリング層を通った数字の特徴マップ",
            ),
            (
                "A handwritten 7, its 30 feature maps after the convolution, and "
                "the 30 smaller maps after 2x2 max pooling",
                "手書きの 7 と、畳み込み後の 30 枚の特徴マップ、2×2 の Max プーリング"
                "後の 30 枚の小さな特徴マップ",
            ),
            quick=_QUICK,
            style={"lang": "ja"},
        ),
    ),
)
