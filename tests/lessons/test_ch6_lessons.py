"""Chapter 6 on MNIST: the book's qualitative results on small configurations.

Full-size numbers (the book's defaults on the 8 000 / 2 000 split) are in the
issue-17 report; these runs take a few seconds each.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.helpers import SHARED_MNIST
from vizlearn.lessons import (
    batch_norm,
    dropout,
    hyperparameter_search,
    optimizers_mnist,
    weight_decay,
    weight_init_mnist,
)
from vizlearn.trace import load_trace

pytestmark = pytest.mark.skipif(
    not SHARED_MNIST.is_dir(), reason="shared MNIST not present"
)
DATA = {"data_dir": str(SHARED_MNIST), "split_from_test": 8000, "workers": 2}
OVERFIT = {"n_train": 100, "layers": 3, "hidden": 50, "epochs": 40, "lr": 0.05}


def train(module, **options):
    lesson = module.LESSON
    return lesson, lesson.run(lesson.make_config(**DATA, **options))


@pytest.fixture(scope="module")
def decayed():
    return train(weight_decay, **OVERFIT, frames=5, weight_decay=0.2)


@pytest.fixture(scope="module")
def dropped():
    return train(dropout, **OVERFIT, frames=5, dropout=0.3, seeds="0-1")


def test_without_regularization_train_accuracy_nears_1_and_test_stays_below(decayed):
    lesson, trace = decayed
    s = lesson.summary(trace)["without"]
    assert s["train_acc"] >= 0.9
    assert s["test_acc"] < s["train_acc"] - 0.25  # far below


def test_weight_decay_narrows_the_gap(decayed):
    lesson, trace = decayed
    s = lesson.summary(trace)
    assert s["with"]["gap"] < s["without"]["gap"] - 0.05
    assert trace.meta["strengths"] == [0.0, 0.2]
    assert trace.data["train_acc"].shape == (2, 1, 41)  # 2 runs, 1 seed, epochs 0-40
    assert list(trace.outputs["epoch"]) == [0, 10, 20, 30, 40]


def test_dropout_narrows_the_gap_for_every_seed(dropped):
    lesson, trace = dropped
    acc = trace.data["train_acc"][:, :, -1] - trace.data["test_acc"][:, :, -1]
    assert (acc[1] < acc[0] - 0.05).all()  # (runs, seeds): with < without
    assert lesson.summary(trace)["seeds"] == [0, 1]
    # seed 0 without dropout is the weight-decay lesson's run without decay
    assert not np.array_equal(trace.data["loss"][0, 0], trace.data["loss"][0, 1])


def test_the_unregularized_runs_of_both_lessons_are_the_same(decayed, dropped):
    np.testing.assert_array_equal(
        decayed[1].data["train_acc"][0, 0], dropped[1].data["train_acc"][0, 0]
    )


def test_traces_round_trip_and_record_no_execution_options(decayed, tmp_path):
    _, trace = decayed
    again = load_trace(trace.save(tmp_path / "wd.npz"))
    np.testing.assert_array_equal(again.data["test_acc"], trace.data["test_acc"])
    assert (
        "workers" not in trace.meta["config"]
        and "scheduler" not in trace.meta["config"]
    )
    assert trace.meta["config"]["weight_decay"] == 0.2


def test_batch_norm_learns_faster_at_most_weight_scales():
    lesson, trace = train(
        batch_norm, scales=4, epochs=8, n_train=1000, layers=5, hidden=50, frames=3
    )
    s = lesson.summary(trace)
    assert [round(r["weight_scale"], 6) for r in s["scales"]] == [
        1.0,
        0.046416,
        0.002154,
        0.0001,
    ]
    assert s["batch_norm_faster"] >= 3
    assert trace.data["train_acc"].shape == (8, 1, 9)


def test_the_search_finds_its_best_lr_between_1e_3_and_1e_2():
    lesson, trace = train(
        hyperparameter_search,
        trials=16,
        epochs=10,
        n_data=300,
        layers=2,
        hidden=50,
        frames=3,
    )
    s = lesson.summary(trace)
    assert 1e-3 <= s["best"]["lr"] <= 1e-2
    assert s["trials"] == 16 and len(s["top"]) == 5
    assert trace.meta["eval_set"] == "validation"
    vals = [t["val_acc"] for t in s["top"]]
    assert vals == sorted(vals, reverse=True)
    # the book's ranges: lr 10^U(-6, -2), weight decay 10^U(-8, -4)
    assert (1e-6 <= trace.data["lr"]).all() and (trace.data["lr"] <= 1e-2).all()
    wd = trace.data["weight_decay"]
    assert (1e-8 <= wd).all() and (wd <= 1e-4).all()


def test_search_values_are_drawn_as_the_book_draws_them():
    config = hyperparameter_search.LESSON.make_config(trials=3, search_seed=7)
    rng = np.random.default_rng(7)
    expect = []
    for _ in range(3):
        wd = 10 ** rng.uniform(-8, -4)  # weight decay first, then lr
        expect.append((10 ** rng.uniform(-6, -2), wd))
    assert hyperparameter_search.draw_values(config) == expect


def test_sgd_is_the_slowest_optimizer_and_std_001_never_learns():
    small = {"iters": 120, "n_train": 1000, "layers": 2, "hidden": 50, "frames": 3}
    lesson, trace = train(optimizers_mnist, **small)
    s = lesson.summary(trace)["networks"]
    assert list(s) == ["sgd", "momentum", "adagrad", "adam"]
    assert s["sgd"]["last_100_loss"] > 2 * max(
        s[k]["last_100_loss"] for k in ("momentum", "adagrad", "adam")
    )
    assert trace.data["loss"].shape == (4, 1, 120)
    lesson, trace = train(weight_init_mnist, **{**small, "layers": 4})
    s = lesson.summary(trace)["networks"]
    assert s["0.01"]["last_100_loss"] > 2.29  # ln 10 = 2.303: chance
    assert s["he"]["last_100_loss"] < s["0.01"]["last_100_loss"] - 0.2


@pytest.mark.parametrize(
    "module, options, message",
    [
        (weight_decay, {"frames": 300}, "--frames must be at most --epochs + 1 = 202"),
        (dropout, {"dropout": 1.0}, "--dropout must be < 1"),
        (batch_norm, {"seeds": "3-1"}, "--seeds takes seeds such as 0-9"),
        (hyperparameter_search, {"scheduler": "localhost"}, "--scheduler must be"),
        (hyperparameter_search, {"lr_low": -1.0}, "--lr-low must be <= --lr_high"),
        (optimizers_mnist, {"optimizers": "sgd,rmsprop"}, "--optimizers takes"),
        (weight_init_mnist, {"inits": "he,-1"}, "'-1'"),
        (weight_decay, {"lr": float("nan")}, "--lr must be a finite number"),
    ],
)
def test_bad_options_are_one_line(module, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        module.LESSON.make_config(**options)


def test_lesson_modules_import_no_numpy():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import vizlearn.lessons.weight_decay, vizlearn.lessons.dropout, "
        "vizlearn.lessons.batch_norm, vizlearn.lessons.hyperparameter_search, "
        "vizlearn.lessons.optimizers_mnist, vizlearn.lessons.weight_init_mnist\n"
        "print('numpy' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_a_short_run_keeps_the_default_frames_and_its_json_summary(tmp_path):
    """``--epochs 3`` alone works (the default frames shrink); --json has both runs."""
    import json

    from tests.helpers import MNIST_ARGS, invoke

    out = tmp_path / "wd.png"
    args = ["plot", "weight-decay", *MNIST_ARGS, "--n-train", "100", "--epochs", "3"]
    result = invoke([*args, "--json", "-q", "-o", out])
    summary = json.loads(result.output)
    assert set(summary["with"]) == {"gap", "strength", "test_acc", "train_acc"}
    assert summary["without"]["strength"] == 0.0 and out.stat().st_size > 0
    result = invoke([*args, "--frames", "9", "-o", tmp_path / "b.png"], 2)
    assert "--frames must be at most --epochs + 1 = 4, got 9" in result.output
