"""Chapter-6 renderers and the several-seeds band, on synthetic traces (no training)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from vizlearn.lessons.curve_trials import curves_trace
from vizlearn.render.bands import Band, draw_band, ema, summarize
from vizlearn.render.batch_norm import frames_batch_norm, plot_scales
from vizlearn.render.hyperparameter_search import frames_scatter, frames_top
from vizlearn.render.loss_compare import frames_accuracy_compare, frames_loss_compare
from vizlearn.render.overfit import frames_overfit, plot_gap
from vizlearn.style import Style
from vizlearn.trace import Trace

# ---- the band helper ---------------------------------------------------------------


def tensorboard_smoothing(values, weight):
    """TensorBoard's scalar smoothing, written out point by point."""
    last, count, out = 0.0, 0, []
    for v in values:
        if not np.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        count += 1
        out.append(last / (1 - weight**count))
    return np.array(out)


def test_ema_is_tensorboards_debiased_smoothing(rng):
    values = rng.standard_normal(300).cumsum()
    values[[40, 41, 200]] = np.nan
    for weight in (0.0, 0.6, 0.9, 0.99):
        np.testing.assert_allclose(
            ema(values, weight), tensorboard_smoothing(values, weight), rtol=1e-12
        )
    assert ema(values, 0.9)[0] == values[0]  # debiased: no pull towards 0
    runs = rng.standard_normal((3, 50))
    np.testing.assert_allclose(ema(runs, 0.8)[2], tensorboard_smoothing(runs[2], 0.8))
    with pytest.raises(ValueError, match=r"smoothing weight must be in \[0, 1\)"):
        ema(values, 1.0)


def test_summarize_std_and_minmax_ignore_missing_points():
    runs = np.array([[1.0, 2.0, np.nan], [3.0, 6.0, np.nan], [5.0, np.nan, np.nan]])
    mean, low, high = summarize(runs, "std")
    np.testing.assert_allclose(mean[:2], [3.0, 4.0])
    np.testing.assert_allclose(high[:2] - mean[:2], [2.0, np.sqrt(8.0)])  # n - 1
    assert np.isnan(mean[2]) and np.isnan(low[2])
    _, low, high = summarize(runs, "minmax")
    np.testing.assert_allclose([low[0], high[0], low[1], high[1]], [1, 5, 2, 6])
    with pytest.raises(ValueError, match="band must be one of std, minmax"):
        summarize(runs, "ci")


def test_draw_band_says_n_and_keeps_the_raw_curve_faint(rng):
    style = Style()
    fig = Figure()
    ax = fig.subplots()
    runs = rng.random((10, 60))
    artists = draw_band(ax, np.arange(60), runs, style=style, label="SGD", smooth=0.9)
    patch, faint, mean = artists
    assert mean.get_label() == "SGD (N = 10)"
    assert faint.get_alpha() < 0.5 and faint.get_linewidth() < mean.get_linewidth()
    np.testing.assert_allclose(mean.get_ydata(), ema(runs, 0.9).mean(axis=0))
    np.testing.assert_allclose(faint.get_ydata(), runs.mean(axis=0))
    assert patch.get_visible() and len(patch.get_xy()) >= 120
    one = draw_band(ax, np.arange(60), runs[:1], style=style, label="one")
    assert [a.get_label() for a in one] == ["one"]  # one seed: no band, no N


def test_band_grows_and_marks_epoch_boundaries(rng):
    fig = Figure()
    ax = fig.subplots()
    band = Band(
        ax, np.arange(100), rng.random((2, 100)), style=Style(), marker="o",
        marks=[0, 30, 60, 90],
    )  # fmt: skip
    band.update(45)
    assert len(band.line.get_xdata()) == 46
    assert band.line.get_markevery() == [0, 30]


# ---- synthetic ch. 6 traces ----------------------------------------------------------


def fake_run(rng, iters=30, per_epoch=3, level=0.5, diverge_at=None):
    n = iters if diverge_at is None else diverge_at
    m = n // per_epoch + 1
    acc = np.clip(np.linspace(0.1, level, m) + 0.01 * rng.standard_normal(m), 0, 1)
    return Trace(
        np.abs(rng.standard_normal(n)) + 0.1,
        np.arange(n),
        np.zeros(0, np.int64),
        metrics={
            "train_acc": acc,
            "test_acc": acc * 0.8,
            "train_loss": 1 - acc,
            "test_loss": 1.2 - acc,
        },
        metric_steps=np.arange(m) * per_epoch,
        meta={"iters_per_epoch": per_epoch, "diverged_at": diverge_at, "n_train": 9},
    )


def fake(rng, variants, seeds, meta, data=None, frames=(0, 15, 30), **run):
    runs = [[fake_run(rng, **run) for _ in range(seeds)] for _ in range(variants)]
    return curves_trace(runs, frames_at=frames, meta=meta, data=data)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_overfit_panels(rng, lang):
    meta = {"regularizer": "dropout", "strengths": [0.0, 0.2], "epochs": 10}
    trace = fake(rng, 2, 3, meta)
    source = frames_overfit(trace, style=Style(lang=lang), band="minmax")
    assert source.n_frames == 3
    fig = source.still(2)
    titles = [ax.get_title() for ax in fig.axes]
    if lang == "en":
        assert titles == ["without dropout", "dropout ratio 0.2"]
    else:
        assert titles == ["Dropout なし", "Dropout（比率 0.2）"]
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    gap = trace.data["train_acc"][0].mean(0)[-1] - trace.data["test_acc"][0].mean(0)[-1]
    assert any(f"{gap:.2f}" in t for t in texts)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == [f"{Style(lang=lang).label(k)} (N = 3)" for k in ("train", "test")]
    assert isinstance(plot_gap(trace, style=Style(lang=lang)), Figure)


def test_a_diverged_run_stops_where_it_diverged(rng):
    meta = {"regularizer": "weight_decay", "strengths": [0.0, 0.1], "epochs": 10}
    runs = [[fake_run(rng)], [fake_run(rng, diverge_at=12)]]
    trace = curves_trace(runs, frames_at=[0, 30], meta=meta)
    fig = frames_overfit(trace).still(1)
    train_line = fig.axes[1].get_legend_handles_labels()[0][0]
    assert np.isfinite(train_line.get_ydata()).sum() == 5  # epochs 0-4 of 10


def test_batch_norm_grid_and_scales(rng):
    scales = np.logspace(0, -4, 16)
    runs = [[fake_run(rng)] for _ in range(32)]
    runs[3] = [fake_run(rng, diverge_at=2)]  # scale 2, plain: diverged
    trace = curves_trace(
        runs, frames_at=[0, 30], meta={"epochs": 10}, data={"weight_scale": scales}
    )
    fig = frames_batch_norm(trace).still(1)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels][:3] == ["W = 1", "W = 0.541", "W = 0.293"]
    assert "diverged at iteration 2" in panels[1].texts[0].get_text()
    assert fig.legends[0].get_texts()[0].get_text() == "Batch Normalization"
    scales_fig = plot_scales(trace, style=Style(lang="ja"))
    assert "発散" in [t.get_text() for t in scales_fig.legends[0].get_texts()]


def test_search_grid_and_scatter(rng):
    n = 7
    trace = fake(
        rng,
        n,
        1,
        {"epochs": 10, "eval_set": "validation"},
        data={
            "lr": np.logspace(-6, -2, n),
            "weight_decay": np.logspace(-8, -4, n),
            "order": np.arange(n)[::-1].copy(),
        },
    )
    fig = frames_top(trace, top=5).still(2)
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in visible] == [f"Best-{i}" for i in range(1, 6)]
    assert "lr 1.0e-02" in visible[0].texts[0].get_text()  # order[0] = the last
    source = frames_scatter(trace, style=Style(lang="ja", theme="dark"))
    still = source.still(source.n_frames - 1)
    points = still.axes[0].collections[0]
    last = trace.data["test_acc"][:, 0, -1]
    np.testing.assert_allclose(points.get_array(), last)
    assert still.axes[0].collections[1].get_visible()  # the best, starred at the end
    assert not source.still(0).axes[0].collections[1].get_visible()


@pytest.mark.parametrize("compared", ["optimizer", "init"])
def test_loss_comparison(rng, compared):
    names = ["sgd", "adam"] if compared == "optimizer" else ["0.01", "he"]
    meta = {"compared": compared, "names": names, "ylim": 1.0, "iters": 30}
    trace = fake(rng, 2, 2, meta)
    source = frames_loss_compare(trace, style=Style(lang="ja"))
    ax = source.still(1).axes[0]
    labels = ax.get_legend_handles_labels()[1]
    expect = (
        ["SGD", "Adam"] if compared == "optimizer" else ["標準偏差 0.01", "He の初期値"]
    )
    assert labels == [f"{name} (N = 2)" for name in expect]
    line = ax.get_legend_handles_labels()[0][0]
    assert len(line.get_xdata()) == 16  # iterations 0-15
    assert line.get_markevery() == [0, 3, 6, 9, 12, 15]  # every epoch (3 iterations)
    acc = frames_accuracy_compare(trace).still(2).axes[0]
    assert len(acc.get_legend_handles_labels()[0][0].get_xdata()) == 11
