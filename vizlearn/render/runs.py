"""Several training runs stored in one Trace (samplers, sweeps, seeds), read back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.trace import Trace

__all__ = ["Run", "read_runs"]


@dataclass(frozen=True)
class Run:
    """One run of a multi-run trace: its label, varied values and curves."""

    label: str
    values: Mapping[str, Any]
    metric_steps: NDArray[np.int64]
    metrics: Mapping[str, NDArray]
    loss: NDArray[np.float64]
    iters_per_epoch: int = 1
    diverged_at: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def epochs(self) -> NDArray[np.float64]:
        """The epoch of each metric value."""
        return self.metric_steps / max(1, self.iters_per_epoch)


def read_runs(trace: Trace) -> list[Run]:
    """The runs of a trace written by ``lessons.training.runs_trace``, in order."""
    listed = trace.meta.get("runs")
    if not isinstance(listed, list) or not listed:
        raise ValueError("this trace holds no runs (meta['runs'] is missing)")
    out = []
    for i, info in enumerate(listed):
        prefix = f"runs/{i}/"
        arrays = {
            k[len(prefix) :]: v for k, v in trace.data.items() if k.startswith(prefix)
        }
        steps, loss = arrays.pop("metric_steps"), arrays.pop("loss")
        out.append(
            Run(
                str(info.get("label", i)),
                dict(info.get("values", {})),
                steps,
                arrays,
                loss,
                int(info.get("iters_per_epoch", 1)),
                info.get("diverged_at"),
            )
        )
    return out
