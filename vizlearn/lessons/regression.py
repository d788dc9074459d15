"""Your own regression data: sin-regression's network fitted to points from a CSV.

``vizlearn animate regression --data points.csv`` reads columns x and y (see
:mod:`vizlearn.datasets.csv`), trains the same 1-10-1 network with the same
options and defaults as ``sin-regression`` (full-batch SGD on the MSE), and
draws the same curve-and-residuals animation, in the data's own units.

Input scaling: the default learning rate suits x in [0, 1]. If the data's x
does not lie within [-1, 2] or spans less than 0.1, the network sees x mapped
linearly onto [0, 1] instead (``meta["x_scaling"]`` records offset and scale;
W1 and b1 in the trace act on the mapped x). Figures are always drawn in data
units. y is used as it is: for y values in the hundreds, lower ``--lr``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vizlearn.config import option, to_dict
from vizlearn.lessons.kinds import REGRESSION_KINDS
from vizlearn.lessons.options import RegressionNetOptions
from vizlearn.lessons.record import Lesson

if TYPE_CHECKING:
    from vizlearn.datasets.toy import Dataset
    from vizlearn.trace import Trace

__all__ = [
    "RegressionConfig",
    "run",
    "estimate_bytes",
    "read_data",
    "x_scaling",
    "LESSON",
]

NAME = "regression"
GRID_POINTS = 200


@dataclass(frozen=True)
class RegressionConfig(RegressionNetOptions):
    """A CSV file of points and sin-regression's training options."""

    data: str | None = option(
        None,
        "CSV file of points: columns x, y (header optional); x far from [0, 1] "
        "is rescaled for training, figures stay in data units",
        path="file",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        read_data(self)  # a bad file is a bad argument: say so before any work


def read_data(config: RegressionConfig) -> Dataset:
    """Read ``config.data``; ValueError naming ``--data`` if it is missing or bad."""
    if not config.data:
        raise ValueError("--data is required: a CSV file with columns x, y")
    from vizlearn.datasets.csv import CsvError, read_xy_csv

    try:
        return read_xy_csv(config.data)
    except CsvError as e:
        raise ValueError(f"--data: {e}") from None


def x_scaling(x) -> tuple[float, float]:
    """``(offset, scale)`` such that the network sees ``(x - offset) / scale``."""
    lo, hi = float(x.min()), float(x.max())
    if lo >= -1.0 and hi <= 2.0 and hi - lo >= 0.1:
        return 0.0, 1.0
    return lo, hi - lo


def estimate_bytes(config: RegressionConfig) -> int:
    """Memory a run needs: a full batch's activations plus the recorded snapshots."""
    n = len(read_data(config))
    n_params = 3 * config.hidden + 1
    return 8 * (
        n * config.hidden * 6
        + config.iters
        + config.frames * (n_params + n + GRID_POINTS)
    )


def run(
    config: RegressionConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train on the CSV's points; return the Trace (loss, W1..b2, curve, residuals)."""
    import numpy as np

    from vizlearn.datasets.toy import Dataset
    from vizlearn.lessons.training import train_regression

    config = config or RegressionConfig()
    data = read_data(config)
    offset, scale = x_scaling(data.x)
    seen = Dataset((data.x - offset) / scale, data.t)  # what the network trains on
    grid = np.linspace(float(data.x.min()), float(data.x.max()), GRID_POINTS)

    def probe(m) -> dict:
        return {
            "curve": m((grid[:, None] - offset) / scale)[:, 0],
            "fit": m(seen.x)[:, 0],
        }

    recorder = _recorder(config, data, grid, offset, scale)
    rng = np.random.default_rng(config.seed)
    return train_regression(config, seen, rng, probe, recorder, on_step)


def _recorder(
    config: RegressionConfig, data: Dataset, grid, offset: float, scale: float
):
    import hashlib
    from pathlib import Path

    from vizlearn.trace import Recorder

    path = Path(str(config.data))
    settings = to_dict(config) | {"data": path.name}  # no folders in provenance
    meta = {
        "lesson": NAME,
        "config": settings,
        "seed": config.seed,
        "task": "regression",
        "data_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "x_scaling": {"offset": offset, "scale": scale},
    }
    arrays = {"x": data.x[:, 0], "t": data.t[:, 0], "grid": grid}  # no "truth": unknown
    return Recorder(meta=meta, data=arrays)


LESSON = Lesson(
    NAME,
    RegressionConfig,
    run,
    description=(
        "the sin-regression net fitting your own points: --data points.csv",
        "sin 回帰と同じネットワークで自分のデータ点を回帰：--data points.csv",
    ),
    kinds=REGRESSION_KINDS,
    source="DeZero step 43's network and training, on the user's data",
    estimate=estimate_bytes,
)
