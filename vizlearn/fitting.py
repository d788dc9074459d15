"""``fit``: the one training loop that records a Trace."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.core.losses import LOSSES
from vizlearn.core.models import MLP
from vizlearn.core.optimizers import Optimizer
from vizlearn.datasets.toy import Dataset
from vizlearn.trace import Recorder, Trace

__all__ = ["fit", "snapshot_steps"]

Probe = Callable[[MLP], Mapping[str, NDArray]]


def snapshot_steps(iters: int, frames: int) -> NDArray[np.int64]:
    """Return ``frames`` evenly spaced iterations from 0 (initial) to ``iters``."""
    if frames < 2 or frames > iters + 1:
        raise ValueError(f"frames must be between 2 and iters + 1 = {iters + 1}")
    return np.unique(np.round(np.linspace(0, iters, frames)).astype(np.int64))


def fit(
    model: MLP,
    data: Dataset,
    *,
    optimizer: Optimizer,
    iters: int,
    record_at: Iterable[int],
    loss: str = "mse",
    probe: Probe | None = None,
    batches: Iterable[NDArray[np.intp]] | None = None,
    recorder: Recorder | None = None,
    on_step: Callable[[int], Any] | None = None,
) -> Trace:
    """Train ``model`` for ``iters`` updates and return what was recorded.

    Parameters
    ----------
    record_at
        Iterations whose parameters are snapshot: step ``s`` means after ``s``
        updates, so 0 is the initial model and ``iters`` the final one.
    probe
        Called at each snapshot step, before that step's forward pass; returns
        extra outputs to record (e.g. the predicted curve on a grid). It may run
        the model, even backward: the training step rebuilds caches and grads.
    batches
        Index arrays, one per iteration (a sampler); None means full batch.
    on_step
        Called with each finished iteration (progress bars).

    The loss at iteration ``i`` is the one computed before update ``i + 1``.
    If it becomes NaN or inf, training stops and the trace's ``meta`` says
    ``diverged_at``; everything recorded up to then is kept.
    """
    loss_fn = LOSSES[loss]
    recorder = recorder or Recorder()
    wanted = set(int(s) for s in record_at)
    optimizer.setup(model)
    batch_iter = iter(batches) if batches is not None else None
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is checked below
        _loop(
            model,
            data,
            optimizer,
            iters,
            wanted,
            loss_fn,
            probe,
            batch_iter,
            recorder,
            on_step,
        )
    return recorder.freeze()


def _loop(
    model, data, optimizer, iters, wanted, loss_fn, probe, batch_iter, recorder, on_step
) -> None:
    params = model.params()
    last_good = {k: p.data.copy() for k, p in params.items()}
    for i in range(iters + 1):
        # probe first: it may run the model (and even backward) freely, because
        # this step's forward and backward then rebuild caches and gradients
        probed = probe(model) if probe is not None and i in wanted else {}
        idx = next(batch_iter) if batch_iter is not None and i < iters else None
        x, t = (data.x, data.t) if idx is None else (data.x[idx], data.t[idx])
        value, gy = loss_fn(model.forward(x), t)
        if not np.isfinite(value):
            _record_divergence(recorder, i, model, last_good, probe)
            break
        if i in wanted:
            _snapshot(recorder, i, model, value, probed)
        if i == iters:
            break
        recorder.record(i, loss=value)
        for k, p in params.items():  # the state to show if the next step blows up
            np.copyto(last_good[k], p.data)
        model.backward(gy, input_grad=False)
        optimizer.update()
        if on_step is not None:
            on_step(i + 1)


def _record_divergence(recorder, i, model, last_good, probe) -> None:
    """Note where the loss became NaN/inf and snapshot the last finite state."""
    recorder.meta["diverged_at"] = i
    if i == 0 or recorder.last_snapshot_step() == i - 1:
        return
    for k, p in model.params().items():
        p.data[...] = last_good[k]
    probed = probe(model) if probe is not None else {}
    _snapshot(recorder, i - 1, model, recorder.last_loss(), probed)


def _snapshot(
    recorder: Recorder, step: int, model: MLP, value: float, probed: Mapping
) -> None:
    params = {k: p.data for k, p in model.params().items()}
    outputs = {"loss": np.float64(value), **probed}
    recorder.record(step, params=params, outputs=outputs)
