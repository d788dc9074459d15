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

from vizlearn.lessons._options import check_range, option, to_dict

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = [
    "NetworkOptions",
    "SinRegressionConfig",
    "run",
    "estimate_bytes",
    "GRID_POINTS",
]

NAME = "sin-regression"
GRID_POINTS = 200


@dataclass(frozen=True)
class NetworkOptions:
    """The 1-hidden-layer regression net and its training options.

    Shared by the lessons that fit it: sin-regression and regression on your
    own points.
    """

    hidden: int = option(10, "hidden units", low=1, high=10_000)
    activation: str = option(
        "sigmoid", "hidden activation", choices=("sigmoid", "tanh", "relu")
    )
    weight_std: float = option(0.01, "std of the initial weights", low=0, low_open=True)
    lr: float = option(0.2, "learning rate", low=0, low_open=True)
    iters: int = option(10_000, "training iterations", low=1, high=10_000_000)
    frames: int = option(100, "parameter snapshots (animation frames)", low=2)
    seed: int = option(0, "random seed (data and initial weights)", low=0)

    def __post_init__(self) -> None:
        check_range(self)
        if self.frames > self.iters + 1:
            raise ValueError(
                f"--frames must be at most --iters + 1 = {self.iters + 1}, "
                f"got {self.frames}"
            )


@dataclass(frozen=True)
class SinRegressionConfig(NetworkOptions):
    """Everything that defines a sin-regression run."""

    n: int = option(100, "number of data points", low=1, high=1_000_000)
    noise: float = option(
        1.0, "width of the U(0, noise) noise added to sin(2πx)", low=0
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

    config = config or SinRegressionConfig()
    rng = np.random.default_rng(config.seed)
    data = sin_regression(config.n, noise=config.noise, rng=rng)
    grid = np.linspace(0.0, 1.0, GRID_POINTS)

    def probe(m) -> dict:
        return {"curve": m(grid[:, None])[:, 0], "fit": m(data.x)[:, 0]}

    recorder = _recorder(config, data, grid)
    return fit_network(config, data, rng, probe, recorder, on_step)


def fit_network(config: NetworkOptions, data, rng, probe, recorder, on_step) -> Trace:
    """Build the 1-hidden-layer net from ``rng`` and train it with full-batch SGD."""
    from vizlearn.core import MLP, SGD
    from vizlearn.fitting import fit, snapshot_steps

    model = MLP(
        [1, config.hidden, 1],
        activation=config.activation,
        weight_std=config.weight_std,
        rng=rng,
    )
    return fit(
        model,
        data,
        optimizer=SGD(config.lr),
        iters=config.iters,
        record_at=snapshot_steps(config.iters, config.frames),
        probe=probe,
        recorder=recorder,
        on_step=on_step,
    )


def _recorder(config: SinRegressionConfig, data, grid):
    import numpy as np

    from vizlearn.trace import Recorder

    truth = np.sin(2 * np.pi * grid) + config.noise / 2  # E[y | x]
    meta = {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": config.seed,
        "task": "regression",
    }
    data_arrays = {"x": data.x[:, 0], "t": data.t[:, 0], "grid": grid, "truth": truth}
    return Recorder(meta=meta, data=data_arrays)
