"""read_labelled_csv: x1, x2, label columns with line-numbered errors."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.datasets.csv import CsvError, read_labelled_csv


def _write(tmp_path, text: str):
    path = tmp_path / "points.csv"
    path.write_text(text)
    return path


def test_header_in_any_order_with_extra_columns(tmp_path):
    path = _write(tmp_path, "note,label,x2,x1\na,1,0.5,2\n# comment\n\nb,-3,1.5,4\n")
    data = read_labelled_csv(path)
    np.testing.assert_array_equal(data.x, [[2.0, 0.5], [4.0, 1.5]])
    np.testing.assert_array_equal(data.t, [1, -3])
    assert data.t.dtype == np.int64


def test_no_header_three_columns_and_semicolons(tmp_path):
    data = read_labelled_csv(_write(tmp_path, "1;2;0\n3;4;1.0\n"))
    np.testing.assert_array_equal(data.t, [0, 1])
    np.testing.assert_array_equal(data.x, [[1, 2], [3, 4]])


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "x1,x2,label\n1,2,0\n1,2,0.5\n",
            "line 3, column 3 (label): '0.5' is not an integer",
        ),
        (
            "x1,x2,label\n1,2,0\n1,nan,1\n",
            "line 3, column 2 (x2): 'nan' is not a finite",
        ),
        ("x1,x2,label\n1,2,0\n1,2\n", "line 3 has 2 columns, expected 3"),
        (
            "x,y,label\n1,2,0\n",
            "line 1: the header must name the columns x1, x2 and label",
        ),
        (
            "1,2\n3,4\n",
            "line 1 has 2 columns; without a header the file needs exactly 3",
        ),
        (
            "x1,x2,label\n1,2,cat\n1,2,0\n",
            "line 2, column 3 (label): 'cat' is not a number",
        ),
        ("x1,x2,label\n1,2,0\n", "needs at least 2 points, found 1"),
        ("", "no data rows"),
    ],
)
def test_errors_say_where(tmp_path, text, message):
    with pytest.raises(CsvError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_labelled_csv(_write(tmp_path, text))
