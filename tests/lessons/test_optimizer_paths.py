"""Optimizer paths: analytic gradients, book setup, options, divergence, renderer."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from vizlearn.core import SGD, Adam, Parameter, numerical_grad
from vizlearn.core.functions import SURFACES
from vizlearn.lessons.optimizers import (
    FUNCTIONS,
    OPTIMIZER_NAMES,
    OptimizersConfig,
    parse_lr,
    run,
)
from vizlearn.render.optimizers import (
    draw_optimizer_path,
    frame_indices,
    frames_optimizers,
    plot_optimizers,
)
from vizlearn.style import Style

SMALL = Style(width=320, height=240, dpi=50)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_analytic_gradients_match_numerical(name, rng):
    surface = SURFACES[name]
    for _ in range(5):
        xy = np.array(
            [rng.uniform(*surface.xlim), rng.uniform(*surface.ylim)], dtype=np.float64
        )
        numeric = numerical_grad(lambda xy=xy: float(surface.f(*xy)), xy, eps=1e-6)
        analytic = np.array(surface.grad(*xy))
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_minima_are_minima(name):
    surface = SURFACES[name]
    for x, y in surface.minima:
        assert surface.f(x, y) == pytest.approx(0.0, abs=1e-9)
        np.testing.assert_allclose(surface.grad(x, y), [0.0, 0.0], atol=1e-4)


def test_cli_choices_match_the_core_functions():
    assert set(FUNCTIONS) == set(SURFACES)
    assert all(set(s.lr) == set(OPTIMIZER_NAMES) for s in SURFACES.values())


def test_book_defaults():
    trace = run()
    m = trace.meta
    assert m["function"] == "book" and m["steps"] == 30
    assert m["lr"] == {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "adam": 0.3}
    assert trace.n_records == 31 and m["diverged"] == {}
    for name in OPTIMIZER_NAMES:
        path = trace.outputs[f"path_{name}"]
        np.testing.assert_array_equal(path[0], [-7.0, 2.0])
        assert np.linalg.norm(path[-1]) < 1.0  # all four get close to the minimum
        values = trace.outputs[f"value_{name}"]
        np.testing.assert_allclose(values, SURFACES["book"].f(path[:, 0], path[:, 1]))


def test_paths_are_the_optimizers_own_steps():
    """The lesson drives vizlearn.core's optimizers: replay two by hand."""
    trace = run(OptimizersConfig(steps=5))
    grad = SURFACES["book"].grad
    for name, opt in (("sgd", SGD(0.95)), ("adam", Adam(0.3))):
        p = Parameter(np.array([-7.0, 2.0]), "xy")
        opt.setup([p])
        for k in range(1, 6):
            p.grad = np.array(grad(*p.data))
            opt.update()
            np.testing.assert_allclose(trace.outputs[f"path_{name}"][k], p.data)


def test_user_learning_rates_start_and_subset():
    config = OptimizersConfig(
        function="rosenbrock",
        optimizers="adam,sgd",
        lr="adam=0.05",
        start="0,2",
        steps=12,
    )
    trace = run(config)
    assert trace.meta["optimizers"] == ["adam", "sgd"]
    assert trace.meta["lr"] == {"adam": 0.05, "sgd": SURFACES["rosenbrock"].lr["sgd"]}
    assert trace.n_records == 13
    np.testing.assert_array_equal(trace.outputs["path_adam"][0], [0.0, 2.0])
    assert "path_momentum" not in trace.outputs


def test_parse_lr():
    assert parse_lr(" SGD=0.9, adam=2e-1 ,") == {"sgd": 0.9, "adam": 0.2}
    assert parse_lr("") == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"lr": "sgd"}, "--lr takes NAME=VALUE"),
        ({"lr": "rmsprop=0.1"}, "--lr takes NAME=VALUE"),
        ({"lr": "sgd=-1"}, "--lr sgd must be a number > 0"),
        ({"lr": "sgd=nan"}, "--lr sgd must be a number > 0"),
        ({"lr": "adam=0.1", "optimizers": "sgd"}, "--optimizers leaves out"),
        ({"start": "1"}, "--start must be x,y"),
        ({"start": "inf,2"}, "--start must be two finite numbers"),
        ({"optimizers": "sgd,sgd"}, "--optimizers must list distinct names"),
        ({"optimizers": ""}, "--optimizers must list distinct names"),
        ({"function": "sphere"}, "--function must be one of"),
        ({"steps": -1}, "--steps must be >= 0"),
    ],
)
def test_bad_options_name_the_option(options, message):
    with pytest.raises(ValueError, match=message):
        OptimizersConfig(**options)


def test_divergence_is_recorded_not_raised():
    trace = run(OptimizersConfig(lr="sgd=100,momentum=1e6"))
    diverged = trace.meta["diverged"]
    assert set(diverged) == {"sgd", "momentum"} and diverged["sgd"] == 2
    path = trace.outputs["path_sgd"]
    assert np.isfinite(path).all()  # the trace holds the point where it left the box
    np.testing.assert_array_equal(path[diverged["sgd"] :], path[-1][None].repeat(29, 0))
    assert np.abs(path).max() <= 100 * 20 + 1e-9  # 100 plot ranges at most
    assert "adagrad" not in diverged


def test_overflow_to_nan_holds_the_last_point():
    trace = run(OptimizersConfig(function="beale", lr="sgd=1e6", steps=10))
    assert "sgd" in trace.meta["diverged"]
    assert np.isfinite(trace.outputs["path_sgd"]).all()


def test_frame_indices():
    assert list(frame_indices(31)) == list(range(31))
    idx = frame_indices(501)
    assert len(idx) == 100 and idx[0] == 0 and idx[-1] == 500
    assert list(frame_indices(501, 3)) == [0, 250, 500]


def test_draw_path_up_to_a_step():
    trace = run(OptimizersConfig(steps=10))
    ax = Figure().subplots()
    line, minima, head, value, note = draw_optimizer_path(
        ax, trace, "sgd", 4, style=Style()
    )
    np.testing.assert_array_equal(line.get_xydata(), trace.outputs["path_sgd"][:5])
    np.testing.assert_array_equal(head.get_xydata(), trace.outputs["path_sgd"][4:5])
    assert value.get_text() == f"f = {trace.outputs['value_sgd'][4]:.4g}"
    assert not note.get_visible()
    assert ax.get_title() == "SGD   lr = 0.95"
    assert ax.get_xlim() == (-10.0, 10.0)


def test_frames_update_in_place_and_say_diverged():
    trace = run(OptimizersConfig(lr="sgd=100"))
    source = frames_optimizers(trace, style=SMALL)
    assert source.n_frames == 31 and len(source.figure.axes) == 4
    first = source.update(0)
    children = [len(ax.get_children()) for ax in source.figure.axes]
    last = source.update(30)
    assert [id(a) for a in first] == [id(a) for a in last]
    assert children == [len(ax.get_children()) for ax in source.figure.axes]
    texts = {a.get_text() for a in last if hasattr(a, "get_text")}
    assert "diverged at step 2" in texts and "f → ∞" in texts
    assert source.figure._suptitle.get_text().endswith("step 30 / 30")


def test_layouts_follow_the_number_of_optimizers():
    for names, n_axes in (("adam", 1), ("sgd,adam", 2), ("sgd,momentum,adam", 3)):
        trace = run(OptimizersConfig(optimizers=names, steps=3))
        assert len(plot_optimizers(trace, style=SMALL).axes) == n_axes


def test_japanese_labels():
    trace = run(OptimizersConfig(steps=3))
    fig = plot_optimizers(trace, frame=2, style=Style(lang="ja", width=320, height=240))
    assert fig.axes[0].get_title() == "SGD   学習係数 = 0.95"
    assert "更新回数 2 / 3" in fig._suptitle.get_text()


def test_blitted_frames_match_full_redraws():
    trace = run(OptimizersConfig(lr="sgd=100", steps=12))
    style = Style(width=480, height=360, dpi=50)
    (frame,) = frames_optimizers(trace, style=style).rgba([7])
    still = plot_optimizers(trace, frame=7, style=style)
    still.canvas.draw()
    np.testing.assert_array_equal(frame, np.asarray(still.canvas.buffer_rgba()))
