"""Expressions from text (parsed, never ``eval``-ed), the book's ch. 5 graphs, and more.

``parse_expression("x**2 + sin(x)", {"x": 1.0})`` reads + − × ÷ (``*`` ``/``
and ``×`` ``÷`` ``·``), powers by a number (``**`` or ``^``), parentheses and
the functions exp, log, sin, cos, tanh and sigmoid; anything else is refused
with one line naming what was wrong and what is allowed. ``PRESETS`` are the
graphs of "Deep Learning from Scratch" ch. 5 (buy_apple.py,
buy_apple_orange.py, the affine and softmax-with-loss layers);
``derivative_graphs`` repeats ``backward(create_graph=True)`` as DeZero
steps 33-35 do.

This module runs past 300 lines because it is the text side of
`vizlearn.core.expr` (the parser, its one-line errors and the books' preset
graphs), kept apart from the engine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from vizlearn.core.expr import Variable
from vizlearn.core.expr_functions import (
    FUNCTIONS,
    CrossEntropy,
    MatMul,
    Sin,
    Softmax,
    Tanh,
)
from vizlearn.core.expr_graph import GraphSpec, backward, walk

__all__ = [
    "ExpressionError",
    "Built",
    "parse_expression",
    "parse_values",
    "PRESETS",
    "build_preset",
    "build_expression",
    "derivative_graphs",
    "MAX_CHARS",
    "MAX_NODES",
]

MAX_CHARS = 500
MAX_NODES = 200  # function nodes an expression may make: a graph you can read
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>\*\*|[-+*/^()×÷·−]))"
)
_OPS = {"×": "*", "·": "*", "÷": "/", "−": "-", "^": "**"}


class ExpressionError(ValueError):
    """An expression or a value list that vizlearn cannot read."""


@dataclass
class Built:
    """A built graph: its output, the named inputs, and its upstream gradient."""

    output: Variable
    inputs: dict[str, Variable]
    grad: Any = None
    """dL/d(output) the backward pass starts from (None: ones)."""

    def run_backward(self) -> GraphSpec:
        """Backprop from the output and return the whole graph as a GraphSpec.

        ExpressionError if a gradient is not finite (e.g. sqrt's at 0).
        """
        with np.errstate(all="ignore"):
            backward(self.output, grad=self.grad)
            spec = walk(self.output)
        for grad in spec.grads:
            if grad is not None and not np.isfinite(grad).all():
                raise ExpressionError(
                    "a gradient is not finite at these values (e.g. x**0.5 at 0)"
                )
        return spec


class _Parser:
    """Recursive descent over the tokens: expr := term (('+'|'-') term)*, ..."""

    def __init__(self, text: str, values: Mapping[str, float]) -> None:
        self.tokens = _tokens(text)
        self.pos, self.values = 0, values
        self.leaves: dict[str, Variable] = {}
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self) -> Variable:
        self.depth += 1
        if self.depth > 50:
            raise ExpressionError("the expression nests deeper than 50 levels")
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            node = node + self.term() if op == "+" else node - self.term()
        self.depth -= 1
        return node

    def term(self) -> Variable:
        node = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            node = node * self.unary() if op == "*" else node / self.unary()
        return node

    def unary(self) -> Variable:
        if self.peek() not in ("-", "+"):
            return self.power()
        sign = self.take()[1]
        value = self.unary()
        if sign == "+":
            return value
        if value.creator is None and value.name not in self.leaves:  # a literal
            return Variable(-value.data, "−" + value.name.lstrip("−"))
        return -value

    def power(self) -> Variable:
        base = self.atom()
        if self.peek() != "**":
            return base
        self.take()
        return base ** self.exponent()

    def exponent(self) -> float:
        """A number, optionally signed or in parentheses: x**2, x**-0.5, x**(-1)."""
        wrapped = self.peek() == "("
        if wrapped:
            self.take()
        sign = self.take()[1] if self.peek() in ("-", "+") else "+"
        if self.pos >= len(self.tokens) or self.tokens[self.pos][0] != "num":
            raise ExpressionError(
                "the exponent of ** must be a number (x**2, x**-0.5, x**(1/2) is not)"
            )
        value = float(self.take()[1])
        if wrapped:
            self.expect(")")
        return -value if sign == "-" else value

    def atom(self) -> Variable:
        if self.peek() is None:
            raise ExpressionError("the expression ends too early")
        kind, text = self.take()
        if kind == "num":
            return Variable(float(text), text)
        if kind == "name":
            return self.name(text)
        if text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        raise ExpressionError(f"unexpected {text!r} in the expression")

    def name(self, text: str) -> Variable:
        if self.peek() == "(":
            if text not in FUNCTIONS:
                raise ExpressionError(
                    f"unknown function {text!r}; allowed: {', '.join(FUNCTIONS)}"
                )
            self.take()
            arg = self.expression()
            self.expect(")")
            return FUNCTIONS[text]()(arg)
        if text in FUNCTIONS:
            raise ExpressionError(f"{text} is a function: write {text}(x)")
        if text not in self.values:
            raise ExpressionError(
                f"{text} has no value: give it with --values {text}=…"
            )
        if text not in self.leaves:
            self.leaves[text] = Variable(self.values[text], text)
        return self.leaves[text]

    def expect(self, symbol: str) -> None:
        if self.peek() != symbol:
            found = self.peek()
            raise ExpressionError(
                f"expected {symbol!r}"
                + (f", found {found!r}" if found else " at the end of the expression")
            )
        self.take()


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            bad = text[pos:].strip()[:1]
            raise ExpressionError(
                f"unexpected character {bad!r} in the expression; allowed: numbers, "
                "names, + - * / ** ( ) and " + ", ".join(FUNCTIONS)
            )
        kind = match.lastgroup or "op"
        token = match.group(kind)
        tokens.append((kind, _OPS.get(token, token)))
        pos = match.end()
    return tokens


def parse_expression(text: str, values: Mapping[str, float]) -> Built:
    """Build the graph of ``text`` with the variables' ``values``; no ``eval``.

    Raises ExpressionError (a ValueError) with one line for anything it cannot
    read: an unknown function or character, a variable without a value, a
    value that is not used, a result that is not finite.
    """
    if not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"the expression is longer than {MAX_CHARS} characters")
    parser = _Parser(text, values)
    with np.errstate(all="ignore"):  # log(0), 1/0: refused below, not warned about
        output = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(
            f"unexpected {parser.peek()!r} in the expression (a missing operator?)"
        )
    if not isinstance(output, Variable):
        output = Variable(output)
    unused = sorted(set(values) - set(parser.leaves))
    if unused:
        raise ExpressionError(f"--values gives {unused[0]}, which the expression lacks")
    if output.creator is None:
        raise ExpressionError("the expression has no operation to draw")
    _check_graph(output)
    return Built(output, parser.leaves)


def _check_graph(output: Variable) -> None:
    with np.errstate(all="ignore"):
        spec = walk(output, max_nodes=4 * MAX_NODES)
    if spec.n_functions > MAX_NODES:
        raise ExpressionError(f"the expression has more than {MAX_NODES} operations")
    for value in spec.values:
        if value is not None and not np.isfinite(value).all():
            raise ExpressionError(
                "the expression is not finite at these values (log of a number "
                "<= 0, division by zero or overflow)"
            )


def parse_values(text: str) -> dict[str, float]:
    """'x=1.0,y=-2' -> {'x': 1.0, 'y': -2.0}; names, finite numbers, no repeats."""
    values: dict[str, float] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, number = (s.strip() for s in item.partition("="))
        if not sep or not _NAME.fullmatch(name):
            raise ExpressionError(f"{item!r} is not NAME=NUMBER like x=1.0")
        if name in FUNCTIONS:
            raise ExpressionError(f"{name} is a function name, not a variable")
        if name in values:
            raise ExpressionError(f"{name} is given twice")
        try:
            value = float(number.replace("−", "-"))
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ExpressionError(
                f"{name}={number!r}: the value must be a finite number"
            )
        values[name] = value
    return values


# --- the book's graphs -----------------------------------------------------------


def _buy_apple() -> Built:
    """buy_apple.py: 2 apples at 100 yen, 10 % tax -> 220."""
    apple, num = Variable(100.0, "apple"), Variable(2.0, "apple_num")
    tax = Variable(1.1, "tax")
    apple_price = apple * num
    apple_price.name = "apple_price"
    price = apple_price * tax
    price.name = "price"
    return Built(price, {"apple": apple, "apple_num": num, "tax": tax})


def _buy_apple_orange() -> Built:
    """buy_apple_orange.py: 2 apples at 100, 3 oranges at 150, tax 1.1 -> 715."""
    v = {
        "apple": Variable(100.0, "apple"),
        "apple_num": Variable(2.0, "apple_num"),
        "orange": Variable(150.0, "orange"),
        "orange_num": Variable(3.0, "orange_num"),
        "tax": Variable(1.1, "tax"),
    }
    apple_price = v["apple"] * v["apple_num"]
    orange_price = v["orange"] * v["orange_num"]
    all_price = apple_price + orange_price
    price = all_price * v["tax"]
    for var, name in (
        (apple_price, "apple_price"),
        (orange_price, "orange_price"),
        (all_price, "all_price"),
        (price, "price"),
    ):
        var.name = name
    return Built(price, v)


def _affine() -> Built:
    """The batch Affine layer of §5.6.2: X·W = [[0,0,0],[10,10,10]], B = [1,2,3]."""
    x = Variable([[0.0, 0.0], [5.0, 5.0]], "X")
    W = Variable(np.ones((2, 3)), "W")
    b = Variable([1.0, 2.0, 3.0], "B")
    xw = MatMul()(x, W)
    xw.name = "X·W"
    y = xw + b
    y.name = "Y"
    dY = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # the book's dY -> dB [5, 7, 9]
    return Built(y, {"X": x, "W": W, "B": b}, grad=dY)


def _softmax_loss() -> Built:
    """Softmax-with-Loss (§5.6.3): y = (0.3, 0.2, 0.5), t = (0, 1, 0) -> y − t."""
    a = Variable(np.log([0.3, 0.2, 0.5]), "a")
    t = Variable([0.0, 1.0, 0.0], "t")
    y = Softmax()(a)
    y.name = "y"
    loss = CrossEntropy()(y, t)
    loss.name = "L"
    return Built(loss, {"a": a, "t": t})


PRESETS: dict[str, Callable[[], Built]] = {
    "apple-orange": _buy_apple_orange,
    "apple": _buy_apple,
    "affine": _affine,
    "softmax-loss": _softmax_loss,
}
"""The ch. 5 graphs by their ``--preset`` name."""


def build_preset(name: str) -> Built:
    """The preset graph ``name`` (ValueError naming the choices otherwise)."""
    if name not in PRESETS:
        raise ExpressionError(
            f"--preset must be one of {', '.join(PRESETS)}, not {name!r}"
        )
    return PRESETS[name]()


def build_expression(text: str, values: str | Mapping[str, float]) -> Built:
    """``parse_expression`` with values given as text ('x=1,y=2') or a mapping."""
    if isinstance(values, str):
        values = parse_values(values)
    return parse_expression(text, values)


# --- higher-order derivatives (DeZero steps 33-35) -------------------------------

_UNARY = {"sin": Sin, "tanh": Tanh}


def derivative_graphs(
    function: str, x: Any, orders: int
) -> tuple[list[np.ndarray], list[GraphSpec]]:
    """f, f', ..., f^(orders) at ``x``, and the graph that computes each.

    As DeZero steps 33-35: ``y = f(x)``, ``y.backward(create_graph=True)``,
    then the same on ``x.grad`` again and again. ``graphs[n]`` is the graph of
    the n-th derivative (``graphs[0]`` of f itself).
    """
    if function not in _UNARY:
        raise ExpressionError(f"function must be one of {', '.join(_UNARY)}")
    xv = Variable(x, "x")
    y = _UNARY[function]()(xv)
    y.name = "y"
    values, graphs, current = [y.data.copy()], [walk(y)], y
    for n in range(1, orders + 1):
        backward(current, create_graph=True)
        current = xv.grad
        current.name = f"gx{n}" if n > 1 else "gx"
        values.append(current.data.copy())
        graphs.append(walk(current))
    return values, graphs
