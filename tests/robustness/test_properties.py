"""Property-based: every reader, fed anything, raises only its own error.

Each reader of untrusted input documents one exception (CsvError, MnistError,
ProvenanceError, FileRefused); hypothesis feeds it random and near-valid
input and checks that nothing else escapes and that what is accepted is
well-formed. (The trace loader has its own in test_trace_files.py.)
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vizlearn.datasets.csv import CsvError, read_xy_csv
from vizlearn.datasets.mnist import MnistError, read_idx
from vizlearn.export.provenance import ProvenanceError, read_provenance
from vizlearn.files import FileRefused, parse_json, terminal_safe

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

_cell = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["", "x", "y", "nan", "1e999", "#", '"', "\ufeff", "1,5", "\x00"]),
    st.text(max_size=8),
)
_line = st.lists(_cell, max_size=4).flatmap(
    lambda cells: st.sampled_from([",", ";", "\t"]).map(lambda d: d.join(cells))
)


@SETTINGS
@given(lines=st.lists(_line, max_size=12), newline=st.sampled_from(["\n", "\r\n"]))
def test_csv_gives_points_or_csv_error(tmp_path: Path, lines, newline) -> None:
    path = tmp_path / "p.csv"
    path.write_text(newline.join(lines), encoding="utf-8")
    try:
        data = read_xy_csv(path)
    except CsvError as e:
        assert str(e).startswith(f"{path}: ") and "\n" not in str(e)
        return
    assert data.x.shape == data.t.shape and data.x.shape[1] == 1
    assert len(data.x) >= 2 and np.isfinite(data.x).all() and np.isfinite(data.t).all()
    assert np.ptp(data.x) > 0


_IDX = [b"\0\0\x08\x01\0\0\0\x03", b"\0\0\x08\x03\0\0\0\x01\0\0\0\x1c", b""]


@SETTINGS
@given(head=st.sampled_from(_IDX), body=st.binary(max_size=400), gz=st.booleans())
def test_idx_gives_uint8_or_mnist_error(
    tmp_path: Path, head: bytes, body: bytes, gz: bool
) -> None:
    import gzip

    path = tmp_path / "f-idx"
    data = head + body
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    try:
        array = read_idx(path)
    except MnistError as e:
        assert "\n" not in str(e)
        return
    assert array.dtype == np.uint8 and array.ndim in (1, 3)


_MAGIC = [
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"RIFF\0\0\0\0WEBP",
    b"\0\0\0\x18ftypisom",
    b"%PDF-1.4\n/Subject (",
    b"<svg><dc:description>",
    b'<!doctype html><html data-gif="',
    b"PK\x03\x04",
]


@SETTINGS
@given(magic=st.sampled_from(_MAGIC), body=st.binary(max_size=600))
def test_provenance_gives_json_or_provenance_error(
    tmp_path: Path, magic: bytes, body: bytes
) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(magic + body)
    try:
        provenance, facts = read_provenance(path)
    except ProvenanceError as e:
        assert "\n" not in str(e)
        return
    assert isinstance(provenance, dict) and isinstance(facts["format"], str)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=40,
)


@SETTINGS
@given(value=_json)
def test_parse_json_round_trips_or_refuses(value) -> None:
    text = json.dumps(value)
    try:
        parsed = parse_json(text)
    except FileRefused as e:
        assert str(e).startswith("JSON ") and "\n" not in str(e)
        return
    assert json.dumps(parsed) == text  # NaN, inf and >64-bit ints are refused


@SETTINGS
@given(text=st.text())
def test_parse_json_on_any_text(text: str) -> None:
    try:
        parse_json(text)
    except FileRefused as e:
        assert "\n" not in str(e)


@SETTINGS
@given(text=st.text())
def test_terminal_safe_leaves_nothing_a_terminal_acts_on(text: str) -> None:
    import unicodedata

    safe = terminal_safe(text)
    assert all(c.isprintable() or unicodedata.category(c) == "Zs" for c in safe)
    if text.isprintable():
        assert safe == text
    as_json = terminal_safe(json.dumps({"k": text}, ensure_ascii=False), json_text=True)
    assert json.loads(as_json) == {"k": text}
    assert all(c.isprintable() or unicodedata.category(c) == "Zs" for c in as_json)


@SETTINGS
@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_meta_floats_are_finite_or_refused(value: float) -> None:
    text = json.dumps({"lr": value})
    try:
        parse_json(text)
    except FileRefused:
        assert not math.isfinite(value)
    else:
        assert math.isfinite(value)
