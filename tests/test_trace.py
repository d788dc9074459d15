"""Recorder -> Trace -> .npz -> Trace round trip, and what the loader refuses."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from vizlearn.trace import FORMAT_VERSION, Recorder, Trace, TraceError, load_trace


def _small_trace() -> Trace:
    rec = Recorder(meta={"lesson": "test", "seed": 3}, data={"x": np.arange(4.0)})
    for step in range(5):
        rec.record(step, loss=1.0 / (step + 1))
        if step % 2 == 0:
            rec.record(
                step,
                params={"W1": np.full((2, 3), step), "b1": [step]},
                outputs={"curve": np.arange(4.0) * step},
            )
    rec.record(4, metrics={"acc": 0.5})
    return rec.freeze()


def test_recorder_stacks_time_on_axis_zero():
    tr = _small_trace()
    assert tr.loss.shape == (5,) and tr.steps.tolist() == [0, 2, 4]
    assert tr.params["W1"].shape == (3, 2, 3) and tr.params["b1"].shape == (3, 1)
    assert tr.outputs["curve"].shape == (3, 4)
    assert tr.metrics["acc"].tolist() == [0.5] and tr.metric_steps.tolist() == [4]
    assert tr.meta["format_version"] == FORMAT_VERSION and "vizlearn" in tr.meta


def test_trace_is_read_only():
    tr = _small_trace()
    with pytest.raises(ValueError):
        tr.params["W1"][0, 0, 0] = 1.0
    with pytest.raises(TypeError):
        tr.params["new"] = np.zeros(3)  # type: ignore[index]


def test_recorder_copies_arrays():
    rec, w = Recorder(), np.zeros(3)
    rec.record(0, params={"w": w})
    w[:] = 7
    assert rec.freeze().params["w"].sum() == 0


def test_round_trip(tmp_path):
    tr = _small_trace()
    tr.save(tmp_path / "t.npz")
    back = load_trace(tmp_path / "t.npz")
    for name in ("loss", "loss_steps", "steps", "metric_steps"):
        np.testing.assert_array_equal(getattr(back, name), getattr(tr, name))
    for group in ("params", "outputs", "metrics", "data"):
        assert set(getattr(back, group)) == set(getattr(tr, group))
        for k, v in getattr(tr, group).items():
            np.testing.assert_array_equal(getattr(back, group)[k], v)
    assert dict(back.meta) == dict(tr.meta)


def test_npz_keys_are_documented_names(tmp_path):
    _small_trace().save(tmp_path / "t.npz")
    with np.load(tmp_path / "t.npz", allow_pickle=False) as npz:
        assert {"loss", "steps", "W1", "b1", "outputs/curve", "meta"} <= set(npz.files)
        assert json.loads(str(npz["meta"]))["lesson"] == "test"


def test_save_is_byte_identical(tmp_path):
    _small_trace().save(tmp_path / "a.npz")
    _small_trace().save(tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays.update(changes)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(path, **arrays)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"loss": None}, "missing key"),
        ({"W1": np.zeros((2, 2, 3))}, "3 records"),
        ({"loss": np.array([1.0, np.nan, 2.0, 3.0, 4.0])}, "NaN"),
        ({"loss": np.array(["a"] * 5)}, "numeric"),
        ({"meta": np.array("{not json")}, "JSON"),
        (
            {"meta": np.array(json.dumps({"format_version": FORMAT_VERSION + 1}))},
            "newer",
        ),
    ],
)
def test_loader_rejects_broken_traces(tmp_path, change, message):
    path = tmp_path / "t.npz"
    _small_trace().save(path)
    _rewrite(path, **change)
    with pytest.raises(TraceError, match=message):
        load_trace(path)


def test_loader_refuses_object_arrays_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, loss=np.array([object()], dtype=object), steps=np.zeros(1))
    with pytest.raises(TraceError, match="'loss' holds Python objects"):
        load_trace(path)


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04trunc"])
def test_loader_rejects_non_zip_and_truncated(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(TraceError, match="bad.npz"):
        load_trace(path)


def test_loader_rejects_truncated_archive(tmp_path):
    path = tmp_path / "t.npz"
    _small_trace().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(TraceError):
        load_trace(path)
    assert zipfile.is_zipfile(tmp_path / "t.npz") is False


def test_loader_refuses_zip_bombs_before_inflating(tmp_path, monkeypatch):
    import vizlearn.limits

    path = tmp_path / "t.npz"
    _small_trace().save(path)
    monkeypatch.setattr(vizlearn.limits, "MAX_MEMORY", 100)
    with pytest.raises(TraceError, match="of memory to load; the limit is 100 B"):
        load_trace(path)
