"""Image snapshots of figures and animations, and golden traces: a pytest plugin.

Installed with vizlearn (entry point ``pytest11``), so every test can use::

    def test_my_figure(image_snapshot):
        fig = make_my_figure()           # a Figure, an image file, an RGBA array,
        image_snapshot(fig, tol=2)       # or a GIF/WebP/APNG file or Animation

    def test_my_training(trace_snapshot):
        trace_snapshot(train_my_model(), rtol=1e-6)   # losses and parameters

Baselines live in ``snapshots/`` next to the test file (override the
``snapshot_dir`` fixture to move them). ``pytest --snapshot-update`` writes
missing baselines and rewrites the ones that no longer match. Stills compare by
RMS difference on a 0-255 scale; a failure saves the expected, actual and diff
images (under pytest's temporary folder, or ``--snapshot-failures DIR``) and
names them in the message. Animations compare format, frame count, per-frame
durations, loop count and size exactly, and chosen frames (default: first,
middle, last) pixel by pixel. Golden traces compare numbers, so they do not
depend on the fonts of the machine that runs the tests.

The module imports nothing heavy at load time: pytest loads it in every session.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["ImageSnapshot", "TraceSnapshot", "SnapshotMismatch", "image_rms", "to_rgba"]

ANIMATION_SUFFIXES = (".gif", ".webp", ".apng")
_STATE = pytest.StashKey["_Session"]()


class SnapshotMismatch(AssertionError):
    """An image, animation or trace differs from its stored baseline."""


@dataclass
class _Session:
    update: bool
    failures_dir: Path
    written: list[str] = field(default_factory=list)


# --- pytest hooks and fixtures ------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --snapshot-update and --snapshot-failures."""
    group = parser.getgroup("vizlearn", "vizlearn image and trace snapshots")
    group.addoption(
        "--snapshot-update",
        action="store_true",
        default=False,
        help="write missing snapshot baselines and rewrite mismatching ones",
    )
    group.addoption(
        "--snapshot-failures",
        metavar="DIR",
        default=None,
        help="save expected/actual/diff images of failed snapshots here "
        "[default: snapshot-failures in pytest's temporary folder]",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Remember the update mode; the failures folder is decided on first use."""
    folder = config.getoption("--snapshot-failures", None)
    config.stash[_STATE] = _Session(
        bool(config.getoption("--snapshot-update", False)),
        Path(folder).resolve() if folder else Path(),
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List the baselines written in update mode."""
    state = terminalreporter.config.stash.get(_STATE, None)
    if state and state.written:
        terminalreporter.section("vizlearn snapshots written")
        for line in state.written:
            terminalreporter.write_line(line)


@pytest.fixture
def snapshot_dir(request: pytest.FixtureRequest) -> Path:
    """Folder of this test's baselines: ``snapshots/`` beside the test file."""
    return Path(request.path).parent / "snapshots"


@pytest.fixture
def image_snapshot(
    request: pytest.FixtureRequest, snapshot_dir: Path, tmp_path_factory: Any
) -> ImageSnapshot:
    """Compare a Figure, image, RGBA array or animation with its baseline."""
    return ImageSnapshot(
        snapshot_dir, request.node.name, _state(request.config, tmp_path_factory)
    )


@pytest.fixture
def trace_snapshot(
    request: pytest.FixtureRequest, snapshot_dir: Path, tmp_path_factory: Any
) -> TraceSnapshot:
    """Compare a Trace's losses and parameters with a golden ``.npz``."""
    return TraceSnapshot(
        snapshot_dir, request.node.name, _state(request.config, tmp_path_factory)
    )


def _state(config: pytest.Config, tmp_path_factory: Any) -> _Session:
    state = config.stash[_STATE]
    if state.failures_dir == Path():
        state.failures_dir = tmp_path_factory.getbasetemp() / "snapshot-failures"
    return state


# --- the snapshot objects ------------------------------------------------------


@dataclass
class _Snapshot:
    directory: Path
    test_name: str
    state: _Session
    _calls: int = 0

    def _stem(self, name: str | None) -> str:
        """The baseline's file stem: ``name``, or the test's name (-2, -3 ... after)."""
        self._calls += 1
        if name is None:
            name = self.test_name + (f"-{self._calls}" if self._calls > 1 else "")
        return re.sub(r"[^\w.\-\[\]]+", "_", name)

    def _wrote(self, path: Path, what: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.state.written.append(f"{what}: {path}")

    def _missing(self, path: Path) -> SnapshotMismatch:
        return SnapshotMismatch(
            f"no baseline {path}; run pytest --snapshot-update to write it, "
            "look at it, and commit it"
        )


class ImageSnapshot(_Snapshot):
    """Callable fixture value: ``image_snapshot(obj, name=None, *, tol=2.0)``."""

    def __call__(
        self,
        obj: Any,
        name: str | None = None,
        *,
        tol: float = 2.0,
        frames: Sequence[int] | None = None,
    ) -> None:
        """Assert ``obj`` matches the baseline ``<snapshot_dir>/<name>.png``.

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
        path = _animation_path(obj, self.state.failures_dir / "_animations", stem)
        if path is not None:
            self._animation(path, stem, tol, frames)
        else:
            self._still(*_render(obj), stem, tol)

    def _still(self, actual: NDArray, png: bytes, stem: str, tol: float) -> None:
        __tracebackhide__ = True
        path = self.directory / f"{stem}.png"
        problem = _compare_pixels(_load(path), actual, tol) if path.exists() else None
        if path.exists() and problem is None:
            return
        if self.state.update:
            self._wrote(path, "updated" if path.exists() else "written")
            path.write_bytes(png)
            return
        if not path.exists():
            raise self._missing(path)
        saved = _save_failure(self.state.failures_dir / stem, _load(path), actual)
        raise SnapshotMismatch(f"{path.name}: {problem}\n{saved}")

    def _animation(
        self, path: Path, stem: str, tol: float, frames: Sequence[int] | None
    ) -> None:
        __tracebackhide__ = True
        from vizlearn.export.readback import read_animation_info, read_frame

        info = read_animation_info(path)
        meta_path = self.directory / f"{stem}.json"
        expected = json.loads(meta_path.read_text()) if meta_path.exists() else None
        if frames is None:
            frames = expected["frames"] if expected else _default_frames(info.n_frames)
        frames = sorted({k % info.n_frames if k < 0 else k for k in frames})
        actual = _animation_meta(info, frames)
        problems = _compare_meta(expected, actual) if expected else ["no baseline"]
        bad = {}
        for k in frames if expected else []:
            frame_png = self.directory / f"{stem}.frame{k}.png"
            if k >= info.n_frames or not frame_png.exists():
                problems.append(f"frame {k}: no such frame in the file or the baseline")
                continue
            got = read_frame(path, k)
            problem = _compare_pixels(_load(frame_png), got, tol)
            if problem:
                problems.append(f"frame {k}: {problem}")
                bad[k] = (_load(frame_png), got)
        if not problems:
            return
        if self.state.update:
            self._write_animation(path, meta_path, actual, stem, existed=bool(expected))
            return
        if expected is None:
            raise self._missing(meta_path)
        saved = [
            _save_failure(self.state.failures_dir / f"{stem}.frame{k}", *pair)
            for k, pair in bad.items()
        ]
        raise SnapshotMismatch(
            f"{stem} ({path.name}):\n  "
            + "\n  ".join(problems)
            + "".join("\n" + s for s in saved)
        )

    def _write_animation(
        self, path: Path, meta_path: Path, meta: dict, stem: str, existed: bool
    ) -> None:
        from PIL import Image

        from vizlearn.export.readback import read_frame

        self._wrote(meta_path, "updated" if existed else "written")
        for old in self.directory.glob(f"{_glob_escape(stem)}.frame*.png"):
            old.unlink()
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
        for k in meta["frames"]:
            Image.fromarray(read_frame(path, k)).save(
                self.directory / f"{stem}.frame{k}.png"
            )


class TraceSnapshot(_Snapshot):
    """Callable fixture value: ``trace_snapshot(trace, name=None, *, rtol, atol)``."""

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
        actual = _trace_arrays(trace, outputs)
        if path.exists():
            with np.load(path, allow_pickle=False) as npz:
                expected = {k: npz[k] for k in npz.files}
            problems = _compare_arrays(expected, actual, rtol, atol)
            if not problems:
                return
        if self.state.update:
            self._wrote(path, "updated" if path.exists() else "written")
            _write_npz(path, actual)
            return
        if not path.exists():
            raise self._missing(path)
        raise SnapshotMismatch(f"{path.name}:\n  " + "\n  ".join(problems))


# --- images ----------------------------------------------------------------------


def to_rgba(obj: Any) -> NDArray[np.uint8]:
    """A Figure, image path or RGB(A) array as an RGBA uint8 array (H, W, 4)."""
    return _render(obj)[0]


def _render(obj: Any) -> tuple[NDArray, bytes]:
    """Return (RGBA pixels, PNG bytes to store as baseline) for a still."""
    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image

    if isinstance(getattr(obj, "figure", None), Figure):  # a vizlearn Still
        obj = obj.figure
    if isinstance(obj, Figure):
        buf = io.BytesIO()
        # Agg whatever the backend, the figure's own dpi, no version/date text.
        obj.savefig(
            buf, format="png", backend="agg", dpi="figure", metadata={"Software": None}
        )
        png = buf.getvalue()
        return _load(io.BytesIO(png)), png
    if isinstance(obj, (str, Path)):
        return _png(_load(Path(obj)))
    array = np.asarray(obj)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise TypeError(
            "image_snapshot takes a Figure, an image path or an "
            f"(H, W, 3|4) array, not {type(obj).__name__} {array.shape}"
        )
    if array.dtype != np.uint8:
        if array.dtype.kind != "f" or array.min() < 0 or array.max() > 1:
            raise TypeError("an image array must be uint8, or floats in [0, 1]")
        array = np.round(array * 255).astype(np.uint8)
    return _png(np.asarray(Image.fromarray(array).convert("RGBA")))


def _png(rgba: NDArray) -> tuple[NDArray, bytes]:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format="png")
    return rgba, buf.getvalue()


def _load(source: Path | io.BytesIO) -> NDArray:
    import numpy as np
    from PIL import Image

    with Image.open(source) as im:
        return np.asarray(im.convert("RGBA"))


def image_rms(expected: NDArray, actual: NDArray) -> float:
    """RMS difference on 0-255 over RGB (RGBA if either has transparency)."""
    import numpy as np

    if expected.shape != actual.shape:
        raise ValueError(f"sizes differ: {expected.shape} vs {actual.shape}")
    opaque = (expected[..., 3] == 255).all() and (actual[..., 3] == 255).all()
    channels = slice(0, 3) if opaque else slice(0, 4)
    diff = expected[..., channels].astype(np.float64) - actual[..., channels]
    return float(np.sqrt(np.mean(diff**2)))


def _compare_pixels(expected: NDArray, actual: NDArray, tol: float) -> str | None:
    """None if equal within ``tol``, else a one-line description of the difference."""
    import numpy as np

    if expected.shape != actual.shape:
        (h, w), (h2, w2) = expected.shape[:2], actual.shape[:2]
        return f"size differs: expected {w}x{h} px, got {w2}x{h2} px"
    rms = image_rms(expected, actual)
    if rms <= tol:
        return None
    n = int(np.any(expected != actual, axis=-1).sum())
    return f"RMS difference {rms:.3f} > tolerance {tol:g} ({n:,} pixels differ)"


def _save_failure(stem: Path, expected: NDArray, actual: NDArray) -> str:
    """Save expected, actual and diff PNGs; return lines naming them."""
    import numpy as np
    from PIL import Image

    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = {
        k: stem.with_name(f"{stem.name}-{k}.png")
        for k in ("expected", "actual", "diff")
    }
    Image.fromarray(expected).save(paths["expected"])
    Image.fromarray(actual).save(paths["actual"])
    if expected.shape == actual.shape:
        # the expected image faded to light grey, differing pixels in red
        grey = expected[..., :3].mean(axis=-1, keepdims=True) * 0.25 + 190
        diff = np.abs(expected.astype(np.int16) - actual).max(axis=-1)
        strength = np.clip(diff * 10, 0, 255)[..., None] / 255
        red = np.array([230.0, 0, 0])
        out = (grey * (1 - strength) + red * strength).astype(np.uint8)
        Image.fromarray(out).save(paths["diff"])
    else:
        del paths["diff"]
    return "\n".join(f"  {k:>8}: {p}" for k, p in paths.items())


# --- animations -------------------------------------------------------------------


def _animation_path(obj: Any, folder: Path, stem: str) -> Path | None:
    """The file to compare if ``obj`` is an animation (saving an Animation first)."""
    if hasattr(obj, "save") and hasattr(obj, "n_frames"):  # vizlearn Animation
        folder.mkdir(parents=True, exist_ok=True)
        return Path(obj.save(folder / f"{stem}.gif"))
    if not isinstance(obj, (str, Path)):
        return None
    path = Path(obj)
    if path.suffix.lower() in ANIMATION_SUFFIXES:
        return path
    if path.suffix.lower() == ".png":
        from PIL import Image

        with Image.open(path) as im:
            return path if getattr(im, "n_frames", 1) > 1 else None
    return None


def _default_frames(n: int) -> list[int]:
    return sorted({0, n // 2, n - 1})


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


# --- traces -----------------------------------------------------------------------


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
