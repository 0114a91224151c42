"""The op table: every primitive operation's forward value and local derivatives, in one place.

Each entry of ``RULES`` is a :class:`Rule`. It says, for one operation,

* ``forward``  -- how to compute the result from plain floats (raising a clear error outside the
  operation's domain); it takes the inputs as positional floats, except ``linear``, which takes
  ``(xs, ws, b)``: the input, weight and bias Values, whose ``.data`` it reads in place,
* ``partials`` -- the local derivative of the result with respect to each input, written with
  ordinary arithmetic and a small math namespace ``m``. Called with ``m=FloatMath`` and floats it
  returns floats; called with ``m=Value`` and Values it returns Values, which is how
  ``grad(..., create_graph=True)`` builds a differentiable gradient for higher-order derivatives,
* ``backward`` -- an optional fused version of ``partials`` for the hot path of ``backward()``: it
  reads ``node.grad`` and adds ``node.grad * local derivative`` straight into each child's
  ``.grad``.
  Where it is absent, the engine evaluates ``partials`` on floats instead. The tests check that the
  two always agree.

The backward pass, the gradient checker, the step-by-step explainer and the diagrams all read this
table, so they cannot disagree. This module knows nothing about how graphs are built or walked: it
is plain float maths, except that the fused functions of the hot path read a node's ``.data``,
``.grad`` and ``._inputs`` directly. ``_inputs`` is how a node stores its inputs: the input Value
itself for an op with one Value input (``x.tanh()``, ``x * 2.0``), a tuple of Values otherwise;
``linear`` keeps its inputs there and its weights, then its bias, in ``_aux``.

``FOLDED`` holds the constant forms of ``+ - * /``: ``x * 2.0`` is a one-input op that keeps the
number 2.0 in the node rather than a second Value (see ``Value._prev`` for how the graph still shows
it as a constant leaf).

Partials receive ``(m, out, *args)``: ``out`` is the op's result (reusing it is often cheaper, e.g.
``d tanh(x)/dx = 1 - out**2``) and ``args`` are the inputs, followed by the op's constant parameter
(``aux``) for the few ops that have one (``x ** k``, ``k ** x``, ``leaky_relu``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from operator import mul, sub
from typing import Any

__all__ = ["FOLDED", "RULES", "FloatMath", "Rule"]


class Rule:
    """One primitive operation: its forward on floats and its local derivatives."""

    __slots__ = (
        "name",
        "symbol",
        "arity",
        "forward",
        "partials",
        "backward",
        "formula",
        "domain",
        "base",
        "const_at",
    )

    def __init__(
        self,
        name: str,
        symbol: str,
        arity: int,
        forward: Callable[..., float],
        partials: Callable[..., tuple[Any, ...]],
        formula: str,
        domain: str = "all real numbers",
        backward: Callable[[Any], None] | None = None,
    ) -> None:
        self.name = name  #: key in RULES
        self.symbol = symbol  #: what ``node._op`` holds and the diagram shows
        self.arity = arity  #: number of Value inputs; -1 means any number (n-ary)
        self.forward = forward
        self.partials = partials
        self.backward = backward
        self.formula = formula  #: the local derivatives, as a learner would write them
        self.domain = domain  #: where the forward is defined
        #: for a folded constant form (``FOLDED``): the two-input rule it stands for, and the
        #: position (0 or 1) the constant takes among that rule's inputs
        self.base: Rule | None = None
        self.const_at = -1

    def __repr__(self) -> str:
        return f"Rule({self.name!r}: {self.formula})"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _div_or_inf(a: float, b: float) -> float:
    """a / b, but +-inf (or nan for 0/0) where b == 0, as IEEE maths and PyTorch give."""
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _pow_or_inf(x: float, k: float) -> float:
    """x ** k, but inf where x == 0 and k < 0 (the slope of x**k at 0 for k < 1)."""
    if x == 0 and k < 0:
        return math.inf
    return float(x**k)


class FloatMath:
    """The maths namespace ``m`` for partials evaluated on floats.

    Its names match the Value methods, so a partial written as ``m.cos(x)`` runs on floats here and
    on Values when the engine passes the ``Value`` class as ``m``.
    """

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    div = staticmethod(_div_or_inf)
    pow = staticmethod(_pow_or_inf)


# --------------------------------------------------------------------------------------------------
# Forward functions on floats. Each raises an error that names the op and the offending operand.
# --------------------------------------------------------------------------------------------------


def _f_div(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"division: cannot divide {a!r} by zero (the divisor is {b!r})")
    return a / b


def _f_pow(x: float, k: float) -> float:
    if x == 0 and k < 0:
        raise ZeroDivisionError(f"power: 0.0 ** {k!r} is undefined (zero to a negative power)")
    if x < 0 and not float(k).is_integer():
        raise ValueError(
            f"power: negative base {x!r} to the non-integer power {k!r} is not a real number"
        )
    try:
        return float(x**k)
    except OverflowError:
        raise OverflowError(f"power: {x!r} ** {k!r} overflows a float") from None


def _f_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp: exp({x!r}) overflows a float (the largest input is about 709.78)"
        ) from None


def _f_log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log: expected a positive number, got {x!r}")
    return math.log(x)


def _f_sqrt(x: float) -> float:
    if x < 0:
        raise ValueError(f"sqrt: expected a non-negative number, got {x!r}")
    return math.sqrt(x)


def _f_sigmoid(x: float) -> float:
    # Two branches so that exp() only ever sees a non-positive argument: no overflow at x = -1000.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _f_linear(xs: Sequence[Any], ws: Sequence[Any], b: Any) -> float:
    """b + w1*x1 + ... + wn*xn, read in place from the inputs' ``.data``.

    The one forward that takes Values instead of floats: a neuron's weighted sum is the hottest loop
    of training, and copying the numbers out first would cost more than the sum itself. ``ws``
    may be longer than ``xs`` (the engine passes the weights followed by the bias): the sum stops
    at the last input.
    """
    # Same order as micrograd's Neuron, sum((wi*xi ...), b): b + w1*x1 + w2*x2 + ...
    total: float = b.data
    for x, w in zip(xs, ws):
        total += w.data * x.data
    return total


# --------------------------------------------------------------------------------------------------
# Fused float backward for the hot ops: g = node.grad is pushed into each child's .grad.
# --------------------------------------------------------------------------------------------------


def _b_add(node: Any) -> None:
    g = node.grad
    for child in node._inputs:
        child.grad += g


def _b_sub(node: Any) -> None:
    a, b = node._inputs
    g = node.grad
    a.grad += g
    b.grad -= g


def _b_mul(node: Any) -> None:
    a, b = node._inputs
    g = node.grad
    a.grad += g * b.data
    b.grad += g * a.data


def _b_neg(node: Any) -> None:
    node._inputs.grad -= node.grad


def _b_tanh(node: Any) -> None:
    out = node.data
    node._inputs.grad += node.grad * (1.0 - out * out)


def _b_sigmoid(node: Any) -> None:
    out = node.data
    node._inputs.grad += node.grad * out * (1.0 - out)


def _b_exp(node: Any) -> None:
    node._inputs.grad += node.grad * node.data


def _b_relu(node: Any) -> None:
    if node.data > 0:
        node._inputs.grad += node.grad


def _b_linear(node: Any) -> None:
    g = node.grad
    wb = node._aux  # linear keeps its weights, then its bias, in _aux
    for x, w in zip(node._inputs, wb):
        x.grad += g * w.data
        w.grad += g * x.data
    wb[-1].grad += g


# The folded constant forms: the input is ``node._inputs``, the constant ``c`` is ``node._aux``.
# Each computes exactly what the two-input rule computes for that input, to the last bit.


def _b_plus_const(node: Any) -> None:  # x + c, c + x, x - c
    node._inputs.grad += node.grad


def _b_const_minus(node: Any) -> None:  # c - x
    node._inputs.grad -= node.grad


def _b_times_const(node: Any) -> None:  # x * c, c * x
    node._inputs.grad += node.grad * node._aux


def _b_over_const(node: Any) -> None:  # x / c
    node._inputs.grad += node.grad * (1.0 / node._aux)


def _b_const_over(node: Any) -> None:  # c / x
    node._inputs.grad += node.grad * (-node.data / node._inputs.data)


# --------------------------------------------------------------------------------------------------
# The table.
# --------------------------------------------------------------------------------------------------


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.name: r for r in rules}


RULES: dict[str, Rule] = _rules(
    Rule(
        "add", "+", -1,
        lambda *xs: sum(xs, 0.0),
        lambda m, out, *xs: (1.0,) * len(xs),
        "d/dxi (x1 + x2 + ...) = 1",
        backward=_b_add,
    ),
    Rule(
        "sub", "-", 2,
        sub,
        lambda m, out, a, b: (1.0, -1.0),
        "d/da (a - b) = 1,  d/db (a - b) = -1",
        backward=_b_sub,
    ),
    Rule(
        "mul", "*", 2,
        mul,
        lambda m, out, a, b: (b, a),
        "d/da (a * b) = b,  d/db (a * b) = a",
        backward=_b_mul,
    ),
    Rule(
        "div", "/", 2,
        _f_div,
        lambda m, out, a, b: (1.0 / b, -out / b),
        "d/da (a / b) = 1/b,  d/db (a / b) = -a/b^2",
        "b != 0",
    ),
    Rule(
        "neg", "neg", 1,
        lambda x: -x,
        lambda m, out, x: (-1.0,),
        "d/dx (-x) = -1",
        backward=_b_neg,
    ),
    Rule(
        "pow", "**", 2,
        _f_pow,
        # d/db a**b = a**b * log(a) is defined for a > 0; at a == 0 the result is constant 0 for
        # b > 0 (slope 0), and for a < 0 it is not real (nan, as in PyTorch).
        lambda m, out, a, b: (
            b * m.pow(a, b - 1),
            out * m.log(a) if a > 0 else (0.0 if a == 0 else math.nan),
        ),
        "d/da a**b = b * a**(b-1),  d/db a**b = a**b * log(a)",
        "a > 0, or a == 0 and b >= 0, or a < 0 and b an integer",
    ),
    Rule(
        "pow_const", "**", 1,
        _f_pow,
        lambda m, out, x, k: (0.0,) if k == 0 else (k * m.pow(x, k - 1),),
        "d/dx x**k = k * x**(k-1)",
        "x > 0, or x == 0 and k >= 0, or x < 0 and k an integer",
    ),
    Rule(
        "rpow_const", "**", 1,
        lambda x, k: _f_pow(k, x),
        lambda m, out, x, k: (out * math.log(k) if k > 0 else (0.0 if k == 0 else math.nan),),
        "d/dx k**x = k**x * log(k)",
        "k > 0, or k == 0 and x >= 0, or k < 0 and x an integer",
    ),
    Rule(
        "exp", "exp", 1,
        _f_exp,
        lambda m, out, x: (out,),
        "d/dx exp(x) = exp(x)",
        "x <= 709.78 (larger overflows a float)",
        backward=_b_exp,
    ),
    Rule(
        "log", "log", 1,
        _f_log,
        lambda m, out, x: (1.0 / x,),
        "d/dx log(x) = 1/x",
        "x > 0",
    ),
    Rule(
        "tanh", "tanh", 1,
        math.tanh,
        lambda m, out, x: (1.0 - out * out,),
        "d/dx tanh(x) = 1 - tanh(x)^2",
        backward=_b_tanh,
    ),
    Rule(
        "sigmoid", "sigmoid", 1,
        _f_sigmoid,
        lambda m, out, x: (out * (1.0 - out),),
        "d/dx sigmoid(x) = sigmoid(x) * (1 - sigmoid(x))",
        backward=_b_sigmoid,
    ),
    Rule(
        "relu", "relu", 1,
        lambda x: x if x > 0 else 0.0,
        lambda m, out, x: (1.0 if x > 0 else 0.0,),
        "d/dx relu(x) = 1 if x > 0 else 0",
        backward=_b_relu,
    ),
    Rule(
        "leaky_relu", "leaky_relu", 1,
        lambda x, slope: x if x > 0 else slope * x,
        lambda m, out, x, slope: (1.0 if x > 0 else slope,),
        "d/dx leaky_relu(x) = 1 if x > 0 else slope",
    ),
    Rule(
        "sqrt", "sqrt", 1,
        _f_sqrt,
        lambda m, out, x: (m.div(0.5, out),),
        "d/dx sqrt(x) = 1 / (2 sqrt(x))",
        "x >= 0",
    ),
    Rule(
        "abs", "abs", 1,
        abs,
        lambda m, out, x: (1.0 if x > 0 else (-1.0 if x < 0 else 0.0),),
        "d/dx |x| = sign(x)  (0 at x = 0)",
    ),
    Rule(
        "sin", "sin", 1,
        math.sin,
        lambda m, out, x: (m.cos(x),),
        "d/dx sin(x) = cos(x)",
    ),
    Rule(
        "cos", "cos", 1,
        math.cos,
        lambda m, out, x: (-m.sin(x),),
        "d/dx cos(x) = -sin(x)",
    ),
    Rule(
        "linear", "linear", -1,
        _f_linear,
        # inputs are laid out (x1..xn, w1..wn, b): the slope for each x is its w and vice versa.
        lambda m, out, *a: a[len(a) // 2 : -1] + a[: len(a) // 2] + (1.0,),
        "d/dxi (sum_i wi*xi + b) = wi,  d/dwi = xi,  d/db = 1",
        backward=_b_linear,
    ),
)  # fmt: skip


def _folded(base: Rule, const_at: int, formula: str, backward: Callable[[Any], None]) -> Rule:
    """``base`` (an op of two inputs) with its input number ``const_at`` a plain number.

    The node keeps that number in ``_aux`` and has one Value input. Its forward and partials take
    ``(x, c)``, the Value input first, whichever side of the operator the number was on.
    """
    if const_at == 1:  # x op c

        def forward(x: float, c: float) -> float:
            return base.forward(x, c)

        def partials(m: Any, out: Any, x: Any, c: Any) -> tuple[Any, ...]:
            return base.partials(m, out, x, c)[:1]

    else:  # c op x

        def forward(x: float, c: float) -> float:
            return base.forward(c, x)

        def partials(m: Any, out: Any, x: Any, c: Any) -> tuple[Any, ...]:
            return base.partials(m, out, c, x)[1:]

    side = "x, c" if const_at == 1 else "c, x"
    rule = Rule(
        f"{base.name}({side})", base.symbol, 1, forward, partials, formula, base.domain, backward
    )
    rule.base = base
    rule.const_at = const_at
    return rule


_ADD, _SUB, _MUL, _DIV = RULES["add"], RULES["sub"], RULES["mul"], RULES["div"]

#: The constant forms of the binary ops, keyed by name: ``"mul(x, c)"`` is ``x * c`` and
#: ``"mul(c, x)"`` is ``c * x`` for a plain number ``c``.
FOLDED: dict[str, Rule] = _rules(
    _folded(_ADD, 1, "d/dx (x + c) = 1", _b_plus_const),
    _folded(_ADD, 0, "d/dx (c + x) = 1", _b_plus_const),
    _folded(_SUB, 1, "d/dx (x - c) = 1", _b_plus_const),
    _folded(_SUB, 0, "d/dx (c - x) = -1", _b_const_minus),
    _folded(_MUL, 1, "d/dx (x * c) = c", _b_times_const),
    _folded(_MUL, 0, "d/dx (c * x) = c", _b_times_const),
    _folded(_DIV, 1, "d/dx (x / c) = 1/c", _b_over_const),
    _folded(_DIV, 0, "d/dx (c / x) = -c/x^2", _b_const_over),
)


def op_label(rule: Rule, aux: float | None) -> str:
    """The op name a diagram shows: ``'**2'`` for x**2, ``'3**'`` for 3**x, else the symbol."""
    if rule.name == "pow_const" and aux is not None:
        return f"**{_fmt(aux)}"
    if rule.name == "rpow_const" and aux is not None:
        return f"{_fmt(aux)}**"
    return rule.symbol
