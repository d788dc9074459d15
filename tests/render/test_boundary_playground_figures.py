"""The boundary figures of the Playground controls: test points, heat map, strip."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.image import AxesImage

from vizlearn.lessons.boundary import BoundaryConfig, run
from vizlearn.render.boundary import frames_boundary, plot_boundary
from vizlearn.render.playground import plot_boundary_confusion
from vizlearn.style import Style

SMALL = Style(width=480, height=360, dpi=60)


@pytest.fixture(scope="module")
def split_trace():
    return run(BoundaryConfig(dataset="blobs", test_ratio=0.25, epochs=8, frames=4))


@pytest.fixture(scope="module")
def heat_trace():
    return run(BoundaryConfig(dataset="gauss", test_ratio=0.2, epochs=6, frames=3))


def _hollow(ax) -> list[PathCollection]:
    return [
        c
        for c in ax.collections
        if isinstance(c, PathCollection)
        and len(c.get_offsets())
        and not c.get_facecolor().any()
    ]


def test_test_points_are_hollow_and_counted(split_trace):
    fig = plot_boundary(split_trace, style=SMALL)
    regions, strip = fig.axes
    hollow = _hollow(regions)
    assert sum(len(c.get_offsets()) for c in hollow) == 75  # round(300 * 0.25)
    labels = [t.get_text() for t in regions.get_legend().get_texts()]
    assert labels == ["class 0", "class 1", "class 2", "test"]
    first, second = regions.get_title().split("\n")
    assert first.startswith("epoch 8 / 8   loss ") and "accuracy" in first
    assert second.startswith("test: loss ") and second.endswith("%")


def test_loss_strip_grows_with_the_frames(split_trace):
    source = frames_boundary(split_trace, style=SMALL)
    strip = source.still(1).axes[1]
    train, test = strip.lines[:2]
    step = split_trace.steps[1]
    shown = (split_trace.metric_steps <= step).sum()
    assert len(train.get_xdata()) == len(test.get_xdata()) == shown
    np.testing.assert_allclose(
        test.get_ydata(), split_trace.metrics["test_loss"][:shown]
    )
    assert len(source.still(3).axes[1].lines[0].get_xdata()) == 9  # epochs 0..8


@pytest.mark.parametrize("name", ["split_trace", "heat_trace", "units"])
def test_blits_equal_full_redraws(request, name):
    if name == "units":
        config = BoundaryConfig(
            test_ratio=0.2, units=True, hidden=4, epochs=4, frames=3
        )
        trace = run(config)
    else:
        trace = request.getfixturevalue(name)
    (blit,) = frames_boundary(trace, style=SMALL).rgba([2])
    fig = plot_boundary(trace, frame=2, style=SMALL)
    fig.canvas.draw()
    np.testing.assert_array_equal(np.asarray(fig.canvas.buffer_rgba()), blit)


def test_heat_map_of_a_regression_run(heat_trace):
    fig = plot_boundary(heat_trace, frame=1, style=SMALL)
    regions = fig.axes[0]
    (image,) = [a for a in regions.get_images() if isinstance(a, AxesImage)]
    np.testing.assert_array_equal(image.get_array(), heat_trace.outputs["value"][1])
    top = np.abs(
        np.concatenate([heat_trace.data["t"], heat_trace.data["t_test"]])
    ).max()
    assert image.norm.vmin == -top and image.norm.vmax == top
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)
    assert "accuracy" not in regions.get_title()


def test_confusion_matrix(split_trace):
    fig = plot_boundary_confusion(split_trace, frame=-1, style=SMALL)
    train_ax, test_ax = fig.axes[:2]
    cm = train_ax.get_images()[0]
    assert cm.get_array().shape == (3, 3)
    counts = [int(t.get_text()) for t in train_ax.texts]
    assert sum(counts) == 225
    accuracy = 100 * split_trace.outputs["accuracy"][-1]
    assert f"accuracy {accuracy:.1f}%" in train_ax.get_title()
    assert sum(int(t.get_text()) for t in test_ax.texts) == 75


def test_confusion_refuses_regression(heat_trace):
    with pytest.raises(ValueError, match="needs a classification run"):
        plot_boundary_confusion(heat_trace, style=SMALL)


def test_japanese_labels(split_trace):
    fig = plot_boundary(
        split_trace, style=Style(width=480, height=360, dpi=60, lang="ja")
    )
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[-1] == "テストデータ" and labels[0] == "クラス 0"
    assert fig.axes[1].get_xlabel() == "エポック"
