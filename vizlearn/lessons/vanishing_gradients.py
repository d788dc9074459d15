"""Vanishing gradients: a deep sigmoid network's layers over training.

The tuning sweep's deep network as an animation: 10 sigmoid hidden layers
trained with SGD lr 0.01 on the spiral stay at chance (loss ln 3) because the
gradients reaching the first layers are orders of magnitude smaller than those
of the last; ``--activation relu`` learns. Each snapshot histograms every hidden
layer's output and log10 |dL/dW| on the whole data set.
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

__all__ = ["VanishingConfig", "run", "estimate_bytes", "summary", "LESSON"]

NAME = "vanishing-gradients"
LOG_GRAD_RANGE = (-12.0, 0.0)  # log10 |dL/dW| bins; smaller values go in the first


@dataclass(frozen=True)
class VanishingConfig(o.LessonConfig):
    """A deep network trained on a 2-D set, watched layer by layer."""

    dataset: str = o.dataset("spiral", o.PLANAR_SETS, "2-D data set")
    layers: int = option(10, "hidden layers", low=1, high=30)
    hidden: int = option(100, "units per hidden layer", low=1, high=1000)
    activation: str = o.activation()
    init: str = option(
        "xavier",
        "weight init: xavier, he or a std such as 0.01",
        check=o.parse_weight_init,
    )
    lr: float = o.learning_rate(0.01, "SGD learning rate")
    epochs: int = option(300, "passes over the data", low=1, high=100_000)
    batch_size: int = o.batch_size(30, "examples per update")
    frames: int = o.frames(50)
    bins: int = option(40, "histogram bins", low=2, high=500)
    seed: int = o.seed()

    @property
    def iters(self) -> int:
        """Total updates (the planar sets have 300 points)."""
        return self.epochs * -(-300 // self.batch_size)


def estimate_bytes(config: VanishingConfig) -> int:
    """Memory a run needs (8 bytes per recorded number)."""
    n_params = config.layers * (config.hidden + 1) * config.hidden + 4 * config.hidden
    per_frame = n_params + 3 * config.layers * (config.bins + 2)
    forward = 3 * 300 * config.hidden * config.layers  # a whole-set pass and its copy
    return 8 * (config.frames * per_frame + config.iters + forward + 3 * n_params)


def run(
    config: VanishingConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train the deep network; record per-layer histograms at each snapshot.

    Outputs per snapshot: ``activations`` ``(layers, bins)`` over
    ``data["act_edges"]``, ``log_grad`` ``(layers, bins)`` histograms of
    log10 |dL/dW| over ``data["grad_edges"]``, ``grad_mean`` ``(layers,)`` the
    mean |dL/dW| per layer, and ``data_loss`` / ``accuracy`` on the whole set.
    """
    import numpy as np

    from vizlearn.core import MLP, SGD
    from vizlearn.core.samplers import epoch_shuffle
    from vizlearn.datasets.planar import PLANAR
    from vizlearn.fitting import fit, snapshot_steps
    from vizlearn.lessons.training import ACT_RANGES
    from vizlearn.trace import Recorder

    config = config or VanishingConfig()
    data = PLANAR[config.dataset](seed=config.seed)
    rng = np.random.default_rng(config.seed)
    n_classes = int(data.t.max()) + 1
    sizes = [2, *[config.hidden] * config.layers, n_classes]
    model = MLP(
        sizes,
        activation=config.activation,
        weight_std=o.parse_weight_init(config.init),
        rng=rng,
    )
    low, high = ACT_RANGES[config.activation]
    act_edges = np.linspace(
        low, 2.0 if config.activation == "relu" else high, config.bins + 1
    )
    grad_edges = np.linspace(*LOG_GRAD_RANGE, config.bins + 1)
    relu = config.activation == "relu"
    meta = {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": config.seed,
        "iters": config.iters,
        "n_classes": n_classes,
        "iters_per_epoch": config.iters // config.epochs,
        "init": o.init_name(o.parse_weight_init(config.init)),
    }
    recorder = Recorder(
        meta=meta, data={"act_edges": act_edges, "grad_edges": grad_edges}
    )
    return fit(
        model,
        data,
        optimizer=SGD(config.lr),
        iters=config.iters,
        record_at=snapshot_steps(config.iters, config.frames),
        loss="softmax_cross_entropy",
        probe=lambda m: _layer_stats(m, data, act_edges, grad_edges, relu),
        batches=epoch_shuffle(len(data), config.batch_size, rng),
        recorder=recorder,
        on_step=on_step,
    )


def _layer_stats(m, data, act_edges, grad_edges, relu: bool) -> dict:
    """Histograms of every hidden layer's output and of log10 |dL/dW| (whole set)."""
    import numpy as np

    from vizlearn.core import softmax_cross_entropy
    from vizlearn.lessons.training import activation_histogram

    # fit() probes before the step's forward pass, so running backward here
    # (on the whole set) cannot disturb the training step's gradients
    x, acts = data.x, []
    for layer in m.layers:
        x = layer.forward(x)
        if layer not in m.linears:
            acts.append(x)
    loss, gy = softmax_cross_entropy(x, data.t)
    m.backward(gy)
    grads = [np.abs(lin.W.grad) for lin in m.linears[:-1]]  # the hidden layers'
    act_counts, act_zero, act_over = zip(
        *(activation_histogram(a, act_edges, relu) for a in acts), strict=True
    )
    lo, hi = grad_edges[0], grad_edges[-1]  # exact zeros are counted apart
    grad_counts = [
        np.histogram(np.clip(np.log10(g[g > 0]), lo, hi), grad_edges)[0] for g in grads
    ]
    return {
        "activations": act_counts,
        "act_zero": act_zero,
        "act_over": act_over,
        "log_grad": grad_counts,
        "grad_zero": [float(np.mean(g == 0)) for g in grads],
        "grad_mean": [float(g.mean()) for g in grads],
        "data_loss": loss,
        "accuracy": float(np.mean(x.argmax(axis=1) == data.t)),
    }


def summary(trace: Trace) -> dict[str, object]:
    """Final loss and accuracy, and the mean |dL/dW| of the first and last layer."""
    out = trace.outputs
    grad = out["grad_mean"][-1]
    return {
        "iterations": int(trace.steps[-1]),
        "final_loss": float(out["data_loss"][-1]),
        "final_accuracy": float(out["accuracy"][-1]),
        "seed": trace.meta["seed"],
        "diverged_at": trace.diverged_at,
        "mean_abs_grad_first_layer": float(grad[0]),
        "mean_abs_grad_last_layer": float(grad[-1]),
    }


LESSON = Lesson(
    NAME,
    VanishingConfig,
    run,
    description=(
        "why a deep sigmoid network stops learning, layer by layer",
        "深いシグモイドネットワークが学習しない理由を層ごとに見る（勾配消失）",
    ),
    kinds=(
        Kind(
            "histograms",
            "vizlearn.render.histograms:frames_vanishing",
            "per-layer activation and gradient histograms over training",
            animated=True,
        ),
    ),
    source="the Keras tuning tutorial's deep sigmoid network; "
    "'Deep Learning from Scratch' ch. 6.2",
    summary=summary,
    estimate=estimate_bytes,
    gallery=(
        GalleryItem(
            "vanishing-gradients",
            "histograms",
            (
                "Vanishing gradients: per-layer activations and gradients of a "
                "10-layer sigmoid net over training",
                "勾配消失：10層のシグモイドネットワークの層ごとの"
                "アクティベーションと勾配の推移",
            ),
            (
                "Animation: histograms per layer; the gradients reaching the first "
                "layers stay orders of magnitude smaller",
                "アニメーション：層ごとのヒストグラム。"
                "入力側の層に届く勾配は桁違いに小さいまま",
            ),
            options={"frames": 30},
            quick={"epochs": 2, "frames": 3, "layers": 4, "hidden": 20},
            animated=True,
        ),
    ),
)
