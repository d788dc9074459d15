"""Read the user's own (x, y) points from a CSV file, with errors that say where.

Accepted: a header naming the columns ``x`` and ``y`` (any order, other
columns ignored; a two-column header with other names is taken as x then y),
or no header and exactly two numeric columns. Separators: comma, semicolon or
tab. Blank lines and lines starting with ``#`` are skipped. Every error names
the file, and the line and column where it can.

The file is read as a stream, line by line, so a bad line is reported as soon
as it is reached, and nothing grows without a bound: at most `MAX_BYTES`
bytes, `MAX_ROWS` rows, `MAX_LINE` characters per line, `MAX_COLUMNS` columns
and `MAX_FIELD` characters per cell. A pipe (``--data <(...)``) works too.

>>> data = read_xy_csv("points.csv")  # doctest: +SKIP
>>> data.x.shape, data.t.shape  # doctest: +SKIP
((50, 1), (50, 1))
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from vizlearn.datasets.toy import Dataset
from vizlearn.files import FileRefused, open_bounded

__all__ = [
    "CsvError",
    "read_xy_csv",
    "read_labelled_csv",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_FIELD",
    "MAX_LINE",
    "MAX_ROWS",
]

MAX_ROWS = 1_000_000
MAX_BYTES = 200 * 2**20
MAX_LINE = 64 * 1024  # characters
MAX_COLUMNS = 1_000
MAX_FIELD = 4_096  # characters; a number needs a few dozen

Row = tuple[int, list[str]]


class CsvError(ValueError):
    """A CSV file of points is missing, unreadable or malformed."""


def read_xy_csv(path: str | Path) -> Dataset:
    """Read points from ``path``; return a Dataset with ``x`` and ``t`` of shape (N, 1).

    Raises
    ------
    CsvError
        The file is missing, not a regular file or pipe, not UTF-8 text,
        empty, too large, has a non-numeric, NaN or infinite cell (named by
        line and column), rows of the wrong length, a line, cell or column
        count beyond the limits, fewer than 2 points, or a single distinct x.
    """
    path = Path(path)
    with _open(path) as text:
        rows = _rows(path, text)
        first = next(rows, None)
        if first is None:
            raise CsvError(f"{path}: no data rows (the file is empty)")
        line, cells = first
        if any(_is_number(c) for c in cells):  # a header has no numbers in it
            if len(cells) != 2:
                raise CsvError(
                    f"{path}: line {line} has {len(cells)} columns; without a "
                    "header the file needs exactly 2 (x, y)"
                )
            return _points(path, itertools.chain([first], rows), (0, 1), ("x", "y"), 2)
        columns, names = _header(path, line, cells)
        return _points(path, rows, columns, names, len(cells), header_line=line)


LABELLED = ("x1", "x2", "label")


def read_labelled_csv(path: str | Path) -> Dataset:
    """Read labelled points: ``x`` (N, 2) from columns x1, x2 and ``t`` (N,) from label.

    The header names the columns x1, x2 and label (any order, others ignored),
    or there is none and exactly 3 columns in that order. Labels are integers.
    Errors are CsvErrors naming the line and column, as `read_xy_csv`'s.
    """
    path = Path(path)
    with _open(path) as text:
        rows = _rows(path, text)
        first = next(rows, None)
        if first is None:
            raise CsvError(f"{path}: no data rows (the file is empty)")
        line, cells = first
        if any(_is_number(c) for c in cells):
            if len(cells) != 3:
                raise CsvError(
                    f"{path}: line {line} has {len(cells)} columns; without a "
                    "header the file needs exactly 3 (x1, x2, label)"
                )
            body, columns, width = itertools.chain([first], rows), (0, 1, 2), 3
        else:
            lower = [c.lower() for c in cells]
            if not all(name in lower for name in LABELLED):
                raise CsvError(
                    f"{path}: line {line}: the header must name the columns "
                    "x1, x2 and label"
                )
            body, columns = rows, tuple(lower.index(n) for n in LABELLED)
            width = len(cells)
        return _labelled(path, body, columns, width)


def _labelled(path: Path, body: Iterable[Row], columns: tuple, width: int) -> Dataset:
    x, t = [], []
    for line, cells in body:
        if len(cells) != width:
            raise CsvError(
                f"{path}: line {line} has {len(cells)} columns, expected {width}"
            )
        i1, i2, il = columns
        x.append(
            [_number(path, line, i, n, cells[i]) for i, n in ((i1, "x1"), (i2, "x2"))]
        )
        label = _number(path, line, il, "label", cells[il])
        if label != int(label) or abs(label) > 1e9:
            raise CsvError(
                f"{path}: line {line}, column {il + 1} (label): {_short(cells[il])} "
                "is not an integer class label"
            )
        t.append(int(label))
    if len(t) < 2:
        raise CsvError(f"{path}: needs at least 2 points, found {len(t)}")
    return Dataset(np.array(x, dtype=np.float64), np.array(t, dtype=np.int64))


def _open(path: Path) -> io.TextIOWrapper:
    """The file as UTF-8 text (a BOM is skipped), at most MAX_BYTES, or CsvError."""
    try:
        raw = open_bounded(path, MAX_BYTES, streams=True)
    except FileNotFoundError:
        raise CsvError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CsvError(f"{path}: is a folder, not a CSV file") from None
    except FileRefused as e:
        raise CsvError(str(e)) from None
    except OSError as e:
        raise CsvError(f"{path}: cannot read ({e.strerror or e})") from None
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _lines(path: Path, text: io.TextIOWrapper) -> Iterator[str]:
    """Physical lines, each at most MAX_LINE characters; read errors as CsvError."""
    number = 0
    while True:
        number += 1
        try:
            line = text.readline(MAX_LINE + 1)
        except UnicodeDecodeError:
            raise CsvError(f"{path}: not a UTF-8 text file (line {number})") from None
        except FileRefused:
            raise CsvError(f"{path}: larger than {MAX_BYTES // 2**20} MB") from None
        except OSError as e:
            raise CsvError(f"{path}: cannot read ({e.strerror or e})") from None
        if not line:
            return
        if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
            raise CsvError(
                f"{path}: line {number} is longer than {MAX_LINE:,} characters"
            )
        yield line


def _rows(path: Path, text: io.TextIOWrapper) -> Iterator[Row]:
    """Non-blank, non-comment rows with their line numbers, within the limits."""
    lines = _lines(path, text)
    ahead = []  # lines up to the first content line, which sets the separator
    for line in lines:
        ahead.append(line)
        if line.strip() and not line.lstrip().startswith("#"):
            break
    reader = csv.reader(
        itertools.chain(ahead, lines), delimiter=_delimiter(ahead[-1:] or [""])
    )
    count = 0
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as e:
            raise CsvError(f"{path}: line {reader.line_num}: {e}") from None
        if cells is None:
            return
        _check_row(path, reader.line_num, cells)
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        count += 1
        if count > MAX_ROWS + 1:
            raise CsvError(f"{path}: more than {MAX_ROWS:,} rows")
        yield reader.line_num, cells


def _check_row(path: Path, line: int, cells: list[str]) -> None:
    if len(cells) > MAX_COLUMNS:
        raise CsvError(
            f"{path}: line {line} has {len(cells):,} columns; at most "
            f"{MAX_COLUMNS:,} are read"
        )
    for col, cell in enumerate(cells, 1):
        if len(cell) > MAX_FIELD:
            raise CsvError(
                f"{path}: line {line}, column {col}: a cell of {len(cell):,} "
                f"characters; at most {MAX_FIELD:,} are read"
            )


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
    shown = ", ".join(_short(c, quote=False) for c in cells[:10]) + (
        ", ..." if len(cells) > 10 else ""
    )
    raise CsvError(
        f"{path}: line {line}: header has {len(cells)} columns "
        f"({shown}); name two of them x and y, or keep only two"
    )


def _points(
    path: Path,
    body: Iterable[Row],
    columns: tuple[int, int],
    names: tuple,
    width: int,
    header_line: int | None = None,
) -> Dataset:
    values: list[tuple[float, float]] = []
    for line, cells in body:
        if len(cells) != width:
            raise CsvError(
                f"{path}: line {line} has {len(cells)} columns, expected {width}"
            )
        values.append(
            tuple(  # type: ignore[arg-type]
                _number(path, line, col, name, cells[col])
                for col, name in zip(columns, names, strict=True)
            )
        )
    if not values and header_line is not None:
        raise CsvError(f"{path}: no data rows below the header on line {header_line}")
    if len(values) < 2:
        raise CsvError(f"{path}: needs at least 2 points, found {len(values)}")
    array = np.array(values, dtype=np.float64)
    if np.ptp(array[:, 0]) == 0:
        raise CsvError(
            f"{path}: every x is {array[0, 0]:g}; need at least two different x values"
        )
    return Dataset(array[:, :1].copy(), array[:, 1:].copy())


def _number(path: Path, line: int, col: int, name: str, cell: str) -> float:
    where = f"{path}: line {line}, column {col + 1} ({_short(name, quote=False)})"
    try:
        value = float(cell)
    except ValueError:
        shown = _short(cell) if cell else "an empty cell"
        raise CsvError(f"{where}: {shown} is not a number") from None
    if not math.isfinite(value):
        raise CsvError(f"{where}: {_short(cell)} is not a finite number")
    return value


def _short(cell: str, limit: int = 40, *, quote: bool = True) -> str:
    """repr() of a cell, cut to ``limit`` characters (control characters escaped)."""
    text = repr(cell[:limit])
    text = text if quote or not cell.isprintable() else text[1:-1]
    return text + ("..." if len(cell) > limit else "")
