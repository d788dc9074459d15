"""Decision boundaries: a small network learns to separate 2-D classes.

The defaults follow DeZero's spiral example (step 48): 3 interleaved spiral
arms, one hidden layer of 10 sigmoid units (W ~ randn * sqrt(1 / fan_in), as
DeZero's ``Linear``), softmax cross-entropy, SGD with lr 1.0, batches of 30
drawn by a fresh shuffle each epoch, 300 epochs.

At each snapshot the trace records the predicted class and its probability on
a grid over the data (``outputs["classes"]``, ``outputs["confidence"]``, both
``(frames, grid, grid)``), the loss and accuracy on the training data, the
class predicted for every point (``outputs["pred"]``, ``outputs["test_pred"]``:
the confusion matrix of any frame), and with ``units=True`` every first-layer
hidden unit's output on a coarser grid (``outputs["units"]``,
``(frames, hidden, units_grid, units_grid)``). Each epoch adds the metrics
``train_loss``, ``train_acc`` (and ``test_loss``, ``test_acc``).

TensorFlow Playground's controls: ``--data labelled.csv`` (x1, x2, label),
``--noise``, ``--test-ratio`` (test points drawn hollow), ``--l1``/``--l2``
(added to the weights' gradients, the loss shown is the data's), input
``--features``, ``--init-seed`` (the initial weights' own seed: the same
weights whatever ``--seed`` shuffles), ``--until "test_loss<0.01"`` (checked
each epoch; ``meta["stopped_at"]``), and the regression sets ``plane`` and
``gauss``, drawn as a heat map of the prediction (``outputs["value"]``) with
the MSE as the loss. The training itself is in
:mod:`vizlearn.lessons.planar_training`; this module (over 300 lines: the
Playground's options and their parsers) imports no numpy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option
from vizlearn.lessons.kinds import METRICS
from vizlearn.lessons.options import LessonConfig
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = [
    "BoundaryConfig",
    "run",
    "estimate_bytes",
    "parse_features",
    "parse_until",
    "DATASETS",
    "REGRESSION_SETS",
    "FEATURES",
    "DEFAULT_LR",
    "GRID",
    "UNITS_GRID",
    "LESSON",
]

NAME = "boundary"
DATASETS = ("spiral", "circles", "xor", "blobs")
REGRESSION_SETS = ("plane", "gauss")  # Playground's; a heat map of the prediction
# kept in step with vizlearn.datasets.planar.FEATURES (a test checks it)
FEATURES = ("x1", "x2", "x1x2", "x1sq", "x2sq", "sin1", "sin2")
UNTIL = {  # --until names -> metric names
    "loss": "train_loss",
    "train_loss": "train_loss",
    "test_loss": "test_loss",
    "accuracy": "train_acc",
    "train_acc": "train_acc",
    "test_accuracy": "test_acc",
    "test_acc": "test_acc",
}
MAX_CLASSES = 8  # one marker shape each
DEFAULT_LR = {"sgd": 1.0, "adam": 0.03}
REGRESSION_LR = {"sgd": 0.1, "adam": 0.01}  # the MSE's gradient is steeper
GRID = 160  # class-region grid, per side
UNITS_GRID = 48  # hidden-unit panels are small; a coarse grid keeps the trace small
MAX_UNITS = 32
PAD = 0.15  # grid margin around the data, as a fraction of its range


def parse_features(text: str) -> tuple[str, ...]:
    """'x1,x2,x1x2' -> ('x1', 'x2', 'x1x2')."""
    inner = str(text).strip().removeprefix("(").removesuffix(")")
    names = tuple(n.strip().strip("'\"") for n in inner.split(",") if n.strip())
    return check_features(names, text)


def check_features(names: Any, given: Any = None) -> tuple[str, ...]:
    """Return ``names`` if they are distinct names from FEATURES."""
    ok = isinstance(names, tuple) and bool(names) and len(set(names)) == len(names)
    if not ok or any(n not in FEATURES for n in names):
        given = names if given is None else given
        raise ValueError(
            f"--features must list distinct names from {','.join(FEATURES)}, "
            f"got {given!r}"
        )
    return names


def parse_until(text: str) -> tuple[str, str, float] | None:
    """'test_loss<0.01' -> ('test_loss', '<', 0.01); '' -> None. No eval: a regex."""
    if not str(text).strip():
        return None
    match = re.fullmatch(r"\s*([a-z_]+)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*", str(text))
    value = _finite_number(match.group(3)) if match else None
    if match is None or match.group(1) not in UNTIL or value is None:
        raise ValueError(
            f"--until must be METRIC<VALUE (or <=, >, >=) with METRIC one of "
            f"{', '.join(UNTIL)}, e.g. test_loss<0.01; got {text!r}"
        )
    return UNTIL[match.group(1)], match.group(2), value


def _finite_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class BoundaryConfig(LessonConfig):
    """Everything that defines a decision-boundary run."""

    dataset: str = option(
        "spiral",
        "2-D data set (plane, gauss: regression, a heat map)",
        choices=DATASETS + REGRESSION_SETS,
    )
    data: str | None = option(
        None,
        "CSV file of your own labelled points: columns x1, x2, label (integers); "
        "replaces --dataset",
        path="file",
    )
    noise: float | None = option(
        None,
        "noise of the generated set (spiral: angle std, circles/xor: point std, "
        "blobs: cluster std, plane/gauss: label shift)  [default: the set's own]",
        low=0,
        high=2,
    )
    test_ratio: float = option(
        0.0, "share of the points held out as test data", low=0, high=0.9
    )
    features: tuple[str, ...] = option(
        ("x1", "x2"),
        f"input features, comma-separated: {','.join(FEATURES)}",
        parse=parse_features,
        check=check_features,
        metavar="NAMES",
    )
    l1: float = option(0.0, "L1 regularization rate (on the weights)", low=0, high=10)
    l2: float = option(0.0, "L2 regularization rate (on the weights)", low=0, high=10)
    hidden: int = option(10, "units per hidden layer", low=1, high=1000)
    layers: int = option(1, "hidden layers", low=1, high=10)
    activation: str = option(
        "sigmoid", "hidden activation", choices=("sigmoid", "tanh", "relu")
    )
    optimizer: str = option("sgd", "optimizer", choices=("sgd", "adam"))
    lr: float = option(
        0.0,
        "learning rate (0: the optimizer's default, sgd 1.0, adam 0.03; "
        "plane and gauss: 0.1, 0.01)",
        low=0,
        high=1e6,
    )
    epochs: int = option(300, "passes over the data", low=1, high=100_000)
    batch_size: int = option(30, "examples per update", low=1, high=100_000)
    frames: int = option(60, "snapshots (animation frames)", low=2, high=1000)
    units: bool = option(False, "record each first-layer hidden unit's output too")
    seed: int = option(0, "random seed (data, initial weights, batches)", low=0)
    init_seed: int | None = option(
        None,
        "seed of the initial weights alone (the same weights whatever --seed)",
        low=0,
        high=2**32 - 1,
    )
    until: str = option(
        "",
        "stop once a metric gets there, checked each epoch: e.g. test_loss<0.01",
        check=parse_until,
        metavar="CONDITION",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.units and self.hidden > MAX_UNITS:
            raise ValueError(
                f"--units draws at most {MAX_UNITS} units; --hidden is {self.hidden}"
            )
        if self.data and self.noise is not None:
            raise ValueError("--noise applies to the generated sets, not to --data")
        until = parse_until(self.until)
        if until and until[0].startswith("test_") and not self.test_ratio:
            raise ValueError(f"--until {self.until} needs --test-ratio above 0")
        if until and until[0].endswith("_acc") and self.task == "regression":
            raise ValueError(f"--until {self.until}: {self.dataset} has no accuracy")
        _ = self.n_test  # a test split must leave points on both sides

    @property
    def task(self) -> str:
        """'regression' for plane and gauss, else 'classification'."""
        regression = self.dataset in REGRESSION_SETS and not self.data
        return "regression" if regression else "classification"

    def dataset_(self) -> Any:
        """The whole data set (read or generated once; ValueError for a bad file)."""
        cached = self.__dict__.get("_data")
        if cached is None:
            from vizlearn.lessons.planar_training import load

            cached = load(self)
            object.__setattr__(self, "_data", cached)  # not a field: not in to_dict
        return cached

    @property
    def n_points(self) -> int:
        """Size of the whole data set (the planar generators make 300)."""
        return 300 if not self.data else len(self.dataset_()[0])

    @property
    def n_test(self) -> int:
        """Points held out: round(n_points * test_ratio), leaving some of each."""
        n_test = round(self.n_points * self.test_ratio)
        if self.test_ratio and not 0 < n_test < self.n_points:
            raise ValueError(
                f"--test-ratio {self.test_ratio:g} leaves no test points of "
                f"{self.n_points}"
            )
        return n_test

    @property
    def iters_per_epoch(self) -> int:
        """Updates per epoch: ceil(training points / batch_size)."""
        return -(-(self.n_points - self.n_test) // self.batch_size)

    @property
    def iters(self) -> int:
        """Total number of updates."""
        return self.epochs * self.iters_per_epoch

    @property
    def learning_rate(self) -> float:
        """``lr``, or the optimizer's default when it is 0."""
        defaults = REGRESSION_LR if self.task == "regression" else DEFAULT_LR
        return self.lr or defaults[self.optimizer]


def estimate_bytes(config: BoundaryConfig) -> int:
    """Memory a run needs, mostly the recorded grids: 8 bytes per recorded number."""
    n_out = 1 if config.task == "regression" else MAX_CLASSES
    sizes = [len(config.features), *[config.hidden] * config.layers, n_out]
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    grids = 1 if config.task == "regression" else 2
    per_frame = grids * GRID * GRID + n_params + 6 + config.n_points
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

    from vizlearn.core import OPTIMIZERS
    from vizlearn.core.samplers import epoch_shuffle
    from vizlearn.fitting import fit, snapshot_steps
    from vizlearn.lessons.planar_training import PlanarRun, Stop

    config = config or BoundaryConfig()
    run_ = PlanarRun(config)
    steps = {"done": 0}  # updates so far: the evaluation's step (fit does not say)

    def progress(k: int) -> None:
        steps["done"] = k
        if on_step is not None:
            on_step(k)

    epochs = range(config.iters_per_epoch, config.iters + 1, config.iters_per_epoch)
    try:
        return fit(
            run_.model,
            run_.train,
            optimizer=OPTIMIZERS[config.optimizer](config.learning_rate),
            iters=config.iters,
            record_at=snapshot_steps(config.iters, config.frames),
            loss=run_.loss,
            probe=run_.probe,
            evaluate=lambda m: run_.evaluate(m, steps["done"]),
            eval_at=np.array([0, *epochs]),
            batches=epoch_shuffle(len(run_.train), config.batch_size, run_.rng),
            recorder=run_.recorder,
            on_step=progress,
        )
    except Stop as stop:  # --until held: fit has no stop hook of its own
        return run_.stopped(stop)


PLAYGROUND = {
    "dataset": "circles",
    "features": ("x1", "x2", "x1sq", "x2sq"),
    "test_ratio": 0.3,
    "l2": 0.001,
    "hidden": 4,
    "until": "test_loss<0.05",
    "epochs": 60,  # snapshots are spread over these; --until ends it near 34
    "frames": 31,
}
GAUSS = {
    "dataset": "gauss",
    "activation": "tanh",
    "hidden": 8,
    "layers": 2,
    "optimizer": "adam",
    "lr": 0.03,
    "epochs": 1000,
}


def summary(trace: Trace) -> dict[str, Any]:
    """The final loss and accuracy on the training (and test) data."""
    out = trace.outputs
    numbers = {
        "iterations": int(trace.steps[-1]),
        "lr": trace.meta.get("lr"),
        "final_loss": float(out["data_loss"][-1]),
        "seed": trace.meta["seed"],
        "diverged_at": trace.diverged_at,
        "stopped_at": trace.meta.get("stopped_at"),
    }
    for key, name in (
        ("accuracy", "final_accuracy"),
        ("test_loss", "final_test_loss"),
        ("test_accuracy", "final_test_accuracy"),
    ):
        if key in out:
            numbers[name] = float(out[key][-1])
    return numbers


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
            "class regions over training, data on top (--units: each hidden unit; "
            "plane, gauss: a heat map; --test-ratio: test points and loss)",
            animated=True,
        ),
        Kind(
            "confusion",
            "vizlearn.render.playground:plot_boundary_confusion",
            "confusion matrix of the training (and test) points at --frame",
            timed=True,
            needs=("outputs/classes",),
        ),
        METRICS,
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
        GalleryItem(
            "boundary-playground",
            "boundary",
            (
                "Playground controls: circles with x1² and x2² as inputs, a test "
                "split, L2, stopped by --until",
                "Playground の機能：x1²・x2² を入力に、テストデータ・L2 正則化・"
                "--until で停止",
            ),
            (
                "Two rings of points, the held-out ones hollow, on regions shaded by "
                "the predicted class; below, training and test loss per epoch up to "
                "where training stopped",
                "2つの円環状の点（白抜きはテストデータ）と予測クラスで塗り分けた領域。"
                "下は停止までの訓練・テストデータの損失関数",
            ),
            options=PLAYGROUND,
            quick={**PLAYGROUND, "epochs": 5, "frames": 3, "until": ""},
            animated=True,
        ),
        GalleryItem(
            "boundary-gauss-ja",
            "boundary",
            (
                "Playground's gauss regression set as a heat map, in Japanese",
                "Playground の gauss 回帰データをヒートマップで（日本語）",
            ),
            (
                "Six round bumps, positive and negative, predicted as a red-blue heat "
                "map with the points coloured by their target",
                "正負6つの山を赤青のヒートマップで予測し、点を目標値で色分けしたもの",
            ),
            options=GAUSS,
            quick={**GAUSS, "epochs": 5, "frames": 3},
            style={"lang": "ja"},
        ),
    ),
)
