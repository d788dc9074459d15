"""Loss chart, parameter trajectories, activation functions."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from vizlearn.lessons.activations import ActivationsConfig, curves, run
from vizlearn.render.activations import plot_activations
from vizlearn.render.curves import draw_loss, plot_loss
from vizlearn.render.params import plot_params
from vizlearn.style import Style
from vizlearn.trace import Recorder

SMALL = Style(width=480, height=360, dpi=60)


def test_loss_line_holds_every_iteration(sin_trace):
    fig = plot_loss(sin_trace, log=True, style=SMALL)
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_ydata(), sin_trace.loss)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "iteration"


def test_loss_marks_divergence():
    rec = Recorder(meta={"diverged_at": 3})
    for i in range(3):
        rec.record(i, loss=10.0**i)
    rec.record(0, params={"w": [0.0]})
    fig = Figure()
    artists = draw_loss(fig.subplots(), rec.freeze(), style=Style())
    texts = [a.get_text() for a in artists if hasattr(a, "get_text")]
    assert any("diverged at iteration 3" in t for t in texts)


def test_loss_labels_in_japanese(sin_trace):
    ax = plot_loss(sin_trace, style=Style(lang="ja")).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("学習回数", "損失関数")


def test_params_one_panel_per_tensor_one_line_per_element(sin_trace):
    fig = plot_params(sin_trace, style=SMALL)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title().split()[0] for ax in visible] == ["W1", "b1", "W2", "b2"]
    assert [len(ax.get_lines()) for ax in visible] == [10, 10, 10, 1]
    w2 = visible[2].get_lines()[4]
    np.testing.assert_array_equal(w2.get_xdata(), sin_trace.steps)
    np.testing.assert_array_equal(w2.get_ydata(), sin_trace.params["W2"][:, 4, 0])


def test_params_rejects_unknown_names(sin_trace):
    with pytest.raises(ValueError, match="the trace has W1, b1, W2, b2"):
        plot_params(sin_trace, names=["W9"])


def test_activation_curves_come_from_the_layers():
    config = ActivationsConfig(derivatives=True, weight=3.0, bias=0.5)
    x, cv = curves(config)
    y, dy = cv["sigmoid"]
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(y, s, atol=1e-12)
    np.testing.assert_allclose(dy, s * (1 - s), atol=1e-12)
    np.testing.assert_allclose(cv["linear"][0], 3.0 * x + 0.5)
    np.testing.assert_allclose(cv["relu"][1], (x > 0).astype(float))
    fig = plot_activations(run(config), style=SMALL)
    assert [ax.get_title() for ax in fig.axes][1] == "y = 3x + 0.5"


def test_activations_figure_panels():
    fig = plot_activations(run(ActivationsConfig(derivatives=True)), style=SMALL)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert len(panels) == 5
    assert all(len(ax.get_lines()) >= 2 for ax in panels)  # function + derivative
    # one legend, in the grid's empty cell, and none over a panel's curves
    assert all(ax.get_legend() is None for ax in panels)
    (spare,) = [ax for ax in fig.axes if ax.get_visible() and not ax.axison]
    labels = [t.get_text() for t in spare.get_legend().get_texts()]
    assert labels[0] == "y" and labels[1].startswith("dy/dx")


def test_activations_reject_unknown_function():
    with pytest.raises(ValueError, match="--function must be one of identity, linear"):
        ActivationsConfig(functions=("swish",))


def test_snapshot_loss_and_params(sin_trace, vl_image_snapshot):
    vl_image_snapshot(plot_loss(sin_trace, log=True, style=SMALL), "loss_log", tol=2)
    vl_image_snapshot(plot_params(sin_trace, style=SMALL), "params", tol=2)


def test_snapshot_activations(vl_image_snapshot):
    fig = plot_activations(run(ActivationsConfig(derivatives=True)), style=SMALL)
    vl_image_snapshot(fig, "activations", tol=2)
