"""Decision boundaries: a small network learns to separate 2-D classes.

The defaults follow DeZero's spiral example (step 48): 3 interleaved spiral
arms, one hidden layer of 10 sigmoid units (W ~ randn * sqrt(1 / fan_in), as
DeZero's ``Linear``), softmax cross-entropy, SGD with lr 1.0, batches of 30
drawn by a fresh shuffle each epoch, 300 epochs.

At each snapshot the trace records the predicted class and its probability on
a grid over the data (``outputs["classes"]``, ``outputs["confidence"]``, both
``(frames, grid, grid)``), the loss and accuracy on the whole data set, and
with ``units=True`` every first-layer hidden unit's output on a coarser grid
(``outputs["units"]``, ``(frames, hidden, units_grid, units_grid)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option, to_dict
from vizlearn.lessons.options import LessonConfig
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = [
    "BoundaryConfig",
    "run",
    "estimate_bytes",
    "DATASETS",
    "DEFAULT_LR",
    "GRID",
    "UNITS_GRID",
    "LESSON",
]

NAME = "boundary"
DATASETS = ("spiral", "circles", "xor", "blobs")
DEFAULT_LR = {"sgd": 1.0, "adam": 0.03}
GRID = 160  # class-region grid, per side
UNITS_GRID = 48  # hidden-unit panels are small; a coarse grid keeps the trace small
MAX_UNITS = 32
PAD = 0.15  # grid margin around the data, as a fraction of its range


@dataclass(frozen=True)
class BoundaryConfig(LessonConfig):
    """Everything that defines a decision-boundary run."""

    dataset: str = option("spiral", "2-D data set", choices=DATASETS)
    hidden: int = option(10, "units per hidden layer", low=1, high=1000)
    layers: int = option(1, "hidden layers", low=1, high=10)
    activation: str = option(
        "sigmoid", "hidden activation", choices=("sigmoid", "tanh", "relu")
    )
    optimizer: str = option("sgd", "optimizer", choices=("sgd", "adam"))
    lr: float = option(
        0.0,
        "learning rate (0: the optimizer's default, sgd 1.0, adam 0.03)",
        low=0,
        high=1e6,
    )
    epochs: int = option(300, "passes over the data", low=1, high=100_000)
    batch_size: int = option(30, "examples per update", low=1, high=100_000)
    frames: int = option(60, "snapshots (animation frames)", low=2, high=1000)
    units: bool = option(False, "record each first-layer hidden unit's output too")
    seed: int = option(0, "random seed (data, initial weights, batches)", low=0)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.units and self.hidden > MAX_UNITS:
            raise ValueError(
                f"--units draws at most {MAX_UNITS} units; --hidden is {self.hidden}"
            )

    @property
    def n_points(self) -> int:
        """Size of the data set (the planar generators' defaults)."""
        return 300

    @property
    def iters_per_epoch(self) -> int:
        """Updates per epoch: ceil(n_points / batch_size)."""
        return -(-self.n_points // self.batch_size)

    @property
    def iters(self) -> int:
        """Total number of updates."""
        return self.epochs * self.iters_per_epoch

    @property
    def learning_rate(self) -> float:
        """``lr``, or the optimizer's default when it is 0."""
        return self.lr or DEFAULT_LR[self.optimizer]


def estimate_bytes(config: BoundaryConfig) -> int:
    """Memory a run needs, mostly the recorded grids: 8 bytes per recorded number."""
    sizes = [2, *[config.hidden] * config.layers, 4]
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    per_frame = 2 * GRID * GRID + n_params + 4
    if config.units:
        per_frame += config.hidden * UNITS_GRID * UNITS_GRID
    forward = GRID * GRID * max(sizes) * 4  # the grid's pass through the network
    return 8 * (config.frames * per_frame + config.iters + forward)


def run(
    config: BoundaryConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train the network and return its Trace (class grid, loss, accuracy, W1..)."""
    import numpy as np

    from vizlearn.core import MLP, OPTIMIZERS, softmax, softmax_cross_entropy
    from vizlearn.core.samplers import epoch_shuffle
    from vizlearn.datasets.planar import PLANAR
    from vizlearn.fitting import fit, snapshot_steps
    from vizlearn.trace import Recorder

    config = config or BoundaryConfig()
    data = PLANAR[config.dataset](seed=config.seed)
    n_classes = int(data.t.max()) + 1
    rng = np.random.default_rng(config.seed)
    sizes = [2, *[config.hidden] * config.layers, n_classes]
    model = MLP(sizes, activation=config.activation, weight_std="xavier", rng=rng)
    grid_x, grid_y = _axes(data.x, GRID)
    units_x, units_y = _axes(data.x, UNITS_GRID)
    points = np.column_stack([a.ravel() for a in np.meshgrid(grid_x, grid_y)])
    unit_points = np.column_stack([a.ravel() for a in np.meshgrid(units_x, units_y)])

    def probe(m: MLP) -> dict:
        p = softmax(m(points)).reshape(GRID, GRID, n_classes)
        loss, _ = softmax_cross_entropy(m(data.x), data.t)
        out = {
            "classes": p.argmax(axis=2),
            "confidence": p.max(axis=2),
            "data_loss": loss,
            "accuracy": np.mean(m(data.x).argmax(1) == data.t),
        }
        if config.units:
            out["units"] = _hidden(m, unit_points).T.reshape(-1, UNITS_GRID, UNITS_GRID)
        return out

    arrays = {"x": data.x, "t": data.t, "grid_x": grid_x, "grid_y": grid_y}
    if config.units:
        arrays |= {"units_x": units_x, "units_y": units_y}
    meta = {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": config.seed,
        "task": "classification",
        "n_classes": n_classes,
        "iters": config.iters,
        "iters_per_epoch": config.iters_per_epoch,
        "lr": config.learning_rate,
    }
    return fit(
        model,
        data,
        optimizer=OPTIMIZERS[config.optimizer](config.learning_rate),
        iters=config.iters,
        record_at=snapshot_steps(config.iters, config.frames),
        loss="softmax_cross_entropy",
        probe=probe,
        batches=epoch_shuffle(len(data), config.batch_size, rng),
        recorder=Recorder(meta=meta, data=arrays),
        on_step=on_step,
    )


def _axes(x, n: int):
    """Two grid axes of ``n`` points covering the data with a margin."""
    import numpy as np

    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = PAD * (hi - lo)
    return (
        np.linspace(lo[0] - pad[0], hi[0] + pad[0], n),
        np.linspace(lo[1] - pad[1], hi[1] + pad[1], n),
    )


def _hidden(model, x):
    """Output of the first hidden layer's activation for inputs ``x``."""
    return model.layers[1].forward(model.layers[0].forward(x))


def summary(trace: Trace) -> dict[str, Any]:
    """The final loss and accuracy on the data set."""
    out = trace.outputs
    return {
        "iterations": int(trace.steps[-1]),
        "final_loss": float(out["data_loss"][-1]),
        "final_accuracy": float(out["accuracy"][-1]),
        "seed": trace.meta["seed"],
        "diverged_at": trace.diverged_at,
    }


LESSON = Lesson(
    NAME,
    BoundaryConfig,
    run,
    description=(
        "decision boundary of a small network on 2-D data (spiral, circles, ...)",
        "2次元データ（スパイラルなど）に対する小さなネットワークの決定境界",
    ),
    kinds=(
        Kind(
            "boundary",
            "vizlearn.render.boundary:frames_boundary",
            "class regions over training, data on top (--units: each hidden unit)",
            animated=True,
        ),
    ),
    source="DeZero step 48 (spiral data set, 2-10-3 network)",
    summary=summary,
    estimate=estimate_bytes,
    gallery=(
        GalleryItem(
            "boundary",
            "boundary",
            (
                "Decision boundary of a 2-10-3 network on DeZero's spiral data",
                "スパイラルデータに対する 2-10-3 ネットワークの決定境界",
            ),
            (
                "Three interleaved spiral arms of points on regions shaded by the "
                "class the network predicts",
                "3本のらせん状の点と、ネットワークが予測したクラスで塗り分けた領域",
            ),
            quick={"epochs": 5, "frames": 3},
        ),
    ),
)
