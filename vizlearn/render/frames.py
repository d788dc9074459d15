"""The fast frame pipeline: draw static parts once, then update and blit per frame."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vizlearn.style import Style

__all__ = ["FrameSource", "new_figure"]


def new_figure(style: Style, **kwargs: object) -> Figure:
    """A pyplot-free Figure of the style's size, with an Agg canvas attached."""
    fig = Figure(figsize=style.figsize, dpi=style.dpi, **kwargs)
    FigureCanvasAgg(fig)
    return fig


@contextmanager
def _layout_frozen(fig: Figure) -> Iterator[None]:
    """Lay the figure out once with every artist, then keep positions fixed.

    Layout engines skip animated artists; without this, blitted frames would be
    laid out without the title and differ from a full redraw.
    """
    engine = fig.get_layout_engine()
    # constrained layout settles on its second pass (the first moves tick
    # labels that the second accounts for); savefig would run it again.
    fig.draw_without_rendering()
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    try:
        yield
    finally:
        fig.set_layout_engine(engine)


@dataclass
class FrameSource:
    """A figure, the update that moves its animated artists to frame k, and a count.

    ``update(k)`` changes artists in place and returns the ones it changed; it
    never clears or rebuilds axes. Static parts are drawn once and blitted.
    """

    figure: Figure
    update: Callable[[int], Sequence[Artist]]
    n_frames: int
    style: Style

    def rgba(self, indices: Iterable[int] | None = None) -> Iterator[NDArray[np.uint8]]:
        """Yield frames as ``(height, width, 4)`` uint8 arrays (each a fresh copy)."""
        fig, canvas = self.figure, self.figure.canvas
        indices = range(self.n_frames) if indices is None else indices
        with self.style.context():
            animated = list(self.update(0))
        with self.style.context(), _layout_frozen(fig):
            for artist in animated:
                artist.set_animated(True)
            canvas.draw()  # everything but the animated artists
            background = canvas.copy_from_bbox(fig.bbox)
            try:
                for k in indices:
                    canvas.restore_region(background)
                    for artist in sorted(self.update(k), key=Artist.get_zorder):
                        fig.draw_artist(artist)
                    yield np.array(canvas.buffer_rgba())
            finally:
                for artist in animated:
                    artist.set_animated(False)

    def still(self, k: int) -> Figure:
        """Move the artists to frame ``k`` and return the figure (not blitted)."""
        with self.style.context():
            self.update(k)
            self.figure.draw_without_rendering()
        return self.figure

    def animation(self, *, interval_ms: int = 100) -> FuncAnimation:
        """Matplotlib's own FuncAnimation over the same update function."""
        with self.style.context():
            self.update(0)
            self.figure.draw_without_rendering()
        return FuncAnimation(self.figure, self.update, frames=self.n_frames,
                             interval=interval_ms, blit=True)  # fmt: skip
