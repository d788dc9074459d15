"""DeZero's sin regression: a 1-10-1 sigmoid network fits y = sin(2 pi x) + noise.

The defaults are the lesson's: N = 100, x ~ U(0, 1), y = sin(2 pi x) + U(0, 1),
W ~ 0.01 randn, b = 0, MSE, full-batch gradient descent with lr 0.2 for
10 000 iterations. The loss sits on a plateau for thousands of iterations,
then drops as the sigmoids find the two bends of the sine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vizlearn.config import option, to_dict
from vizlearn.lessons.kinds import REGRESSION_KINDS
from vizlearn.lessons.options import RegressionNetOptions
from vizlearn.lessons.record import GalleryItem, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["SinRegressionConfig", "run", "estimate_bytes", "GRID_POINTS", "LESSON"]

NAME = "sin-regression"
GRID_POINTS = 200


@dataclass(frozen=True)
class SinRegressionConfig(RegressionNetOptions):
    """Everything that defines a sin-regression run."""

    n: int = option(100, "number of data points", low=1, high=1_000_000)
    noise: float = option(
        1.0, "width of the U(0, noise) noise added to sin(2πx)", low=0, high=1e6
    )


def estimate_bytes(config: SinRegressionConfig) -> int:
    """Memory a run needs: activations of a full batch plus the recorded snapshots."""
    n_params = 3 * config.hidden + 1
    forward = 8 * config.n * config.hidden * 6  # pre-activations, outputs, grads
    trace = 8 * (config.iters + config.frames * (n_params + config.n + GRID_POINTS))
    return forward + trace


def run(
    config: SinRegressionConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train the network and return its Trace (loss, W1..b2, curve, residuals)."""
    import numpy as np

    from vizlearn.datasets.toy import sin_regression
    from vizlearn.lessons.training import train_regression
    from vizlearn.trace import Recorder

    config = config or SinRegressionConfig()
    # the book's stream: np.random.seed(seed), then rand, rand, randn, randn
    rng = np.random.RandomState(config.seed)
    data = sin_regression(config.n, noise=config.noise, rng=rng)
    grid = np.linspace(0.0, 1.0, GRID_POINTS)

    def probe(m) -> dict:
        return {"curve": m(grid[:, None])[:, 0], "fit": m(data.x)[:, 0]}

    truth = np.sin(2 * np.pi * grid) + config.noise / 2  # E[y | x]
    meta = {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": config.seed,
        "task": "regression",
    }
    arrays = {"x": data.x[:, 0], "t": data.t[:, 0], "grid": grid, "truth": truth}
    recorder = Recorder(meta=meta, data=arrays)
    return train_regression(config, data, rng, probe, recorder, on_step)


_QUICK = {"iters": 600, "frames": 8}

LESSON = Lesson(
    NAME,
    SinRegressionConfig,
    run,
    description=(
        "DeZero's 1-10-1 sigmoid net fitting y = sin(2πx) + noise",
        "DeZero の 1-10-1 シグモイドネットワークで y = sin(2πx) + ノイズを回帰",
    ),
    kinds=REGRESSION_KINDS,
    source="DeZero step 43 (neural network regression of sin data)",
    estimate=estimate_bytes,
    gallery=(
        GalleryItem(
            "sin-regression",
            "regression",
            (
                "Sin regression: the curve and its residuals during training, "
                "loss below",
                "sin 関数の回帰：学習中の回帰曲線と残差（下は損失関数）",
            ),
            (
                "Animation: a red curve bends to follow noisy points of a sine "
                "wave while the loss falls",
                "アニメーション：赤い曲線が学習とともに sin 波の"
                "データ点に沿って曲がり、損失が下がっていく",
            ),
            quick=_QUICK,
            animated=True,
            player=True,
        ),
        GalleryItem(
            "fit",
            "fit",
            (
                "The final fit: data, trained curve and residuals",
                "学習後の回帰曲線：データ、学習した曲線と残差",
            ),
            (
                "Noisy points of a sine wave with the trained red curve through them",
                "sin 波のノイズ付きデータ点と、それに沿う学習後の赤い曲線",
            ),
            quick=_QUICK,
        ),
        GalleryItem(
            "loss",
            "loss",
            (
                "Loss per iteration (log scale): a long plateau, then a drop",
                "学習回数ごとの損失関数（対数軸）：長い停滞のあと急に下がる",
            ),
            (
                "A log-scale loss curve, flat for thousands of iterations, "
                "then falling",
                "対数軸の損失曲線。数千回は横ばいで、その後下がる",
            ),
            quick=_QUICK,
            view={"log": True},
        ),
        GalleryItem(
            "params",
            "params",
            (
                "Every weight and bias during training, one panel per tensor",
                "学習中のすべての重みとバイアス（テンソルごとに1枚）",
            ),
            (
                "Four panels of lines, W1, b1, W2 and b2, drifting as training "
                "proceeds",
                "W1、b1、W2、b2 の4枚のパネル。学習につれて各線が動いていく",
            ),
            quick=_QUICK,
        ),
        GalleryItem(
            "fit-ja-dark",
            "fit",
            (
                "The final fit in Japanese on a dark background",
                "学習後の回帰曲線（日本語、ダークテーマ）",
            ),
            (
                "The final fit drawn with Japanese labels on a dark background",
                "日本語のラベルとダークテーマで描いた学習後の回帰曲線",
            ),
            quick=_QUICK,
            style={"lang": "ja", "theme": "dark"},
        ),
        GalleryItem(
            "data",
            "data",
            (
                "The lesson's data: 100 points of y = sin(2πx) + noise",
                "授業のデータ：y = sin(2πx) + ノイズ の 100 点",
            ),
            (
                "A scatter of 100 points along one period of a sine wave, shifted "
                "up by the noise",
                "sin 波 1 周期に沿った 100 個の点の散布図（ノイズの分だけ上にずれる）",
            ),
        ),
        GalleryItem(
            "sin-regression-book",
            "regression",
            (
                "The same training in the lesson's own look (iter, lr and loss "
                "in the title)",
                "同じ学習を授業の図のスタイルで（タイトルに iter、lr、loss）",
            ),
            (
                "Animation: a plain matplotlib plot titled Neural Network; a red "
                "predict line bends through blue points, dotted residuals",
                "アニメーション：Neural Network と題した素の matplotlib の図。"
                "赤い predict の線が青い点に沿って曲がり、点線の残差が縮む",
            ),
            quick=_QUICK,
            view={"look": "book"},
            animated=True,
        ),
        GalleryItem(
            "loss-book",
            "loss",
            (
                "The loss as the lesson plots it: Mean Squared Error, lr=0.2",
                "授業の図のスタイルの損失：Mean Squared Error, lr=0.2",
            ),
            (
                "A plain line chart of the mean squared error falling from 0.85 "
                "to 0.077 over 10 000 iterations",
                "平均二乗誤差が 10 000 回で 0.85 から 0.077 に下がる素の折れ線グラフ",
            ),
            quick=_QUICK,
            view={"look": "book"},
        ),
        GalleryItem(
            "params-w1-book",
            "params",
            (
                "W1 alone, one line per weight (w_0 ... w_9), as the lesson plots it",
                "W1 だけを重みごとに 1 本ずつ（w_0 ... w_9）、授業の図のスタイルで",
            ),
            (
                "Ten lines, one per first-layer weight, moving apart as the "
                "network learns the two bends of the sine",
                "1 層目の 10 個の重みの線。sin の 2 つの曲がりを学ぶにつれて離れていく",
            ),
            quick=_QUICK,
            view={"look": "book", "tensor": "W1"},
        ),
    ),
)
