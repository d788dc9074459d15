"""vizlearn's tiny expression engine: variables, functions and backprop on a graph.

A :class:`Variable` holds a value (``data``), its gradient (``grad``, itself a
Variable) and the :class:`Function` that made it (``creator``); a Function
holds its ``inputs`` and ``outputs``. That is DeZero's shape (steps 1-35), so
:func:`vizlearn.core.expr_graph.walk` reads a graph built here or by DeZero
itself. Every ``backward`` is written with Functions, so
``backward(y, create_graph=True)`` builds the gradient's own graph and
derivatives of derivatives work (DeZero steps 33-35). Each Function also says
which local derivative it multiplies by (:meth:`Function.local`), which is
what the backward-pass animation prints.

This module holds the arithmetic the operators use; the engine continues in
``expr_functions`` (exp, log, sin, ..., the ch. 5 layers), ``expr_graph``
(``backward``, ``walk``) and ``expr_text`` (the safe parser and the book's
presets). It runs past 300 lines because each operation keeps its forward,
backward and local derivative together, as micrograd does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Variable",
    "Function",
    "as_variable",
    "format_number",
    "input_name",
    "multiply_by",
    "sum_to_shape",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Neg",
    "Pow",
    "SumTo",
    "BroadcastTo",
]

Array = NDArray[np.float64]


def format_number(value: float) -> str:
    """A value as the book prints it: 6 significant digits, '−' for minus."""
    text = f"{float(value):.6g}"
    return "0" if text == "-0" else text.replace("-", "−")


class Variable:
    """A value in the graph, the gradient backprop leaves in it, and its creator."""

    def __init__(self, data: Any, name: str = "") -> None:
        self.data: Array = np.asarray(data, dtype=np.float64)
        self.name = name
        self.grad: Variable | None = None
        self.creator: Function | None = None
        self.generation = 0

    @property
    def shape(self) -> tuple[int, ...]:
        """The value's shape (``()`` for a scalar)."""
        return self.data.shape

    def cleargrad(self) -> None:
        """Forget the gradient."""
        self.grad = None

    def backward(self, *, create_graph: bool = False) -> None:
        """Fill the gradient of every variable this one depends on (DeZero's name)."""
        from vizlearn.core.expr_graph import backward

        backward(self, create_graph=create_graph)

    def __repr__(self) -> str:
        return f"Variable({self.name!r}, {self.data!r})"

    def __add__(self, other: Any) -> Variable:
        return Add()(self, other)

    def __radd__(self, other: Any) -> Variable:
        return Add()(other, self)

    def __sub__(self, other: Any) -> Variable:
        return Sub()(self, other)

    def __rsub__(self, other: Any) -> Variable:
        return Sub()(other, self)

    def __mul__(self, other: Any) -> Variable:
        return Mul()(self, other)

    def __rmul__(self, other: Any) -> Variable:
        return Mul()(other, self)

    def __truediv__(self, other: Any) -> Variable:
        return Div()(self, other)

    def __rtruediv__(self, other: Any) -> Variable:
        return Div()(other, self)

    def __neg__(self) -> Variable:
        return Neg()(self)

    def __pow__(self, power: float) -> Variable:
        return Pow(power)(self)

    def __matmul__(self, other: Any) -> Variable:
        from vizlearn.core.expr_functions import MatMul

        return MatMul()(self, other)


def as_variable(x: Any) -> Variable:
    """``x`` itself if it is a Variable, else a constant named by its value."""
    if isinstance(x, Variable):
        return x
    value = np.asarray(x, dtype=np.float64)
    return Variable(value, format_number(value) if value.ndim == 0 else "")


class Function:
    """An operation: ``forward`` on arrays, ``backward`` on Variables, ``local``."""

    symbol: ClassVar[str] = "?"
    """What the book draws inside the node (×, +, exp, ...)."""

    def __call__(self, *inputs: Any) -> Variable:
        """Apply the function to Variables (or numbers); record the graph."""
        xs = [as_variable(x) for x in inputs]
        ys = self.forward(*(x.data for x in xs))
        ys = ys if isinstance(ys, tuple) else (ys,)
        self.generation = max(x.generation for x in xs)
        self.inputs, self.outputs = xs, [Variable(y) for y in ys]
        for y in self.outputs:
            y.creator, y.generation = self, self.generation + 1
        return self.outputs[0]

    @property
    def name(self) -> str:
        """DeZero's label of the node: the class name."""
        return type(self).__name__

    def forward(self, *xs: Array) -> Array | tuple[Array, ...]:  # pragma: no cover
        """The output arrays for the input arrays."""
        raise NotImplementedError

    def backward(self, gy: Variable) -> Any:  # pragma: no cover
        """Gradient: dL/dx per input (a Variable, a tuple; None: no gradient)."""
        raise NotImplementedError

    def local(self, i: int) -> tuple[str, Array | None]:
        """What the gradient of input ``i`` is multiplied by: text and value."""
        return "", None

    def _x(self, i: int) -> Variable:
        return self.inputs[i]

    def _y(self) -> Variable:
        return self.outputs[0]


def input_name(v: Variable, fallback: str) -> str:
    """The variable's name, or ``fallback`` when it has none."""
    return v.name or fallback


def sum_to_shape(gx: Variable, shape: tuple[int, ...]) -> Variable:
    """Sum a broadcast gradient back to the input's shape."""
    return gx if gx.shape == shape else SumTo(shape)(gx)


def multiply_by(x: Variable, fallback: str) -> tuple[str, Array | None]:
    """'× tax' with tax's value (the book's multiply node swaps its inputs)."""
    return f"× {input_name(x, fallback)}", x.data


class Add(Function):
    """y = a + b."""

    symbol = "+"

    def forward(self, a: Array, b: Array) -> Array:
        """Return a + b."""
        return a + b

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        """The gradient passes through unchanged to both inputs."""
        return sum_to_shape(gy, self._x(0).shape), sum_to_shape(gy, self._x(1).shape)

    def local(self, i: int) -> tuple[str, Array | None]:
        """× 1."""
        return "× 1", np.float64(1.0)


class Sub(Function):
    """y = a − b."""

    symbol = "−"

    def forward(self, a: Array, b: Array) -> Array:
        """Return a − b."""
        return a - b

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        """+gy to a, −gy to b."""
        return sum_to_shape(gy, self._x(0).shape), sum_to_shape(-gy, self._x(1).shape)

    def local(self, i: int) -> tuple[str, Array | None]:
        """× 1 or × −1."""
        return ("× 1", np.float64(1.0)) if i == 0 else ("× −1", np.float64(-1.0))


class Mul(Function):
    """y = a × b."""

    symbol = "×"

    def forward(self, a: Array, b: Array) -> Array:
        """Return a × b."""
        return a * b

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        """Gradient: gy × b to a, gy × a to b."""
        a, b = self.inputs
        return sum_to_shape(gy * b, a.shape), sum_to_shape(gy * a, b.shape)

    def local(self, i: int) -> tuple[str, Array | None]:
        """× the other input."""
        return multiply_by(self._x(1 - i), "b" if i == 0 else "a")


class Div(Function):
    """y = a ÷ b."""

    symbol = "÷"

    def forward(self, a: Array, b: Array) -> Array:
        """Return a / b."""
        return a / b

    def backward(self, gy: Variable) -> tuple[Variable, Variable]:
        """Gradient: gy / b to a, −gy a / b² to b."""
        a, b = self.inputs
        ga = gy / b
        return sum_to_shape(ga, a.shape), sum_to_shape(-ga * a / b, b.shape)

    def local(self, i: int) -> tuple[str, Array | None]:
        """× 1/b or × −a/b²."""
        a, b = self.inputs
        na, nb = input_name(a, "a"), input_name(b, "b")
        if i == 0:
            return f"× 1/{nb}", 1.0 / b.data
        return f"× −{na}/{nb}²", -a.data / b.data**2


class Neg(Function):
    """y = −x."""

    symbol = "−"

    def forward(self, x: Array) -> Array:
        """Return −x."""
        return -x

    def backward(self, gy: Variable) -> Variable:
        """−gy."""
        return -gy

    def local(self, i: int) -> tuple[str, Array | None]:
        """× −1."""
        return "× −1", np.float64(-1.0)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class Pow(Function):
    """y = x ** c for a constant c."""

    def __init__(self, c: float) -> None:
        self.c = float(c)

    @property
    def symbol(self) -> str:  # type: ignore[override]
        """x², x³, ... or x^c."""
        c = format_number(self.c).replace("−", "-")
        return "x" + (c.translate(_SUPERSCRIPT) if c.lstrip("-").isdigit() else f"^{c}")

    def forward(self, x: Array) -> Array:
        """Return x ** c."""
        return x**self.c

    def backward(self, gy: Variable) -> Variable:
        """Gradient: gy × c x^(c − 1)."""
        x = self._x(0)
        return gy * (self.c * x ** (self.c - 1))

    def local(self, i: int) -> tuple[str, Array | None]:
        """Local derivative: × c·x^(c−1)."""
        x, c = self._x(0), self.c
        power = "" if c == 2 else f"^{format_number(c - 1)}"
        text = f"× {format_number(c)}" + (
            "" if c == 1 else f"·{input_name(x, 'x')}{power}"
        )
        return text, c * x.data ** (c - 1)


class SumTo(Function):
    """Sum a broadcast array back to ``shape`` (the bias's gradient: Σ over rows)."""

    symbol = "Σ"

    def __init__(self, shape: Sequence[int]) -> None:
        self.shape = tuple(shape)

    def forward(self, x: Array) -> Array:
        """Sum over the axes that broadcasting added or stretched."""
        lead = x.ndim - len(self.shape)
        axes = tuple(range(lead)) + tuple(
            lead + i
            for i, n in enumerate(self.shape)
            if n == 1 and x.shape[lead + i] > 1
        )
        y = x.sum(axis=axes, keepdims=True)
        return y.reshape(self.shape)

    def backward(self, gy: Variable) -> Variable:
        """Broadcast the gradient back."""
        return BroadcastTo(self._x(0).shape)(gy)


class BroadcastTo(Function):
    """Repeat an array to ``shape``."""

    symbol = "bcast"

    def __init__(self, shape: Sequence[int]) -> None:
        self.shape = tuple(shape)

    def forward(self, x: Array) -> Array:
        """Return x broadcast (copied) to the shape."""
        return np.broadcast_to(x, self.shape).copy()

    def backward(self, gy: Variable) -> Variable:
        """Sum the gradient back."""
        return SumTo(self._x(0).shape)(gy)
