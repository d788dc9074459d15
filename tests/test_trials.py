"""Trials give the same Traces with 1 or 2 local workers and on a Dask cluster."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import signal
import time

import numpy as np
import pytest

from tests.helpers import SHARED_MNIST, needs_mnist
from vizlearn.trials import (
    TrialError,
    check_scheduler,
    parse_seeds,
    run_trials,
    trace_bytes,
    trace_from_bytes,
)

HAS_DASK = importlib.util.find_spec("distributed") is not None
TARGET = "vizlearn.lessons.curve_trials:train_trial"


def tiny(**changes):
    return {
        "data_dir": str(SHARED_MNIST),
        "split_from_test": 8000,
        "n_train": 200,
        "layers": 2,
        "hidden": 20,
        "epochs": 3,
        **changes,
    }


def digest(traces) -> str:
    return hashlib.sha256(b"".join(trace_bytes(t) for t in traces)).hexdigest()


def test_parse_seeds():
    assert parse_seeds("0-9") == tuple(range(10))
    assert parse_seeds("3, 0,5-6") == (3, 0, 5, 6)
    for bad, match in (
        ("9-0", "--seeds takes seeds such as 0-9"),
        ("a", "--seeds takes seeds such as 0-9"),
        ("0-1000", "at most 1000 seeds"),
        ("1,1", "names a seed twice"),
    ):
        with pytest.raises(ValueError, match=match):
            parse_seeds(bad)


def test_check_scheduler():
    assert check_scheduler("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert check_scheduler("tls://sched.lab.example:8786")
    for bad in ("10.0.0.5:8786", "tcp://host", "http://h:1", "tcp://h:1; rm"):
        with pytest.raises(ValueError, match="--scheduler must be a Dask scheduler"):
            check_scheduler(bad)


def test_targets_outside_vizlearn_are_refused():
    with pytest.raises(ValueError, match="a trial target must be vizlearn.MODULE"):
        run_trials("os:system", [{}])


@needs_mnist
def test_same_traces_for_one_and_two_local_workers():
    configs = [tiny(lr=lr, seed=s) for lr in (0.01, 0.1) for s in (0, 1)]
    done = []
    one = run_trials(TARGET, configs, jobs=1)
    two = run_trials(TARGET, configs, jobs=2, on_done=done.append)
    assert digest(one) == digest(two)
    assert done == [1, 2, 3, 4]
    assert one[0].metrics["train_acc"].shape == (4,)  # epoch 0 and 3 epochs
    assert not np.array_equal(one[0].loss, one[1].loss)  # seeds differ


@needs_mnist
def test_a_failing_trial_is_named():
    with pytest.raises(TrialError, match="trial 1 failed: ValueError: a trial config"):
        run_trials(TARGET, [tiny(), tiny(bogus=1)], jobs=2)


@needs_mnist
def test_a_worker_that_dies_is_replaced_and_the_trial_rerun():
    from vizlearn.trials import _payload, _Pool, _Worker

    pool = _Pool([])
    dead = _Worker()
    dead.proc.kill()
    dead.proc.wait()
    worker, body, error = pool.run(dead, _payload(TARGET, tiny()))
    assert error is None and worker is not dead
    assert trace_from_bytes(body).metrics["test_acc"].shape == (4,)
    worker.close()


def test_trace_bytes_round_trip():
    from vizlearn.trace import Recorder

    rec = Recorder(meta={"lesson": "x"}, data={"a": np.arange(3.0)})
    rec.record(0, loss=1.5, metrics={"acc": 0.5})
    trace = rec.freeze()
    again = trace_from_bytes(trace_bytes(trace))
    assert trace_bytes(again) == trace_bytes(trace)


# ---- Dask ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    if not HAS_DASK:
        pytest.skip("dask.distributed is not installed (pip install 'vizlearn[dask]')")
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


def search_config(**changes):
    from vizlearn.lessons.hyperparameter_search import LESSON

    return LESSON, LESSON.make_config(
        data_dir=str(SHARED_MNIST),
        split_from_test=8000,
        trials=20,
        n_data=100,
        epochs=2,
        layers=2,
        hidden=16,
        frames=2,
        **changes,
    )


@needs_mnist
def test_a_20_trial_search_on_a_local_dask_cluster_equals_jobs_1(cluster, tmp_path):
    lesson, local = search_config(workers=1)
    _, dask = search_config(scheduler=cluster.scheduler_address)
    a = lesson.run(local).save(tmp_path / "local.npz").read_bytes()
    b = lesson.run(dask).save(tmp_path / "dask.npz").read_bytes()
    assert a == b


@needs_mnist
def test_dask_reruns_the_trial_of_a_killed_worker(cluster):
    from distributed import Client

    configs = [tiny(epochs=25, seed=s) for s in range(3)]
    expected = digest(run_trials(TARGET, configs, jobs=2))
    with Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)

        killed = []

        def kill_a_busy_worker() -> None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items() if keys]
                if busy:
                    time.sleep(0.3)  # well into its first trial
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])
                    return
                time.sleep(0.05)

        import threading

        killer = threading.Thread(target=kill_a_busy_worker)
        killer.start()
        traces = run_trials(TARGET, configs, scheduler=cluster.scheduler_address)
        killer.join()
    assert killed, "no worker was busy to be killed"
    assert digest(traces) == expected


def test_an_unreachable_scheduler_is_one_line():
    if not HAS_DASK:
        pytest.skip("dask.distributed is not installed")
    from vizlearn.trials import DaskCluster

    with pytest.raises(RuntimeError, match="cannot reach the Dask scheduler at tcp"):
        DaskCluster("tcp://127.0.0.1:9", timeout=0.5).map(["{}"])
