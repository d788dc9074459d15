"""vl.animate picks the lesson's own renderer from the trace's metadata."""

from __future__ import annotations

import pytest

import vizlearn as vl
from vizlearn.export.readback import read_animation_info
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
    trace = vl.train(lesson, **options)
    anim = vl.animate(trace, style=SMALL)
    assert anim.source.update.__module__ == f"vizlearn.render.{module}"
    out = anim.save(tmp_path / "a.gif")
    assert read_animation_info(out).n_frames == anim.n_frames >= 2


def test_animate_refuses_a_trace_without_a_curve():
    rec = vl.Recorder(meta={"lesson": "mine"})
    rec.record(0, loss=1.0, params={"w": [0.0]})
    with pytest.raises(ValueError, match="curve"):
        vl.animate(rec.freeze())


def test_render_redraws_any_lessons_trace_even_smaller(tmp_path):
    from tests.helpers import invoke
    from vizlearn.lessons.boundary import BoundaryConfig, run

    path = run(BoundaryConfig(epochs=6, frames=4)).save(tmp_path / "b.npz")
    out = tmp_path / "b.gif"
    result = invoke(
        [
            "render",
            str(path),
            "-o",
            str(out),
            "--size",
            "480x360",
            "--max-size",
            "20KB",
            "--json",
            "-q",
        ]
    )
    import json

    assert "px" in json.loads(result.stdout)["fitted"]
    info = read_animation_info(out)
    assert info.n_bytes <= 20_000 and info.size[0] < 480  # redrawn smaller
    assert '"lesson":"boundary"' in info.comment
