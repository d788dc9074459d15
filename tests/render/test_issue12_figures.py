"""Issue 12's figures: the Keras history look, the 2x2 table, the gradient cost,
metrics' axes, titles that say how a run was made; two pixel snapshots.

Refresh the snapshots with ``pytest tests/render/test_issue12_figures.py
--vizlearn-update`` and look at them before committing.
"""

from __future__ import annotations

import numpy as np
import pytest

from vizlearn.lessons.training import runs_trace
from vizlearn.render.class_table import class_counts, plot_class_table
from vizlearn.render.classification import plot_training
from vizlearn.render.gradient_cost import plot_gradient_cost
from vizlearn.render.history import plot_history, plot_history_runs
from vizlearn.render.metrics import plot_confusion
from vizlearn.render.notes import joined, made_with
from vizlearn.render.sweep import sweep_title
from vizlearn.style import Style
from vizlearn.trace import Recorder, Trace

SMALL = Style(width=480, height=360, dpi=60)


def _classifier(config=None, seed=0) -> Trace:
    """4 evaluations (iteration 0 and 3 epochs of 10), and 10 test predictions."""
    rec = Recorder(
        meta={
            "iters_per_epoch": 10,
            "sizes": [784, 5, 10],
            "config": config or {},
            "seed": seed,
        },
        data={
            # class 3: TP 3 (0, 1, 2), FN 1 (3 -> 5), FP 2 (4, 6 -> 3), TN 4
            "test_label": np.array([3, 3, 3, 3, 1, 2, 8, 0, 1, 2]),
            "test_pred": np.array([3, 3, 3, 5, 3, 2, 3, 0, 1, 7]),
        },
    )
    for step, (a, b) in zip(
        (0, 10, 20, 30), ((0.1, 0.1), (0.6, 0.55), (0.8, 0.7), (0.9, 0.75)), strict=True
    ):
        rec.record(step, loss=1.0, metrics={"train_acc": a, "test_acc": b})
    for step in (0, 30):  # two snapshots: the animation's first and last frame
        rec.record(step, outputs={"norm": float(step)})
    return rec.freeze()


def test_keras_history_look():
    fig = plot_history(_classifier())
    (ax,) = fig.axes
    train, val = ax.get_lines()
    # Keras never evaluates before the first epoch: epochs 1, 2, 3
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(train.get_ydata(), [0.6, 0.8, 0.9])
    np.testing.assert_allclose(val.get_ydata(), [0.55, 0.7, 0.75])
    assert (train.get_color(), val.get_color()) == ("#1f77b4", "#ff7f0e")
    assert train.get_linestyle() == val.get_linestyle() == "-"
    assert train.get_marker() in ("None", None, "")
    assert ax.get_title() == "model accuracy"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "accuracy")
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["train", "validation"]
    assert legend._loc == 2  # upper left, as the tutorial's plt.legend
    ja = plot_history(_classifier(), style=Style(lang="ja"))
    assert ja.axes[0].get_title() == "モデルの認識精度"


def test_keras_history_of_a_sweep_is_one_chart_per_run():
    runs = [
        (label, {"lr": lr}, _classifier())
        for label, lr in (("lr=0.1", 0.1), ("lr=0.01", 0.01))
    ]
    trace = runs_trace(runs, meta={"config": {"normalize": False}, "seed": 0})
    fig = plot_history_runs(trace)
    assert [ax.get_title() for ax in fig.axes] == ["lr=0.1", "lr=0.01"]
    assert fig.axes[1].get_ylabel() == ""  # the shared axis is named once
    assert fig._suptitle.get_text() == "model accuracy  ·  raw pixels 0–255  ·  seed 0"
    with pytest.raises(ValueError, match="metric must be one of accuracy, loss"):
        plot_history_runs(trace, metric="f1")


def test_class_table_counts_and_worked_measures():
    trace = _classifier()
    c = class_counts(trace.data["test_label"], trace.data["test_pred"], 3)
    assert (c.tp, c.fn, c.fp, c.tn) == (3, 1, 2, 4)
    assert (c.precision, c.recall, c.accuracy) == (0.6, 0.75, 0.7)
    fig = plot_class_table(trace, label=3)
    table, worked = fig.axes
    cells = [t.get_text() for t in table.texts]
    assert cells[0] == "TP\n3\n" and cells[2] == "FN\n1\n"
    assert cells[4] == "FP\n2\n" and cells[6] == "TN\n4\n"
    assert [t.get_text() for t in table.get_xticklabels()] == ["3", "not 3"]
    text = [t.get_text() for t in worked.texts]
    assert "TP / (TP + FP) = 3 / (3 + 2) = 0.6000" in text
    assert "TP / (TP + FN) = 3 / (3 + 1) = 0.7500" in text
    assert "(TP + TN) / N = (3 + 4) / 10 = 0.7000" in text
    assert fig._suptitle.get_text().startswith("class 3 against the rest  (n = 10")
    ja = plot_class_table(trace, label=3, style=Style(lang="ja"))
    assert "適合率" in [t.get_text() for t in ja.axes[1].texts]
    with pytest.raises(ValueError, match="--class must be between 0 and 9"):
        plot_class_table(trace, label=12)


def test_precision_recall_axis_starts_at_zero_and_the_legend_covers_no_bar():
    fig = plot_confusion(_classifier())
    bars = fig.axes[1]
    assert bars.get_xlim() == (0.0, 1.0)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = bars.get_legend().get_window_extent(renderer)
    for patch in bars.patches:
        assert not legend.overlaps(patch.get_window_extent(renderer))
    values = {t.get_text() for t in bars.texts}
    assert {"0.600", "0.750"} <= values  # class 3's precision and recall


def test_titles_say_how_the_model_was_made():
    numerical = _classifier({"grad": "numerical", "normalize": False, "iters": 30})
    assert made_with(numerical, Style()) == [
        "trained with the numerical gradient",
        "raw pixels 0–255",
        "seed 0",
    ]
    title = plot_training(numerical)._suptitle.get_text()
    assert title == (
        "iteration 30 / 30  ·  trained with the numerical gradient  ·  "
        "raw pixels 0–255  ·  seed 0"
    )
    ja = plot_training(numerical, style=Style(lang="ja"))._suptitle.get_text()
    assert "数値微分で学習" in ja and "シード 0" in ja
    assert "numerical" not in plot_training(_classifier())._suptitle.get_text()
    assert "numerical gradient" in plot_confusion(numerical)._suptitle.get_text()
    assert "raw pixels" in plot_class_table(numerical)._suptitle.get_text()


def test_sweep_title_keeps_the_shape_when_the_activation_varies():
    config = {
        "dataset": "mnist",
        "layers": 10,
        "hidden": 64,
        "activation": "sigmoid",
        "weight_init": "xavier",
        "optimizer": "sgd",
        "lr": 0.01,
        "batch_size": 32,
        "epochs": 10,
    }
    trace = Recorder(meta={"config": config, "vary": ["activation"], "seed": 0})
    trace = trace.freeze()
    title = sweep_title(trace, Style())
    assert "10 hidden layers × 64" in title and "sigmoid" not in title
    assert title.endswith("seed 0")
    ja = sweep_title(trace, Style(lang="ja"))
    assert "隠れ層 10 層 × 64" in ja and "バッチ 32" in ja and "10 エポック" in ja
    lr = Recorder(meta={"config": config, "vary": ["layers"]}).freeze()
    assert "64 units per layer" in sweep_title(lr, Style())
    assert joined(["a" * 40, "b" * 40]) == "a" * 40 + "\n" + "b" * 40


def _cost_trace() -> Trace:
    n = np.array([3985, 7960, 15910, 39760, 79510])
    forward = np.array([1.3, 1.7, 3.6, 7.3, 12.1]) * 1e-4
    data = {
        "cost/hidden": np.array([5, 10, 20, 50, 100]),
        "cost/n_params": n,
        "cost/forward": forward,
        "cost/backprop": 2.5 * forward,
        "cost/numerical": np.array([0.043, 0.071, 0.13, 0.3, 0.65]),
        "cost/naive": 2 * n * forward,
        "cost/naive_measured": np.full(5, 50),
    }
    return Recorder(meta={"batch": 100, "seed": 0}, data=data).freeze()


def test_gradient_cost_figure_reads_the_measured_times():
    trace = _cost_trace()
    d = trace.data
    fig = plot_gradient_cost(trace)
    seconds, passes = fig.axes[:2]
    assert seconds.get_xscale() == seconds.get_yscale() == "log"
    naive, fast, backprop = seconds.get_lines()
    np.testing.assert_array_equal(naive.get_xdata(), d["cost/n_params"])
    np.testing.assert_array_equal(naive.get_ydata(), d["cost/naive"])
    np.testing.assert_array_equal(backprop.get_ydata(), d["cost/backprop"])
    assert "×63,608 the time of backprop" in " ".join(
        t.get_text() for t in seconds.texts
    )
    theory, naive_passes, backprop_passes = passes.get_lines()
    np.testing.assert_allclose(theory.get_ydata(), 2 * theory.get_xdata())
    np.testing.assert_allclose(naive_passes.get_ydata(), 2 * d["cost/n_params"])
    np.testing.assert_allclose(backprop_passes.get_ydata(), 2.5)
    labels = [t.get_text() for t in passes.get_legend().get_texts()]
    assert labels[0] == "2P: 2 forward passes per parameter"
    notes = " ".join(t.get_text() for t in passes.texts)
    assert "1 forward + 1 backward pass, whatever P" in notes
    assert "timed on 50 parameters" in fig._supxlabel.get_text()
    ja = plot_gradient_cost(trace, style=Style(lang="ja"))
    assert "なぜ誤差逆伝播法は速いのか" in ja._suptitle.get_text()


def test_snapshot_class_table_ja_dark(vl_image_snapshot):
    style = Style(width=480, height=360, dpi=60, lang="ja", theme="dark")
    vl_image_snapshot(
        plot_class_table(_classifier(), label=3, style=style), "issue12_table_ja_dark"
    )


def test_snapshot_gradient_cost(vl_image_snapshot):
    vl_image_snapshot(plot_gradient_cost(_cost_trace(), style=SMALL), "issue12_cost")
