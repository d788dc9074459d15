"""Issue 12: samplers' repeats, the gradient-cost timings, provenance as run.

Offline (the spiral and the optimizers' surfaces); each test well under a few
seconds.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from vizlearn.api import provenance
from vizlearn.core.samplers import SAMPLERS
from vizlearn.lessons import get_lesson
from vizlearn.lessons.samplers import repeats


def _replay(sampler: str, n: int, batch: int, seed: int) -> tuple[int, int, int]:
    """The first epoch's draws counted one by one (the slow, obvious way)."""
    batches = SAMPLERS[sampler](n, batch, np.random.default_rng([seed, 1]))
    seen_epoch: set[int] = set()
    within = across = 0
    for _ in range(-(-n // batch)):
        seen_batch: set[int] = set()
        for i in map(int, next(batches)):
            if i in seen_batch:
                within += 1
            elif i in seen_epoch:
                across += 1
            seen_batch.add(i)
        seen_epoch |= seen_batch
    return within, across, n - len(seen_epoch)


@pytest.mark.parametrize("sampler", list(SAMPLERS))
def test_repeats_count_every_draw(sampler):
    n, batch = 300, 30
    within, across, unseen = repeats(sampler, n, batch, seed=3)
    assert (within, across, unseen) == _replay(sampler, n, batch, 3)
    new = n - unseen
    assert new + within + across == n  # 10 batches of 30 draws
    if sampler == "epoch-shuffle":
        assert (within, across, unseen) == (0, 0, 0)
    if sampler == "without-replacement":
        assert within == 0 and across == unseen > 0
    if sampler == "with-replacement":
        # 30 draws from 300: C(30, 2) / 300 = 1.45 repeats per batch expected
        assert 0 < within < 40 and 0.3 * n < unseen < 0.45 * n  # 1/e = 0.37


def test_samplers_json_has_the_repeats_and_the_seed():
    lesson = get_lesson("samplers")
    trace = lesson.run(lesson.make_config(iters=20, seed=2))
    out = lesson.summary(trace)
    assert out["seed"] == 2
    wr = out["samplers"]["with-replacement"]
    assert (
        wr["first_epoch_repeats_within_batch"],
        wr["first_epoch_repeats_across_batches"],
        wr["first_epoch_unseen"],
    ) == repeats("with-replacement", 300, 30, 2)
    assert out["samplers"]["epoch-shuffle"]["first_epoch_unseen"] == 0


def test_the_naive_loop_runs_two_forward_passes_per_parameter():
    from vizlearn.core.fastgrad import naive_numerical_gradients
    from vizlearn.datasets.split import load_split
    from vizlearn.lessons.training import build_classifier

    split = load_split("spiral", dtype=np.float64)
    model = build_classifier(split, hidden=4, dtype=np.float64)
    calls = {"forward": 0}
    forward = model.forward

    def counted(x):
        calls["forward"] += 1
        return forward(x)

    model.forward = counted
    naive_numerical_gradients(
        model, split.x_train[:10], split.t_train[:10], elements={"W1": [0, 3, 5]}
    )
    assert calls["forward"] == 2 * 3


def test_gradient_cost_is_timed_per_size_and_recorded():
    lesson = get_lesson("gradients")
    config = lesson.make_config(
        dataset="spiral", hidden=4, warmup=0, naive=5, repeats=1, sizes="3,6,12"
    )
    trace = lesson.run(config)
    d = trace.data
    np.testing.assert_array_equal(d["cost/hidden"], [3, 6, 12])
    # 2-h-3: (2 + 1) h + (h + 1) 3 parameters
    np.testing.assert_array_equal(d["cost/n_params"], [21, 39, 75])
    for key in ("forward", "backprop", "numerical", "naive"):
        assert d[f"cost/{key}"].shape == (3,) and (d[f"cost/{key}"] > 0).all()
    assert (d["cost/naive"] > d["cost/backprop"]).all()
    np.testing.assert_array_equal(d["cost/naive_measured"], [5, 5, 5])
    rows = lesson.summary(trace)["cost_by_size"]
    assert [r["naive_forward_passes"] for r in rows] == [42, 78, 150]
    with pytest.raises(ValueError, match="--sizes takes 1 to 12 distinct"):
        lesson.make_config(sizes="5,5")


def test_boundary_records_the_learning_rate_it_used():
    lesson = get_lesson("boundary")
    trace = lesson.run(lesson.make_config(epochs=1, frames=2))
    assert provenance(trace)["config"]["lr"] == 1.0  # not the 0 meaning "default"
    assert lesson.summary(trace)["lr"] == 1.0
    adam = lesson.run(lesson.make_config(epochs=1, frames=2, optimizer="adam"))
    assert adam.meta["config"]["lr"] == 0.03
    # the recorded config reruns the same training
    again = lesson.run(lesson.make_config(**adam.meta["config"]))
    np.testing.assert_array_equal(again.loss, adam.loss)


def test_optimizers_record_the_values_they_ran_with():
    lesson = get_lesson("optimizers")
    trace = lesson.run(lesson.make_config())
    config = provenance(trace)["config"]
    assert config["lr"] == "sgd=0.95,momentum=0.1,adagrad=1.5,adam=0.3"
    assert config["start"] == "-7,2" and config["steps"] == 30
    assert "seed" not in provenance(trace)  # nothing in it is random
    again = lesson.run(lesson.make_config(**config))
    for name in ("sgd", "adam"):
        np.testing.assert_array_equal(
            again.outputs[f"path_{name}"], trace.outputs[f"path_{name}"]
        )


def test_sweep_provenance_names_what_varied_and_the_seed():
    lesson = get_lesson("sweep")
    trace = lesson.run(lesson.make_config(epochs=1, seed=4, vary=(("lr", (0.5, 1.0)),)))
    p = provenance(trace)
    assert p["seed"] == 4
    assert json.loads(json.dumps(p["config"]["vary"])) == [["lr", [0.5, 1.0]]]
    out = lesson.summary(trace)
    assert out["vary"] == ["lr"] and out["seed"] == 4
