"""Higher-order derivatives (DeZero steps 33-35): the curves, the node counts per
order, and the figures that show them."""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.lessons.derivatives import LESSON
from vizlearn.render.derivatives import frames_growth, plot_sin, plot_tanh
from vizlearn.style import Style
from vizlearn.trace import load_trace


@pytest.fixture(scope="module")
def trace():
    return LESSON.run(LESSON.make_config(orders=4, points=80))


def test_curves_are_the_derivatives(trace):
    x = trace.data["x"]
    assert x[0] == -7 and x[-1] == 7 and len(x) == 80
    want = [np.sin(x), np.cos(x), -np.sin(x), -np.cos(x)]
    np.testing.assert_allclose(trace.data["sin"], want, atol=1e-12)
    t = np.tanh(x)
    np.testing.assert_allclose(trace.data["tanh"][1], 1 - t**2, atol=1e-12)
    np.testing.assert_allclose(trace.data["tanh"][2], -2 * t * (1 - t**2), atol=1e-12)
    u = 1 - t**2
    np.testing.assert_allclose(trace.data["tanh"][3], u * (6 * t**2 - 2), atol=1e-12)
    np.testing.assert_allclose(
        trace.data["tanh"][4], 8 * t * u * (2 - 3 * t**2), atol=1e-11
    )


def test_graphs_grow_as_dezeros_do(trace):
    assert trace.data["nodes"].tolist() == [3, 11, 22, 48, 110]
    assert LESSON.summary(trace) == {"nodes_per_order": [3, 11, 22, 48, 110]}
    kinds = trace.data["graph1/kinds"]
    assert len(kinds) == 11 and kinds.sum() == 4  # Tanh, Mul, Sub, Mul
    assert sorted(trace.meta["graphs"][1]) == sorted(
        ["", "", "", "1", "Mul", "Mul", "Sub", "Tanh", "gx", "x", "y"]
    )


def test_sin_figure_labels_follow_dezero(trace):
    fig = plot_sin(trace, style=Style.from_preset("thumbnail"))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["y=sin(x)", "y′", "y″", "y‴"]
    assert len(fig.axes[0].lines) == 4


def test_tanh_panels_in_japanese(trace):
    fig = plot_tanh(trace, style=Style(lang="ja", width=400, height=300))
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles[0] == "tanh(x)" and titles[2].startswith("2 階微分")
    assert len(titles) == 5


def test_growth_animation_one_frame_per_order(trace, tmp_path):
    source = frames_growth(trace, style=Style.from_preset("thumbnail"))
    assert source.n_frames == 5
    fig = source.still(3)
    texts = [t.get_text() for t in fig.texts]
    assert any("48 nodes" in t for t in texts)
    graph_ax = fig.axes[0]
    scatter_sizes = [len(c.get_offsets()) for c in graph_ax.collections[1:]]
    assert sum(scatter_sizes) == 48
    again = load_trace(trace.save(tmp_path / "d.npz"))
    assert frames_growth(again, style=Style.from_preset("thumbnail")).n_frames == 5


def test_a_trace_without_graphs_is_refused(trace):
    from dataclasses import replace

    with pytest.raises(ValueError, match="no derivative graphs"):
        frames_growth(replace(trace, data={}), style=Style())
