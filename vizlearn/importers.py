"""Read training logs written by other tools into a Trace of metrics.

=================  ===========================================================
``keras-csv``      ``keras.callbacks.CSVLogger``: a header ``epoch,accuracy,
                   loss,val_accuracy,val_loss,...`` and one row per epoch
``keras-json``     ``json.dump(model.fit(...).history, f)``: ``{"loss": [...],
                   "val_loss": [...], ...}`` (or pandas' ``{"loss": {"0": ...}}``)
``csv``            any CSV with a header; the first column is the step if it is
                   named step, iteration, iter, epoch or batch, else rows count
=================  ===========================================================

Every numeric column becomes ``trace.metrics[name]`` at ``trace.metric_steps``
(Keras epochs are stored counted from 1, as Keras prints them); a ``loss``
column also becomes ``trace.loss``. Empty cells and ``NA`` are missing: the
metrics keep the rows where every column has a value. A ``nan``/``inf`` value
means training diverged there: rows from it on are dropped and
``meta["diverged_at"]`` names the step, as vizlearn's own training loop does.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vizlearn.trace import Recorder, Trace, load_trace

__all__ = [
    "MetricsFileError",
    "read_metrics",
    "read_keras_csv",
    "read_keras_history",
    "read_csv_metrics",
    "metrics_trace",
    "FORMATS",
]

FORMATS = ("auto", "keras-csv", "keras-json", "csv", "trace")
STEP_COLUMNS = ("step", "steps", "iteration", "iter", "epoch", "batch")
_MISSING = ("", "na", "n/a", "none", "null")
_MAX_BYTES = 200_000_000


class MetricsFileError(ValueError):
    """A metrics file can't be read; the message names the file and the line."""


def read_metrics(path: str | Path, *, fmt: str = "auto") -> Trace:
    """Read ``path`` as ``fmt`` (one of ``FORMATS``; "auto" guesses from the file)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "auto":
        fmt = _guess(path)
    if fmt == "trace":
        return load_trace(path)
    reader = {
        "keras-csv": read_keras_csv,
        "keras-json": read_keras_history,
        "csv": read_csv_metrics,
    }[fmt]
    return reader(path)


def _guess(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return "trace"
    if suffix == ".json":
        return "keras-json"
    header = _read_text(path).lstrip("\ufeff").split("\n", 1)[0]
    first = header.replace(";", ",").replace("\t", ",").split(",")[0].strip().lower()
    return "keras-csv" if first == "epoch" else "csv"


def read_keras_csv(path: str | Path) -> Trace:
    """Read a Keras ``CSVLogger`` file (epoch, then one column per metric)."""
    header, rows, lines = _read_table(Path(path))
    if header[0].lower() != "epoch":
        raise MetricsFileError(
            f"{path}: a Keras CSVLogger file starts with an "
            f"'epoch' column, not {header[0]!r}"
        )
    columns = _columns(Path(path), header, rows, lines)
    epochs = columns.pop(header[0])
    steps = _steps(Path(path), epochs, lines) + 1  # Keras counts epochs from 0
    return metrics_trace(columns, steps, meta=_meta(path, "keras-csv", "epoch"))


def read_csv_metrics(path: str | Path, *, step_column: str | None = None) -> Trace:
    """Read a CSV with a header; its step column is named step/iteration/epoch/..."""
    path = Path(path)
    header, rows, lines = _read_table(path)
    columns = _columns(path, header, rows, lines)
    name = step_column or (header[0] if header[0].lower() in STEP_COLUMNS else None)
    if name is not None and name not in columns:
        raise MetricsFileError(
            f"{path}: no column {name!r}; the columns are {', '.join(header)}"
        )
    steps = _steps(path, columns.pop(name), lines) if name else np.arange(len(rows))
    unit = "epoch" if name and name.lower() == "epoch" else "step"
    return metrics_trace(columns, steps, meta=_meta(path, "csv", unit))


def read_keras_history(path: str | Path) -> Trace:
    """Read ``History.history`` saved as JSON: {"loss": [...], "val_loss": [...]}."""
    path = Path(path)
    try:
        obj = json.loads(_read_text(path))
    except json.JSONDecodeError as e:
        raise MetricsFileError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    if isinstance(obj, dict) and isinstance(obj.get("history"), dict):
        obj = obj["history"]
    if not isinstance(obj, dict) or not obj:
        raise MetricsFileError(
            f'{path}: expected a JSON object like {{"loss": [0.9, '
            f'0.5], "val_loss": [1.0, 0.7]}}'
        )
    columns = {str(k): _json_values(path, str(k), v) for k, v in obj.items()}
    lengths = {k: len(v) for k, v in columns.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        raise MetricsFileError(
            f"{path}: every list must have one value per epoch; lengths are {shown}"
        )
    n = next(iter(lengths.values()))
    return metrics_trace(
        columns, np.arange(1, n + 1), meta=_meta(path, "keras-json", "epoch")
    )


def _json_values(path: Path, key: str, value: Any) -> np.ndarray:
    if isinstance(value, dict):  # pandas DataFrame.to_json(): {"0": v0, "1": v1}
        try:
            value = [value[k] for k in sorted(value, key=int)]
        except ValueError:
            raise MetricsFileError(f"{path}: '{key}' maps non-integer keys") from None
    if not isinstance(value, list) or not value:
        raise MetricsFileError(f"{path}: '{key}' must be a non-empty list of numbers")
    out = np.empty(len(value))
    for i, v in enumerate(value):
        if v is None:
            out[i] = np.nan  # missing
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[i] = v if math.isfinite(v) else np.inf  # NaN/Infinity: diverged
        else:
            raise MetricsFileError(f"{path}: '{key}'[{i}] is {v!r}, not a number")
    return out


def metrics_trace(
    columns: Mapping[str, Sequence[float]],
    steps: Sequence[int],
    *,
    meta: Mapping[str, Any] | None = None,
) -> Trace:
    """Build a Trace from metric columns (NaN = missing) at ``steps``.

    Rows from the first ``inf`` on are dropped as diverged. (JSON and CSV
    readers mark a literal nan as inf, so that missing and diverged differ.)
    """
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in columns.items()}
    steps = np.asarray(steps, dtype=np.int64)
    if not arrays:
        raise MetricsFileError("no metric columns besides the step")
    stack = np.stack(list(arrays.values()), axis=1)
    bad = np.flatnonzero(np.isinf(stack).any(axis=1))
    meta = dict(meta or {})
    if len(bad):
        meta["diverged_at"] = int(steps[bad[0]])
        stack, steps = stack[: bad[0]], steps[: bad[0]]
    rec = Recorder(meta=meta)
    for step, row in zip(steps, stack, strict=True):
        if "loss" in arrays and not np.isnan(row[list(arrays).index("loss")]):
            rec.record(int(step), loss=row[list(arrays).index("loss")])
        if not np.isnan(row).any():
            rec.record(int(step), metrics=dict(zip(arrays, row, strict=True)))
    trace = rec.freeze()
    if not trace.metrics and len(steps):
        raise MetricsFileError(
            f"no row has a value in every column ({', '.join(arrays)})"
        )
    return trace


def _meta(path: str | Path, source: str, unit: str) -> dict[str, Any]:
    # only the file name: provenance carries no local paths
    return {
        "lesson": "import",
        "source": source,
        "file": Path(path).name,
        "step_unit": unit,
    }


def _read_text(path: Path) -> str:
    if path.stat().st_size > _MAX_BYTES:
        raise MetricsFileError(f"{path}: larger than {_MAX_BYTES // 1_000_000} MB")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise MetricsFileError(f"{path}: not a UTF-8 text file ({e.reason})") from None


def _read_table(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, data rows and their line numbers; blank lines are skipped."""
    text = _read_text(path)
    if not text.strip():
        raise MetricsFileError(f"{path}: the file is empty")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    numbered = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    header = [c.strip() for c in numbered[0][1]]
    if len(set(header)) != len(header) or "" in header:
        raise MetricsFileError(
            f"{path}:1: the header needs distinct, non-empty "
            f"column names, got {','.join(header)}"
        )
    rows, lines = [r for _, r in numbered[1:]], [n for n, _ in numbered[1:]]
    if not rows:
        raise MetricsFileError(f"{path}: a header but no data rows")
    return header, rows, lines


def _columns(
    path: Path, header: list[str], rows: list[list[str]], lines: list[int]
) -> dict[str, np.ndarray]:
    values = np.empty((len(rows), len(header)))
    for i, (row, line) in enumerate(zip(rows, lines, strict=True)):
        if len(row) != len(header):
            raise MetricsFileError(
                f"{path}:{line}: {len(row)} cells, but the header "
                f"has {len(header)} columns"
            )
        for j, cell in enumerate(row):
            values[i, j] = _number(path, line, header[j], cell)
    return {name: values[:, j] for j, name in enumerate(header)}


def _number(path: Path, line: int, column: str, cell: str) -> float:
    text = cell.strip().lower()
    if text in _MISSING:
        return np.nan
    try:
        value = float(text)
    except ValueError:
        raise MetricsFileError(
            f"{path}:{line}: column '{column}' holds {cell.strip()!r}, not a number"
        ) from None
    return value if math.isfinite(value) else np.inf  # nan/inf in the log: diverged


def _steps(path: Path, values: np.ndarray, lines: list[int]) -> np.ndarray:
    if not np.isfinite(values).all() or (values != np.round(values)).any():
        raise MetricsFileError(f"{path}: the step column must hold whole numbers")
    steps = values.astype(np.int64)
    back = np.flatnonzero(np.diff(steps) <= 0)
    if len(back):
        i = back[0] + 1
        raise MetricsFileError(
            f"{path}:{lines[i]}: steps must increase; {steps[i]} follows {steps[i - 1]}"
        )
    return steps
