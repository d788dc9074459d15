"""Training a small network on 2-D points: the machinery of the boundary lesson.

:class:`PlanarRun` holds one run's data (split, features), network (with the
L1 and L2 terms), the probe each snapshot records and the per-epoch evaluation
that ends training once ``--until`` holds (:class:`Stop`, caught by
``boundary.run``). Kept apart from ``lessons/boundary.py`` so that listing the
lessons imports no numpy, and the lesson module stays short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.core import MLP, softmax
from vizlearn.core.losses import LOSSES
from vizlearn.datasets import planar
from vizlearn.datasets.planar import Dataset, feature_matrix, split
from vizlearn.fitting import evaluating
from vizlearn.lessons.boundary import (
    GRID,
    MAX_CLASSES,
    NAME,
    PAD,
    UNITS_GRID,
    parse_until,
)
from vizlearn.lessons.options import recorded
from vizlearn.trace import Recorder, Trace

if TYPE_CHECKING:
    from vizlearn.lessons.boundary import BoundaryConfig

__all__ = [
    "PlanarRun",
    "Stop",
    "L1Penalty",
    "load",
    "holds",
    "mesh",
    "axes",
    "hidden_output",
]


def load(config: BoundaryConfig) -> tuple[Dataset, NDArray | None]:
    """The whole data set and, for --data, its distinct labels (t indexes them)."""
    if not config.data:
        data = planar.generate(config.dataset, seed=config.seed, noise=config.noise)
        return data, None
    from vizlearn.datasets.csv import CsvError, read_labelled_csv

    try:
        data = read_labelled_csv(config.data)
    except CsvError as e:
        raise ValueError(f"--data: {e}") from None
    labels, t = np.unique(data.t, return_inverse=True)
    if not 2 <= len(labels) <= MAX_CLASSES:
        raise ValueError(
            f"--data: {len(labels)} distinct labels; 2 to {MAX_CLASSES} are drawn"
        )
    return Dataset(data.x, t.astype(np.int64)), labels


class Stop(Exception):  # noqa: N818 - not an error: the --until condition held
    """Raised by the per-epoch evaluation when ``--until`` holds."""

    def __init__(self, step: int, metrics: dict) -> None:
        super().__init__(step)
        self.step, self.metrics = step, metrics


class PlanarRun:
    """One run's data, features, network, probe and per-epoch evaluation."""

    def __init__(self, config: BoundaryConfig) -> None:
        self.config, data = config, config.dataset_()[0]
        self.until = parse_until(config.until)
        self.regression = config.task == "regression"
        self.loss = "mse" if self.regression else "softmax_cross_entropy"
        whole, test = data, None
        if config.test_ratio:
            data, test = split(data, config.test_ratio, seed=config.seed)
        self.n_classes = 1 if self.regression else int(whole.t.max()) + 1
        self.features = lambda x: feature_matrix(x, config.features)
        self.train = Dataset(self.features(data.x), data.t)
        self.test = None if test is None else Dataset(self.features(test.x), test.t)
        self.rng = np.random.default_rng(config.seed)  # initial weights, then batches
        init = (
            self.rng
            if config.init_seed is None
            else np.random.default_rng(config.init_seed)
        )
        sizes = [len(config.features), *[config.hidden] * config.layers, self.n_classes]
        self.model: Any = MLP(
            sizes,
            activation=config.activation,
            weight_std="xavier",
            rng=init,
            weight_decay=config.l2,
        )
        if config.l1:
            self.model = L1Penalty(self.model, config.l1)
        self.grid_x, self.grid_y = axes(whole.x, GRID)
        self.points = self.features(mesh(self.grid_x, self.grid_y))
        self.units_x, self.units_y = axes(whole.x, UNITS_GRID)
        self.unit_points = self.features(mesh(self.units_x, self.units_y))
        self.recorder = self._recorder(data, test)

    def _recorder(self, train: Dataset, test: Dataset | None) -> Recorder:
        c = self.config
        arrays = {
            "x": train.x,
            "t": train.t,
            "grid_x": self.grid_x,
            "grid_y": self.grid_y,
        }
        if test is not None:
            arrays |= {"x_test": test.x, "t_test": test.t}
        if c.units:
            arrays |= {"units_x": self.units_x, "units_y": self.units_y}
        labels = self.config.dataset_()[1]
        meta = {
            "lesson": NAME,
            # resolved: lr 0 means "the optimizer's default", recorded as used
            "config": {**recorded(c), "lr": c.learning_rate},
            "seed": c.seed,
            "init_seed": c.seed if c.init_seed is None else c.init_seed,
            "task": c.task,
            "n_classes": self.n_classes,
            "iters": c.iters,
            "iters_per_epoch": c.iters_per_epoch,
            "lr": c.learning_rate,
            "features": list(c.features),
            "until": c.until,
            "step_unit": "iteration",
        }
        if labels is not None:
            meta["labels"] = [int(v) for v in labels]
        return Recorder(meta=meta, data=arrays)

    def _scores(self, model: Any, data: Dataset) -> tuple[float, float | None, NDArray]:
        """Loss, accuracy (None for regression) and predictions on ``data``."""
        y = model(data.x)
        loss, _ = LOSSES[self.loss](y, data.t)
        if self.regression:
            return loss, None, y[:, 0]
        pred = y.argmax(axis=1)
        return loss, float((pred == data.t).mean()), pred

    def probe(self, m: Any) -> dict:
        """What a snapshot records: the grid, the scores, every point's prediction."""
        loss, accuracy, pred = self._scores(m, self.train)
        out: dict[str, Any] = {"data_loss": loss, "pred": pred}
        if self.regression:
            out["value"] = m(self.points)[:, 0].reshape(GRID, GRID)
        else:
            p = softmax(m(self.points)).reshape(GRID, GRID, self.n_classes)
            out |= {"classes": p.argmax(axis=2), "confidence": p.max(axis=2)}
            out["accuracy"] = accuracy
        if self.test is not None:
            test_loss, test_accuracy, test_pred = self._scores(m, self.test)
            out |= {"test_loss": test_loss, "test_pred": test_pred}
            if not self.regression:
                out["test_accuracy"] = test_accuracy
        if self.config.units:
            hidden = hidden_output(m, self.unit_points).T
            out["units"] = hidden.reshape(-1, UNITS_GRID, UNITS_GRID)
        return out

    def evaluate(self, m: Any, step: int) -> dict[str, float]:
        """Per-epoch metrics; raises Stop once --until holds (after the start)."""
        metrics = {}
        for role, data in (("train", self.train), ("test", self.test)):
            if data is not None:
                loss, accuracy, _ = self._scores(m, data)
                metrics[f"{role}_loss"] = loss
                if accuracy is not None:
                    metrics[f"{role}_acc"] = accuracy
        until = self.until
        if until and step and holds(metrics[until[0]], until[1], until[2]):
            raise Stop(step, metrics)
        return metrics

    def stopped(self, stop: Stop) -> Trace:
        """The trace of a run ended by --until: its metrics and a last snapshot."""
        rec = self.recorder
        rec.record(stop.step, metrics=stop.metrics)
        with evaluating(self.model):
            probed = self.probe(self.model)
        params = {k: p.data for k, p in self.model.params().items()}
        rec.record(
            stop.step, params=params, outputs={"loss": probed["data_loss"], **probed}
        )
        rec.meta["stopped_at"] = stop.step
        return rec.freeze()


def holds(value: float, op: str, bound: float) -> bool:
    """Whether ``value OP bound`` (OP one of <, <=, >, >=)."""
    return {"<": value < bound, "<=": value <= bound, ">": value > bound}.get(
        op, value >= bound
    )


class L1Penalty:
    """The network with ``rate * sign(W)`` added to each weight's gradient (L1)."""

    def __init__(self, model: Any, rate: float) -> None:
        self.model, self.rate = model, rate
        self.layers = model.layers

    @property
    def training(self) -> bool:  # noqa: D102
        return self.model.training

    @training.setter
    def training(self, value: bool) -> None:
        self.model.training = value

    def params(self) -> dict:  # noqa: D102
        return self.model.params()

    def forward(self, x: Any) -> Any:  # noqa: D102
        return self.model.forward(x)

    __call__ = forward

    def backward(self, gy: Any, *, input_grad: bool = True) -> Any:
        """The network's backward, then the L1 term on W1, W2, ..."""
        gx = self.model.backward(gy, input_grad=input_grad)
        for p in self.model.params().values():
            if p.name.startswith("W"):
                p.grad += self.rate * np.sign(p.data)
        return gx


def mesh(grid_x: NDArray, grid_y: NDArray) -> NDArray:
    """Every grid point, ``(len(grid_y) * len(grid_x), 2)``, row by row."""
    return np.column_stack([a.ravel() for a in np.meshgrid(grid_x, grid_y)])


def axes(x: NDArray, n: int) -> tuple[NDArray, NDArray]:
    """Two grid axes of ``n`` points covering the data with a margin."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = PAD * (hi - lo)
    return (
        np.linspace(lo[0] - pad[0], hi[0] + pad[0], n),
        np.linspace(lo[1] - pad[1], hi[1] + pad[1], n),
    )


def hidden_output(model: Any, x: NDArray) -> NDArray:
    """Output of the first hidden layer's activation for inputs ``x``."""
    return model.layers[1].forward(model.layers[0].forward(x))
