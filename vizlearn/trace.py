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

This module runs past 300 lines because the file format is one unit: the
Trace, its writer, the reader of untrusted files with its checks, and the
Recorder that makes Traces share one key table and change together.
"""

from __future__ import annotations

import json
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
from vizlearn.files import FileRefused, npz_members, open_bounded, parse_json

__all__ = [
    "Recorder",
    "Trace",
    "TraceError",
    "load_trace",
    "trace_from_bytes",
    "read_trace_meta",
    "require",
    "as_array",
    "FORMAT_VERSION",
]

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

    def to_bytes(self) -> bytes:
        """The ``.npz`` file `save` writes, as bytes (for worker processes)."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="vizlearn-trace-") as tmp:
            return self.save(Path(tmp) / "trace.npz").read_bytes()

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


def trace_from_bytes(data: bytes, *, allow_large: bool = False) -> Trace:
    """Read a Trace from the bytes `Trace.to_bytes` gives, checked as `load_trace`."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="vizlearn-trace-") as tmp:
        path = Path(tmp) / "trace.npz"
        path.write_bytes(data)
        return load_trace(path, allow_large=allow_large)


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


def read_trace_meta(
    path: str | Path,
) -> tuple[dict[str, Any], dict[str, tuple[int, ...]]]:
    """Read only a trace's meta and the shapes of its arrays (``vizlearn info``).

    Nothing but the ``meta`` string is inflated; errors are TraceError, as
    for `load_trace`.
    """
    path = Path(path)
    try:
        stream = open_bounded(path, sys.maxsize)
    except FileRefused as e:
        raise TraceError(str(e)) from None
    try:
        with stream, zipfile.ZipFile(stream) as zf:
            members = npz_members(zf)
            if "meta" not in members:
                raise TraceError("missing key(s) meta")
            if members["meta"].n_bytes > 4 * _MAX_META_CHARS:
                raise TraceError(f"'meta' is longer than {_MAX_META_CHARS} characters")
            with zf.open(members["meta"].info) as member:
                raw = np.lib.format.read_array(member, allow_pickle=False)
        meta = _read_meta(raw)
    except (TraceError, FileRefused) as e:
        raise TraceError(f"{path}: {e}") from None
    except Exception as e:  # noqa: BLE001 - any parse failure means "not a trace"
        reason = f"{type(e).__name__}: {e}".strip().splitlines()[0]
        raise TraceError(f"{path}: not a readable vizlearn trace ({reason})") from None
    shapes = {k: m.shape for k, m in members.items() if k != "meta"}
    return meta, shapes


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
        meta = parse_json(text)
    except FileRefused as e:
        raise TraceError(f"'meta' is {e}") from None
    if not isinstance(meta, dict):
        raise TraceError("'meta' must be a JSON object")
    version = meta.get("format_version", FORMAT_VERSION)
    if type(version) is not int or version > FORMAT_VERSION:
        raise TraceError(
            f"trace format version {version!r} is newer than this vizlearn "
            f"{__version__} reads (up to {FORMAT_VERSION}); upgrade vizlearn"
        )
    _check_meta_kinds(meta)
    return meta


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

    Values may be numpy arrays, lists, or a framework's tensors (PyTorch,
    Keras, JAX, DeZero Variables: anything with ``.detach()``/``.cpu()``/
    ``.numpy()``, ``.data`` or ``__array__``); they are copied. Column vectors
    of shape (N, 1), as the book and DeZero shape data and predictions, are
    stored flat in ``outputs`` and ``data`` (renderers read (N,)); parameters
    keep their shapes. The loss of every iteration goes into a growing numpy
    buffer (16 bytes an iteration).

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
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self.meta: dict[str, Any] = dict(meta or {})
        self.data: dict[str, Any] = dict(data or {})
        self._loss_steps = np.empty(256, np.int64)
        self._loss = np.empty(256, np.float64)
        self._n_loss = 0
        self._snapshots: list[tuple[int, dict[str, NDArray], dict[str, NDArray]]] = []
        self._metrics: list[tuple[int, dict[str, float]]] = []

    def record(
        self,
        step: int,
        *,
        loss: Any = None,
        params: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
    ) -> None:
        """Record what is known at iteration ``step``; arrays are copied."""
        step = int(step)
        if loss is not None:
            self._append_loss(step, _scalar("loss", loss))
        if params or outputs:
            copy = {k: as_array(v, k) for k, v in (params or {}).items()}
            outs = {k: _flat_column(as_array(v, k)) for k, v in (outputs or {}).items()}
            self._snapshots.append((step, copy, outs))
        if metrics:
            self._metrics.append((step, {k: _scalar(k, v) for k, v in metrics.items()}))

    def _append_loss(self, step: int, value: float) -> None:
        n = self._n_loss
        if n == len(self._loss):  # double the buffer: amortised O(1) appends
            self._loss = np.concatenate([self._loss, np.empty(n)])
            self._loss_steps = np.concatenate([self._loss_steps, np.empty(n, np.int64)])
        self._loss[n], self._loss_steps[n] = value, step
        self._n_loss = n + 1

    def losses(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The steps and loss values recorded so far (read-only views)."""
        steps, values = self._loss_steps[: self._n_loss], self._loss[: self._n_loss]
        steps.flags.writeable = values.flags.writeable = False
        return steps, values

    def so_far(self) -> Trace:
        """The loss and metrics recorded so far as a Trace (no snapshots; cheap).

        For a chart drawn while training runs: non-finite values (a loss that
        is diverging) are left out instead of refused.
        """
        steps, values = self.losses()
        keep = np.isfinite(values)
        rows = [(s, m) for s, m in self._metrics if np.isfinite(list(m.values())).all()]
        names = list(rows[-1][1]) if rows else []
        rows = [(s, m) for s, m in rows if list(m) == names]
        return Trace(
            values[keep],
            steps[keep],
            np.zeros(0, np.int64),
            metrics={k: np.array([m[k] for _, m in rows]) for k in names},
            metric_steps=np.array([s for s, _ in rows], dtype=np.int64),
            meta=self.meta,
        )

    def last_snapshot_step(self) -> int | None:
        """The step of the latest parameter snapshot, or None."""
        return self._snapshots[-1][0] if self._snapshots else None

    def last_loss(self) -> float:
        """The latest recorded loss value."""
        if not self._n_loss:
            raise TraceError("no loss recorded yet")
        return float(self._loss[self._n_loss - 1])

    def freeze(self) -> Trace:
        """Stack the records into a read-only Trace."""
        meta = {"format_version": FORMAT_VERSION, "vizlearn": __version__, **self.meta}
        steps = np.array([s for s, _, _ in self._snapshots], dtype=np.int64)
        data = {k: _flat_column(_numpy(v, k)) for k, v in self.data.items()}
        return Trace(
            self._loss[: self._n_loss].copy(),
            self._loss_steps[: self._n_loss].copy(),
            steps,
            _stack([p for _, p, _ in self._snapshots], "params"),
            _stack([o for _, _, o in self._snapshots], "outputs"),
            _stack([m for _, m in self._metrics], "metrics"),
            np.array([s for s, _ in self._metrics], dtype=np.int64),
            data,
            meta,
        )


def _numpy(value: Any, name: str) -> NDArray:
    """A numpy copy of an array, list or tensor (PyTorch, Keras, JAX, DeZero)."""
    if not isinstance(value, np.ndarray):
        for method in ("detach", "cpu"):  # torch: no grad, off the GPU
            if callable(getattr(value, method, None)):
                value = getattr(value, method)()
        if callable(getattr(value, "numpy", None)):
            value = value.numpy()
        elif isinstance(getattr(value, "data", None), np.ndarray):  # DeZero Variable
            value = value.data
    try:
        return np.array(value)
    except (TypeError, ValueError, RuntimeError) as e:
        raise TraceError(
            f"'{name}': can't record a {type(value).__name__} as numbers ({e})"
        ) from None


def as_array(value: Any, name: str = "value") -> NDArray[np.float64]:
    """A float64 numpy copy of an array, a list, or a framework's tensor."""
    array = _numpy(value, name)
    if array.dtype.kind not in "biuf":
        raise TraceError(f"'{name}' must be numeric, not dtype {array.dtype}")
    return array.astype(np.float64)


def _scalar(name: str, value: Any) -> float:
    if isinstance(value, (float, int, np.floating, np.integer)):
        return float(value)  # the every-iteration case: no array round trip
    array = as_array(value, name)
    if array.size != 1:
        raise TraceError(f"'{name}' must be one number, got shape {array.shape}")
    return float(array.reshape(()))


def _flat_column(array: NDArray) -> NDArray:
    """(N, 1) column vectors as (N,): the shape renderers read."""
    return array[:, 0] if array.ndim == 2 and array.shape[1] == 1 else array


def _stack(records: list[Mapping[str, Any]], group: str = "") -> dict[str, NDArray]:
    keys = list(records[0]) if records else []
    for r in records:
        if list(r) != keys:
            raise TraceError(
                f"every record must carry the same keys {keys}, got {list(r)}"
            )
    out = {}
    for k in keys:
        shapes = {np.shape(r[k]) for r in records}
        if len(shapes) > 1:
            shown = ", ".join(str(s) for s in sorted(shapes))
            raise TraceError(
                f"{group} '{k}' changes shape between records ({shown}); "
                "every record of a key must have one shape"
            )
        out[k] = np.stack([np.asarray(r[k]) for r in records])
    return out


def require(
    trace: Trace,
    what: str,
    *,
    params: bool = False,
    outputs: tuple[str, ...] = (),
    data: tuple[str, ...] = (),
    metrics: tuple[str, ...] = (),
    ndim: Mapping[str, int] | None = None,
    hint: str = "",
) -> None:
    """Raise TraceError naming what ``what`` needs that ``trace`` did not record.

    ``ndim`` maps keys such as ``"data/x"`` or ``"outputs/curve"`` to the
    number of dimensions a renderer reads (outputs count the records axis).
    """
    missing = [f"outputs/{k}" for k in outputs if k not in trace.outputs]
    missing += [f"data/{k}" for k in data if k not in trace.data]
    missing += [f"metrics/{k}" for k in metrics if k not in trace.metrics]
    if params and not trace.params:
        missing.append("params (rec.record(step, params={...}))")
    if missing:
        raise TraceError(
            f"{what} needs {', '.join(missing)}, which this trace did not record"
            + (f"; {hint}" if hint else "")
        )
    for key, n in (ndim or {}).items():
        group, _, name = key.partition("/")
        array = getattr(trace, group).get(name)
        if array is not None and array.ndim != n:
            raise TraceError(
                f"{what} needs {key} with {n} dimension(s), but it has shape "
                f"{array.shape}"
            )
