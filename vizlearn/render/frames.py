"""The fast frame pipeline: draw static parts once, then redraw only what moved.

Per frame, `FrameSource.blits` asks ``update(k)`` to move the animated artists,
finds the ones that changed (matplotlib marks them stale), and restores the
static background only inside the pixel boxes where those artists were and
now are. Animated artists that did not change are redrawn only if such a box
touches them (a legend the curve never reaches is never redrawn). Each frame
then equals a full redraw of the same state, pixel for pixel, and the boxes
tell an encoder the only places where it can differ from the previous frame.

This module runs past 300 lines because the blitter's bookkeeping (which
artists moved, which static ones a full redraw paints over them, their pixel
extents) is one algorithm, tested as a whole against full redraws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox, Transform
from numpy.typing import NDArray

from vizlearn.render.textcache import GlyphCache, LayoutCache
from vizlearn.style import Style

if TYPE_CHECKING:
    from matplotlib.animation import FuncAnimation

    from vizlearn.trace import Trace

__all__ = ["Blit", "FrameSource", "Recipe", "new_figure"]

Boxes = NDArray[np.int64]
"""Pixel boxes, shape (n, 4): x0, y0, x1, y1 with rows counted from the top."""

_AA = 2  # pixels an antialiased edge or a snapped path may reach beyond its box
_CHUNK = 8  # line vertices per box: finer boxes touch fewer neighbours
_CELL = 8  # pixels per cell of the grid that tests boxes for overlap


def new_figure(style: Style, **kwargs: object) -> Figure:
    """A pyplot-free Figure of the style's size, with an Agg canvas attached."""
    fig = Figure(figsize=style.figsize, dpi=style.dpi, **kwargs)
    FigureCanvasAgg(fig)
    return fig


@dataclass(frozen=True)
class Blit:
    """One rendered frame: a view of the canvas and where it may have changed."""

    index: int
    pixels: NDArray[np.uint8]
    """(H, W, 4) RGBA view of the canvas, valid until the next frame is drawn."""
    boxes: Boxes
    """Pixels outside these boxes equal the previous Blit's (all of it, first)."""


@dataclass
class FrameSource:
    """A figure, the update that moves its animated artists to frame k, and a count.

    ``update(k)`` changes artists in place (through their setters) and returns
    the animated ones: those that move and those drawn above them; it never
    clears or rebuilds axes. Everything else is drawn once as the background.
    """

    figure: Figure
    update: Callable[[int], Sequence[Artist]]
    n_frames: int
    style: Style
    recipe: Recipe | None = field(default=None, repr=False, compare=False)
    """How to build this source again elsewhere (a worker that cannot fork)."""
    _frozen: bool = field(default=False, repr=False)

    def blits(self, indices: Iterable[int] | None = None) -> Iterator[Blit]:
        """Yield frames as `Blit` views (no copies); see the module docstring."""
        with self.style.context():
            animated = list(self.update(0))
            self._freeze_layout()
            above = _drawn_above(animated, self.figure)
            animated += above
            for artist in animated:
                artist.set_animated(True)
            self.figure.canvas.draw()  # everything but the animated artists
        blitter = _Blitter(self.figure, self.style)
        layouts = LayoutCache.install(self.figure)

        def update(k: int) -> list[Artist]:
            return [*self.update(k), *above]

        try:
            indices = range(self.n_frames) if indices is None else indices
            yield from blitter.run(update, indices)
        finally:
            for artist in animated:
                artist.set_animated(False)
            LayoutCache.remove(layouts)

    def rgba(self, indices: Iterable[int] | None = None) -> Iterator[NDArray[np.uint8]]:
        """Yield frames as ``(height, width, 4)`` uint8 arrays (each a fresh copy)."""
        for blit in self.blits(indices):
            yield blit.pixels.copy()

    def still(self, k: int) -> Figure:
        """Move the artists to frame ``k`` and return the figure (not blitted)."""
        with self.style.context():
            self.update(k)
            self.figure.draw_without_rendering()
        return self.figure

    def animation(self, *, interval_ms: int = 100) -> FuncAnimation:
        """Matplotlib's own FuncAnimation over the same update function."""
        from matplotlib.animation import FuncAnimation  # 80 ms to import: only here

        with self.style.context():
            self.update(0)
            self.figure.draw_without_rendering()
        return FuncAnimation(
            self.figure,
            self.update,
            frames=self.n_frames,
            interval=interval_ms,
            blit=True,
        )

    def _freeze_layout(self) -> None:
        """Lay the figure out once with every artist, then keep positions fixed.

        Layout engines skip animated artists; without this, blitted frames
        would be laid out without the title and differ from a full redraw.
        Constrained layout settles on its second pass (the first moves tick
        labels that the second accounts for).
        """
        if not self._frozen:
            self.figure.draw_without_rendering()
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")
            self._frozen = True


@dataclass(frozen=True)
class Recipe:
    """How to build a FrameSource in another process: renderer, trace, style.

    ``renderer`` is a ``"module:function"`` name of a ``frames_*`` renderer;
    ``trace`` the trace as ``.npz`` bytes (read back without pickles).
    """

    renderer: str
    trace: bytes = field(repr=False)
    style: Style
    options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, renderer: str, trace: Trace, style: Style, **options: Any) -> Recipe:
        """The recipe of ``renderer(trace, style=style, **options)``."""
        return cls(renderer, trace.to_bytes(), style, tuple(sorted(options.items())))

    def restyled(self, style: Style) -> Recipe:
        """The same recipe in another style (size, theme, language)."""
        return replace(self, style=style)

    def build(self) -> FrameSource:
        """Call the renderer; the source it returns carries this recipe."""
        import importlib

        from vizlearn.trace import trace_from_bytes

        trace = trace_from_bytes(self.trace, allow_large=True)
        module, _, name = self.renderer.partition(":")
        render = getattr(importlib.import_module(module), name)
        source = render(trace, style=self.style, **dict(self.options))
        source.recipe = self
        return source


def _drawn_above(moving: Sequence[Artist], fig: Figure) -> list[Artist]:
    """Static artists a full redraw paints over ``moving`` ones: spines, axes, legends.

    They are redrawn wherever a moving artist was or is (never elsewhere), so
    a curve running along a spine or under a legend looks as in a full redraw.
    At equal z-order a full redraw draws spines and axes after the lines, so
    those count as above too.
    """
    kept = set(moving)
    lowest: dict[Any, float] = {}
    for artist in moving:
        ax = getattr(artist, "axes", None)
        if ax is not None:
            lowest[ax] = min(lowest.get(ax, np.inf), artist.get_zorder())
    above: list[Artist] = []
    for ax, zorder in lowest.items():
        if not ax.axison:  # set_axis_off(): no spines or ticks are drawn at all
            candidates = []
        else:
            candidates = [*ax.spines.values(), ax.xaxis, ax.yaxis]
        legend = ax.get_legend()
        if legend is not None and _overlaps(legend, ax, fig):
            candidates.append(legend)  # a legend outside the axes covers nothing
        above += [
            a
            for a in candidates
            if a not in kept and a.get_visible() and a.get_zorder() >= zorder
        ]
    return above


def _overlaps(artist: Artist, ax: Any, fig: Figure) -> bool:
    renderer = fig.canvas.get_renderer()
    return artist.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))


class _Blitter:
    """Restores the background where artists change and redraws what is hit."""

    def __init__(self, fig: Figure, style: Style) -> None:
        self.fig, self.style = fig, style
        self.renderer = fig.canvas.get_renderer()
        GlyphCache.install(self.renderer)
        self.pixels = np.asarray(fig.canvas.buffer_rgba())  # a writable view
        self.background = self.pixels.copy()
        self.drawn: dict[Artist, Boxes] = {}  # boxes of each artist as last drawn
        self.arrays: dict[Artist, NDArray] = {}  # colour values as last drawn

    def run(
        self, update: Callable[[int], Sequence[Artist]], indices: Iterable[int]
    ) -> Iterator[Blit]:
        height, width = self.pixels.shape[:2]
        full = np.array([[0, 0, width, height]])
        for n, k in enumerate(indices):
            with self.style.context():  # not across the yield: rc stays the caller's
                boxes = self._draw(list(update(k)), None if n else full)
            yield Blit(k, self.pixels, boxes)

    def _draw(self, moving: list[Artist], full: Boxes | None) -> Boxes:
        """Restore the background where needed, redraw artists; return the boxes."""
        if full is not None:
            self.pixels[...] = self.background
            self.drawn = {a: self._footprint(a) for a in moving}
            for artist in moving:
                self._recoloured(artist)  # remember the values now drawn
            redraw, boxes = moving, full
        else:
            redraw, boxes = self._plan(moving)
            for x0, y0, x1, y1 in boxes.tolist():
                self.pixels[y0:y1, x0:x1] = self.background[y0:y1, x0:x1]
        for artist in sorted(redraw, key=Artist.get_zorder):
            self.fig.draw_artist(artist)
        return boxes

    def _plan(self, moving: list[Artist]) -> tuple[list[Artist], Boxes]:
        """Artists to redraw (in ``moving`` order) and the boxes to restore.

        Updates ``self.drawn`` to the boxes the artists will have once drawn.
        """
        kept = set(moving)
        parts = [self.drawn.pop(a) for a in list(self.drawn) if a not in kept]
        changed = [
            a for a in moving if a.stale or a not in self.drawn or self._recoloured(a)
        ]
        for artist in changed:  # where it was, and where it will be
            parts.append(self.drawn.get(artist, _EMPTY))
            self.drawn[artist] = self._footprint(artist)
            parts.append(self.drawn[artist])
        dirty = np.concatenate(parts) if parts else _EMPTY
        redraw, grown = set(changed), True
        while grown:  # redrawing an artist restores its whole footprint first
            hit = _Cover(dirty, self.pixels.shape[:2]).hits
            grown = [a for a in moving if a not in redraw and hit(self.drawn[a])]
            redraw.update(grown)
            dirty = np.concatenate([dirty, *(self.drawn[a] for a in grown)])
        return [a for a in moving if a in redraw], dirty

    def _recoloured(self, artist: Artist) -> bool:
        """A ScalarMappable's new values (``set_array``) leave it not stale."""
        get = getattr(artist, "get_array", None)
        values = get() if get is not None else None
        if values is None:
            return False
        before = self.arrays.get(artist)
        self.arrays[artist] = np.array(values, copy=True)
        return before is not None and not np.array_equal(before, values, equal_nan=True)

    def _footprint(self, artist: Artist) -> Boxes:
        return footprint(artist, self.fig, self.renderer)


_EMPTY = np.zeros((0, 4), np.int64)
_EMPTY2 = np.zeros((0, 2))


class _Cover:
    """The cells of a coarse grid that boxes cover, to test other boxes against.

    Cells of ``_CELL`` pixels make the test conservative: boxes that only come
    near each other may count as touching, which costs a redraw, never a pixel.
    """

    def __init__(self, boxes: Boxes, shape: tuple[int, ...]) -> None:
        rows, cols = -(-shape[0] // _CELL) + 1, -(-shape[1] // _CELL) + 1
        x0, y0, x1, y1 = self._cells(boxes)
        corners = np.zeros((rows + 1, cols + 1), np.int32)
        for y, x, sign in ((y0, x0, 1), (y0, x1, -1), (y1, x0, -1), (y1, x1, 1)):
            np.add.at(corners, (y, x), sign)
        covered = corners.cumsum(axis=0).cumsum(axis=1) > 0
        self.table = np.zeros((rows + 2, cols + 2), np.int32)  # summed-area table
        self.table[1:, 1:] = covered.cumsum(axis=0).cumsum(axis=1)

    @staticmethod
    def _cells(boxes: Boxes) -> tuple[NDArray[np.int64], ...]:
        """Cell ranges [x0, x1) x [y0, y1) that hold each box."""
        x0, y0 = boxes[:, 0] // _CELL, boxes[:, 1] // _CELL
        x1, y1 = (boxes[:, 2] - 1) // _CELL + 1, (boxes[:, 3] - 1) // _CELL + 1
        return x0, y0, x1, y1

    def hits(self, boxes: Boxes) -> bool:
        """Whether any of ``boxes`` touches a covered cell."""
        if len(boxes) == 0:
            return False
        x0, y0, x1, y1 = self._cells(boxes)
        t = self.table
        return bool((t[y1, x1] - t[y0, x1] - t[y1, x0] + t[y0, x0] > 0).any())


def footprint(artist: Artist, fig: Figure, renderer: object) -> Boxes:
    """Pixel boxes that hold every pixel ``artist`` can paint (conservative).

    Lines and line collections get a box per few vertices or per segment,
    scatter points one box each, anything else its window extent; each is
    padded by the line width and antialiasing and clipped to the clip box.
    """
    width, height = fig.canvas.get_width_height(physical=True)
    if not artist.get_visible():
        return _EMPTY
    try:
        xy0, xy1, pad = _extent(artist, renderer, fig.dpi)
    except Exception:  # an artist we cannot measure: assume it covers the figure
        xy0, xy1, pad = np.array([[0.0, 0.0]]), np.array([[width, height]]), 0.0
    keep = np.isfinite(xy0).all(axis=1) & np.isfinite(xy1).all(axis=1)
    xy0, xy1 = xy0[keep] - pad - _AA, xy1[keep] + pad + _AA
    # an Axis draws its tick labels outside the axes, whatever its clip box says
    clipped = artist.get_clip_on() and not isinstance(artist, Axis)
    clip = artist.get_clip_box() if clipped else None
    if clip is not None:
        xy0 = np.maximum(xy0, clip.p0 - _AA)
        xy1 = np.minimum(xy1, clip.p1 + _AA)
    x0, y0 = np.floor(xy0[:, 0]), height - np.ceil(xy1[:, 1])
    boxes = np.column_stack([x0, y0, np.ceil(xy1[:, 0]), height - np.floor(xy0[:, 1])])
    boxes = np.clip(boxes, 0, [width, height, width, height]).astype(np.int64)
    return boxes[(boxes[:, 0] < boxes[:, 2]) & (boxes[:, 1] < boxes[:, 3])]


def _segment_extents(
    segments: list[NDArray[np.float64]], transform: Transform
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Display-space lower-left and upper-right corners of each segment."""
    if len(segments) == 0:
        return _EMPTY2, _EMPTY2
    if len({len(s) for s in segments}) == 1:  # one transform call for all
        xy = transform.transform(np.concatenate(segments))
        xy = xy.reshape(len(segments), -1, 2)
        return xy.min(axis=1), xy.max(axis=1)
    parts = [transform.transform(s) for s in segments]
    return np.array([p.min(axis=0) for p in parts]), np.array(
        [p.max(axis=0) for p in parts]
    )


def _axis_extent(axis: Axis, renderer: object) -> Bbox:
    """The box of everything an axis paints: tick labels, label, tick marks, grid.

    Its window extent and tight box each leave some of them out.
    """
    boxes = [axis.get_tightbbox(renderer) or axis.get_window_extent(renderer)]
    for tick in axis.get_major_ticks() + axis.get_minor_ticks():
        for part in (tick.tick1line, tick.tick2line, tick.gridline):
            if part.get_visible():
                boxes.append(part.get_window_extent(renderer))
    return Bbox.union([b for b in boxes if b is not None and b.width >= 0])


def _extent(
    artist: Artist, renderer: object, dpi: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Lower-left and upper-right display corners of the artist's parts, and a pad."""
    if isinstance(artist, Line2D):
        xy = artist.get_transform().transform(artist.get_xydata())
        if len(xy) == 0:
            return _EMPTY2, _EMPTY2, 0.0
        starts = np.arange(0, len(xy), _CHUNK)
        lo, hi = np.minimum.reduceat(xy, starts), np.maximum.reduceat(xy, starts)
        # each chunk also holds the segment to the next chunk's first vertex
        lo[:-1] = np.minimum(lo[:-1], xy[starts[1:]])
        hi[:-1] = np.maximum(hi[:-1], xy[starts[1:]])
        width_pt = artist.get_linewidth() + artist.get_markeredgewidth()
        if artist.get_marker() not in (None, "None", "", " "):
            width_pt += artist.get_markersize()
        return lo, hi, width_pt * dpi / 72
    if isinstance(artist, LineCollection) and not artist.get_offsets().any():
        segments = [p.vertices for p in artist.get_paths()]
        lo, hi = _segment_extents(segments, artist.get_transform())
        return lo, hi, float(np.max(artist.get_linewidth(), initial=0)) * dpi / 72
    if isinstance(artist, PathCollection) and len(artist.get_offsets()) >= 1:
        xy = artist.get_offset_transform().transform(artist.get_offsets())
        reach = max(
            float(np.abs(p.vertices).max(initial=0)) for p in artist.get_paths()
        )
        size = np.sqrt(np.max(artist.get_sizes(), initial=1.0))
        edge = float(np.max(artist.get_linewidth(), initial=0))
        return xy, xy, (reach * size + edge) * dpi / 72
    if isinstance(artist, Axis):
        box = _axis_extent(artist, renderer)
    else:
        box = artist.get_window_extent(renderer)
    patch = getattr(artist, "get_bbox_patch", lambda: None)()
    if patch is not None:  # a text's box is drawn around it
        box = Bbox.union([box, patch.get_window_extent(renderer)])
    lw = getattr(artist, "get_linewidth", lambda: 1.0)()
    return (
        np.array([box.p0]),
        np.array([box.p1]),
        float(np.max(lw, initial=1.0)) * dpi / 72,
    )
