"""Network diagrams from real weights: the signals recorded per snapshot, another
lesson's trace, and the drawn edges (sign, width), nodes, '…', pulses."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from tests.render.conftest import DATA
from vizlearn.lessons.network import LESSON, signals
from vizlearn.render.network import frames_network, plot_network, shown_units
from vizlearn.style import Style
from vizlearn.trace import Recorder


@pytest.fixture(scope="module")
def spiral():
    return LESSON.run(LESSON.make_config(iterations=200, frames=5))


def test_signals_are_the_forward_pass_and_the_loss_gradient(rng):
    W = [rng.standard_normal((2, 4)), rng.standard_normal((4, 3))]
    b = [rng.standard_normal(4), rng.standard_normal(3)]
    x, t = np.array([0.3, -0.7]), 2
    h, g = signals(W, b, "tanh", x, t, "classification")
    np.testing.assert_allclose(h[1], np.tanh(x @ W[0] + b[0]))
    np.testing.assert_allclose(h[2], h[1] @ W[1] + b[1])

    def loss():
        a = np.tanh(x @ W[0] + b[0]) @ W[1] + b[1]
        return -np.log(np.exp(a[t]) / np.exp(a).sum())

    for k in range(2):  # dL/da_k equals dL/db_k for one example
        numerical = np.zeros_like(b[k])
        for i in range(len(b[k])):
            b[k][i] += 1e-6
            up = loss()
            b[k][i] -= 2e-6
            down = loss()
            b[k][i] += 1e-6
            numerical[i] = (up - down) / 2e-6
        np.testing.assert_allclose(g[k], numerical, atol=1e-8)


def test_own_run_records_weights_and_signals(spiral):
    assert spiral.n_records == 5 and spiral.meta["sizes"] == [2, 10, 3]
    assert spiral.params["W1"].shape == (5, 2, 10)
    assert spiral.outputs["h1"].shape == (5, 10) and spiral.outputs["g2"].shape == (
        5,
        3,
    )
    h0 = spiral.outputs["h0"]
    np.testing.assert_array_equal(h0[0], spiral.data["input"])
    assert not np.allclose(spiral.params["W1"][0], spiral.params["W1"][-1])


def test_another_lessons_trace_is_drawn():
    trace = LESSON.run(LESSON.make_config(trace=str(DATA / "sin_small.npz")))
    assert trace.meta["source"] == "sin-regression" and trace.n_records == 13
    assert trace.meta["sizes"] == [1, 10, 1]
    np.testing.assert_allclose(
        trace.outputs["h2"][-1],
        signals(
            [trace.params["W1"][-1], trace.params["W2"][-1]],
            [trace.params["b1"][-1], trace.params["b2"][-1]],
            "sigmoid",
            trace.data["input"],
            np.zeros(1),
            "regression",
        )[0][2],
    )


def test_a_trace_with_sampled_weights_is_refused(tmp_path):
    rec = Recorder(meta={"lesson": "mnist"})
    for step in range(2):
        rec.record(step, params={"W1": np.zeros(32), "b1": np.zeros(5)})
    path = rec.freeze().save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match="--trace: W1 is not a full weight matrix"):
        LESSON.run(LESSON.make_config(trace=str(path)))


def test_edges_by_sign_and_width(spiral):
    style = Style.from_preset("thumbnail")
    fig = plot_network(spiral, style=style, frame=-1)
    edges = fig.axes[0].collections[:2]
    W1 = spiral.params["W1"][-1].ravel()
    colors = edges[0].get_colors()
    positive = np.isclose(colors[:, :3], to_rgba(style.colors["data"])[:3]).all(axis=1)
    negative = np.isclose(colors[:, :3], to_rgba(style.colors["model"])[:3]).all(axis=1)
    assert (positive == (W1 >= 0)).all() and (negative == (W1 < 0)).all()
    widths = np.asarray(edges[0].get_linewidths())
    order = np.argsort(np.abs(W1))
    assert np.all(np.diff(widths[order]) >= -1e-12)  # wider for larger |w|
    assert widths.max() <= 3.0 + 1e-9


def test_many_units_collapse_into_an_ellipsis():
    rng = np.random.default_rng(0)
    rec = Recorder(meta={"lesson": "network", "sizes": [784, 50, 10]})
    for step in range(2):
        rec.record(
            step,
            params={
                "W1": rng.standard_normal((784, 50)),
                "W2": rng.standard_normal((50, 10)),
            },
            outputs={
                "h0": rng.random(784),
                "h1": rng.random(50),
                "h2": rng.random(10),
            },
        )
    trace = rec.freeze()
    shown = shown_units([trace.params["W1"], trace.params["W2"]], 12)
    assert [len(s) for s in shown] == [11, 11, 10]
    fig = plot_network(trace, style=Style.from_preset("thumbnail"))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "⋮ +773" in texts and "⋮ +39" in texts
    assert "input (784)" in texts


def test_frames_follow_training_and_pulses_sweep(spiral):
    style = Style(lang="ja", width=400, height=300)
    source = frames_network(spiral, style=style)
    assert source.n_frames == 5
    first = source.still(0).axes[0].collections[0].get_linewidths().copy()
    last = source.still(4).axes[0].collections[0].get_linewidths()
    assert not np.allclose(first, last)
    pulse = frames_network(spiral, style=style, pulse="forward")
    assert pulse.n_frames == 2 * 3 + 1
    faces = pulse.still(0).axes[0].collections[-1].get_facecolors()
    grey = to_rgba(style.colors["grid"])
    assert np.allclose(faces[2:], grey)  # only the 2 inputs are lit at first
    assert not np.allclose(
        pulse.still(-1).axes[0].collections[-1].get_facecolors()[-3:], grey
    )
    texts = [t.get_text() for t in pulse.still(0).axes[0].texts]
    assert "入力層 (2)" in texts
    back = frames_network(spiral, style=style, pulse="backward")
    faces = back.still(0).axes[0].collections[-1].get_facecolors()
    assert np.allclose(faces[:-3], grey) and not np.allclose(faces[-3:], grey)


def test_direction_tb_puts_the_input_on_top(spiral):
    fig = plot_network(spiral, style=Style.from_preset("thumbnail"), direction="TB")
    xy = fig.axes[0].collections[-1].get_offsets()
    assert xy[:2, 1].min() > xy[2:12, 1].max() > xy[12:, 1].max()
