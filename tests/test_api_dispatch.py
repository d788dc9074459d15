"""vl.animate picks the lesson's own renderer from the trace's metadata."""

from __future__ import annotations

import pytest

import vizlearn as vl
from vizlearn.export.animated import read_animation_info
from vizlearn.style import Style

SMALL = Style(width=480, height=360, dpi=60)


@pytest.mark.parametrize(
    ("lesson", "options", "module"),
    [
        ("sin-regression", {"iters": 100, "frames": 4}, "regression"),
        ("optimizers", {}, "optimizers"),
        ("boundary", {"epochs": 4, "frames": 3}, "boundary"),
    ],
)
def test_animate_dispatches_on_the_lesson(tmp_path, lesson, options, module):
    if lesson == "sin-regression":
        trace = vl.train(lesson, **options)
    else:
        import importlib

        mod = importlib.import_module(f"vizlearn.lessons.{lesson}")
        config_cls = next(
            getattr(mod, n) for n in dir(mod) if n.endswith("Config") and n != "Config"
        )
        trace = mod.run(config_cls(**options))
    anim = vl.animate(trace, style=SMALL)
    assert anim.source.update.__module__ == f"vizlearn.render.{module}"
    out = anim.save(tmp_path / "a.gif")
    assert read_animation_info(out).n_frames == anim.n_frames >= 2


def test_animate_refuses_a_trace_without_a_curve():
    rec = vl.Recorder(meta={"lesson": "mine"})
    rec.record(0, loss=1.0, params={"w": [0.0]})
    with pytest.raises(ValueError, match="curve"):
        vl.animate(rec.freeze())
