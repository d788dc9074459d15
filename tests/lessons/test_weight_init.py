"""Weight-init histograms (the book's Figures 6-10..6-14) and the deep-network run."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from vizlearn.lessons.options import parse_weight_init as parse_init
from vizlearn.lessons.vanishing_gradients import VanishingConfig as TrainingConfig
from vizlearn.lessons.vanishing_gradients import run as run_training
from vizlearn.lessons.weight_init import WeightInitConfig, estimate_bytes, run
from vizlearn.render.histograms import (
    draw_ridge,
    frames_vanishing,
    init_label,
    plot_vanishing,
    plot_weight_init,
)
from vizlearn.style import Style

SMALL = Style(width=480, height=360, dpi=50)


@pytest.fixture(scope="module")
def sigmoid_trace():
    return run(WeightInitConfig(samples=200, gradients=True))


@pytest.fixture(scope="module")
def deep_trace():
    config = TrainingConfig(layers=8, hidden=20, epochs=4, frames=3, bins=20)
    return run_training(config)


def test_histograms_count_every_value(sigmoid_trace):
    acts = sigmoid_trace.outputs["activations"][0]
    assert acts.shape == (3, 5, 30)  # inits x layers x bins
    # the book's Figures 6-10, 6-11 and 6-13: sigmoid with std 1, 0.01, Xavier
    assert sigmoid_trace.meta["inits"] == ["1", "0.01", "xavier"]
    assert sigmoid_trace.meta["config"]["inits"] == "1,0.01,xavier"  # resolved
    # sigmoid outputs all lie in [0, 1], no exact zeros are split off
    np.testing.assert_array_equal(acts.sum(axis=2), 200 * 100)
    assert (sigmoid_trace.outputs["outside"] == 0).all()
    assert (sigmoid_trace.outputs["zeros"] == 0).all()


def test_the_books_three_pictures(sigmoid_trace):
    """std 1 saturates at 0 and 1, std 0.01 collapses to 0.5, Xavier spreads out."""
    acts, std = sigmoid_trace.outputs["activations"][0], sigmoid_trace.outputs["std"][0]
    edge_mass = (acts[:, :, 0] + acts[:, :, -1]) / acts.sum(axis=2)
    assert (edge_mass[0] > 0.4).all()  # std 1: most outputs in the outermost bins
    assert (std[1] < 0.03).all() and (std[1] < std[2]).all()  # std 0.01: all ~0.5
    middle = acts[1, :, 13:17].sum(axis=1) / acts[1].sum(axis=1)  # 0.43 to 0.57
    assert (middle > 0.95).all()
    assert (0.08 < std[2]).all() and (std[2] < 0.3).all()  # Xavier: a spread


def test_book_inits_follow_the_books_figures():
    """--inits book: Figures 6-10, 6-11, 6-13 for sigmoid, Figure 6-14 for ReLU."""
    assert WeightInitConfig().schemes() == (1.0, 0.01, "xavier")
    assert WeightInitConfig(activation="tanh").schemes() == (1.0, 0.01, "xavier")
    assert WeightInitConfig(activation="relu").schemes() == (0.01, "xavier", "he")
    assert WeightInitConfig(inits="he").schemes() == ("he",)
    from vizlearn.lessons.weight_init import LESSON

    captions = {item.name: item for item in LESSON.gallery}
    assert "6-10, 6-11 and 6-13" in captions["weight-init"].caption[0]
    assert captions["weight-init"].options.get("activation", "sigmoid") == "sigmoid"
    assert "6-14" in captions["weight-init-relu"].caption[0]
    assert captions["weight-init-relu"].options == {"activation": "relu"}


def test_relu_he_keeps_the_spread_and_zeros_are_counted_apart():
    trace = run(WeightInitConfig(activation="relu", samples=200))
    assert trace.meta["inits"] == ["0.01", "xavier", "he"]
    std, zeros = trace.outputs["std"][0], trace.outputs["zeros"][0]
    assert std[2, -1] > 0.5 * std[2, 0]  # He: the last layer keeps its spread
    assert std[1, -1] < 0.5 * std[1, 0]  # Xavier: it shrinks layer by layer
    assert std[0, -1] < 1e-4 * std[0, 0]  # std 0.01: vanishes
    assert ((zeros > 0.35) & (zeros < 0.75)).all()  # about half the units are off
    counted = trace.outputs["activations"][0].sum(axis=2) / (200 * 100)
    np.testing.assert_allclose(counted + zeros + trace.outputs["outside"][0], 1.0)


def test_gradient_histograms(sigmoid_trace):
    grads, edges = (
        sigmoid_trace.outputs["gradients"][0],
        sigmoid_trace.data["grad_edges"],
    )
    assert grads.shape == (3, 5, 30) and edges.shape == (3, 31)
    np.testing.assert_allclose(edges[:, 0], -edges[:, -1])  # symmetric ranges
    # with std 0.01 the gradient shrinks on its way down: layer 1 is a spike at 0
    centre = grads[1, 0, 14:16].sum() / grads[1, 0].sum()
    assert centre > 0.99 and grads[1, -1, 14:16].sum() / grads[1, -1].sum() < 0.5


def test_parse_init_and_bad_options():
    assert parse_init(" Xavier") == "xavier" and parse_init("0.01") == 0.01
    for bad in ("glorot", "0", "-1", "nan"):
        with pytest.raises(ValueError, match="xavier, he or a std > 0"):
            parse_init(bad)
    with pytest.raises(ValueError, match="--inits needs 1 to 8"):
        WeightInitConfig(inits=",")
    with pytest.raises(ValueError, match="--activation must be one of"):
        WeightInitConfig(activation="elu")
    with pytest.raises(ValueError, match="under 50 million"):
        WeightInitConfig(samples=100_000, units=2000)
    with pytest.raises(ValueError, match="xavier, he or a std"):
        TrainingConfig(init="lecun")
    assert estimate_bytes(WeightInitConfig()) == 8 * 3 * 1000 * 100 * 5


def test_plot_weight_init_layout(sigmoid_trace):
    fig = plot_weight_init(sigmoid_trace, style=SMALL)
    assert len(fig.axes) == 6 * 5  # an activation row and a gradient row per init
    assert [ax.get_title() for ax in fig.axes[:5]] == [
        f"{i}-layer" for i in range(1, 6)
    ]
    assert (
        fig.axes[0].get_ylabel() == "std 1" and fig.axes[5].get_ylabel() == "gradient"
    )
    assert fig.axes[20].get_ylabel() == "Xavier"
    assert fig._suptitle.get_text() == "activation distribution per layer (sigmoid)"
    ja = plot_weight_init(sigmoid_trace, style=Style(lang="ja", width=480, height=360))
    assert ja.axes[20].get_ylabel() == "Xavier の初期値"


def test_init_labels():
    assert init_label("0.01", Style()) == "std 0.01"
    assert init_label("he", Style(lang="ja")) == "He の初期値"


def test_deep_sigmoid_network_gradients_vanish(deep_trace):
    out = deep_trace.outputs
    assert out["activations"].shape == (3, 8, 20) and out["log_grad"].shape == (
        3,
        8,
        20,
    )
    grad = out["grad_mean"]
    assert grad.shape == (3, 8)
    assert (grad[:, 0] < 1e-3 * grad[:, -1]).all()  # layer 1 gets a thousandth
    assert np.all(np.diff(np.log10(grad[0])) > 0)  # smaller at every layer down
    assert abs(out["data_loss"][-1] - np.log(3)) < 0.05  # still guessing
    counted = out["activations"].sum(axis=2)
    np.testing.assert_array_equal(counted, 300 * 20)  # sigmoid: all values in [0, 1]


def test_relu_network_gradients_do_not_vanish():
    trace = run_training(
        TrainingConfig(
            layers=8, hidden=20, epochs=1, frames=2, activation="relu", init="he"
        )
    )
    grad = trace.outputs["grad_mean"][0]
    assert grad[0] > 0.05 * grad[-1]


def test_ridge_scales_each_layer_to_its_peak():
    ax = Figure().subplots()
    counts = np.array([[1, 2, 4], [0, 0, 0], [5, 0, 5]])
    patches = draw_ridge(ax, counts, np.linspace(0, 1, 4), style=Style())
    assert len(patches) == 3 + 6 + 3  # patches, 4 spines and 2 axes, notes
    np.testing.assert_allclose(patches[0].get_data().values, 1 + 0.9 * counts[0] / 4)
    np.testing.assert_allclose(patches[1].get_data().values, 2.0)
    assert patches[2].get_data().baseline == 3


def test_vanishing_frames_update_in_place(deep_trace):
    source = frames_vanishing(deep_trace, style=SMALL)
    assert source.n_frames == 3 and len(source.figure.axes) == 3
    first = source.update(0)
    last = source.update(2)
    assert [id(a) for a in first] == [id(a) for a in last]
    title = source.figure._suptitle.get_text()
    assert title.startswith(
        "8 hidden layers, sigmoid, init Xavier, SGD lr 0.01\nepoch 4 / 4"
    )
    fig = plot_vanishing(deep_trace, frame=0, style=SMALL)
    assert "epoch 0 / 4" in fig._suptitle.get_text()


def test_blitted_frames_match_full_redraws(deep_trace):
    style = Style(width=480, height=360, dpi=50)
    (frame,) = frames_vanishing(deep_trace, style=style).rgba([1])
    still = plot_vanishing(deep_trace, frame=1, style=style)
    still.canvas.draw()
    np.testing.assert_array_equal(frame, np.asarray(still.canvas.buffer_rgba()))
