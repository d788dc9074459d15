"""The gradient race: real measured clocks, the numerical gradient equal to backprop,
the frames filling W1 one weight at a time, and the final log-scale difference."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import SHARED_MNIST
from vizlearn.lessons.gradient_race import LESSON
from vizlearn.render.gradient_race import (
    clock_at,
    format_seconds,
    frames_race,
    mosaic,
    plot_difference,
)
from vizlearn.style import Style
from vizlearn.trace import load_trace


@pytest.fixture(scope="module")
def planar():
    return LESSON.run(LESSON.make_config(dataset="spiral", hidden=10, frames=6))


def test_numerical_equals_backprop_and_the_clock_is_measured(planar):
    d, m = planar.data, planar.meta
    assert d["backprop"].shape == (2, 10) and d["computed"].all()
    np.testing.assert_allclose(d["numerical"], d["backprop"], rtol=1e-6, atol=1e-10)
    seconds = d["seconds"]
    assert seconds[0] == 0 and np.all(np.diff(seconds) > 0)  # a real clock
    assert d["done"].tolist() == [0, 10, 20]  # one reading per row of W1
    assert 0 < m["backprop_seconds"] < 1 and m["n_params"] == 2 * 10 + 10 + 10 * 3 + 3
    s = LESSON.summary(planar)
    assert s["weights_timed"] == 20
    assert s["numerical_seconds_for_10000_iterations"] == pytest.approx(
        m["numerical_seconds_per_weight"] * m["n_params"] * 10_000
    )
    assert s["max_abs_difference"] < 1e-8


def test_two_runs_measure_different_times():
    a = LESSON.run(LESSON.make_config(dataset="xor", hidden=4, frames=4))
    b = LESSON.run(LESSON.make_config(dataset="xor", hidden=4, frames=4))
    np.testing.assert_array_equal(a.data["numerical"], b.data["numerical"])
    assert a.data["seconds"][-1] != b.data["seconds"][-1]  # measured, not constants


def test_frames_follow_the_clock(planar):
    assert clock_at(planar, 0) == (0.0, 0, False, False)
    t1, done1, bp1, _ = clock_at(planar, 1)
    assert bp1 and t1 == planar.meta["backprop_seconds"]
    t_end, done_end, _, last = clock_at(planar, -1)
    assert (
        last and done_end == 20 and t_end == pytest.approx(planar.data["seconds"][-1])
    )
    dones = [clock_at(planar, k)[1] for k in range(planar.n_records)]
    assert dones == sorted(dones)


def test_race_frames_show_the_counter_and_the_end(planar, tmp_path):
    source = frames_race(planar, style=Style.from_preset("thumbnail"))
    assert source.n_frames == 6
    texts = [
        t.get_text() for t in source.still(0).findobj(lambda a: hasattr(a, "get_text"))
    ]
    assert any("0 / 20 weights" in t for t in texts)
    end = [
        t.get_text() for t in source.still(-1).findobj(lambda a: hasattr(a, "get_text"))
    ]
    assert any("20 / 20 weights" in t and "40 forward passes" in t for t in end)
    assert any(t.startswith("mean ") for t in end)
    again = load_trace(planar.save(tmp_path / "r.npz"))
    assert frames_race(again, style=Style.from_preset("thumbnail")).n_frames == 6


def test_difference_is_log_scaled(planar):
    fig = plot_difference(planar, style=Style(lang="ja", width=400, height=300))
    image = fig.axes[0].images[0]
    assert type(image.norm).__name__ == "LogNorm"
    assert "平均" in fig.axes[0].get_title()


def test_mnist_weights_form_a_mosaic_of_digit_images():
    W = np.arange(784 * 50, dtype=float).reshape(784, 50)
    m = mosaic(W, (28, 28))
    assert m.shape == (10 * 29 - 1, 5 * 29 - 1)
    np.testing.assert_array_equal(m[:28, :28], W[:, 0].reshape(28, 28))
    np.testing.assert_array_equal(
        m[29 : 29 + 28, 29 : 29 + 28], W[:, 6].reshape(28, 28)
    )
    assert np.isnan(m[28]).all()


@pytest.mark.skipif(not SHARED_MNIST.exists(), reason="needs ../shared/data/mnist")
def test_the_books_network_on_mnist_with_a_timed_subset():
    trace = LESSON.run(
        LESSON.make_config(
            data_dir=str(SHARED_MNIST), split_from_test=8000, weights=500, frames=5
        )
    )
    d = trace.data
    assert d["backprop"].shape == (784, 50) and trace.meta["n_params"] == 39_760
    assert d["computed"].sum() == 500 and d["done"][-1] == 500
    reached = d["computed"]
    np.testing.assert_allclose(
        d["numerical"][reached], d["backprop"][reached], atol=1e-9
    )


def test_seconds_read_well():
    assert format_seconds(0.00012) == "120 µs"
    assert format_seconds(2.5) == "2.5 s"
    assert format_seconds(90000) == "1.04 days"
    assert format_seconds(7200, Style(lang="ja")) == "2 時間"
