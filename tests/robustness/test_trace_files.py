"""Hostile trace files: every bad one refused with a message naming what is wrong.

These replace the fuzz tests that accepted "TraceError or anything": here a
damaged file is refused or reads back as exactly the trace that was saved, and
every wrong array is refused with the message for its key (seen failing with
``vizlearn.trace._validate`` turned into a no-op).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vizlearn.trace import Recorder, Trace, TraceError, load_trace


def _valid() -> tuple[Trace, bytes]:
    rec = Recorder(meta={"lesson": "fuzz", "seed": 0})
    for i in range(3):
        rec.record(
            i,
            loss=1.0 / (i + 1),
            params={"W1": np.ones((2, 2)) * i},
            outputs={"x": np.arange(4.0) * i},
            metrics={"acc": 0.5 + i / 10},
        )
    trace = rec.freeze()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, array in trace._arrays().items():
            with zf.open(key + ".npy", "w") as f:
                np.lib.format.write_array(f, np.asanyarray(array), allow_pickle=False)
    return trace, buffer.getvalue()


TRACE, VALID = _valid()


def _same(a: Trace, b: Trace) -> bool:
    arrays_a, arrays_b = a._arrays(), b._arrays()
    return arrays_a.keys() == arrays_b.keys() and all(
        np.array_equal(arrays_a[k], arrays_b[k]) for k in arrays_a
    )


def _replace(path: Path, key: str, value: np.ndarray) -> Path:
    with zipfile.ZipFile(io.BytesIO(VALID)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            if info.filename != key + ".npy":
                dst.writestr(info, src.read(info))
        with dst.open(key + ".npy", "w") as f:
            np.lib.format.write_array(f, value, allow_pickle=False)
    return path


def test_the_valid_file_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "t.npz"
    path.write_bytes(VALID)
    assert _same(load_trace(path), TRACE)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_damaged_files_are_refused_or_read_unchanged(tmp_path: Path, data) -> None:
    """Flip, cut or replace bytes: TraceError, or exactly the trace saved."""
    raw = bytearray(VALID)
    how = data.draw(st.sampled_from(["flip", "cut", "random"]))
    if how == "flip":
        for i in data.draw(
            st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=8)
        ):
            raw[i] ^= data.draw(st.integers(1, 255))
    elif how == "cut":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        raw = bytearray(data.draw(st.binary(max_size=2000)))
    path = tmp_path / "fuzz.npz"
    path.write_bytes(bytes(raw))
    try:
        trace = load_trace(path)
    except TraceError as e:
        assert str(e).startswith(f"{path}: ") and "\n" not in str(e)
        return
    assert _same(trace, TRACE), "a damaged file read back as a different trace"


# What each wrong array must be refused with; {k} is the key's name.
_SHAPE = r"'{k}' must be a 1-D numeric array, not {what}"
_PAIR = r"'loss' and 'loss_steps' must be 1-D arrays of equal length"
_ITERS = r"'{k}' must hold integer iterations"
_RECORDS = r"{group} '{k}' must have 3 records on axis 0"
VALUES = {
    "nan": np.array([np.nan]),
    "inf": np.array([1.0, np.inf, 2.0]),
    "empty-2d": np.zeros((0, 2)),
    "text": np.array(["a", "b", "c"]),
    "bytes": np.array(b"bytes"),
    "3-d": np.ones((7, 3, 2)),
    "scalar": np.array(3.5),
    "complex": np.array([1 + 2j, 1, 1]),
    "bool-2": np.array([True, False]),
}
_DESCRIBED = {
    "empty-2d": "2-D float64",
    "text": "1-D <U1",
    "bytes": "0-D |S5",
    "3-d": "3-D float64",
    "scalar": "0-D float64",
    "complex": "1-D complex128",
}


_RESERVED = ("loss", "loss_steps", "steps", "metric_steps")


def _expected(key: str, value: str) -> str:
    """The refusal for ``value`` stored under ``key`` (the loader's order of checks)."""
    if key == "meta":
        return r"'meta' must be a JSON string"
    if key in _RESERVED:
        if value in _DESCRIBED:
            return _SHAPE.format(k=key, what=re.escape(_DESCRIBED[value]))
        if key in ("loss", "loss_steps") and value in ("nan", "bool-2"):
            return _PAIR  # one or two values against three
        if key == "loss":
            return r"'loss' contains NaN or inf"
        return _ITERS.format(k=key)  # float or bool iterations
    group, _, name = key.rpartition("/")
    if value in ("text", "complex"):  # three records, but not numbers
        return rf"'{name}' must be numeric, not dtype {np.asarray(VALUES[value]).dtype}"
    if value == "inf":
        return rf"'{name}' contains NaN or inf"
    if group == "metrics":
        return r"metric 'acc' must match 'metric_steps' in shape"
    return _RECORDS.format(group=group or "params", k=name)


KEYS = ["loss", "loss_steps", "steps", "metric_steps", "W1", "outputs/x", "metrics/acc"]


@pytest.mark.parametrize("value", sorted(VALUES))
@pytest.mark.parametrize("key", [*KEYS, "meta"])
def test_wrong_arrays_are_refused_by_name(tmp_path: Path, key: str, value: str) -> None:
    path = _replace(tmp_path / "t.npz", key, VALUES[value])
    with pytest.raises(TraceError) as caught:
        load_trace(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert re.search(_expected(key, value) + "$", message), message


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ('{"lesson": ["a"]}', r"meta 'lesson' must be a string, not \[\"a\"\]"),
        ('{"seed": -1}', r"meta 'seed' must be a non-negative integer or null, not -1"),
        ('{"seed": true}', r"meta 'seed' must be a non-negative integer or null"),
        ('{"style": 3}', r"meta 'style' must be a JSON object, not 3"),
        ('{"config": {"iters": "10"}}', r"meta 'config' must be an object whose iters"),
        ('{"sizes": [784, 0]}', r"meta 'sizes' must be a list of integers"),
        ('{"format_version": 99}', r"trace format version 99 is newer than"),
        ('{"format_version": "1"}', r"trace format version '1' is newer than"),
        ("[1, 2]", r"'meta' must be a JSON object"),
        ("{", r"'meta' is not valid JSON \("),
        ('"' + "x" * (1 << 20) + '"', r"'meta' is longer than 1048576 characters"),
    ],
)
def test_odd_meta_is_refused(tmp_path: Path, meta: str, message: str) -> None:
    path = _replace(tmp_path / "t.npz", "meta", np.array(meta))
    with pytest.raises(TraceError, match=message):
        load_trace(path)


def test_members_other_than_npy_arrays_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.npz"
    path.write_bytes(VALID)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("payload.pkl", b"\x80\x04K\x01.")
    with pytest.raises(TraceError, match=r"an unexpected member 'payload.pkl'"):
        load_trace(path)
    path.write_bytes(VALID)
    with zipfile.ZipFile(path, "a") as zf, pytest.warns(UserWarning, match="Duplicate"):
        zf.writestr("loss.npy", b"second")
    with pytest.raises(TraceError, match=r"a second 'loss.npy'"):
        load_trace(path)


def test_allow_large_lifts_the_declared_size_check(tmp_path: Path, monkeypatch) -> None:
    import vizlearn.limits

    path = tmp_path / "t.npz"
    path.write_bytes(VALID)
    monkeypatch.setattr(vizlearn.limits, "MAX_MEMORY", 1000)
    with pytest.raises(TraceError, match=r"takes about .* of memory to load"):
        load_trace(path)
    assert _same(load_trace(path, allow_large=True), TRACE)
