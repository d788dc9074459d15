"""Every gallery figure of issue 16's lessons draws (quick options), EN and JA, with
captions and alt texts in both languages, and every kind a lesson names exists."""

from __future__ import annotations

import pytest

from tests.helpers import SHARED_MNIST
from vizlearn.lessons import derivatives, gradient_race, graph, network
from vizlearn.lessons.record import load_target
from vizlearn.style import Style

LESSONS = [graph.LESSON, derivatives.LESSON, gradient_race.LESSON, network.LESSON]
ITEMS = [(lesson, item) for lesson in LESSONS for item in lesson.gallery]


@pytest.mark.parametrize(
    "lesson,item", ITEMS, ids=[f"{les.name}:{it.name}" for les, it in ITEMS]
)
def test_gallery_item_draws_in_both_languages(lesson, item):
    for text in (*item.caption, *item.alt):
        assert text.strip()
    assert any(ord(c) > 0x3000 for c in item.caption[1] + item.alt[1])  # Japanese
    options = {**item.options, **item.quick}
    if lesson.name == "gradient-race":
        if not SHARED_MNIST.exists():
            pytest.skip("needs ../shared/data/mnist")
        options.update(data_dir=str(SHARED_MNIST), split_from_test=8000)
    trace = lesson.run(lesson.make_config(**options))
    kind = lesson.kind(item.kind)
    for lang in ("en", "ja"):
        style = Style(width=320, height=240, dpi=60, **{"lang": lang, **item.style})
        drawn = load_target(kind.draw)(trace, style=style, **item.view)
        if kind.animated:
            assert drawn.n_frames >= 2
            drawn.still(-1)
        else:
            assert drawn.axes


@pytest.mark.parametrize("lesson", LESSONS, ids=[les.name for les in LESSONS])
def test_lesson_records_are_complete(lesson):
    assert lesson.description[0] and lesson.description[1] and lesson.source
    for kind in lesson.kinds:
        assert callable(kind.renderer())
    assert lesson.animation is not None
    assert lesson.still.name == lesson.default_still
