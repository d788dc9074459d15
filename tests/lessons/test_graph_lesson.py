"""The graph lesson: the book's ch. 5 numbers in the drawn frames, --expr/--values
errors, holds, DOT/Mermaid text, and vl.graph on a DeZero-shaped graph."""

from __future__ import annotations

import weakref

import numpy as np
import pytest

from vizlearn.core.expr_text import PRESETS
from vizlearn.lessons.graph import LESSON, PRESET_NAMES, GraphConfig, frame_plan
from vizlearn.render.graph import frames_graph, plot_graph
from vizlearn.render.graph_text import decode_graph, to_dot, to_mermaid
from vizlearn.style import Style
from vizlearn.trace import load_trace

BOOK = ("715", "2.2", "110", "3.3", "165", "650")


def _texts(fig):
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


@pytest.fixture(scope="module")
def shopping():
    return LESSON.run(LESSON.make_config())


def test_preset_names_match_the_engine():
    assert set(PRESET_NAMES) == set(PRESETS)


def test_the_books_numbers_are_drawn(shopping):
    texts = _texts(plot_graph(shopping, style=Style.from_preset("blog")))
    for number in BOOK:
        assert number in texts, number
    assert "apple: × apple_num = 2" in "\n".join(texts)  # the local derivative


def test_frames_fill_values_forward_then_gradients_backward(shopping):
    plan = frame_plan(4)
    assert shopping.n_records == plan["n_frames"] == 10
    source = frames_graph(shopping, style=Style.from_preset("thumbnail"))
    assert source.n_frames == 10
    seen = []
    for k in range(source.n_frames):
        seen.append(set(_texts(source.still(k))))
    assert "100" in seen[0] and "200" not in seen[0]  # only the inputs
    assert "200" in seen[1] and "715" not in seen[3] and "715" in seen[4]
    assert not {"2.2", "110", "165"} & seen[plan["forward_done"]]  # no gradient yet
    assert "1.1" in seen[6] and "2.2" not in seen[6]  # tax's node first (reverse)
    assert set(BOOK) <= seen[-1]
    assert any("× tax = 1.1" in t for t in seen[6])  # "all_price: × tax = 1.1"
    holds = shopping.meta["holds"]
    assert holds == {"0": 800, "4": 1200, "5": 600}


def test_single_apple_is_220():
    trace = LESSON.run(LESSON.make_config(preset="apple"))
    texts = _texts(plot_graph(trace, style=Style.from_preset("thumbnail")))
    assert {"220", "2.2", "110", "200"} <= set(texts)
    assert LESSON.summary(trace) == {
        "gradients": {"tax": 200.0, "apple": 2.2, "apple_num": pytest.approx(110)},
        "output": pytest.approx(220),
    }


def test_titles_in_japanese(shopping):
    source = frames_graph(shopping, style=Style(lang="ja", width=400, height=300))
    assert any("順伝播" in t for t in _texts(source.still(1)))
    assert any("逆伝播" in t for t in _texts(source.still(-1)))


def test_affine_shows_shapes_and_the_books_bias_gradient():
    trace = LESSON.run(LESSON.make_config(preset="affine"))
    texts = _texts(plot_graph(trace, style=Style.from_preset("thumbnail"), frame=-2))
    assert "(2, 3)" in texts and "(3,)" in texts
    last = _texts(plot_graph(trace, style=Style.from_preset("thumbnail")))
    assert any("(5, 7, 9)" in t for t in [*texts, *last])  # dB = sum of dY


def test_softmax_with_loss_gives_y_minus_t():
    trace = LESSON.run(LESSON.make_config(preset="softmax-loss"))
    texts = _texts(plot_graph(trace, style=Style.from_preset("thumbnail")))
    assert "(0.3, −0.8, 0.5)" in texts and "(0.3, 0.2, 0.5)" in texts


def test_expression_values_match_a_numerical_gradient():
    trace = LESSON.run(
        LESSON.make_config(expr="x**2 * sin(x) + y / x", values="x=1.3,y=2")
    )
    grads = LESSON.summary(trace)["gradients"]

    def f(x, y):
        return x**2 * np.sin(x) + y / x

    h = 1e-4
    for name, (dx, dy) in {"x": (h, 0), "y": (0, h)}.items():

        def d(s, dx=dx, dy=dy):
            return f(1.3 + s * dx, 2 + s * dy)

        numerical = (8 * (d(0.5) - d(-0.5)) - (d(1) - d(-1))) / (6 * h)  # 5-point
        assert abs(grads[name] - numerical) < 1e-9


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"expr": "sqrt(x)", "values": "x=1"}, "--expr: unknown function 'sqrt'"),
        ({"expr": "x + y", "values": "x=1"}, "--expr: y has no value"),
        ({"expr": "x", "values": "x=1"}, "--expr: the expression has no operation"),
        ({"expr": "x*2", "values": "x=nan"}, "--values: x='nan'"),
        ({"expr": "x*2", "values": "x"}, "--values: 'x' is not NAME=NUMBER"),
        ({"values": "x=1"}, "--values needs --expr"),
        ({"preset": "pear"}, "--example must be one of apple-orange"),
    ],
)
def test_bad_options_get_one_line(options, message):
    with pytest.raises(ValueError) as info:
        GraphConfig(**options)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_trace_round_trips_and_redraws(shopping, tmp_path):
    path = shopping.save(tmp_path / "g.npz")
    again = load_trace(path)
    style = Style.from_preset("thumbnail")
    assert _texts(plot_graph(again, style=style)) == _texts(
        plot_graph(shopping, style=style)
    )


def test_dot_and_mermaid_text(shopping):
    dot = to_dot(shopping)
    assert dot.startswith("digraph g {") and dot.rstrip().endswith("}")
    assert "color=orange, style=filled" in dot and "shape=box" in dot
    assert 'label="price\\n715\\n∂ 1"' in dot and 'label="Mul"' in dot
    book = to_dot(shopping, look="book")
    assert "shape=circle" in book and 'label="100\\n2.2"' in book
    mermaid = to_mermaid(shopping)
    assert mermaid.startswith("flowchart LR")
    assert 'in8 -- "100 / ∂ 2.2" --> f7' in mermaid
    dz = to_mermaid(shopping, look="dezero")
    assert 'v0(["price<br/>715<br/>∂ 1"])' in dz and "classDef var fill:#ffa500" in dz
    early = to_mermaid(shopping, frame=0)
    assert "715" not in early and "∂" not in early


def test_text_from_files_is_escaped(shopping):
    from dataclasses import replace

    meta = dict(shopping.meta)
    graph = dict(meta["graph"])
    graph["labels"] = ['a"b\\c<d>#'] + graph["labels"][1:]
    trace = replace(shopping, meta={**meta, "graph": graph})
    assert 'a\\"b\\\\c<d>#' in to_dot(trace)
    assert "a#quot;b\\c#lt;d#gt;#35;" in to_mermaid(trace, look="dezero")


def test_a_trace_without_a_graph_is_refused(shopping):
    from dataclasses import replace

    with pytest.raises(ValueError, match="holds no computational graph"):
        decode_graph(replace(shopping, data={}))
    bad = dict(shopping.data)
    bad["edges"] = np.array([[0, 99]])
    with pytest.raises(ValueError, match="malformed"):
        decode_graph(replace(shopping, data=bad))


class _Var:
    """DeZero's shape: data, name, grad, creator; functions keep weak outputs."""

    def __init__(self, data, name=None):
        self.data, self.name, self.grad, self.creator = np.array(data), name, None, None

    def __mul__(self, other):
        return _Op("Mul", np.multiply)(self, other)

    def __add__(self, other):
        return _Op("Add", np.add)(self, other)


class _Op:
    def __init__(self, name, fn):
        self.fn = fn
        self.__class__ = type(name, (_Op,), {})

    def __call__(self, a, b):
        y = _Var(self.fn(a.data, b.data))
        y.creator, self.inputs, self.outputs = self, [a, b], [weakref.ref(y)]
        return y


def test_vl_graph_draws_a_dezero_shaped_graph(tmp_path):
    from vizlearn.graphs import graph, graph_text

    a, b, c = _Var(2.0, "a"), _Var(3.0, "b"), _Var(4.0, "c")
    y = a * b + c
    y.name = "y"
    for v, g in ((y, 1.0), (a, 3.0), (b, 2.0), (c, 1.0)):
        v.grad = _Var(g)
    still = graph(y, style=Style.from_preset("thumbnail"))
    texts = _texts(still.figure)
    assert {"Mul", "Add", "10", "∂ 3"} <= set(texts)
    faces = [p.get_facecolor() for p in still.figure.axes[0].patches]
    assert sum(np.allclose(f[:3], (1.0, 0.647, 0.0), atol=0.01) for f in faces) == 5
    assert 'label="Mul", color=lightblue, style=filled, shape=box' in graph_text(
        y, "dot"
    )
    assert "×" in graph_text(y, "mermaid")
    anim = graph(y, animate=True, look="book", style=Style.from_preset("thumbnail"))
    assert anim.n_frames == 6
    assert still.save(tmp_path / "g.png").stat().st_size > 1000


def test_a_variable_used_twice_shows_each_uses_share_on_its_edge():
    # f = x*y + x at x=2, y=3: df/dx = y + 1 = 4 flows back as 3 (via ×) and 1 (via +)
    trace = LESSON.run(LESSON.make_config(expr="x * y + x", values="x=2,y=3"))
    style = Style.from_preset("thumbnail")
    fig = plot_graph(trace, style=style)
    red = {
        t.get_text()
        for t in fig.axes[0].texts
        if t.get_color() == style.colors["model"] and t.get_zorder() == 4
    }
    assert {"3", "1", "2"} <= red and "4" not in red  # 2 = df/dy on y's edge
    dezero = plot_graph(trace, style=style, look="dezero")
    assert "∂ 4" in {t.get_text() for t in dezero.axes[0].texts}  # x's total
    assert LESSON.summary(trace)["gradients"] == {"x": 4.0, "y": 2.0}
