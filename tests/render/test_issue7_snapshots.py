"""Pixel snapshots of the issue-7 figures against tests/render/baseline/issue7_*.png.

Refresh with ``pytest tests/render/test_issue7_snapshots.py --vizlearn-update``,
then look at every changed baseline before committing it.
"""

from __future__ import annotations

import pytest

from vizlearn.lessons.boundary import BoundaryConfig
from vizlearn.lessons.boundary import run as run_boundary
from vizlearn.lessons.optimizers import OptimizersConfig
from vizlearn.lessons.optimizers import run as run_optimizers
from vizlearn.lessons.vanishing_gradients import VanishingConfig as TrainingConfig
from vizlearn.lessons.vanishing_gradients import run as run_training
from vizlearn.lessons.weight_init import WeightInitConfig
from vizlearn.lessons.weight_init import run as run_weight_init
from vizlearn.render.boundary import frames_boundary
from vizlearn.render.histograms import plot_vanishing, plot_weight_init
from vizlearn.render.optimizers import frames_optimizers, plot_optimizers
from vizlearn.style import Style

STYLE = Style(width=480, height=360, dpi=60)
TOL = 2


def test_optimizers_book_figure(vl_image_snapshot):
    vl_image_snapshot(
        plot_optimizers(run_optimizers(), style=STYLE), "issue7_optimizers", tol=TOL
    )


def test_optimizers_diverging_frame_japanese(vl_image_snapshot):
    trace = run_optimizers(OptimizersConfig(lr="sgd=100"))
    style = Style(width=480, height=360, dpi=60, lang="ja", theme="dark")
    (frame,) = frames_optimizers(trace, style=style).rgba([12])
    vl_image_snapshot(frame, "issue7_optimizers_diverged_ja", tol=TOL)


@pytest.mark.parametrize("frame", [0, 4])
def test_boundary_frames_with_units(vl_image_snapshot, frame):
    trace = run_boundary(
        BoundaryConfig(dataset="blobs", epochs=20, frames=5, units=True, hidden=6)
    )
    (image,) = frames_boundary(trace, style=STYLE).rgba([frame])
    vl_image_snapshot(image, f"issue7_boundary_units_{frame}", tol=TOL)


def test_weight_init_relu(vl_image_snapshot):
    trace = run_weight_init(WeightInitConfig(activation="relu", samples=200))
    vl_image_snapshot(
        plot_weight_init(trace, style=STYLE), "issue7_weight_init_relu", tol=TOL
    )


def test_vanishing_gradients_final_frame(vl_image_snapshot):
    trace = run_training(TrainingConfig(layers=6, hidden=20, epochs=4, frames=3))
    vl_image_snapshot(plot_vanishing(trace, style=STYLE), "issue7_vanishing", tol=TOL)
