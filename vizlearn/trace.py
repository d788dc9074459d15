"""Recorder (mutable, fed by a training loop) -> Trace (frozen arrays) -> .npz.

A Trace is what renderers read: they never see a model. Every array has time on
axis 0. It round-trips through ``.npz`` without pickle: arrays under plain keys
and one JSON string under ``meta``.

==============  ======================  ==========================================
key             shape                   meaning
==============  ======================  ==========================================
``loss``        ``(n_iterations,)``     loss at every recorded iteration
``loss_steps``  ``(n_iterations,)``     the iteration of each loss value
``steps``       ``(n_records,)``        the iteration of each parameter snapshot
``W1``, ...     ``(n_records, *shape)`` one array per parameter, book's names
``outputs/k``   ``(n_records, ...)``    model outputs at each snapshot (curves)
``metrics/k``   ``(n_metrics,)``        e.g. accuracy per epoch
``metric_steps``  ``(n_metrics,)``      the iteration of each metric value
``data/k``      any                     the (static) data set the run used
``meta``        JSON string             lesson, config, seed, versions
==============  ======================  ==========================================
"""

from __future__ import annotations

import json
import math
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn._version import __version__
from vizlearn.files import FileRefused, npz_members, open_bounded

__all__ = ["Recorder", "Trace", "TraceError", "load_trace", "FORMAT_VERSION"]

FORMAT_VERSION = 1
_RESERVED = ("loss", "loss_steps", "steps", "metric_steps", "meta")
_GROUPS = ("outputs", "metrics", "data")


class TraceError(ValueError):
    """A trace file or a recording is malformed."""


def _frozen(arrays: Mapping[str, NDArray]) -> Mapping[str, NDArray]:
    out = {}
    for k, a in arrays.items():
        a = np.array(a)  # own copy, so the caller can't mutate it
        a.flags.writeable = False
        out[k] = a
    return MappingProxyType(out)


@dataclass(frozen=True)
class Trace:
    """Everything a training run recorded, as read-only arrays (time on axis 0)."""

    loss: NDArray[np.float64]
    loss_steps: NDArray[np.int64]
    steps: NDArray[np.int64]
    params: Mapping[str, NDArray] = field(default_factory=dict)
    outputs: Mapping[str, NDArray] = field(default_factory=dict)
    metrics: Mapping[str, NDArray] = field(default_factory=dict)
    metric_steps: NDArray[np.int64] = field(
        default_factory=lambda: np.zeros(0, np.int64)
    )
    data: Mapping[str, NDArray] = field(default_factory=dict)
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("loss", "loss_steps", "steps", "metric_steps"):
            a = np.array(getattr(self, name))
            a.flags.writeable = False
            object.__setattr__(self, name, a)
        for name in ("params", "outputs", "metrics", "data"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))
        _validate(self)

    @property
    def n_records(self) -> int:
        """Number of parameter snapshots (animation frames)."""
        return len(self.steps)

    @property
    def diverged_at(self) -> int | None:
        """The iteration at which the loss became NaN/inf, or None."""
        return self.meta.get("diverged_at")

    def save(self, path: str | Path) -> Path:
        """Write the trace to ``path`` (.npz, atomically) and return the path."""
        from vizlearn.files import atomic_path

        path = Path(path)
        with atomic_path(path) as tmp:
            _write_npz(tmp, self._arrays())
        return path

    def _arrays(self) -> dict[str, NDArray]:
        arrays: dict[str, NDArray] = {
            "loss": self.loss,
            "loss_steps": self.loss_steps,
            "steps": self.steps,
            "metric_steps": self.metric_steps,
            "meta": np.array(json.dumps(dict(self.meta), sort_keys=True)),
        }
        arrays.update(self.params)
        for group in _GROUPS:
            arrays.update({f"{group}/{k}": v for k, v in getattr(self, group).items()})
        return arrays


def _write_npz(path: Path, arrays: Mapping[str, NDArray]) -> None:
    """Write a compressed .npz with fixed timestamps, so equal runs give equal bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(array), allow_pickle=False)


def _validate(trace: Trace) -> None:
    """Check shapes and values; raise TraceError naming what is wrong."""
    n = trace.n_records
    if trace.loss.ndim != 1 or trace.loss.shape != trace.loss_steps.shape:
        raise TraceError("'loss' and 'loss_steps' must be 1-D arrays of equal length")
    if trace.steps.ndim != 1:
        raise TraceError("'steps' must be a 1-D array")
    for name in ("loss_steps", "steps", "metric_steps"):
        if getattr(trace, name).dtype.kind not in "iu":
            raise TraceError(f"'{name}' must hold integer iterations")
    for group in ("params", "outputs"):
        for k, a in getattr(trace, group).items():
            if a.ndim == 0 or len(a) != n:
                raise TraceError(f"{group} '{k}' must have {n} records on axis 0")
    for k, a in trace.metrics.items():
        if a.shape != trace.metric_steps.shape:
            raise TraceError(f"metric '{k}' must match 'metric_steps' in shape")
    for k, a in _numeric_items(trace):
        if a.dtype.kind not in "biuf":
            raise TraceError(f"'{k}' must be numeric, not dtype {a.dtype}")
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise TraceError(f"'{k}' contains NaN or inf")


def _numeric_items(trace: Trace):
    yield "loss", trace.loss
    yield "loss_steps", trace.loss_steps
    yield "steps", trace.steps
    yield "metric_steps", trace.metric_steps
    for group in ("params", "outputs", "metrics", "data"):
        yield from getattr(trace, group).items()


def load_trace(path: str | Path, *, allow_large: bool = False) -> Trace:
    """Read a Trace saved by ``Trace.save``; never unpickles anything.

    The file is untrusted input: anything that fails to parse (not a regular
    file, not a zip, truncated, corrupt, object arrays, wrong shapes or dtypes,
    NaNs, odd or deeply nested meta, a newer format) raises TraceError naming
    the file and the reason. Before any array is inflated, the sizes its
    ``.npy`` headers declare are added up: loading takes about
    ``TRACE_LOAD_FACTOR`` times that, which must fit ``MAX_MEMORY`` (see
    `vizlearn.limits`) unless ``allow_large``.
    """
    path = Path(path)
    try:
        stream = open_bounded(path, sys.maxsize)  # OSError when missing etc.
    except FileRefused as e:
        raise TraceError(str(e)) from None
    try:
        with stream, zipfile.ZipFile(stream) as zf:
            members = _check_declared_size(zf, allow_large)
            arrays = {}
            for key, info in members.items():
                with zf.open(info) as member:
                    arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
    except (TraceError, FileRefused) as e:
        raise TraceError(f"{path}: {e}") from None
    except Exception as e:  # noqa: BLE001 - any parse failure means "not a trace"
        reason = f"{type(e).__name__}: {e}".strip().splitlines()[0]
        raise TraceError(f"{path}: not a readable vizlearn trace ({reason})") from None
    try:
        return _from_arrays(arrays)
    except TraceError as e:
        raise TraceError(f"{path}: {e}") from None


def _check_declared_size(
    zf: zipfile.ZipFile, allow_large: bool = False
) -> dict[str, zipfile.ZipInfo]:
    """Refuse archives that would inflate beyond the memory limit (zip bombs).

    Reads only each member's ``.npy`` header (shape and dtype) and returns the
    members by key.
    """
    from vizlearn.limits import MAX_MEMORY, TRACE_LOAD_FACTOR, size_text

    members = npz_members(zf)
    total = sum(max(m.n_bytes, m.info.file_size) for m in members.values())
    need = total * TRACE_LOAD_FACTOR
    if need > MAX_MEMORY and not allow_large:
        raise TraceError(
            f"its arrays declare {size_text(total)}, which takes about "
            f"{size_text(need)} of memory to load; the limit is "
            f"{size_text(MAX_MEMORY)} (--allow-large lifts it)"
        )
    return {key: m.info for key, m in members.items()}


def _from_arrays(arrays: dict[str, NDArray]) -> Trace:
    missing = [k for k in ("loss", "steps", "meta") if k not in arrays]
    if missing:
        raise TraceError(f"missing key(s) {', '.join(missing)}")
    meta = _read_meta(arrays.pop("meta"))
    for key in ("loss", "loss_steps", "steps", "metric_steps"):
        a = arrays.get(key)
        if a is not None and (a.ndim != 1 or a.dtype.kind not in "biuf"):
            raise TraceError(
                f"'{key}' must be a 1-D numeric array, not {a.ndim}-D {a.dtype}"
            )
    groups: dict[str, dict[str, NDArray]] = {g: {} for g in _GROUPS}
    params = {}
    for k, a in arrays.items():
        head, _, tail = k.partition("/")
        if tail and head in groups:
            groups[head][tail] = a
        elif k not in _RESERVED:
            params[k] = a
    loss = arrays["loss"]
    loss_steps = arrays.get("loss_steps", np.arange(len(loss)))
    metric_steps = arrays.get("metric_steps", np.zeros(0, np.int64))
    return Trace(
        loss,
        loss_steps,
        arrays["steps"],
        params,
        metric_steps=metric_steps,
        meta=meta,
        **groups,
    )


_MAX_META_CHARS = 1 << 20
_MAX_META_DEPTH = 32
_MAX_META_VALUES = 100_000
# Keys the renderers and `vizlearn info` read, and what they must hold.
_META_KINDS: dict[str, tuple[str, tuple[type, ...]]] = {
    **dict.fromkeys(("lesson", "vizlearn", "step_unit"), ("a string", (str,))),
    **dict.fromkeys(("config", "style"), ("a JSON object", (dict,))),
    **dict.fromkeys(
        ("seed", "diverged_at", "iters_per_epoch", "n_classes", "n_train", "n_test"),
        ("a non-negative integer or null", (int, type(None))),
    ),
    "sizes": ("a list of integers", (list,)),
}


def _read_meta(raw: NDArray) -> dict[str, Any]:
    if raw.dtype.kind != "U" or raw.ndim != 0:
        raise TraceError("'meta' must be a JSON string")
    text = str(raw)
    if len(text) > _MAX_META_CHARS:
        raise TraceError(f"'meta' is longer than {_MAX_META_CHARS} characters")
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as e:
        raise TraceError(f"'meta' is not valid JSON ({e})") from None
    except RecursionError:
        raise TraceError(f"'meta' is nested over {_MAX_META_DEPTH} levels") from None
    except ValueError:  # e.g. an integer of more than 4300 digits
        raise TraceError("'meta' holds a number too large to read") from None
    if not isinstance(meta, dict):
        raise TraceError("'meta' must be a JSON object")
    _check_json(meta)
    version = meta.get("format_version", FORMAT_VERSION)
    if type(version) is not int or version > FORMAT_VERSION:
        raise TraceError(
            f"trace format version {version!r} is newer than this vizlearn "
            f"{__version__} reads (up to {FORMAT_VERSION}); upgrade vizlearn"
        )
    _check_meta_kinds(meta)
    return meta


def _check_json(meta: Any) -> None:
    """Refuse meta too deep or too large to handle, huge integers, NaN and inf."""
    stack, count = [(meta, 0)], 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > _MAX_META_DEPTH or count > _MAX_META_VALUES:
            raise TraceError(
                f"'meta' is nested over {_MAX_META_DEPTH} levels or holds over "
                f"{_MAX_META_VALUES} values"
            )
        if isinstance(value, dict | list):
            items = value.values() if isinstance(value, dict) else value
            stack.extend((v, depth + 1) for v in items)
        elif type(value) is int and not -(2**63) <= value < 2**63:
            raise TraceError("'meta' holds an integer beyond 64 bits")
        elif type(value) is float and not math.isfinite(value):
            raise TraceError("'meta' holds NaN or infinity")


def _check_meta_kinds(meta: dict[str, Any]) -> None:
    """The keys renderers read must hold what they expect."""
    for key in _META_KINDS.keys() & meta.keys():
        kind, types = _META_KINDS[key]
        value = meta[key]
        ok = isinstance(value, types) and type(value) is not bool
        if ok and type(value) is int:
            ok = value >= 0
        if ok and key == "sizes":
            ok = all(type(v) is int and v > 0 for v in value)
        if ok and key == "config" and "iters" in value:
            ok, kind = (
                type(value["iters"]) is int,
                "an object whose iters is an integer",
            )
        if not ok:
            raise TraceError(f"meta '{key}' must be {kind}, not {_shown(value)}")


def _shown(value: Any) -> str:
    """A short description of a JSON value for an error message."""
    text = json.dumps(value)
    return text if len(text) <= 40 else f"a {type(value).__name__} ({len(text)} chars)"


class Recorder:
    """Collects what a training loop reports; ``freeze()`` turns it into a Trace.

    Examples
    --------
    >>> rec = Recorder(meta={"lesson": "mine"})
    >>> for step in range(3):
    ...     rec.record(step, loss=1.0 / (step + 1), params={"w": [step, 2 * step]})
    >>> rec.freeze().params["w"].shape
    (3, 2)
    """

    def __init__(
        self,
        *,
        meta: Mapping[str, Any] | None = None,
        data: Mapping[str, NDArray] | None = None,
    ) -> None:
        self.meta: dict[str, Any] = dict(meta or {})
        self.data = dict(data or {})
        self._loss: list[tuple[int, float]] = []
        self._snapshots: list[tuple[int, dict[str, NDArray], dict[str, NDArray]]] = []
        self._metrics: list[tuple[int, dict[str, float]]] = []

    def record(
        self,
        step: int,
        *,
        loss: float | None = None,
        params: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        metrics: Mapping[str, float] | None = None,
    ) -> None:
        """Record what is known at iteration ``step``; arrays are copied."""
        if loss is not None:
            self._loss.append((int(step), float(loss)))
        if params or outputs:
            copy = {k: np.array(v, dtype=np.float64) for k, v in (params or {}).items()}
            outs = {
                k: np.array(v, dtype=np.float64) for k, v in (outputs or {}).items()
            }
            self._snapshots.append((int(step), copy, outs))
        if metrics:
            self._metrics.append((int(step), {k: float(v) for k, v in metrics.items()}))

    def last_snapshot_step(self) -> int | None:
        """The step of the latest parameter snapshot, or None."""
        return self._snapshots[-1][0] if self._snapshots else None

    def last_loss(self) -> float:
        """The latest recorded loss value."""
        return self._loss[-1][1]

    def freeze(self) -> Trace:
        """Stack the records into a read-only Trace."""
        meta = {"format_version": FORMAT_VERSION, "vizlearn": __version__, **self.meta}
        loss_steps = np.array([s for s, _ in self._loss], dtype=np.int64)
        loss = np.array([v for _, v in self._loss], dtype=np.float64)
        steps = np.array([s for s, _, _ in self._snapshots], dtype=np.int64)
        return Trace(
            loss,
            loss_steps,
            steps,
            _stack([p for _, p, _ in self._snapshots]),
            _stack([o for _, _, o in self._snapshots]),
            _stack([m for _, m in self._metrics]),
            np.array([s for s, _ in self._metrics], dtype=np.int64),
            self.data,
            meta,
        )


def _stack(records: list[Mapping[str, Any]]) -> dict[str, NDArray]:
    keys = list(records[0]) if records else []
    for r in records:
        if list(r) != keys:
            raise TraceError(
                f"every record must carry the same keys {keys}, got {list(r)}"
            )
    return {k: np.stack([np.asarray(r[k]) for r in records]) for k in keys}
