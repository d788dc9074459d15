"""The callable values of ``vl_image_snapshot`` and ``vl_trace_snapshot``.

Each call compares one object with one baseline in the test's snapshot
folder, and notes what it used, wrote or found different in the test's
``user_properties`` (so that pytest-xdist carries the notes from the workers
to the process that writes the report; see `vizlearn.testing.report`).
(About 350 lines: stills, animations and traces share the baseline logic.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vizlearn.testing import images

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["ImageSnapshot", "TraceSnapshot", "SnapshotMismatch", "NOTE"]

NOTE = "vizlearn-snapshot"
"""The ``user_properties`` key of every note a snapshot call leaves."""


class SnapshotMismatch(AssertionError):
    """An image, animation or trace differs from its stored baseline."""


@dataclass
class Snapshot:
    """What a fixture call needs: where baselines and failure images go."""

    directory: Path
    test_name: str
    update: bool
    failures: Path
    """Stem prefix of this test's failure images: ``<failures dir>/<module>``."""
    note: Callable[[dict[str, Any]], None]
    scratch: Callable[[], Path]
    _calls: int = field(default=0, init=False)

    def _stem(self, name: str | None) -> str:
        """The baseline's file stem: ``name``, or the test's name (-2, -3 ... after)."""
        self._calls += 1
        if name is None:
            name = self.test_name + (f"-{self._calls}" if self._calls > 1 else "")
        return re.sub(r"[^\w.\-\[\]]+", "_", name)

    def _used(self, *paths: Path) -> None:
        self.note({"used": [str(p) for p in paths], "folder": str(self.directory)})

    def _wrote(self, path: Path, existed: bool) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.note({"written": str(path), "updated": existed})

    def _fail(self, path: Path, message: str, **extra: Any) -> None:
        self.note({"failure": True, "baseline": str(path), "message": message, **extra})

    def _missing(self, path: Path) -> SnapshotMismatch:
        self._fail(path, "no baseline")
        return SnapshotMismatch(
            f"no baseline {path}; run pytest --vizlearn-update to write it, "
            "look at it, and commit it"
        )


class ImageSnapshot(Snapshot):
    """Callable fixture value: ``vl_image_snapshot(obj, name=None, *, tol=2.0)``."""

    def __call__(
        self,
        obj: Any,
        name: str | None = None,
        *,
        tol: float = 2.0,
        frames: Sequence[int] | None = None,
    ) -> None:
        """Assert ``obj`` matches the baseline ``<vl_snapshot_dir>/<name>.png``.

        Parameters
        ----------
        obj
            A matplotlib Figure (or what ``vl.plot`` returns), a path to an
            image, an RGB(A) uint8 array of shape (H, W, 3|4), or an
            animation: a .gif/.webp/.apng path (or an animated .png) or a
            vizlearn Animation.
        name
            Baseline file stem; default the test's name.
        tol
            Largest allowed RMS difference of pixel values on a 0-255 scale.
        frames
            Animations: frame indices to compare pixel by pixel (negative count
            from the end); default first, middle and last, or the baseline's.
        """
        __tracebackhide__ = True
        stem = self._stem(name)
        path = images.animation_path(obj, self.scratch(), stem)
        if path is not None:
            _Animation(self, path, stem, tol).check(frames)
        else:
            self._still(*images.render_still(obj), stem, tol)

    def _still(self, actual: NDArray, png: bytes, stem: str, tol: float) -> None:
        __tracebackhide__ = True
        path = self.directory / f"{stem}.png"
        self._used(path)
        expected = images.load_rgba(path) if path.exists() else None
        problem, rms = (
            images.compare_pixels(expected, actual, tol)
            if expected is not None
            else ("no baseline", None)
        )
        if problem is None:
            return
        if self.update:
            self._wrote(path, expected is not None)
            path.write_bytes(png)
            return
        if expected is None:
            raise self._missing(path)
        saved = images.save_failure_images(self.failures / stem, expected, actual)
        self._fail(path, problem, rms=rms, tol=tol, images=_strs(saved))
        raise SnapshotMismatch(f"{path.name}: {problem}\n{_lines(saved)}")


class _Animation:
    """One animation compared with ``<stem>.json`` and ``<stem>.frameK.png``."""

    def __init__(self, snap: ImageSnapshot, path: Path, stem: str, tol: float):
        from vizlearn.export.readback import read_animation_info

        self.snap, self.path, self.stem, self.tol = snap, path, stem, tol
        self.info = read_animation_info(path)
        self.meta_path = snap.directory / f"{stem}.json"

    def check(self, frames: Sequence[int] | None) -> None:
        __tracebackhide__ = True
        snap, n = self.snap, self.info.n_frames
        expected = (
            json.loads(self.meta_path.read_text()) if self.meta_path.exists() else None
        )
        if frames is None:
            frames = expected["frames"] if expected else sorted({0, n // 2, n - 1})
        frames = sorted({k % n if k < 0 else k for k in frames})
        actual = _animation_meta(self.info, frames)
        frame_paths = [snap.directory / f"{self.stem}.frame{k}.png" for k in frames]
        snap._used(self.meta_path, *frame_paths)
        problems = _compare_meta(expected, actual) if expected else ["no baseline"]
        bad = self._compare_frames(frames, problems) if expected else {}
        if not problems:
            return
        if snap.update:
            self._write(actual, existed=expected is not None)
            return
        if expected is None:
            raise snap._missing(self.meta_path)
        self._report(problems, bad)

    def _compare_frames(self, frames: list[int], problems: list[str]) -> dict:
        from vizlearn.export.readback import read_frame

        bad = {}
        for k in frames:
            frame_png = self.snap.directory / f"{self.stem}.frame{k}.png"
            if k >= self.info.n_frames or not frame_png.exists():
                problems.append(f"frame {k}: no such frame in the file or the baseline")
                continue
            want, got = images.load_rgba(frame_png), read_frame(self.path, k)
            problem, rms = images.compare_pixels(want, got, self.tol)
            if problem:
                problems.append(f"frame {k}: {problem}")
                bad[k] = (want, got, problem, rms)
        return bad

    def _report(self, problems: list[str], bad: dict) -> None:
        __tracebackhide__ = True
        snap, saved_lines = self.snap, []
        for k, (want, got, problem, rms) in bad.items():
            saved = images.save_failure_images(
                snap.failures / f"{self.stem}.frame{k}", want, got
            )
            frame_png = snap.directory / f"{self.stem}.frame{k}.png"
            snap._fail(frame_png, problem, rms=rms, tol=self.tol, images=_strs(saved))
            saved_lines.append(_lines(saved))
        others = [p for p in problems if not p.startswith("frame ") or not bad]
        if others:
            snap._fail(self.meta_path, "; ".join(others))
        raise SnapshotMismatch(
            f"{self.stem} ({self.path.name}):\n  "
            + "\n  ".join(problems)
            + "".join("\n" + s for s in saved_lines)
        )

    def _write(self, meta: dict, existed: bool) -> None:
        from PIL import Image

        from vizlearn.export.readback import read_frame

        snap = self.snap
        snap._wrote(self.meta_path, existed)
        for old in snap.directory.glob(f"{_glob_escape(self.stem)}.frame*.png"):
            old.unlink()
        self.meta_path.write_text(json.dumps(meta, indent=1) + "\n")
        for k in meta["frames"]:
            Image.fromarray(read_frame(self.path, k)).save(
                snap.directory / f"{self.stem}.frame{k}.png"
            )


def _animation_meta(info: Any, frames: list[int]) -> dict[str, Any]:
    return {
        "format": info.fmt,
        "n_frames": info.n_frames,
        "size": list(info.size),
        "loop": info.loop,
        "durations_ms": list(info.durations_ms),
        "frames": frames,
    }


def _compare_meta(expected: dict, actual: dict) -> list[str]:
    problems = []
    for key in ("format", "n_frames", "size", "loop"):
        if expected.get(key) != actual[key]:
            problems.append(f"{key}: expected {expected.get(key)}, got {actual[key]}")
    want, got = expected.get("durations_ms", []), actual["durations_ms"]
    wrong = [i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b]
    if wrong:
        shown = ", ".join(f"frame {i}: {want[i]} -> {got[i]} ms" for i in wrong[:5])
        more = f" (and {len(wrong) - 5} more)" if len(wrong) > 5 else ""
        problems.append(f"durations differ at {len(wrong)} frame(s): {shown}{more}")
    return problems


def _glob_escape(text: str) -> str:
    """Escape ``[`` and ``]`` (parametrized test names) for Path.glob."""
    return re.sub(r"([\[\]])", r"[\1]", text)


def _strs(paths: Mapping[str, Path]) -> dict[str, str]:
    return {k: str(p) for k, p in paths.items()}


def _lines(paths: Mapping[str, Path]) -> str:
    return "\n".join(f"  {k:>8}: {p}" for k, p in paths.items())


class TraceSnapshot(Snapshot):
    """Callable fixture value: ``vl_trace_snapshot(trace, name=None, *, rtol=...)``."""

    def __call__(
        self,
        trace: Any,
        name: str | None = None,
        *,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        outputs: bool = False,
    ) -> None:
        """Assert losses, steps, parameters and metrics match ``<name>.npz``.

        ``trace`` is a vizlearn Trace or a mapping of names to arrays (for a
        loop of your own). Integer arrays must match exactly, floats within
        ``rtol``/``atol`` (as ``numpy.allclose``). ``outputs=True`` also
        compares the recorded model outputs.
        """
        __tracebackhide__ = True
        import numpy as np

        path = self.directory / f"{self._stem(name)}.npz"
        self._used(path)
        actual = _trace_arrays(trace, outputs)
        if path.exists():
            with np.load(path, allow_pickle=False) as npz:
                expected = {k: npz[k] for k in npz.files}
            problems = _compare_arrays(expected, actual, rtol, atol)
            if not problems:
                return
        if self.update:
            self._wrote(path, path.exists())
            _write_npz(path, actual)
            return
        if not path.exists():
            raise self._missing(path)
        self._fail(path, "; ".join(problems))
        raise SnapshotMismatch(f"{path.name}:\n  " + "\n  ".join(problems))


def _trace_arrays(trace: Any, outputs: bool) -> dict[str, NDArray]:
    import numpy as np

    if isinstance(trace, Mapping):
        return {str(k): np.asarray(v) for k, v in trace.items()}
    arrays = {
        "loss": trace.loss,
        "loss_steps": trace.loss_steps,
        "steps": trace.steps,
        "metric_steps": trace.metric_steps,
    }
    groups = ("params", "metrics", "outputs") if outputs else ("params", "metrics")
    for group in groups:
        arrays.update({f"{group}/{k}": v for k, v in getattr(trace, group).items()})
    return {k: np.asarray(v) for k, v in arrays.items()}


def _compare_arrays(
    expected: Mapping[str, NDArray],
    actual: Mapping[str, NDArray],
    rtol: float,
    atol: float,
) -> list[str]:
    import numpy as np

    problems = []
    for key in sorted(set(expected) ^ set(actual)):
        problems.append(f"{key}: only in {'golden' if key in expected else 'actual'}")
    for key in sorted(set(expected) & set(actual)):
        e, a = expected[key], actual[key]
        if e.shape != a.shape:
            problems.append(f"{key}: shape {a.shape}, golden {e.shape}")
            continue
        exact = e.dtype.kind in "biu" and a.dtype.kind in "biu"
        close = np.equal(e, a) if exact else np.isclose(a, e, rtol=rtol, atol=atol)
        if not close.all():
            i = np.unravel_index(np.argmin(close), close.shape)
            worst = np.max(np.abs(a.astype(float) - e))
            problems.append(
                f"{key}: {int((~close).sum())} of {close.size} values "
                f"differ; first at {tuple(map(int, i))}: {a[i]!r} vs "
                f"golden {e[i]!r}; max |diff| {worst:.3g}"
            )
    return problems


def _write_npz(path: Path, arrays: Mapping[str, NDArray]) -> None:
    """A compressed .npz with fixed timestamps: equal arrays give equal bytes."""
    import zipfile

    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, array in sorted(arrays.items()):
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as f:
                np.lib.format.write_array(f, np.asarray(array), allow_pickle=False)
