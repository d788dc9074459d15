"""The expression engine: the book's ch. 5 numbers, backprop vs numerical gradients,
the safe parser's errors, higher-order derivatives (DeZero steps 33-35), walk()."""

from __future__ import annotations

import re
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vizlearn.core.expr import Variable, format_number
from vizlearn.core.expr_functions import Sin, Tanh
from vizlearn.core.expr_graph import backward, walk
from vizlearn.core.expr_text import (
    PRESETS,
    ExpressionError,
    build_expression,
    build_preset,
    derivative_graphs,
    parse_values,
)


def _by_name(spec):
    return {
        label: (value, grad)
        for kind, label, value, grad in zip(
            spec.kinds, spec.labels, spec.values, spec.grads, strict=True
        )
        if kind == "var" and label
    }


def test_buy_apple_orange_has_the_books_numbers():
    v = _by_name(build_preset("apple-orange").run_backward())
    assert format_number(v["price"][0]) == "715"
    grads = {k: format_number(v[k][1]) for k in v}
    # buy_apple_orange.py prints: 715 / 110 2.2 3.3 165 650
    names = ("apple_num", "apple", "orange", "orange_num", "tax")
    assert [grads[k] for k in names] == [
        "110",
        "2.2",
        "3.3",
        "165",
        "650",
    ]
    assert v["all_price"][0] == 650 and v["apple_price"][1] == pytest.approx(1.1)


def test_buy_apple_is_220():
    v = _by_name(build_preset("apple").run_backward())
    assert format_number(v["price"][0]) == "220"
    assert [format_number(v[k][1]) for k in ("apple", "apple_num", "tax")] == [
        "2.2",
        "110",
        "200",
    ]


def test_affine_and_softmax_loss_follow_the_book():
    v = _by_name(build_preset("affine").run_backward())
    np.testing.assert_array_equal(v["Y"][0], [[1, 2, 3], [11, 12, 13]])
    np.testing.assert_array_equal(v["B"][1], [5, 7, 9])  # dB = sum of dY over rows
    s = _by_name(build_preset("softmax-loss").run_backward())
    np.testing.assert_allclose(s["y"][0], [0.3, 0.2, 0.5], atol=1e-15)
    np.testing.assert_allclose(s["a"][1], [0.3, -0.8, 0.5], atol=1e-15)  # y - t
    assert s["t"][1] is None  # the label gets no gradient


def _numerical(built, eps=1e-3):
    """Central differences of L = sum(dL/dy * y) for every named input.

    Richardson's extrapolation of two step sizes cancels the h² error term, so
    the result is good to ~1e-11 without the rounding error of a tiny step.
    """
    seed = 1.0 if built.grad is None else np.asarray(built.grad)

    def loss():
        return float(np.sum(seed * _replay(built.output)))

    def central(flat, i, h):
        keep = flat[i]
        flat[i] = keep + h
        plus = loss()
        flat[i] = keep - h
        minus = loss()
        flat[i] = keep
        return (plus - minus) / (2 * h)

    out = {}
    for name, leaf in built.inputs.items():
        g = np.zeros(leaf.data.size)
        flat = leaf.data.reshape(-1)
        for i in range(flat.size):
            g[i] = (4 * central(flat, i, eps / 2) - central(flat, i, eps)) / 3
        out[name] = g.reshape(leaf.data.shape)
    return out


def _replay(y):
    """Recompute ``y`` from its leaves' current data (the forward pass again)."""
    if y.creator is None:
        return y.data
    f = y.creator
    out = f.forward(*(_replay(x) for x in f.inputs))
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_gradients_match_numerical_gradients(name):
    built = build_preset(name)
    built.run_backward()
    numerical = _numerical(built)
    for key, leaf in built.inputs.items():
        if leaf.grad is None:  # the label t of softmax-loss
            continue
        np.testing.assert_allclose(leaf.grad.data, numerical[key], rtol=0, atol=1e-9)


_ATOMS = st.sampled_from(["x", "y", "z", "2", "0.5", "1.5"])


def _expression(depth: int):
    if depth == 0:
        return _ATOMS
    sub = _expression(depth - 1)
    return st.one_of(
        _ATOMS,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(st.sampled_from(["sin", "cos", "tanh", "sigmoid", "exp"]), sub).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        st.tuples(sub, st.sampled_from(["2", "3", "-1"])).map(
            lambda t: f"({t[0]})**{t[1]}"
        ),
        sub.map(lambda s: f"log(1 + ({s})**2)"),
    )


@settings(max_examples=40, deadline=None)
@given(_expression(3))
def test_random_expressions_backprop_equals_numerical_gradient(text):
    values = {"x": 0.7, "y": -1.3, "z": 2.1}
    used = {k: v for k, v in values.items() if re.search(rf"\b{k}\b", text)}
    try:
        built = build_expression(text, used)
        built.run_backward()
    except ExpressionError as e:  # e.g. "1.5 - 1.5" is fine, 1/(x-x) is not
        assert "finite" in str(e) or "operation" in str(e)
        return
    numerical = _numerical(built)
    for key, leaf in built.inputs.items():
        g = float(leaf.grad.data)
        scale = max(1.0, abs(g), abs(float(built.output.data)))
        assert abs(g - float(numerical[key])) <= 1e-6 * scale, (text, key)


def test_parser_precedence_and_unicode_operators():
    cases = {
        "-x**2": -4.0,
        "2*x^3 - 1": 15.0,
        "x × 3 ÷ 4": 1.5,
        "x − 1": 1.0,
        "(x + 1)**-1": 1 / 3,
        "x**(-2)": 0.25,
        "2e1 * .5": 10.0,
    }
    for text, expected in cases.items():
        values = {"x": 2.0} if "x" in text else {}
        y = build_expression(text, values).output
        assert float(y.data) == pytest.approx(expected), text


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("sqrt(x)", "x=1", "unknown function 'sqrt'; allowed: exp, log, sin"),
        ("x**y", "x=1,y=2", "exponent of \\*\\* must be a number"),
        ("2x", "x=1", "unexpected 'x'"),
        ("x +", "x=1", "ends too early"),
        ("x $ 2", "x=1", "unexpected character '\\$'"),
        ("__import__('os')", "", "unexpected character"),
        ("log(x - 1)", "x=1", "not finite"),
        ("1 / (x - x)", "x=1", "not finite"),
        ("x + y", "x=1", "y has no value"),
        ("x", "x=1", "no operation"),
        ("x * 2", "x=1,w=3", "gives w, which the expression lacks"),
        ("(" * 60 + "x" + ")" * 60, "x=1", "deeper than 50"),
        ("exp + 1", "", "exp is a function"),
        ("", "", "empty"),
        ("x" + " + x" * 300, "x=1", "longer than 500"),
        ("x**0.5", "x=0", "gradient is not finite"),
    ],
)
def test_parser_refuses_with_one_line(text, values, message):
    with pytest.raises(ExpressionError, match=message) as info:
        build_expression(text, values).run_backward()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x", "not NAME=NUMBER"),
        ("1x=2", "not NAME=NUMBER"),
        ("x=nan", "finite"),
        ("x=inf", "finite"),
        ("x=abc", "finite"),
        ("x=1,x=2", "given twice"),
        ("sin=1", "function name"),
    ],
)
def test_values_are_checked(text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_values(text)


def test_values_parse():
    assert parse_values(" x=1.0, y=−2 ,") == {"x": 1.0, "y": -2.0}


def test_sin_derivatives_on_the_dezero_grid():
    x = np.linspace(-7, 7, 200)
    values, _ = derivative_graphs("sin", x, 3)
    expected = [np.sin(x), np.cos(x), -np.sin(x), -np.cos(x)]
    for got, want in zip(values, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-12)


def test_tanh_derivatives_and_node_counts_match_dezero():
    values, graphs = derivative_graphs("tanh", 1.0, 6)
    t = np.tanh(1.0)
    assert values[1] == pytest.approx(1 - t**2)
    assert values[2] == pytest.approx(-2 * t * (1 - t**2))
    # each order is the derivative of the one before (central differences)
    h = 1e-5
    for n in range(1, 4):
        up, _ = derivative_graphs("tanh", 1.0 + h, n - 1)
        down, _ = derivative_graphs("tanh", 1.0 - h, n - 1)
        assert values[n] == pytest.approx((up[-1] - down[-1]) / (2 * h), rel=1e-6)
    # distinct nodes of DeZero 0.0.13's graphs of x.grad, counted once by hand
    assert [len(g.kinds) for g in graphs] == [3, 11, 22, 48, 110, 268, 690]


def test_backward_again_on_a_gradient_differentiates_it():
    x = Variable(2.0, "x")
    y = x**3
    backward(y, create_graph=True)
    gx = x.grad  # 3x^2 = 12
    backward(gx, create_graph=True)
    assert float(gx.data) == 12 and float(x.grad.data) == 12  # 6x
    backward(x.grad)
    assert float(x.grad.data) == 6


class _FakeVariable:
    """DeZero's shape: data, name, grad, creator; functions keep weak outputs."""

    def __init__(self, data, name=None):
        self.data, self.name, self.grad, self.creator = np.array(data), name, None, None


class _FakeFunction:
    def __call__(self, *inputs):
        y = _FakeVariable(np.prod([x.data for x in inputs]))
        y.creator, self.inputs = self, list(inputs)
        self.outputs = [weakref.ref(y)]
        return y


class Mul(_FakeFunction):
    pass


def test_walk_reads_a_dezero_shaped_graph():
    a, b = _FakeVariable(3.0, "a"), _FakeVariable(4.0, "b")
    y = Mul()(a, b)
    y.grad = _FakeVariable(1.0)  # DeZero keeps gradients as Variables
    spec = walk(y)
    assert sorted(spec.kinds) == ["func", "var", "var", "var"]
    assert "Mul" in spec.names and "×" in spec.labels  # DeZero's name, the book's sign
    assert {"a", "b"} <= set(spec.labels)
    assert float(spec.values[spec.labels.index("")]) == 12
    assert float(spec.grads[spec.labels.index("")]) == 1
    assert spec.locals[spec.order[0]] == [("", None), ("", None)]


def test_walk_orders_functions_forward_and_locals_say_what_is_multiplied():
    spec = build_preset("apple-orange").run_backward()
    assert [spec.labels[f] for f in spec.order] == ["×", "×", "+", "×"]
    first = spec.order[0]
    inputs = [spec.labels[v] for v in spec.inputs_of(first)]
    assert inputs == ["apple", "apple_num"]
    texts = [text for text, _ in spec.locals[first]]
    assert texts == ["× apple_num", "× apple"]
    last = spec.order[-1]
    text, value = spec.locals[last][0]
    assert (text, float(value)) == ("× tax", 1.1)


def test_functions_used_twice_accumulate_gradients():
    x = Variable(0.5, "x")
    y = Sin()(x) * Tanh()(x)
    backward(y)
    want = np.cos(0.5) * np.tanh(0.5) + np.sin(0.5) * (1 - np.tanh(0.5) ** 2)
    assert float(x.grad.data) == pytest.approx(want, rel=1e-14)
