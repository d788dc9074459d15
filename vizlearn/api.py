"""The Python API the CLI is a shell over: train, animate, plot, save.

Everything goes through the lesson records (`vizlearn.lessons`): ``train``
builds a lesson's config and runs it; ``animate`` and ``plot`` look up the
kinds of the lesson that made a trace (plus the kinds any trace can draw:
loss, params, metrics, accuracy) and call the kind's renderer.

This module runs past 300 lines because it is the whole public API (train,
animate, plot, save, provenance), each function a thin layer over the lesson
records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vizlearn.lessons import LESSONS, did_you_mean, get_lesson
from vizlearn.style import Style
from vizlearn.trace import Trace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from vizlearn.export.animation import Animation
    from vizlearn.lessons.record import Kind, Lesson
    from vizlearn.render.frames import FrameSource

__all__ = [
    "train",
    "train_seeds",
    "animate",
    "plot",
    "save",
    "provenance",
    "kinds_for",
    "default_kind",
    "lesson_of",
    "frames_for",
    "check_budget",
    "text",
    "Still",
]


@dataclass
class Still:
    """A Figure and where it came from: ``.save(path)``, shown inline in Jupyter.

    Attribute access falls through to the Figure (``still.axes``), and
    ``still.figure`` is the matplotlib Figure itself.
    """

    figure: Figure
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def save(self, path: str | Path) -> Path:
        """Write PNG, SVG or PDF (from the extension), deterministically."""
        from vizlearn.export.still import save_figure

        return save_figure(self.figure, path, provenance=self.provenance)

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.figure.savefig(
            buf, format="png", backend="agg", metadata={"Software": None}
        )
        return buf.getvalue()

    def __repr__(self) -> str:
        lesson = self.provenance.get("lesson", "?")
        w, h = self.figure.canvas.get_width_height(physical=True)
        return f"<vizlearn Still of {lesson}: {w}x{h} px>"

    def __getattr__(self, name: str) -> Any:
        if name == "figure":  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.figure, name)


def train(
    lesson: str = "sin-regression",
    *,
    on_step: Callable[[int], Any] | None = None,
    allow_large: bool = False,
    **options: Any,
) -> Trace:
    """Run a lesson with ``options`` overriding its defaults; return the Trace.

    Runs estimated to need more than ``vizlearn.limits.MAX_MEMORY`` are refused
    unless ``allow_large=True``. Bad options raise ValueError naming them.

    >>> trace = train("sin-regression", lr=0.1, iters=200, frames=5)  # doctest: +SKIP
    """
    info = get_lesson(lesson)
    config = info.make_config(**options)
    check_budget(info, config, allow_large=allow_large)
    return info.run(config, on_step=on_step)


def train_seeds(
    lesson: str,
    seeds: Sequence[int],
    *,
    on_step: Callable[[int], Any] | None = None,
    allow_large: bool = False,
    **options: Any,
) -> Trace:
    """Run a lesson once per seed; one Trace of the runs (its kind ``seeds``).

    ``on_step`` counts the steps of all runs together.
    """
    from vizlearn.config import to_dict
    from vizlearn.lessons.training import runs_trace

    info = get_lesson(lesson)
    if "seed" not in {f.name for f in dataclasses.fields(info.config)}:
        raise ValueError(f"lesson {lesson} has no seed to vary")
    configs = [info.make_config(**{**options, "seed": int(s)}) for s in seeds]
    for config in configs:
        check_budget(info, config, allow_large=allow_large)
    runs, done = [], 0
    for seed, config in zip(seeds, configs, strict=True):
        step = (lambda k, done=done: on_step(done + k)) if on_step else None
        runs.append(
            (f"seed={seed}", {"seed": int(seed)}, info.run(config, on_step=step))
        )
        done += info.n_steps(config)
    first = runs[0][2].meta
    meta = {
        "lesson": lesson,
        "config": {**to_dict(configs[0]), "seed": None},
        "seeds": [int(s) for s in seeds],
        "seed": None,
        "task": first.get("task"),
    }
    return runs_trace(runs, meta=meta)


def check_budget(info: Lesson, config: Any, *, allow_large: bool = False) -> None:
    """Refuse a run whose memory estimate is beyond the limit (LimitError)."""
    from vizlearn.limits import check_memory

    if info.estimate is not None:
        check_memory(
            info.estimate(config), f"this {info.name} run", allow_large=allow_large
        )


def lesson_of(trace: Trace) -> Lesson | None:
    """The registered lesson that made ``trace`` (None for other traces)."""
    name = trace.meta.get("lesson")
    return get_lesson(name) if isinstance(name, str) and name in LESSONS else None


def kinds_for(trace: Trace) -> dict[str, Kind]:
    """The kinds ``trace`` can draw: its lesson's, then generic ones it has data for.

    A trace no lesson made (a user's Recorder, an imported log) gets the
    regression kinds when it recorded a curve.
    """
    from vizlearn.lessons.kinds import GENERIC_KINDS, REGRESSION_KINDS

    lesson = lesson_of(trace)
    own = list(lesson.kinds) if lesson is not None else []
    if lesson is None:
        own += [k for k in REGRESSION_KINDS if k.animated or k.name == "fit"]
    kinds = {k.name: k for k in own if lesson is not None or not k.missing(trace)}
    for k in GENERIC_KINDS:
        if k.name not in kinds and not k.missing(trace):
            kinds[k.name] = k
    return kinds


def default_kind(trace: Trace, animated: bool) -> Kind:
    """The kind drawn when none is asked for: the lesson's animation or main still."""
    return _kind(trace, None, animated=animated)


def _kind(trace: Trace, kind: str | None, *, animated: bool) -> Kind:
    """The kind called ``kind`` (default: the lesson's first), checked against data."""
    kinds = kinds_for(trace)
    if not kinds:
        raise ValueError("this trace recorded nothing a figure can draw")
    if kind is None and "seeds" in trace.meta and "seeds" in kinds and not animated:
        return kinds["seeds"]  # a trace of several seeds draws its seeds figure
    if kind is None:
        pool = [k for k in kinds.values() if k.animated] if animated else []
        lesson = lesson_of(trace)
        if animated and not pool and lesson is None:
            from vizlearn.lessons.kinds import REGRESSION_KINDS

            needs = ", ".join(REGRESSION_KINDS[0].missing(trace))
            raise ValueError(
                f"animate needs {needs} (a regression curve), which this trace did "
                f"not record; it can draw the stills {', '.join(kinds)}"
            )
        if animated and not pool:
            raise ValueError(
                f"{lesson.name} has no animation; its figures are stills: "
                f"{', '.join(kinds)}"
            )
        chosen = pool[0] if animated else (lesson.still if lesson else None)
        return chosen or next(iter(kinds.values()))
    if kind not in kinds:
        raise ValueError(
            f"unknown kind {kind!r}{did_you_mean(kind, list(kinds))}; "
            f"this trace can draw {', '.join(kinds)}"
        )
    found = kinds[kind]
    missing = found.missing(trace)
    if missing:
        raise ValueError(
            f"{kind} needs {', '.join(missing)}, which this trace did not record"
        )
    if animated and not found.animated:
        stills = ", ".join(k.name for k in kinds.values() if k.animated) or "none"
        raise ValueError(f"{kind} is a still; the animated kinds are: {stills}")
    return found


def _view(kind: Kind, options: Mapping[str, Any]) -> dict[str, Any]:
    """The kind's view options from ``options`` (ValueError for ones it lacks)."""
    known = {f.name for f in kind.view_fields()}
    unknown = sorted(set(options) - known)
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise ValueError(
            f"kind {kind.name} has no option {unknown[0]!r} (its options: {allowed})"
        )
    if kind.view is None:
        return {}
    from vizlearn.config import validate

    view = kind.view(**options)
    validate(view)
    return dataclasses.asdict(view)


def frames_for(
    trace: Trace, kind: str | None = None, *, style: Style, **view: Any
) -> FrameSource:
    """The FrameSource that animates ``trace`` as ``kind`` (default: the lesson's)."""
    chosen = _kind(trace, kind, animated=True)
    return chosen.renderer()(trace, style=style, **_view(chosen, view))


def animate(
    trace: Trace,
    kind: str | None = None,
    *,
    style: Style | None = None,
    fps: float = 10.0,
    hold_first_ms: int = 0,
    hold_last_ms: int = 2000,
    loop: int = 0,
    **view: Any,
) -> Animation:
    """An Animation of a trace over training (the lesson's own renderer).

    ``.save("x.gif")`` writes it; in Jupyter it displays inline.
    """
    from vizlearn.export.animation import Animation
    from vizlearn.export.options import check_timing

    check_timing(fps=fps, hold_first_ms=hold_first_ms, hold_last_ms=hold_last_ms)
    style = style or Style()
    chosen = _kind(trace, kind, animated=True)
    settings = _view(chosen, view)
    source = chosen.renderer()(trace, style=style, **settings)
    _add_recipe(source, chosen, trace, style, settings)
    anim = Animation(
        source,
        fps=fps,
        hold_first_ms=hold_first_ms,
        hold_last_ms=hold_last_ms,
        loop=loop,
        provenance=provenance(trace),
        holds=lesson_holds(trace, source.n_frames),
    )
    anim.remake = lambda smaller: chosen.renderer()(trace, style=smaller, **settings)
    return anim


def lesson_holds(trace: Trace, n_frames: int) -> dict[int, int]:
    """The pauses a lesson asks for on its key frames (``meta["holds"]``), in ms."""
    holds = trace.meta.get("holds") or {}
    out = {}
    for frame, ms in holds.items():
        k = int(frame)
        if -n_frames <= k < n_frames and isinstance(ms, int) and 0 <= ms <= 600_000:
            out[k % n_frames] = ms
    return out


def _add_recipe(
    source: FrameSource, kind: Kind, trace: Trace, style: Style, view: Mapping
) -> None:
    """Let worker processes rebuild the source when forking this one is unsafe.

    A process with other threads (a Jupyter kernel) must not fork; its render
    workers start from a fork server and rebuild the figure from the recipe.
    """
    from vizlearn.export.pipeline import single_threaded
    from vizlearn.render.frames import Recipe

    if not single_threaded():
        source.recipe = Recipe.of(kind.draw, trace, style, **view)


def plot(
    trace: Trace,
    kind: str | None = None,
    *,
    style: Style | None = None,
    frame: int = -1,
    **view: Any,
) -> Still:
    """A Still of ``kind`` (default: the lesson's main figure) at snapshot ``frame``.

    An animated kind's still is its frame ``frame`` (-1: the last).
    ``.save("x.png")`` writes it; ``.figure`` is the matplotlib Figure.
    """
    style = style or Style()
    chosen = _kind(trace, kind, animated=False)
    settings = _view(chosen, view)
    draw = chosen.renderer()
    if chosen.animated:
        source = draw(trace, style=style, **settings)
        figure = source.still(_frame_index(frame, source.n_frames))
    elif chosen.timed:
        figure = draw(
            trace, style=style, frame=_frame_index(frame, trace.n_records), **settings
        )
    else:
        if frame not in (-1, None):
            raise ValueError(f"--frame: {chosen.name} has no time axis (a final still)")
        figure = draw(trace, style=style, **settings)
    return Still(figure, provenance(trace))


def text(trace: Trace, kind: str | None, fmt: str, *, frame: int = -1) -> str:
    """The text form ``fmt`` of a kind (e.g. ``"dot"``, ``"mermaid"`` of a graph)."""
    from vizlearn.lessons.record import load_target

    chosen = _kind(trace, kind, animated=False)
    if fmt not in chosen.texts:
        forms = ", ".join(chosen.texts) or "none"
        raise ValueError(
            f"kind {chosen.name} has no {fmt} form (its text forms: {forms})"
        )
    return load_target(chosen.texts[fmt])(trace, frame=frame)


def _frame_index(frame: int, n: int) -> int:
    if not -n <= frame < n:
        raise ValueError(f"--frame must be between {-n} and {n - 1}, got {frame}")
    return frame % n


def save(
    obj: Any,
    path: str | Path,
    *,
    provenance: Mapping[str, Any] | None = None,
    on_frame: Callable[[int], Any] | None = None,
) -> Path:
    """Save a Still/Figure (png, svg, pdf) or an Animation (gif, webp, png, ...)."""
    from matplotlib.figure import Figure

    from vizlearn.export.still import save_figure

    if isinstance(obj, Still):
        obj, provenance = (
            obj.figure,
            obj.provenance if provenance is None else provenance,
        )
    if isinstance(obj, Figure):
        return save_figure(obj, path, provenance=provenance)
    return obj.save(path, on_frame=on_frame)


def provenance(trace: Trace) -> dict[str, Any]:
    """Where a file came from: lesson, config, seed, versions (no paths, no dates)."""
    keys = ("lesson", "config", "seed", "vizlearn", "format_version", "diverged_at")
    return {k: trace.meta[k] for k in keys if k in trace.meta}
