"""vl.live: a chart updated in place while a loop runs (terminal and notebook)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from vizlearn.live import LiveRecorder, in_notebook, live


def _loop(rec, n=30):
    for step in range(n):
        rec.record(step, loss=1.0 / (step + 1))
        if step % 10 == 9:
            rec.record(step, metrics={"accuracy": step / n})
    rec.close()


def test_in_a_terminal_a_line_per_update_and_a_refreshed_png(tmp_path, monkeypatch):
    import time

    monkeypatch.setattr(time, "monotonic", lambda: 0.0)  # drawing takes no time
    out = io.StringIO()
    rec = live(every=0, path=tmp_path / "live.png", stream=out, notebook=False)
    _loop(rec, 12)
    lines = out.getvalue().splitlines()
    assert len(lines) == 12 + 1 + 1  # every record, and the final draw
    assert lines[-1] == "step 11 · loss 0.08333 · accuracy 0.75"
    assert Image.open(tmp_path / "live.png").size == (640, 400)
    trace = rec.freeze()  # still a Recorder
    assert len(trace.loss) == 12 and trace.metrics["accuracy"].tolist() == [0.75]


def test_drawing_takes_at_most_a_tenth_of_the_time(tmp_path, monkeypatch):
    import time

    rec = live(every=0, path=tmp_path / "l.png", stream=io.StringIO(), notebook=False)
    clock = iter(range(0, 10_000, 1))  # each monotonic() call: one more second
    monkeypatch.setattr(time, "monotonic", lambda: float(next(clock)))
    for step in range(40):
        rec.record(step, loss=1.0)
    # a draw "takes" 1 s, so the next waits 9 s: about one draw per 10 records
    assert 3 <= rec.updates <= 6


def test_updates_are_throttled(tmp_path):
    out = io.StringIO()
    rec = LiveRecorder(every=3600, path=tmp_path / "l.png", stream=out, notebook=False)
    _loop(rec, 30)
    assert rec.updates == 2  # the first record and close(), nothing in between
    assert len(out.getvalue().splitlines()) == 2


def test_a_diverging_loss_does_not_stop_the_chart(tmp_path):
    rec = live(every=0, path=tmp_path / "l.png", stream=io.StringIO(), notebook=False)
    rec.record(0, loss=1.0)
    rec.record(1, loss=float("nan"))
    rec.record(2, loss=0.5)
    assert rec.so_far().loss.tolist() == [1.0, 0.5]


def test_in_a_notebook_one_display_is_updated(monkeypatch):
    display_module = pytest.importorskip("IPython.display")
    calls = []

    class Handle:
        def update(self, obj):
            calls.append(("update", obj))

    def display(obj, display_id=False):
        calls.append(("display", display_id))
        return Handle()

    monkeypatch.setattr(display_module, "display", display)
    rec = live(every=0, notebook=True)
    _loop(rec, 5)
    assert calls[0] == ("display", True)
    assert [c[0] for c in calls[1:]] == ["update"] * (len(calls) - 1)
    png = calls[-1][1].data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not in_notebook()  # plain pytest: no kernel


def test_progress_bar_counts_iterations(monkeypatch):
    tqdm_auto = pytest.importorskip("tqdm.auto", reason="pip install tqdm")
    bars = []

    class Bar:
        def __init__(self, total=None, **_):
            self.n, self.total, self.closed, self.postfix = 0, total, False, ""
            bars.append(self)

        def update(self, k):
            self.n += k

        def set_postfix_str(self, text, refresh=True):
            self.postfix = text

        def close(self):
            self.closed = True

    monkeypatch.setattr(tqdm_auto, "tqdm", Bar)
    rec = live(progress=True, total=30, every=0, notebook=True)
    monkeypatch.setattr(rec, "_show", lambda figure: None)
    _loop(rec, 30)
    (bar,) = bars
    assert bar.n == 30 and bar.total == 30 and bar.closed
    assert bar.postfix.startswith("loss 0.0333")
    np.testing.assert_array_equal(rec.freeze().loss_steps, np.arange(30))


def test_as_on_step_of_vl_train_it_counts_the_lessons_iterations(monkeypatch):
    import vizlearn as vl

    tqdm_auto = pytest.importorskip("tqdm.auto", reason="pip install tqdm")
    done = []

    class Bar:
        n = 0

        def __init__(self, total=None, **_):
            done.append(self)

        def update(self, k):
            self.n += k

        def set_postfix_str(self, text, refresh=True):
            pass

        def close(self):
            pass

    monkeypatch.setattr(tqdm_auto, "tqdm", Bar)
    progress = live(progress=True, total=60, every=0, notebook=True)
    vl.train("sin-regression", iters=60, frames=3, n=10, on_step=progress)
    assert done[0].n == 60
