"""The record every lesson exports: what it is, how it trains, what it draws.

A lesson module holds a config dataclass (fields declared with
:func:`vizlearn.config.option`), ``run(config, *, on_step=None) -> Trace`` and
one ``LESSON = Lesson(...)``. Every verb reads that record and nothing else:
``vizlearn animate/plot/train/render/list``, the ``vizlearn LESSON`` shortcut,
``vl.train/animate/plot`` and the gallery.

Renderers are named by ``"module:function"`` strings, so a lesson never
imports ``vizlearn.render`` (and listing lessons imports no matplotlib):

- an animated kind's function is ``draw(trace, *, style, **view) ->
  FrameSource``; its stills are the source's frames (``--frame``);
- a still kind's function is ``draw(trace, *, style, **view) -> Figure``, and
  with ``timed=True`` it also takes ``frame=`` (a snapshot index).

``view`` are the kind's own options: a dataclass of :func:`option` fields.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vizlearn.datasets.catalog import IDX_NAMES as IMAGE_SETS

__all__ = ["Kind", "GalleryItem", "Lesson", "load_target"]


def load_target(target: str) -> Callable[..., Any]:
    """Import ``"package.module:function"`` and return the function."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Kind:
    """One figure a lesson offers (``--kind NAME``)."""

    name: str
    draw: str
    """``"module:function"`` of the renderer."""
    help: str
    """One line, shown by ``vizlearn list`` and ``--help``."""
    animated: bool = False
    """``draw`` returns a FrameSource: the kind animates, its stills are frames."""
    timed: bool = False
    """A still with a time axis: ``draw`` takes ``frame=`` (a snapshot index)."""
    view: type | None = None
    """Dataclass of the kind's own options (e.g. ``log`` for a loss chart)."""
    needs: tuple[str, ...] = ()
    """What the trace must hold: ``"outputs/curve"``, ``"data/x"``, ``"params"``,
    ``"metrics"``, ``"loss"`` or ``"meta/runs"``."""
    texts: Mapping[str, str] = field(default_factory=dict)
    """Text forms of the figure: format -> ``"module:function"`` returning a str
    from ``(trace, frame=, **view)``, e.g. ``{"dot": ..., "mermaid": ...}``."""

    def missing(self, trace: Any) -> list[str]:
        """The entries of ``needs`` that ``trace`` lacks."""
        out = []
        for need in self.needs:
            group, _, key = need.partition("/")
            held = getattr(trace, group, None)
            if group == "loss" and held is not None:
                ok = len(held) > 0 or "loss" in trace.metrics
            elif key:
                ok = held is not None and key in held
            else:
                ok = bool(held) if not hasattr(held, "__len__") else len(held) > 0
            if not ok:
                out.append(need)
        return out

    def renderer(self) -> Callable[..., Any]:
        """The imported renderer function."""
        return load_target(self.draw)

    def view_fields(self) -> tuple[dataclasses.Field, ...]:
        """The fields of the kind's view options (none when it has none)."""
        return dataclasses.fields(self.view) if self.view is not None else ()


@dataclass(frozen=True)
class GalleryItem:
    """One gallery figure of a lesson: which kind, with which options, captioned."""

    name: str
    """File stem in the gallery folder (``fit`` -> ``fit.png``)."""
    kind: str
    caption: tuple[str, str]
    """(English, Japanese)."""
    alt: tuple[str, str]
    """Alt text (English, Japanese): what the image shows, for screen readers."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Lesson options of the run (its config fields), beyond the defaults."""
    quick: Mapping[str, Any] = field(default_factory=dict)
    """Options that replace ``options`` in a quick build (the test suite's)."""
    view: Mapping[str, Any] = field(default_factory=dict)
    """The kind's view options."""
    style: Mapping[str, Any] = field(default_factory=dict)
    """Style changes, e.g. ``{"lang": "ja", "theme": "dark"}``."""
    animated: bool = False
    """Write the animation (GIF and WebP) instead of a still PNG."""
    player: bool = False
    """Also write ``NAME-player.html``, a page stepping through the GIF."""


@dataclass(frozen=True)
class Lesson:
    """A lesson: its name, config, training function and the figures it offers."""

    name: str
    """Kebab-case name on the command line (``sin-regression``)."""
    config: type
    """The config dataclass; its fields with help texts are the options."""
    run: Callable[..., Any]
    """``run(config, *, on_step=None) -> Trace``."""
    description: tuple[str, str]
    """One line (English, Japanese), shown by ``vizlearn list``."""
    kinds: tuple[Kind, ...]
    """The figures; the first animated one is what ``animate`` writes."""
    source: str = ""
    """Which book step or script the defaults reproduce."""
    default_still: str | None = None
    """The kind ``plot`` draws without ``--kind`` (default: the first kind)."""
    summary: Callable[[Any], Mapping[str, Any]] | None = None
    """``summary(trace)``: extra numbers for ``--json``."""
    steps: Callable[[Any], int] | None = None
    """``steps(config)``: how far ``on_step`` counts (the progress bar's length)."""
    frames: Callable[[Any], int] | None = None
    """``frames(config)``: animation frames, known before training."""
    estimate: Callable[[Any], int] | None = None
    """``estimate(config)``: bytes of memory a run needs (checked against limits)."""
    gallery: tuple[GalleryItem, ...] = ()
    reads_data: Callable[[Any], bool] | None = None
    """``reads_data(config)``: whether a run reads MNIST (default: the config has
    ``data_dir`` and no ``dataset``, or ``dataset`` is an image set)."""

    def __post_init__(self) -> None:
        names = [k.name for k in self.kinds]
        if len(set(names)) != len(names) or not names:
            raise ValueError(f"lesson {self.name}: kinds must be distinct and given")
        for item in self.gallery:
            self.kind(item.kind)

    @property
    def animation(self) -> Kind | None:
        """The kind ``animate`` writes by default (None: stills only)."""
        return next((k for k in self.kinds if k.animated), None)

    @property
    def still(self) -> Kind:
        """The kind ``plot`` draws by default."""
        return self.kind(self.default_still) if self.default_still else self.kinds[0]

    def kind(self, name: str) -> Kind:
        """The kind called ``name``; ValueError with a suggestion if there is none."""
        for k in self.kinds:
            if k.name == name:
                return k
        from vizlearn.lessons import did_you_mean

        raise ValueError(
            f"lesson {self.name} has no kind {name!r}"
            f"{did_you_mean(name, [k.name for k in self.kinds])}; "
            f"choose from {', '.join(k.name for k in self.kinds)}"
        )

    def make_config(self, **options: Any) -> Any:
        """The config with ``options`` replacing defaults (ValueError if one is bad)."""
        known = {f.name for f in dataclasses.fields(self.config)}
        unknown = sorted(set(options) - known)
        if unknown:
            from vizlearn.lessons import did_you_mean

            raise ValueError(
                f"lesson {self.name} has no option {unknown[0]!r}"
                f"{did_you_mean(unknown[0], sorted(known))}"
            )
        return self.config(**options)

    def n_steps(self, config: Any) -> int:
        """The progress length of a run with ``config``."""
        if self.steps is not None:
            return int(self.steps(config))
        return int(getattr(config, "iters", 0))

    def reads_mnist(self, config: Any) -> bool:
        """Whether a run with ``config`` reads MNIST (or another image set)."""
        if self.reads_data is not None:
            return bool(self.reads_data(config))
        if not hasattr(config, "data_dir"):
            return False
        dataset = getattr(config, "dataset", "mnist")
        return dataset in IMAGE_SETS

    def n_frames(self, config: Any) -> int:
        """The number of animation frames a run with ``config`` gives."""
        if self.frames is not None:
            return int(self.frames(config))
        return int(getattr(config, "frames", 1))
