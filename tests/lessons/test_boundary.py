"""Decision boundaries: training matches a plain loop, grids recorded, renderer."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from vizlearn.core import MLP, SGD, softmax, softmax_cross_entropy
from vizlearn.datasets.planar import PLANAR
from vizlearn.lessons.boundary import GRID, UNITS_GRID, BoundaryConfig, run
from vizlearn.render.boundary import (
    draw_boundary,
    frames_boundary,
    plot_boundary,
    region_image,
)
from vizlearn.style import Style

SMALL = Style(width=320, height=240, dpi=50)


@pytest.fixture(scope="module")
def blobs_trace():
    return run(BoundaryConfig(dataset="blobs", epochs=20, frames=5, units=True))


def test_training_matches_a_plain_loop(blobs_trace):
    """Recording (the probe runs between forward and backward) changes nothing."""
    data = PLANAR["blobs"](seed=0)
    rng = np.random.default_rng(0)
    model = MLP([2, 10, 3], activation="sigmoid", weight_std="xavier", rng=rng)
    optimizer = SGD(1.0).setup(model)
    for _ in range(20):
        order = rng.permutation(300)
        for start in range(0, 300, 30):
            idx = order[start : start + 30]
            _, gy = softmax_cross_entropy(model(data.x[idx]), data.t[idx])
            model.backward(gy)
            optimizer.update()
    for name, p in model.params().items():
        np.testing.assert_array_equal(blobs_trace.params[name][-1], p.data)
    p = softmax(model(data.x))
    assert blobs_trace.outputs["accuracy"][-1] == np.mean(p.argmax(1) == data.t)


def test_grid_outputs(blobs_trace):
    out, d = blobs_trace.outputs, blobs_trace.data
    assert blobs_trace.n_records == 5
    assert (
        blobs_trace.meta["iters"] == 200 and blobs_trace.meta["iters_per_epoch"] == 10
    )
    assert out["classes"].shape == out["confidence"].shape == (5, GRID, GRID)
    assert set(np.unique(out["classes"])) <= {0, 1, 2}
    assert (out["confidence"] >= 1 / 3 - 1e-12).all() and (out["confidence"] <= 1).all()
    assert out["units"].shape == (5, 10, UNITS_GRID, UNITS_GRID)
    assert ((out["units"] >= 0) & (out["units"] <= 1)).all()  # sigmoid outputs
    # the grid covers the data with a margin
    assert d["grid_x"][0] < d["x"][:, 0].min() and d["grid_x"][-1] > d["x"][:, 0].max()
    assert out["accuracy"][-1] > 0.95 > out["accuracy"][0]
    assert out["data_loss"][-1] < out["data_loss"][0]


def test_adam_and_default_learning_rates():
    assert BoundaryConfig().learning_rate == 1.0
    assert BoundaryConfig(optimizer="adam").learning_rate == 0.03
    assert BoundaryConfig(optimizer="adam", lr=0.1).learning_rate == 0.1
    trace = run(BoundaryConfig(dataset="xor", optimizer="adam", epochs=2, frames=2))
    assert trace.meta["lr"] == 0.03 and trace.n_records == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dataset": "moons"}, "--dataset must be one of spiral, circles, xor, blobs"),
        ({"frames": 500, "epochs": 1}, "--frames must be at most"),
        ({"units": True, "hidden": 64}, "--units draws at most 32 units"),
        ({"lr": -1.0}, "--lr must be >= 0"),
        ({"batch_size": 0}, "--batch-size must be >= 1"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        BoundaryConfig(**options)


def test_region_image_colours_by_class_and_confidence():
    style = Style()
    classes = np.array([[0, 1], [2, 0]])
    sure, unsure = np.ones((2, 2)), np.full((2, 2), 1 / 3)
    white, c0 = np.ones(3), np.array(to_rgb(style.colors["cycle"][0]))
    rgb_sure = region_image(classes, sure, 3, style=style)
    rgb_unsure = region_image(classes, unsure, 3, style=style)
    zeros = np.zeros((1, 3), int)
    steps = region_image(zeros, np.array([[0.68, 0.70, 0.99]]), 3, style=style)
    assert np.array_equal(steps[0, 0], steps[0, 1])  # one of 8 bands
    assert not np.array_equal(steps[0, 1], steps[0, 2])
    smooth = region_image(classes, np.full((2, 2), 0.7), 3, style=style, levels=None)
    sure_07 = (0.7 - 1 / 3) / (2 / 3)
    np.testing.assert_allclose(
        smooth[0, 0], white + (0.12 + 0.38 * sure_07) * (c0 - white)
    )
    np.testing.assert_allclose(rgb_sure[0, 0], 0.5 * white + 0.5 * c0)
    np.testing.assert_allclose(rgb_unsure[0, 0], 0.88 * white + 0.12 * c0)
    assert not np.allclose(rgb_sure[0, 1], rgb_sure[1, 0])  # classes 1 and 2 differ


def test_draw_boundary(blobs_trace):
    ax = Figure().subplots()
    image, *frame, p0, p1, p2, legend, title = draw_boundary(
        ax, blobs_trace, 4, style=Style()
    )
    spines = [sp for sp in ax.spines.values() if sp.get_visible()]
    assert frame == [*spines, ax.xaxis, ax.yaxis]
    assert [p.get_label() for p in (p0, p1, p2)] == ["class 0", "class 1", "class 2"]
    assert legend is ax.get_legend()
    assert isinstance(image, AxesImage) and image.get_array().shape == (GRID, GRID, 3)
    assert title.get_text() == "epoch 20 / 20   loss {:.3f}   accuracy {:.1f}%".format(
        blobs_trace.outputs["data_loss"][4], 100 * blobs_trace.outputs["accuracy"][4]
    )
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "class 0",
        "class 1",
        "class 2",
    ]


def test_frames_update_images_in_place(blobs_trace):
    source = frames_boundary(blobs_trace, style=SMALL)
    assert source.n_frames == 5
    units = [ax for ax in source.figure.axes[1:] if ax.get_images()]
    assert len(units) == 10  # one panel per hidden unit
    bars = [ax for ax in source.figure.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 1  # and one colour bar for all of them
    first = source.update(0)
    before = first[0].get_array().copy()
    later = source.update(4)
    assert [id(a) for a in first] == [id(a) for a in later]
    assert len(later) == 10 + 10  # image, 2 spines, 2 axes, 3 point sets, legend,
    # title; units
    assert not np.array_equal(before, later[0].get_array())
    np.testing.assert_array_equal(
        later[10].get_array(), blobs_trace.outputs["units"][4, 0]
    )


def test_units_panels_need_recorded_units():
    trace = run(BoundaryConfig(epochs=1, frames=2))
    with pytest.raises(ValueError, match="--units"):
        frames_boundary(trace, units=True)
    assert len(plot_boundary(trace, style=SMALL).axes) == 1


def test_blitted_frames_match_full_redraws(blobs_trace):
    """The data and legend lie on the animated image: blitting must keep them."""
    style = Style(width=480, height=360, dpi=50)
    (frame,) = frames_boundary(blobs_trace, style=style).rgba([3])
    still = plot_boundary(blobs_trace, frame=3, style=style)
    still.canvas.draw()
    np.testing.assert_array_equal(frame, np.asarray(still.canvas.buffer_rgba()))


def test_unit_panels_layout(blobs_trace):
    """Square cells for square data, a colour bar, no empty band, no overlaps."""
    style = Style(width=960, height=720, dpi=120)
    fig = frames_boundary(blobs_trace, style=style).still(4)
    renderer = fig.canvas.get_renderer()
    main = fig.axes[0]
    units = [ax for ax in fig.axes[1:] if ax.get_images()]
    d = blobs_trace.data
    aspect = np.ptp(d["units_y"]) / np.ptp(d["units_x"])
    for ax in units:
        box = ax.get_window_extent(renderer)
        assert abs(box.height / box.width - aspect) < 0.05  # the data's shape
    # the regions fill the height: their title near the top, their x label near
    # the bottom (the old layout left a 100 px band above them at 960x720)
    tight = main.get_tightbbox(renderer)
    assert tight.y1 > 0.93 * 720 and tight.y0 < 0.07 * 720
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert bar.get_xlabel() == "unit output (sigmoid)"
    assert bar.get_xlim() == (0.0, 1.0)
    # a unit's title stays clear of the panel above it
    for upper, lower in zip(units, units[3:], strict=False):
        title = lower.title.get_window_extent(renderer)
        assert title.y1 <= upper.get_window_extent(renderer).y0 + 0.5


def test_unit_grid_picks_the_largest_cells():
    from vizlearn.render.unit_panels import unit_grid

    assert unit_grid(10, 3.0, 6.0, 1.0) == (4, 3)  # a tall column: more rows
    assert unit_grid(4, 8.0, 2.0, 1.0) == (1, 4)  # a wide strip: one row
    assert unit_grid(1, 2.0, 2.0, 1.0) == (1, 1)
    rows, cols = unit_grid(32, 3.0, 6.0, 1.0)
    assert rows * cols >= 32 and (rows - 1) * cols < 32
