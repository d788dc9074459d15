"""Read training logs written by other tools into a Trace of metrics.

``read_metrics(source)`` takes a path or an object:

=====================  =========================================================
Keras ``History``      what ``model.fit`` returns (its ``.history``, ``.epoch``)
a mapping              ``History.history``: ``{"loss": [...], "val_loss": [...]}``
a pandas DataFrame     columns as in a CSV (a step column, else rows count), or
                       an index named step/epoch/...
``keras-csv``          ``keras.callbacks.CSVLogger``: ``epoch,accuracy,loss,...``
``keras-json``         ``History.history`` saved as JSON (or pandas'
                       ``{"loss": {"0": ...}}``)
``tensorboard-csv``    TensorBoard's scalar download ``Wall time,Step,Value``:
                       charted against Step
``tensorboard``        a TensorBoard log folder or event file (``pip install
                       'vizlearn[tensorboard]'``, which reads it with tbparse)
``csv``                any CSV with a header; the first column is the step if
                       it is named step, iteration, iter, epoch or batch
``trace``              a vizlearn ``.npz``
=====================  =========================================================

Every numeric column becomes ``trace.metrics[name]`` at ``trace.metric_steps``
(Keras epochs are stored counted from 1, as Keras prints them); a ``loss``
column also becomes ``trace.loss``. Empty cells and ``NA`` are missing: the
metrics keep the rows where every column has a value. A ``nan``/``inf`` value
means training diverged there: rows from it on are dropped and
``meta["diverged_at"]`` names the step, as vizlearn's own training loop does.
Logs are read within limits (`vizlearn.importers.logs`: size, columns, rows,
field length), refused in one line before parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vizlearn.importers.logs import (
    STEP_COLUMNS,
    MetricsFileError,
    check_size,
    history_trace,
    is_tensorboard_csv,
    metrics_trace,
    read_csv_metrics,
    read_keras_csv,
    read_keras_history,
    read_tensorboard_csv,
    read_text,
)
from vizlearn.trace import Trace, load_trace

__all__ = [
    "MetricsFileError",
    "read_metrics",
    "read_keras_csv",
    "read_keras_history",
    "read_csv_metrics",
    "read_tensorboard_csv",
    "read_tensorboard",
    "metrics_trace",
    "FORMATS",
]

FORMATS = (
    "auto",
    "keras-csv",
    "keras-json",
    "tensorboard-csv",
    "tensorboard",
    "csv",
    "trace",
)


def read_metrics(source: Any, *, fmt: str = "auto") -> Trace:
    """A Trace of the metrics in ``source``: a path, a History, a dict or a DataFrame.

    ``fmt`` (one of ``FORMATS``) applies to paths; "auto" guesses from the file.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not isinstance(source, (str, Path)):
        return _read_object(source)
    path = Path(source)
    if fmt == "auto":
        fmt = _guess(path)
    if fmt == "trace":
        return load_trace(path)
    if fmt == "tensorboard":
        from vizlearn.importers.tensorboard import read_tensorboard

        return read_tensorboard(path)
    reader = {
        "keras-csv": read_keras_csv,
        "keras-json": read_keras_history,
        "tensorboard-csv": read_tensorboard_csv,
        "csv": read_csv_metrics,
    }[fmt]
    return reader(path)


def read_tensorboard(path: str | Path) -> Trace:
    """Scalars of a TensorBoard log folder or event file (needs tbparse)."""
    from vizlearn.importers.tensorboard import read_tensorboard as read

    return read(path)


def _object_meta(source: str, unit: str) -> dict[str, Any]:
    return {"lesson": "import", "source": source, "step_unit": unit}


def _read_object(obj: Any) -> Trace:
    """A Keras History, a mapping of lists, or a pandas DataFrame."""
    history = getattr(obj, "history", None)
    if isinstance(history, Mapping) and hasattr(obj, "epoch"):  # keras History
        epochs = np.asarray(list(obj.epoch), dtype=np.int64) + 1  # from initial_epoch
        meta = _object_meta("keras-history", "epoch")
        return history_trace(history, steps=epochs, meta=meta, where="History")
    if isinstance(obj, Mapping):
        return history_trace(obj, meta=_object_meta("dict", "epoch"), where="dict")
    if hasattr(obj, "columns") and hasattr(obj, "to_numpy"):
        return _read_dataframe(obj)
    raise TypeError(
        "read_metrics takes a path, a Keras History, a dict of lists or a pandas "
        f"DataFrame, not {type(obj).__name__}"
    )


def _read_dataframe(frame: Any) -> Trace:
    """DataFrame columns; the step is a step-named first column or index."""
    names = [str(c) for c in frame.columns]
    check_size("DataFrame", len(names), len(frame))
    if names[:3] and is_tensorboard_csv(names):
        steps, columns = frame.iloc[:, 1].to_numpy(), {"value": frame.iloc[:, 2]}
        unit = "step"
    elif names and names[0].lower() in STEP_COLUMNS:
        steps = frame.iloc[:, 0].to_numpy()
        columns = {n: frame.iloc[:, j + 1] for j, n in enumerate(names[1:])}
        unit = "epoch" if names[0].lower() == "epoch" else "step"
    else:
        index = str(getattr(frame.index, "name", None) or "")
        steps = frame.index.to_numpy() if index.lower() in STEP_COLUMNS else None
        steps = np.arange(len(frame)) if steps is None else steps
        columns = {n: frame.iloc[:, j] for j, n in enumerate(names)}
        unit = "epoch" if index.lower() == "epoch" else "step"
    steps = np.asarray(steps, dtype=np.float64)
    if not np.isfinite(steps).all() or (steps != np.round(steps)).any():
        raise MetricsFileError("DataFrame: the step column must hold whole numbers")
    if (np.diff(steps) <= 0).any():
        raise MetricsFileError("DataFrame: steps must increase")
    values = {n: _float_column(n, c) for n, c in columns.items()}
    return metrics_trace(
        values, steps.astype(np.int64), meta=_object_meta("dataframe", unit)
    )


def _float_column(name: str, column: Any) -> np.ndarray:
    try:
        values = np.asarray(column.to_numpy(dtype=np.float64, na_value=np.nan))
    except (TypeError, ValueError):
        raise MetricsFileError(f"DataFrame: column '{name}' is not numeric") from None
    return np.where(np.isnan(values) | np.isfinite(values), values, np.inf)


def _guess(path: Path) -> str:
    if path.is_dir() or path.name.startswith("events.out.tfevents"):
        return "tensorboard"
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return "trace"
    if suffix == ".json":
        return "keras-json"
    header = read_text(path).lstrip("\ufeff").split("\n", 1)[0]
    cells = header.replace(";", ",").replace("\t", ",").split(",")
    if is_tensorboard_csv(cells):
        return "tensorboard-csv"
    return "keras-csv" if cells[0].strip().lower() == "epoch" else "csv"
