"""TensorBoard event files, read with tbparse (``pip install 'vizlearn[tensorboard]'``).

Scalars only: each tag becomes a metric named as Keras names it (``epoch_loss``
of the ``validation`` run is ``val_loss``), charted against TensorBoard's step.
Tags logged at different steps (per batch and per epoch) keep only the steps
where every tag has a value, so read one kind at a time with ``tags=``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from vizlearn.importers.logs import (
    MAX_BYTES,
    MetricsFileError,
    check_size,
    metrics_trace,
    tensorboard_name,
)
from vizlearn.trace import Trace

__all__ = ["read_tensorboard"]


def read_tensorboard(path: str | Path, *, tags: Sequence[str] | None = None) -> Trace:
    """A Trace of the scalars in a log folder or event file (``tags``: some only)."""
    path = Path(path)
    try:
        from tbparse import SummaryReader
    except ImportError:
        raise MetricsFileError(
            f"{path}: reading TensorBoard event files needs tbparse: "
            "pip install 'vizlearn[tensorboard]'"
        ) from None
    files = [path] if path.is_file() else sorted(path.rglob("events.out.tfevents*"))
    if not files:
        raise MetricsFileError(
            f"{path}: no TensorBoard event files (events.out.tfevents*)"
        )
    total = sum(f.stat().st_size for f in files)
    if total > MAX_BYTES:
        raise MetricsFileError(
            f"{path}: {total / 1e6:,.0f} MB of event files; at most "
            f"{MAX_BYTES / 1e6:,.0f} MB are read"
        )
    scalars = SummaryReader(str(path), extra_columns={"dir_name"}).scalars
    if scalars.empty:
        raise MetricsFileError(f"{path}: the event files hold no scalars")
    runs = scalars["dir_name"].fillna("").astype(str)
    names = [
        tensorboard_name(tag, run)
        for tag, run in zip(scalars["tag"], runs, strict=True)
    ]
    scalars = scalars.assign(name=names)
    if tags is not None:
        scalars = scalars[scalars["tag"].isin(tags) | scalars["name"].isin(tags)]
    table = scalars.pivot_table(index="step", columns="name", values="value")
    check_size(path, table.shape[1], table.shape[0])
    columns = {str(k): table[k].to_numpy(dtype=np.float64) for k in table.columns}
    meta = {
        "lesson": "import",
        "source": "tensorboard",
        "file": path.name,
        "step_unit": "step",
    }
    return metrics_trace(columns, table.index.to_numpy(), meta=meta)
