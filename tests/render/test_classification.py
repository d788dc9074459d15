"""Renderers of the classification lessons: artists, frame counts and pixels."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from vizlearn.datasets.split import load_split
from vizlearn.lessons.training import build_classifier, runs_trace, train_classifier
from vizlearn.render.classification import (
    animate_training,
    draw_accuracy,
    frames_training,
    plot_training,
    smooth,
)
from vizlearn.render.gradients import plot_gradients
from vizlearn.render.metrics import plot_confusion, plot_misclassified
from vizlearn.render.samplers import plot_samplers
from vizlearn.render.sweep import plot_sweep
from vizlearn.style import Style
from vizlearn.trace import Recorder, Trace


@pytest.fixture(scope="module")
def run():
    """Spiral, 2-10-3, 200 iterations of batch 30 (20 epochs), 6 snapshots."""
    split = load_split("spiral", seed=0)
    model = build_classifier(split, hidden=10, weight_init="xavier")
    return train_classifier(
        model, split, lr=1.0, batch_size=30, iters=200, frames=6, track=4
    )


def lines(fig: Figure, ax_index: int):
    return [ln for ln in fig.axes[ax_index].get_lines() if len(ln.get_xdata())]


def test_still_shows_everything_at_the_end(run):
    fig = plot_training(run)
    loss_lines, acc_lines = lines(fig, 0), lines(fig, 1)
    assert [len(ln.get_xdata()) for ln in loss_lines] == [200, 200]
    assert [len(ln.get_xdata()) for ln in acc_lines] == [21, 21]  # epoch 0..20
    np.testing.assert_array_equal(acc_lines[1].get_ydata(), run.metrics["test_acc"])
    assert fig.axes[1].get_xlim() == (0.0, 20.0) and fig.axes[1].get_ylim() == (0, 1)
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert f"test {run.metrics['test_acc'][-1]:.3f}" in texts[0]
    assert fig._suptitle.get_text() == "iteration 200"


def test_frames_grow_with_training(run):
    source = frames_training(run)
    assert source.n_frames == run.n_records == 6
    fig = source.still(2)
    step = int(run.steps[2])  # 80
    loss = lines(fig, 0)
    assert len(loss[0].get_xdata()) == step
    acc = lines(fig, 1)
    assert acc[0].get_xdata()[-1] == step / 10  # epochs so far
    frames = list(source.rgba())
    assert len(frames) == 6 and frames[0].shape == (720, 960, 4)
    assert not np.array_equal(frames[1], frames[4])  # the curves moved
    assert len(list(animate_training(run, kind="loss").new_frame_seq())) == 6


def test_kinds_and_japanese_labels(run):
    assert len(plot_training(run, kind="loss").axes) == 1
    fig = plot_training(run, kind="accuracy", style=Style(lang="ja"))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "エポック" and ax.get_ylabel() == "認識精度"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["訓練データ", "テストデータ"]
    with pytest.raises(ValueError, match="kind must be one of both, loss, accuracy"):
        frames_training(run, kind="weights")


def test_draw_accuracy_up_to_a_step(run):
    fig = Figure()
    artists = draw_accuracy(fig.subplots(), run, step=50, style=Style())
    assert len(artists[0].get_xdata()) == 6  # steps 0, 10, ..., 50


def test_smooth_is_a_trailing_mean():
    np.testing.assert_allclose(smooth(np.array([1.0, 3, 5, 7]), 2), [1, 2, 4, 6])


def test_gradients_figure():
    rng = np.random.default_rng(0)
    bp = {"W1": rng.standard_normal((30, 5)), "b1": rng.standard_normal(5)}
    num = {k: v + 1e-9 for k, v in bp.items()}
    meta = {
        "tensors": list(bp),
        "seconds": {"backprop": 1e-4, "numerical": 1e-2, "naive": 3.0},
        "naive_measured": 10,
        "n_params": 155,
    }
    data = {f"backprop/{k}": v for k, v in bp.items()}
    data |= {f"numerical/{k}": v for k, v in num.items()}
    fig = plot_gradients(Recorder(meta=meta, data=data).freeze())
    scatter, bars = fig.axes[0], fig.axes[-1]
    assert len(scatter.collections[0].get_offsets()) == 150
    assert scatter.get_xlim() == scatter.get_ylim()  # the diagonal is a diagonal
    assert bars.get_yscale() == "log"
    heights = [p.get_height() for p in bars.patches]
    assert heights == [1e-4, 1e-2, 3.0]
    texts = " ".join(t.get_text() for t in bars.texts)
    assert "×30,000" in texts and "×100" in texts
    assert "extrapolated" in bars.get_xlabel() and "10 / 155" in bars.get_xlabel()


def test_samplers_figure():
    steps = np.arange(31)
    coverage = {
        "with-replacement": 1 - np.exp(-steps / 10),
        "epoch-shuffle": np.minimum(steps / 10, 1),
    }
    accuracy = {"with-replacement": (0.9, 0.85), "epoch-shuffle": (0.95, 0.9)}
    runs = [
        (name, {}, _metrics_trace({"train_acc": [a], "test_acc": [b]}))
        for name, (a, b) in accuracy.items()
    ]
    meta = {"samplers": list(coverage), "n_train": 100, "batch_size": 10}
    data = {f"coverage/{k}": v for k, v in coverage.items()}
    data |= {"repeats/with-replacement": np.array([4, 30, 37])}
    data |= {"repeats/epoch-shuffle": np.array([0, 0, 0])}
    fig = plot_samplers(runs_trace(runs, meta=meta, data=data))
    cov_ax, train_ax, test_ax, table_ax = fig.axes
    labels = [t.get_text() for t in cov_ax.get_legend().get_texts()]
    assert labels == [
        "with replacement",
        "shuffle each epoch",
        "theory 1 − e^(−epochs)",
    ]
    theory = cov_ax.get_lines()[2]
    x = theory.get_xdata()
    np.testing.assert_allclose(theory.get_ydata(), 1 - np.exp(-x / 10))
    # each accuracy on its own zoomed axis, values printed (0.9 vs 0.95 fills it)
    for ax, values in ((train_ax, [0.9, 0.95]), (test_ax, [0.85, 0.9])):
        np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), values)
        lo, hi = ax.get_ylim()
        assert values[0] - 0.05 < lo < values[0] and values[1] < hi < values[1] + 0.05
        texts = [t.get_text() for t in ax.texts]
        assert [f"{v:.4f}" for v in values] == texts[:2]
        assert "max − min = 0.0500" in texts
    # the first epoch's repeats: one column per sampler
    cells = [t.get_text() for t in table_ax.texts]
    assert cells[:2] == ["with replacement", "shuffle each epoch"]
    assert cells[2:5] == ["repeats within a minibatch", "4", "0"]
    assert cells[5:8] == ["repeats across minibatches", "30", "0"]
    assert cells[8:11] == ["examples never drawn", "37", "0"]
    assert "10 minibatches" in table_ax.get_title()


def _metrics_trace(metrics, steps=None):
    n = len(next(iter(metrics.values())))
    return Trace(
        np.zeros(0),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        metrics={k: np.asarray(v, float) for k, v in metrics.items()},
        metric_steps=np.arange(n) if steps is None else steps,
    )


def _sweep_run(label, scale):
    metrics = {
        "train_acc": scale * np.linspace(0.1, 0.9, 4),
        "test_acc": scale * np.linspace(0.1, 0.8, 4),
        "train_loss": np.linspace(2, 1, 4) / scale,
        "test_loss": np.linspace(2, 1.2, 4) / scale,
    }
    return label, {}, _metrics_trace(metrics)


def test_sweep_figure_one_colour_per_run():
    runs = [_sweep_run("lr=0.01", 0.5), _sweep_run("lr=0.1", 1.0)]
    fig = plot_sweep(runs_trace(runs, meta={}), title="spiral")
    acc, loss = fig.axes
    assert len(acc.get_lines()) == len(loss.get_lines()) == 4
    a_train, a_val, b_train, b_val = acc.get_lines()
    assert a_train.get_color() == a_val.get_color() != b_train.get_color()
    assert a_val.get_linestyle() == "--" and a_train.get_linestyle() == "-"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["lr=0.01", "lr=0.1", "train", "validation"]
    with pytest.raises(ValueError, match="holds no runs"):
        plot_sweep(runs_trace([], meta={}))


def test_metrics_figures(run):
    fig = plot_confusion(run)
    image = fig.axes[0].get_images()[0].get_array()
    assert image.shape == (3, 3)
    np.testing.assert_allclose(image.sum(axis=1), 1.0)  # rows: share of true class
    cells = sum(int(t.get_text()) for t in fig.axes[0].texts)
    assert cells == len(run.data["test_label"])
    mis = plot_misclassified(run)  # 2-D data: a scatter of mistakes
    wrong = int((run.data["test_label"] != run.data["test_pred"]).sum())
    assert len(mis.axes[0].collections[1].get_offsets()) == wrong


def test_misclassified_image_grid():
    from vizlearn.trace import Recorder

    rec = Recorder(
        meta={"sizes": [784, 50, 10]},
        data={
            "test_label": np.array([3, 1, 7, 7]),
            "test_pred": np.array([5, 1, 1, 2]),
            "mis_index": np.array([0, 2, 3]),
            "mis_x": np.zeros((3, 784), np.uint8),
        },
    )
    rec.record(0, loss=1.0)
    fig = plot_misclassified(rec.freeze(), count=2)
    shown = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title() for ax in shown] == ["3 → 5", "7 → 1"]
    assert shown[0].get_images()[0].get_array().shape == (28, 28)
