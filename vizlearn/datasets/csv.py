"""Read the user's own (x, y) points from a CSV file, with errors that say where.

Accepted: a header naming the columns ``x`` and ``y`` (any order, other
columns ignored; a two-column header with other names is taken as x then y),
or no header and exactly two numeric columns. Separators: comma, semicolon or
tab. Blank lines and lines starting with ``#`` are skipped. Every error names
the file, and the line and column where it can.

>>> data = read_xy_csv("points.csv")  # doctest: +SKIP
>>> data.x.shape, data.t.shape  # doctest: +SKIP
((50, 1), (50, 1))
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from vizlearn.datasets.toy import Dataset

__all__ = ["CsvError", "read_xy_csv", "MAX_ROWS", "MAX_BYTES"]

MAX_ROWS = 1_000_000
MAX_BYTES = 200 * 2**20


class CsvError(ValueError):
    """A CSV file of points is missing, unreadable or malformed."""


def read_xy_csv(path: str | Path) -> Dataset:
    """Read points from ``path``; return a Dataset with ``x`` and ``t`` of shape (N, 1).

    Raises
    ------
    CsvError
        The file is missing, not text, empty, has a non-numeric, NaN or
        infinite cell (named by line and column), rows of the wrong length,
        fewer than 2 points, or a single distinct x value.
    """
    path = Path(path)
    rows = _rows(path)
    if not rows:
        raise CsvError(f"{path}: no data rows (the file is empty)")
    (line, first), rest = rows[0], rows[1:]
    if any(_is_number(c) for c in first):  # a header has no numbers in it
        columns, names, body = (0, 1), ("x", "y"), rows
        if len(first) != 2:
            raise CsvError(
                f"{path}: line {line} has {len(first)} columns; without a header "
                "the file needs exactly 2 (x, y)"
            )
    else:
        columns, names = _header(path, line, first)
        body = rest
        if not body:
            raise CsvError(f"{path}: no data rows below the header on line {line}")
    return _points(path, body, columns, names, len(first))


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank, non-comment rows with their line numbers."""
    if path.is_dir():
        raise CsvError(f"{path}: is a folder, not a CSV file")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CsvError(f"{path}: larger than {MAX_BYTES // 2**20} MB")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CsvError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CsvError(f"{path}: not a UTF-8 text file") from None
    except OSError as e:
        raise CsvError(f"{path}: cannot read ({e.strerror or e})") from None
    lines = text.splitlines()
    delimiter = _delimiter(lines)
    out = []
    for number, cells in enumerate(csv.reader(lines, delimiter=delimiter), 1):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        out.append((number, cells))
        if len(out) > MAX_ROWS + 1:
            raise CsvError(f"{path}: more than {MAX_ROWS:,} rows")
    return out


def _delimiter(lines: list[str]) -> str:
    """The separator of the first content line: comma, semicolon or tab."""
    for text in lines:
        if text.strip() and not text.lstrip().startswith("#"):
            counts = {d: text.count(d) for d in (",", ";", "\t")}
            best = max(counts, key=counts.__getitem__)
            return best if counts[best] else ","
    return ","


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _header(path: Path, line: int, cells: list[str]) -> tuple[tuple[int, int], tuple]:
    """Column indices and names of x and y from a header row."""
    lower = [c.lower() for c in cells]
    if "x" in lower and "y" in lower:
        ix, iy = lower.index("x"), lower.index("y")
        return (ix, iy), (cells[ix], cells[iy])
    if len(cells) == 2:
        return (0, 1), tuple(cells)
    raise CsvError(
        f"{path}: line {line}: header has {len(cells)} columns "
        f"({', '.join(cells)}); name two of them x and y, or keep only two"
    )


def _points(path: Path, body, columns, names, width: int) -> Dataset:
    values = np.empty((len(body), 2))
    for i, (line, cells) in enumerate(body):
        if len(cells) != width:
            raise CsvError(
                f"{path}: line {line} has {len(cells)} columns, expected {width}"
            )
        for j, (col, name) in enumerate(zip(columns, names, strict=True)):
            values[i, j] = _number(path, line, col, name, cells[col])
    if len(values) < 2:
        raise CsvError(f"{path}: needs at least 2 points, found {len(values)}")
    if np.ptp(values[:, 0]) == 0:
        raise CsvError(
            f"{path}: every x is {values[0, 0]:g}; need at least two different x values"
        )
    return Dataset(values[:, :1].copy(), values[:, 1:].copy())


def _number(path: Path, line: int, col: int, name: str, cell: str) -> float:
    where = f"{path}: line {line}, column {col + 1} ({name})"
    try:
        value = float(cell)
    except ValueError:
        shown = repr(cell) if cell else "an empty cell"
        raise CsvError(f"{where}: {shown} is not a number") from None
    if not math.isfinite(value):
        raise CsvError(f"{where}: {cell!r} is not a finite number")
    return value
