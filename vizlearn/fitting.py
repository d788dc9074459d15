"""``fit``: the one training loop every lesson uses; it records a Trace.

One iteration is the book's: take a minibatch (or the whole data), compute the
loss, take the gradient (backprop, or any other rule such as the numerical
gradient), update. Around it, at the iterations the caller chose, the loop
evaluates (per-epoch accuracy, ...), probes (curves on a grid, histograms, ...)
and snapshots the parameters (all of them, or chosen elements), always in the
model's evaluation mode (dropout off, batch-norm running statistics), so what is
recorded never disturbs training.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.core.losses import LOSSES
from vizlearn.core.optimizers import Optimizer
from vizlearn.datasets.toy import Dataset
from vizlearn.trace import Recorder, Trace

__all__ = ["fit", "snapshot_steps", "evaluating", "TrackedElements"]

Model = Any
"""Anything with ``forward(x)``, ``backward(gy, input_grad=False)`` and ``params()``
(name -> Parameter); an optional ``training`` attribute is switched off while the
loop evaluates and probes."""
Probe = Callable[[Model], Mapping[str, Any]]


def snapshot_steps(iters: int, frames: int) -> NDArray[np.int64]:
    """Return ``frames`` evenly spaced iterations from 0 (initial) to ``iters``."""
    if frames < 2 or frames > iters + 1:
        raise ValueError(f"frames must be between 2 and iters + 1 = {iters + 1}")
    return np.unique(np.round(np.linspace(0, iters, frames)).astype(np.int64))


@contextmanager
def evaluating(model: Model) -> Iterator[None]:
    """Switch ``model.training`` off (if it has one) for the block, then restore it."""
    if not hasattr(model, "training"):
        yield
        return
    before, model.training = model.training, False
    try:
        yield
    finally:
        model.training = before


@dataclass
class TrackedElements:
    """A snapshot policy: ``count`` fixed elements of each tensor, drawn from ``seed``.

    Large networks are not recorded whole at every snapshot: ``params(model)``
    returns the chosen elements (their flat indices are ``indices``), and
    ``stats(model)`` each tensor's norm and histogram, for a probe.
    """

    model: Model
    count: int
    seed: int = 0
    bins: int = 30
    indices: dict[str, NDArray[np.intp]] = field(init=False)

    def __post_init__(self) -> None:
        pick = np.random.default_rng([self.seed, 7])  # its own stream
        self.indices = {}
        for name, p in self.model.params().items():
            k = min(self.count, p.data.size)
            self.indices[name] = np.sort(pick.choice(p.data.size, k, replace=False))

    def params(self, model: Model) -> dict[str, NDArray]:
        """The tracked elements of every tensor."""
        return {k: p.data.ravel()[self.indices[k]] for k, p in model.params().items()}

    def stats(self, model: Model) -> dict[str, Any]:
        """Each tensor's norm and histogram (``norm/W1``, ``hist/W1``, ``edges/W1``)."""
        out: dict[str, Any] = {}
        for name, p in model.params().items():
            counts, edges = np.histogram(p.data, bins=self.bins)
            out[f"norm/{name}"] = np.linalg.norm(p.data)
            out[f"hist/{name}"], out[f"edges/{name}"] = counts, edges
        return out


@dataclass
class _Run:
    """Everything one call of `fit` works with."""

    model: Model
    data: Dataset
    optimizer: Optimizer
    iters: int
    loss_fn: Callable[..., tuple[float, Any]]
    record_at: set[int]
    eval_at: set[int]
    probe: Probe | None
    evaluate: Probe | None
    snapshot: Callable[[Model], Mapping[str, Any]]
    gradient: Callable[[Model, Any, Any], None] | None
    batches: Iterator[NDArray[np.intp]] | None
    recorder: Recorder
    on_step: Callable[[int], Any] | None
    last_good: dict[str, NDArray] | None
    penalty: Callable[[], float] | None = None


def fit(
    model: Model,
    data: Dataset,
    *,
    optimizer: Optimizer,
    iters: int,
    record_at: Iterable[int] = (),
    loss: str = "mse",
    probe: Probe | None = None,
    evaluate: Probe | None = None,
    eval_at: Iterable[int] = (),
    batches: Iterable[NDArray[np.intp]] | None = None,
    gradient: Callable[[Model, Any, Any], None] | None = None,
    snapshot: Callable[[Model], Mapping[str, Any]] | None = None,
    recorder: Recorder | None = None,
    on_step: Callable[[int], Any] | None = None,
    keep_last_good: bool = True,
) -> Trace:
    """Train ``model`` for ``iters`` updates and return what was recorded.

    Parameters
    ----------
    record_at
        Iterations to snapshot: step ``s`` means after ``s`` updates, so 0 is
        the initial model and ``iters`` the final one. A snapshot records the
        parameters (``snapshot(model)``, default: all of them), the loss of that
        step (``outputs["loss"]``) and what ``probe(model)`` returns.
    evaluate, eval_at
        ``evaluate(model)`` returns metrics (e.g. accuracy on the training and
        test data) to record at the steps in ``eval_at``.
    batches
        Index arrays, one per iteration (a sampler); None means full batch.
    gradient
        ``gradient(model, x, t)`` fills every parameter's ``grad`` instead of
        backprop (e.g. the numerical gradient).
    on_step
        Called with each finished iteration (progress bars).
    keep_last_good
        Keep a copy of the parameters before each update, so a run that
        diverges still shows its last finite state (costs a copy per update).

    The loss at iteration ``i`` is the one computed before update ``i + 1``.
    If the loss, a metric or a parameter becomes NaN or inf, training stops
    and the trace's ``meta`` says ``diverged_at``; what was recorded is kept.
    """
    params = model.params()
    run = _Run(
        model=model,
        data=data,
        optimizer=optimizer.setup(model),
        iters=iters,
        loss_fn=LOSSES[loss],
        record_at={int(s) for s in record_at},
        eval_at={int(s) for s in eval_at} if evaluate is not None else set(),
        probe=probe,
        evaluate=evaluate,
        snapshot=snapshot or (lambda m: {k: p.data for k, p in m.params().items()}),
        gradient=gradient,
        batches=iter(batches) if batches is not None else None,
        recorder=recorder or Recorder(),
        on_step=on_step,
        last_good={k: p.data.copy() for k, p in params.items()}
        if keep_last_good
        else None,
        penalty=_penalty(model),
    )
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _loop(run)  # divergence is checked, not warned about
    return run.recorder.freeze()


def _penalty(model: Model) -> Callable[[], float] | None:
    """The model's weight-decay term, if it has one (lambda / 2 sum W^2)."""
    penalty = getattr(model, "penalty", None)
    if penalty is None or not getattr(model, "weight_decay", 0):
        return None
    return penalty


def _loop(run: _Run) -> None:
    model, recorder, iters = run.model, run.recorder, run.iters
    params = model.params()
    watched = run.eval_at | run.record_at  # the steps that evaluate or probe
    for i in range(iters + 1):
        probed: Mapping[str, Any] | None = {}
        if i in watched:
            probed = _observe(run, i)
            if probed is None:
                return
        idx = next(run.batches) if run.batches is not None and i < iters else None
        x, t = (run.data.x, run.data.t) if idx is None else _batch(run.data, idx)
        value, gy = run.loss_fn(model.forward(x), t)
        if run.penalty is not None:  # weight decay: the book's loss includes it
            value += run.penalty()
        if not math.isfinite(value):
            _diverged(run, i)
            return
        if i in run.record_at:
            _snapshot(run, i, value, probed)
        if i == iters:
            return
        recorder.record(i, loss=value)
        _step(run, params, x, t, gy)
        if run.on_step is not None:
            run.on_step(i + 1)


def _step(run: _Run, params: Mapping[str, Any], x: Any, t: Any, gy: Any) -> None:
    """Keep the last good state if asked, take the gradient, update."""
    if run.last_good is not None:  # the state to show if the next step blows up
        for k, p in params.items():
            np.copyto(run.last_good[k], p.data)
    if run.gradient is not None:
        run.gradient(run.model, x, t)
    else:
        run.model.backward(gy, input_grad=False)
    run.optimizer.update()


def _batch(data: Dataset, idx: NDArray[np.intp]) -> tuple[Any, Any]:
    return data.x[idx], data.t[idx]


def _observe(run: _Run, i: int) -> Mapping[str, Any] | None:
    """Evaluate and probe at step ``i``; None (and ``diverged_at``) if not finite."""
    if i and not _finite(run.model):
        run.recorder.meta["diverged_at"] = i  # the last update itself overflowed
        return None
    with evaluating(run.model):
        if i in run.eval_at:
            metrics = dict(run.evaluate(run.model))
            if not all(math.isfinite(v) for v in metrics.values()):
                run.recorder.meta["diverged_at"] = i
                return None
            run.recorder.record(i, metrics=metrics)
        probe = run.probe if i in run.record_at else None
        return dict(probe(run.model)) if probe is not None else {}


def _finite(model: Model) -> bool:
    return all(np.isfinite(p.data).all() for p in model.params().values())


def _diverged(run: _Run, i: int) -> None:
    """Note where the loss became NaN/inf and snapshot the last finite state."""
    recorder = run.recorder
    recorder.meta["diverged_at"] = i
    if run.last_good is None or i == 0 or recorder.last_snapshot_step() == i - 1:
        return
    for k, p in run.model.params().items():
        p.data[...] = run.last_good[k]
    with evaluating(run.model):
        probed = dict(run.probe(run.model)) if run.probe is not None else {}
    _snapshot(run, i - 1, recorder.last_loss(), probed)


def _snapshot(run: _Run, step: int, value: float, probed: Mapping[str, Any]) -> None:
    outputs = {"loss": np.float64(value), **probed}
    run.recorder.record(step, params=run.snapshot(run.model), outputs=outputs)
