"""The frame pipeline: redrawn boxes, exactness against full redraws, footprints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from vizlearn.render.frames import footprint
from vizlearn.render.regression import frames_regression
from vizlearn.style import Style
from vizlearn.trace import load_trace

TRACE = load_trace(Path(__file__).parents[1] / "data" / "sin_small.npz")
STYLE = Style(width=320, height=240, dpi=50)


def full_redraw(k: int, style: Style = STYLE) -> np.ndarray:
    """Frame k drawn from scratch, everything at once, as matplotlib would."""
    fig = frames_regression(TRACE, style=style).still(k)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_every_frame_equals_a_full_redraw_and_changes_only_in_its_boxes():
    source = frames_regression(TRACE, style=STYLE)
    previous = None
    for blit in source.blits():
        assert blit.pixels.shape == (240, 320, 4)
        np.testing.assert_array_equal(blit.pixels, full_redraw(blit.index))
        if previous is None:
            assert blit.boxes.tolist() == [[0, 0, 320, 240]]
        else:
            outside = np.ones((240, 320), bool)
            for x0, y0, x1, y1 in blit.boxes:
                outside[y0:y1, x0:x1] = False
            assert outside.any()  # the boxes are not the whole frame
            np.testing.assert_array_equal(blit.pixels[outside], previous[outside])
        previous = blit.pixels.copy()


def test_frames_in_any_order_equal_full_redraws():
    order = [12, 0, 5, 5, 11, 1]
    for k, frame in zip(
        order, frames_regression(TRACE, style=STYLE).rgba(order), strict=True
    ):
        np.testing.assert_array_equal(frame, full_redraw(k))


def test_the_legend_is_not_redrawn_when_nothing_reaches_it(monkeypatch):
    from matplotlib.legend import Legend

    calls = []
    draw = Legend.draw
    monkeypatch.setattr(
        Legend, "draw", lambda self, r: calls.append(1) or draw(self, r)
    )
    blits = frames_regression(TRACE, style=Style(width=480, height=360, dpi=60)).blits()
    next(blits)  # the first frame draws everything
    calls.clear()
    assert len(list(blits)) == TRACE.n_records - 1
    assert calls == []


def test_rgba_yields_copies_blits_yield_one_view():
    source = frames_regression(TRACE, style=STYLE)
    a, b = source.rgba([0, 12])
    assert not np.array_equal(a, b)
    views = [blit.pixels for blit in source.blits([0, 12])]
    assert views[0] is views[1] or np.shares_memory(views[0], views[1])


@pytest.mark.parametrize("k", [0, 6, 12])
def test_footprints_hold_every_painted_pixel(k):
    """Each animated artist, drawn alone on a clear canvas, stays in its boxes."""
    source = frames_regression(TRACE, style=STYLE)
    fig = source.still(k)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    artists = list(source.update(k))
    for artist in artists:
        others = [a for a in fig.findobj(Artist) if a is not artist and a is not fig]
        painted = _alone(fig, artist, others)
        inside = np.zeros(painted.shape, bool)
        for x0, y0, x1, y1 in footprint(artist, fig, renderer):
            inside[y0:y1, x0:x1] = True
        assert not (painted & ~inside).any(), type(artist).__name__


def _alone(fig: Figure, artist: Artist, others: list[Artist]) -> np.ndarray:
    """Pixels ``artist`` paints when nothing else is drawn (transparent figure)."""
    visible = {a: a.get_visible() for a in others}
    for a in others:
        a.set_visible(False)
    fig.patch.set_visible(False)
    try:
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        fig.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())[..., 3] > 0
    finally:
        for a, v in visible.items():
            a.set_visible(v)
        fig.patch.set_visible(True)


def test_an_empty_line_and_an_invisible_artist_have_no_boxes():
    fig = Figure(figsize=(2, 2), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    (line,) = ax.plot([], [])
    (hidden,) = ax.plot([0, 1], [0, 1], visible=False)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert footprint(line, fig, renderer).shape == (0, 4)
    assert footprint(hidden, fig, renderer).shape == (0, 4)


def moving_label_source(n: int = 6):
    """A label that keeps its text but moves and changes colour, and a counter."""
    from vizlearn.render.frames import FrameSource, new_figure

    style = Style(width=200, height=120, dpi=50)
    with style.context():
        fig = new_figure(style)
        ax = fig.subplots()
        ax.set(xlim=(0, 1), ylim=(0, 1))
        label = ax.text(0.1, 0.5, "same words")
        counter = ax.set_title(" ")

    def update(k: int):
        label.set_position((0.1 + 0.037 * k, 0.5 - 0.013 * k))
        label.set_color("C0" if k % 2 else "C3")
        counter.set_text("step 1" if k < 3 else "step 2")  # repeats its text
        return [label, counter]

    return FrameSource(fig, update, n, style)


def test_cached_text_moves_and_recolours_like_a_full_redraw():
    """The glyph and layout caches replay only what the same text drew there."""
    for k, frame in enumerate(moving_label_source().rgba([0, 1, 2, 3, 4, 5, 0, 3])):
        k = [0, 1, 2, 3, 4, 5, 0, 3][k]
        fig = moving_label_source().still(k)
        fig.canvas.draw()
        np.testing.assert_array_equal(frame, np.asarray(fig.canvas.buffer_rgba()))
