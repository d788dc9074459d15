"""Renderers of issue 16: blitted frames equal full redraws, the book's graphs have
no overlapping labels, and one pixel snapshot of the ch. 5 graph."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.lessons.derivatives import LESSON as DERIVATIVES
from vizlearn.lessons.gradient_race import LESSON as RACE
from vizlearn.lessons.graph import LESSON as GRAPH
from vizlearn.lessons.network import LESSON as NETWORK
from vizlearn.render.derivatives import frames_growth
from vizlearn.render.gradient_race import frames_race
from vizlearn.render.graph import frames_graph, plot_graph
from vizlearn.render.network import frames_network
from vizlearn.style import Style

SMALL = Style(width=480, height=360, dpi=80)


def _sources():
    graph = GRAPH.run(GRAPH.make_config())
    yield "graph-book", frames_graph(graph, style=SMALL), (0, 6, -1)
    yield "graph-dezero", frames_graph(graph, style=SMALL, look="dezero"), (3, -1)
    derivatives = DERIVATIVES.run(DERIVATIVES.make_config(orders=3, points=40))
    yield "growth", frames_growth(derivatives, style=SMALL), (0, 3)
    race = RACE.run(RACE.make_config(dataset="xor", hidden=6, frames=5))
    yield "race", frames_race(race, style=SMALL), (1, 3, 4)
    net = NETWORK.run(NETWORK.make_config(iterations=60, frames=4))
    yield "network", frames_network(net, style=SMALL), (0, 3)
    yield "pulse", frames_network(net, style=SMALL, pulse="backward"), (2, 6)


@pytest.mark.parametrize(
    "name,source,frames",
    list(_sources()),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_blitted_frames_equal_full_redraws(name, source, frames):
    wanted = sorted(k % source.n_frames for k in frames)
    blitted = dict(zip(wanted, source.rgba(wanted), strict=True))
    for k in wanted:
        still = source.still(k)
        still.canvas.draw()
        np.testing.assert_array_equal(
            np.asarray(still.canvas.buffer_rgba()), blitted[k]
        )


def _boxes(fig, texts):
    renderer = fig.canvas.get_renderer()
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for t in texts
        if t.get_text().strip()
    ]


@pytest.mark.parametrize("preset", ["apple-orange", "apple"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_books_graph_labels_do_not_overlap(preset, lang):
    trace = GRAPH.run(GRAPH.make_config(preset=preset))
    fig = plot_graph(trace, style=Style.from_preset("blog", lang=lang), frame=-3)
    ax = fig.axes[0]
    labels = _boxes(fig, [t for t in ax.texts if t.get_zorder() == 4])
    for i, (a, box_a) in enumerate(labels):
        for b, box_b in labels[i + 1 :]:
            assert not box_a.overlaps(box_b), (a, b)
    renderer = fig.canvas.get_renderer()
    nodes = [p.get_window_extent(renderer) for p in ax.patches if p.get_zorder() == 3]
    for text, box in labels:
        if text in {"×", "+"}:
            continue  # the operator sign inside its own node
        assert not any(box.overlaps(n) for n in nodes), text


def test_snapshot_of_the_shopping_graph(vl_image_snapshot):
    trace = GRAPH.run(GRAPH.make_config())
    vl_image_snapshot(
        plot_graph(trace, style=SMALL), "issue16_graph_apple_orange", tol=2
    )
