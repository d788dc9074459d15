"""Training logs as text: Keras CSVLogger, History JSON, any CSV, TensorBoard CSV.

Every reader is bounded before it parses: the file's size, its number of
columns and rows (refused with an estimate of what they would hold, before a
cell is read), and the length of a field. Each problem is one line naming the
file, the line where there is one, and what is allowed. (About 350 lines:
four formats share the table reader, the bounds and the messages.)
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vizlearn.trace import Recorder, Trace

__all__ = [
    "MetricsFileError",
    "read_keras_csv",
    "read_keras_history",
    "read_csv_metrics",
    "read_tensorboard_csv",
    "history_trace",
    "metrics_trace",
    "is_tensorboard_csv",
    "check_size",
    "tensorboard_name",
    "read_text",
    "STEP_COLUMNS",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_FIELD",
]

STEP_COLUMNS = ("step", "steps", "iteration", "iter", "epoch", "batch")
TENSORBOARD_HEADER = ("wall time", "step", "value")
_MISSING = ("", "na", "n/a", "none", "null")
MAX_BYTES = 200_000_000
MAX_COLUMNS = 1_000
"""A metrics log has one column per metric: a thousand is far more than any has."""
MAX_ROWS = 5_000_000
MAX_FIELD = 1_000
"""Characters in one cell or column name (a number takes about 25)."""


class MetricsFileError(ValueError):
    """A metrics file can't be read; the message names the file and the line."""


def read_keras_csv(path: str | Path) -> Trace:
    """Read a Keras ``CSVLogger`` file (epoch, then one column per metric)."""
    path = Path(path)
    header, rows, lines = _read_table(path)
    if header[0].lower() != "epoch":
        raise MetricsFileError(
            f"{path}: a Keras CSVLogger file starts with an "
            f"'epoch' column, not {header[0]!r}"
        )
    columns = _columns(path, header, rows, lines)
    epochs = columns.pop(header[0])
    steps = _steps(path, epochs, lines) + 1  # Keras counts epochs from 0
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


def is_tensorboard_csv(header: Sequence[str]) -> bool:
    """Whether a CSV header is TensorBoard's scalar export: Wall time,Step,Value."""
    return tuple(h.strip().lower() for h in header) == TENSORBOARD_HEADER


def read_tensorboard_csv(path: str | Path, *, name: str | None = None) -> Trace:
    """Read a TensorBoard scalar CSV (``Wall time,Step,Value``) against its Step.

    The metric is named ``name``, or after the tag in TensorBoard's download
    name ``run-<run>-tag-<tag>.csv`` (``epoch_loss`` of run ``validation``
    becomes ``val_loss``), or after the file.
    """
    path = Path(path)
    header, rows, lines = _read_table(path)
    if not is_tensorboard_csv(header):
        raise MetricsFileError(
            f"{path}: a TensorBoard CSV has the header Wall time,Step,Value, "
            f"not {','.join(header)}"
        )
    columns = _columns(path, header, rows, lines)
    steps = _steps(path, columns[header[1]], lines)
    metric = name or tensorboard_name(path.stem)
    return metrics_trace(
        {metric: columns[header[2]]}, steps, meta=_meta(path, "tensorboard-csv", "step")
    )


def tensorboard_name(stem: str, run: str = "") -> str:
    """'run-validation-tag-epoch_loss' -> 'val_loss'; Keras' TensorBoard tags."""
    match = re.fullmatch(r"run[-_](.*?)[-_]tag[-_](.+)", stem)
    tag = match.group(2) if match else stem
    run = match.group(1) if match else run
    tag = tag.rsplit("/", 1)[-1]
    tag = tag[len("epoch_") :] if tag.startswith("epoch_") else tag
    return f"val_{tag}" if "validation" in run.lower() else tag


def read_keras_history(path: str | Path) -> Trace:
    """Read ``History.history`` saved as JSON: {"loss": [...], "val_loss": [...]}."""
    path = Path(path)
    text = read_text(path)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise MetricsFileError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    except RecursionError:
        raise MetricsFileError(f"{path}: JSON nested too deeply") from None
    if isinstance(obj, dict) and isinstance(obj.get("history"), dict):
        obj = obj["history"]
    return history_trace(obj, meta=_meta(path, "keras-json", "epoch"), where=path)


def history_trace(
    obj: Any,
    *,
    steps: Sequence[int] | None = None,
    meta: Mapping[str, Any] | None = None,
    where: Any = "history",
) -> Trace:
    """A Trace of ``{"loss": [...], ...}`` (``History.history``), epochs from 1."""
    if not isinstance(obj, Mapping) or not obj:
        what = "a JSON object" if isinstance(where, Path) else "a mapping"
        raise MetricsFileError(
            f'{where}: expected {what} like {{"loss": [0.9, '
            f'0.5], "val_loss": [1.0, 0.7]}}'
        )
    check_size(where, len(obj), max((_length(v) for v in obj.values()), default=0))
    columns = {_name(where, k): _values(where, str(k), v) for k, v in obj.items()}
    lengths = {k: len(v) for k, v in columns.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        raise MetricsFileError(
            f"{where}: every list must have one value per epoch; lengths are {shown}"
        )
    n = next(iter(lengths.values()))
    if steps is None or len(steps) != n:
        steps = np.arange(1, n + 1)
    return metrics_trace(columns, steps, meta=meta)


def _length(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def _name(where: Any, key: Any) -> str:
    name = str(key)
    if not name or len(name) > MAX_FIELD:
        raise MetricsFileError(
            f"{where}: metric names must have 1 to {MAX_FIELD:,} characters"
        )
    return name


def _values(where: Any, key: str, value: Any) -> np.ndarray:
    if isinstance(value, Mapping):  # pandas DataFrame.to_json(): {"0": v0, "1": v1}
        try:
            value = [value[k] for k in sorted(value, key=int)]
        except ValueError:
            raise MetricsFileError(f"{where}: '{key}' maps non-integer keys") from None
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not value:
        raise MetricsFileError(f"{where}: '{key}' must be a non-empty list of numbers")
    out = np.empty(len(value))
    for i, v in enumerate(value):
        if v is None:
            out[i] = np.nan  # missing
            continue
        try:
            if isinstance(v, (bool, str)):
                raise TypeError
            number = float(v)
        except (TypeError, ValueError):
            raise MetricsFileError(
                f"{where}: '{key}'[{i}] is {_shown(v)}, not a number"
            ) from None
        out[i] = number if math.isfinite(number) else np.inf  # NaN/inf: diverged
    return out


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


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
    names = list(arrays)
    loss = names.index("loss") if "loss" in arrays else None
    for step, row in zip(steps, stack, strict=True):
        if loss is not None and not np.isnan(row[loss]):
            rec.record(int(step), loss=row[loss])
        if not np.isnan(row).any():
            rec.record(int(step), metrics=dict(zip(names, row, strict=True)))
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


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path``, at most ``MAX_BYTES`` bytes."""
    from vizlearn.files import FileRefused, read_bounded

    try:
        raw = read_bounded(path, MAX_BYTES)
    except FileRefused as e:
        raise MetricsFileError(str(e)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise MetricsFileError(f"{path}: not a UTF-8 text file ({e.reason})") from None


def check_size(where: Any, n_columns: int, n_rows: int) -> None:
    """Refuse logs too wide or too long, with what they would hold, before parsing."""
    if n_columns > MAX_COLUMNS or n_rows > MAX_ROWS:
        cells = n_columns * n_rows
        raise MetricsFileError(
            f"{where}: {n_columns:,} columns x {n_rows:,} rows ({cells:,} values, "
            f"about {cells * 8 / 1e6:,.0f} MB as numbers); a metrics log is read "
            f"with at most {MAX_COLUMNS:,} columns and {MAX_ROWS:,} rows"
        )


def _read_table(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, data rows and their line numbers; blank lines are skipped."""
    text = read_text(path)
    if not text.strip():
        raise MetricsFileError(f"{path}: the file is empty")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    check_size(path, first.count(delimiter) + 1, text.rstrip("\n").count("\n"))
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        numbered = [
            (reader.line_num, row) for row in reader if any(c.strip() for c in row)
        ]
    except csv.Error as e:
        raise MetricsFileError(f"{path}:{reader.line_num}: not CSV ({e})") from None
    header = [c.strip() for c in numbered[0][1]]
    if len(set(header)) != len(header) or "" in header:
        raise MetricsFileError(
            f"{path}:1: the header needs distinct, non-empty "
            f"column names, got {','.join(header)[:200]}"
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
    if len(text) > MAX_FIELD:
        raise MetricsFileError(
            f"{path}:{line}: column '{column}' holds {len(text):,} characters, "
            f"not a number (at most {MAX_FIELD:,})"
        )
    try:
        value = float(text)
    except ValueError:
        raise MetricsFileError(
            f"{path}:{line}: column '{column}' holds {_shown(cell.strip())}, "
            "not a number"
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
