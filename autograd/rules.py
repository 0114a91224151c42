"""The op table: every primitive operation's forward value and local derivatives, in one place.

Each entry of ``RULES`` is a :class:`Rule`. It says, for one operation,

* ``forward``  -- how to compute the result from plain floats (raising a clear error outside the
  operation's domain); it takes the inputs as positional floats, except ``linear``, which takes
  ``(xs, ws, b)``: the input, weight and bias Values, whose ``.data`` it reads in place,
* ``partials`` -- the local derivative of the result with respect to each input, written with
  ordinary arithmetic and a small math namespace ``m``. Called with ``m=FloatMath`` and floats it
  returns floats; called with the engine's ``ValueMath`` and Values it returns Values, which is how
  ``grad(..., create_graph=True)`` builds a differentiable gradient for higher-order derivatives.
  ``None`` means that no gradient flows back to that input at all (see below),
* ``formula`` and ``domain`` -- what a learner reads in diagrams, the stepper and the docs.

The backward pass, the gradient checker, the step-by-step explainer and the diagrams all read this
table, so they cannot disagree. This module is plain maths: it knows nothing about how nodes are
stored or graphs walked. (The engine's fast path, in ``_compact.py``, adds a fused ``backward`` to
the hot ops: the same numbers as ``partials``, computed straight into the inputs' ``.grad``.)

Singular points: one policy, PyTorch's, on every path
----------------------------------------------------
``backward()``, ``grad()``, ``grad(create_graph=True)``, the stepper and the diagrams give the same
float, bit for bit (``tests/test_agreement.py``), also where a derivative is infinite or a value
is nan:

* The chain rule multiplies as IEEE floats do: ``upstream * local``, so ``0 * inf`` is nan and a
  nan anywhere stays nan. No path skips a product that IEEE would make nan (``backward()`` skips a
  zero gradient only where every local derivative is finite).
* A local derivative may be infinite where the function is finite: d/dx sqrt(x) at 0 is inf, and so
  is ``x ** 0.5``'s; a slope too big for a float is +-inf (``x ** -0.5`` at 1e-300 gives -inf),
  never an exception (``FloatMath.div`` and ``FloatMath.pow``). Only the forward raises, naming the
  op, outside its domain (``log(0)``, ``1 / 0``, ``sin(inf)``).
* A partial returns ``None`` where nothing flows back at all, because the op is constant in that
  input there: ``relu`` at x <= 0, ``x ** 0``, ``0 ** y`` for y >= 0, and ``x ** y`` at x = y = 0
  (where ``y * x**(y-1)`` would be 0 * inf). Then the input gets nothing, whatever the upstream
  gradient, even inf or nan, as PyTorch's masked backward formulas do (``sqrt(relu(x))`` at 0 has
  gradient 0). Everywhere else a zero slope is a number like any other (``abs`` at 0, ``x * 0``).
* NaN propagates through every forward (``relu(nan)`` is nan), and the local derivative at nan is
  the one of the branch the forward took (PyTorch: ``relu`` passes the gradient on, ``leaky_relu``
  scales it by the slope); with no branch it is nan (``abs``).

Partials receive ``(m, out, *args)``: ``out`` is the op's result (reusing it is often cheaper, e.g.
``d tanh(x)/dx = 1 - out**2``) and ``args`` are the inputs, followed by the op's constant parameter
(``aux``) for the few ops that have one (``x ** k``, ``k ** x``, ``leaky_relu``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from operator import mul, sub
from typing import Any

__all__ = [
    "ACTIVATIONS",
    "RULES",
    "FloatMath",
    "Rule",
    "functions",
    "linear_order",
    "markdown_table",
    "on_register",
    "op_label",
    "register",
    "unregister",
]


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
        "method",
        "params",
        "activation",
        "doc",
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
        *,
        method: str | None = None,
        params: tuple[tuple[str, float], ...] = (),
        activation: bool = False,
        doc: str = "",
    ) -> None:
        self.name = name  #: key in RULES
        self.symbol = symbol  #: what ``node._op`` holds and the diagram shows
        self.arity = arity  #: number of Value inputs; -1 means any number (n-ary)
        self.forward = forward
        self.partials = partials
        #: a fused float backward for the hot path, set by ``_compact`` (which knows how nodes
        #: are stored); None: the engine evaluates ``partials`` on floats
        self.backward: Callable[[Any], None] | None = None
        self.formula = formula  #: the local derivatives, as a learner would write them
        self.domain = domain  #: where the forward is defined
        #: the name of the Value method (and expression function) made from this rule; None for
        #: an op written as an operator or built by its own method (+, **, Value.linear)
        self.method = method
        #: the method's number parameters after x, with defaults: (("slope", 0.01),) makes
        #: ``x.leaky_relu(slope=0.01)``; the forward and partials receive them after the inputs
        self.params = params
        self.activation = activation  #: offered as a neuron's activation (nn, CLI, diagrams)
        self.doc = doc  #: one line saying what the op computes, for docstrings and the docs

    def __repr__(self) -> str:
        return f"Rule({self.name!r}: {self.formula})"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _div_or_inf(a: float, b: float) -> float:
    """a / b, but +-inf (or nan for 0/0) where b == 0, as IEEE maths and PyTorch give."""
    if b == 0:
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _is_odd_integer(k: float) -> bool:
    return math.isfinite(k) and k.is_integer() and k % 2 == 1


def _pow_or_inf(x: float, k: float) -> float:
    """x ** k as IEEE maths (C's ``pow``) gives it: never an exception.

    0 ** (k < 0) is inf (the slope of x**k at 0 for k < 1), signed like x for an odd integer k;
    a negative base to a non-integer power is nan; a result too large for a float is +-inf.
    """
    try:
        return math.pow(x, k)
    except ValueError:  # 0 ** negative, or negative ** non-integer
        if x == 0:
            return math.copysign(math.inf, x) if _is_odd_integer(k) else math.inf
        return math.nan
    except OverflowError:
        return -math.inf if x < 0 and _is_odd_integer(k) else math.inf


def _is_zero(x: Any) -> bool:
    """x == 0 for a float or a Value (whose ``==`` compares identity, not data); False for nan."""
    return bool(x >= 0 and x <= 0)


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
    if x < 0 and math.isfinite(k) and not float(k).is_integer():
        raise ValueError(
            f"power: negative base {x!r} to the non-integer power {k!r} is not a real number"
        )
    out = _pow_or_inf(x, k)
    if math.isinf(out) and math.isfinite(x) and math.isfinite(k):
        raise OverflowError(f"power: {x!r} ** {k!r} overflows a float")
    return out


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


def _f_sin(x: float) -> float:
    if math.isinf(x):
        raise ValueError(f"sin: sin({x!r}) is undefined (no limit at infinity)")
    return math.sin(x)


def _f_cos(x: float) -> float:
    if math.isinf(x):
        raise ValueError(f"cos: cos({x!r}) is undefined (no limit at infinity)")
    return math.cos(x)


def _f_relu(x: float) -> float:
    # written so that nan falls through to x: NaN propagates (relu(nan) is nan, as in PyTorch)
    return 0.0 if x <= 0 else x


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


class FloatMath:
    """The maths namespace ``m`` for partials evaluated on floats.

    Its names are the Value methods made from the table (every rule's ``method``, added by
    :func:`register`), so a partial written as ``m.cos(x)`` runs on floats here and
    on Values when the engine passes its Value namespace as ``m``. ``div`` and ``pow`` are the IEEE
    forms (an infinite slope is inf, not an exception), because a derivative may be infinite where
    the function itself is fine: d/dx sqrt(x) at 0.
    """

    # exp, log, tanh, ... : the forward of every one-input rule with a method, set by ``register``
    div = staticmethod(_div_or_inf)
    pow = staticmethod(_pow_or_inf)


# --------------------------------------------------------------------------------------------------
# The table.
# --------------------------------------------------------------------------------------------------


#: Every op, by name. Add one with :func:`register` (below the table), not by assignment.
RULES: dict[str, Rule] = {}

#: Called with each rule as it is registered (the engine adds the Value method this way).
_ON_REGISTER: list[Callable[[Rule], None]] = []


def register(rule: Rule) -> Rule:
    """Add ``rule`` to the table. Everything made from the table sees it from now on: the Value
    method (``rule.method``) and ``FloatMath``'s name for it, ``expr.FUNCTIONS`` (so the CLI's
    expressions and their help), ``nn.ACTIVATIONS`` and the diagrams' activations (with
    ``rule.activation``), and :func:`markdown_table` (the README's table of ops)."""
    if rule.name in RULES:
        raise ValueError(f"register: there is already a rule named {rule.name!r}")
    RULES[rule.name] = rule
    if rule.method is not None and not rule.params and rule.arity == 1:
        setattr(FloatMath, rule.method, staticmethod(rule.forward))
    try:
        for hook in _ON_REGISTER:
            hook(rule)
    except Exception:
        unregister(rule.name)  # a hook refused the rule: the table is left as it was
        raise
    return rule


def unregister(name: str) -> None:
    """Take the rule ``name`` out of the table and everything made from it (for tests)."""
    rule = RULES.pop(name)
    if rule.method is not None and rule.method in FloatMath.__dict__:
        delattr(FloatMath, rule.method)
    for hook in _ON_REGISTER:
        hook(rule)  # a hook sees that the rule is no longer in RULES


def on_register(hook: Callable[[Rule], None]) -> None:
    """Call ``hook(rule)`` for every rule registered (and unregistered) from now on, and now for
    every rule already in the table."""
    _ON_REGISTER.append(hook)
    for rule in list(RULES.values()):
        hook(rule)


_TABLE = (
    Rule(
        "add", "+", -1,
        lambda *xs: sum(xs, 0.0),
        lambda m, out, *xs: (1.0,) * len(xs),
        "d/dxi (x1 + x2 + ...) = 1",
        doc="`a + b`; `Value.sum(values)` makes one node of many terms",
    ),
    Rule(
        "sub", "-", 2,
        sub,
        lambda m, out, a, b: (1.0, -1.0),
        "d/da (a - b) = 1,  d/db (a - b) = -1",
        doc="`a - b`",
    ),
    Rule(
        "mul", "*", 2,
        mul,
        lambda m, out, a, b: (b, a),
        "d/da (a * b) = b,  d/db (a * b) = a",
        doc="`a * b`",
    ),
    Rule(
        "div", "/", 2,
        _f_div,
        lambda m, out, a, b: (m.div(1.0, b), m.div(-out, b)),
        "d/da (a / b) = 1/b,  d/db (a / b) = -a/b^2",
        "b != 0",
        doc="`a / b`",
    ),
    Rule(
        "neg", "neg", 1,
        lambda x: -x,
        lambda m, out, x: (-1.0,),
        "d/dx (-x) = -1",
        doc="`-x`",
    ),
    Rule(
        "pow", "**", 2,
        _f_pow,
        # At a = b = 0, b * a**(b-1) would be 0 * inf: nothing flows to a there, as in PyTorch
        # (elsewhere the formula gives 0 at b = 0 and keeps its slope in b for second
        # derivatives). 0**b is the constant 0 for b > 0, so nothing flows to b at a = 0 (as in
        # PyTorch); d/db a**b = a**b * log(a) is not real for a < 0 (nan).
        lambda m, out, a, b: (
            None if _is_zero(a) and _is_zero(b) else b * m.pow(a, b - 1),
            out * m.log(a) if a > 0 else (None if a >= 0 and b >= 0 else math.nan),
        ),
        "d/da a**b = b * a**(b-1),  d/db a**b = a**b * log(a)",
        "a > 0, or a == 0 and b >= 0, or a < 0 and b an integer",
        doc="`a ** b` (two Values)",
    ),
    Rule(
        "pow_const", "**", 1,
        _f_pow,
        lambda m, out, x, k: (None,) if k == 0 else (k * m.pow(x, k - 1),),
        "d/dx x**k = k * x**(k-1)",
        "x > 0, or x == 0 and k >= 0, or x < 0 and k an integer",
        doc="`x ** k` (k a number)",
    ),
    Rule(
        "rpow_const", "**", 1,
        lambda x, k: _f_pow(k, x),
        lambda m, out, x, k: (
            out * math.log(k) if k > 0 else (None if k == 0 and x >= 0 else math.nan),
        ),
        "d/dx k**x = k**x * log(k)",
        "k > 0, or k == 0 and x >= 0, or k < 0 and x an integer",
        doc="`k ** x` (k a number)",
    ),
    Rule(
        "exp", "exp", 1,
        _f_exp,
        lambda m, out, x: (out,),
        "d/dx exp(x) = exp(x)",
        "x <= 709.78 (larger overflows a float)",
        method="exp", doc="e to the power x",
    ),
    Rule(
        "log", "log", 1,
        _f_log,
        lambda m, out, x: (m.div(1.0, x),),
        "d/dx log(x) = 1/x",
        "x > 0",
        method="log", doc="natural logarithm",
    ),
    Rule(
        "relu", "relu", 1,
        _f_relu,
        # None: nothing flows back where relu is the constant 0, whatever the upstream gradient
        lambda m, out, x: (None if x <= 0 else 1.0,),
        "d/dx relu(x) = 1 if x > 0 else 0",
        method="relu", activation=True, doc="max(0, x)",
    ),
    Rule(
        "tanh", "tanh", 1,
        math.tanh,
        lambda m, out, x: (1.0 - out * out,),
        "d/dx tanh(x) = 1 - tanh(x)^2",
        method="tanh", activation=True, doc="hyperbolic tangent, in (-1, 1); never overflows",
    ),
    Rule(
        "sigmoid", "sigmoid", 1,
        _f_sigmoid,
        lambda m, out, x: (out * (1.0 - out),),
        "d/dx sigmoid(x) = sigmoid(x) * (1 - sigmoid(x))",
        method="sigmoid", activation=True, doc="1 / (1 + e^-x), in (0, 1); never overflows",
    ),
    Rule(
        "leaky_relu", "leaky_relu", 1,
        lambda x, slope: x if x > 0 else slope * x,
        lambda m, out, x, slope: (1.0 if x > 0 else slope,),
        "d/dx leaky_relu(x) = 1 if x > 0 else slope",
        method="leaky_relu", params=(("slope", 0.01),), activation=True,
        doc="x for x > 0, else slope * x",
    ),
    Rule(
        "sqrt", "sqrt", 1,
        _f_sqrt,
        lambda m, out, x: (m.div(0.5, out),),
        "d/dx sqrt(x) = 1 / (2 sqrt(x))",
        "x >= 0",
        method="sqrt", doc="square root",
    ),
    Rule(
        "abs", "abs", 1,
        abs,
        lambda m, out, x: (
            1.0 if x > 0 else (-1.0 if x < 0 else (0.0 if x >= 0 else math.nan)),
        ),
        "d/dx |x| = sign(x)  (0 at x = 0)",
        method="abs", doc="absolute value |x|",
    ),
    Rule(
        "sin", "sin", 1,
        _f_sin,
        lambda m, out, x: (m.cos(x),),
        "d/dx sin(x) = cos(x)",
        method="sin", doc="sine",
    ),
    Rule(
        "cos", "cos", 1,
        _f_cos,
        lambda m, out, x: (-m.sin(x),),
        "d/dx cos(x) = -sin(x)",
        method="cos", doc="cosine",
    ),
    Rule(
        "linear", "linear", -1,
        _f_linear,
        # inputs are laid out (x1..xn, w1..wn, b): the slope for each x is its w and vice versa.
        lambda m, out, *a: a[len(a) // 2 : -1] + a[: len(a) // 2] + (1.0,),
        "d/dxi (sum_i wi*xi + b) = wi,  d/dwi = xi,  d/db = 1",
        doc="`Value.linear(xs, ws, b)`: a neuron's weighted sum as one node",
    ),
)  # fmt: skip

for _rule in _TABLE:
    register(_rule)


class _LiveNames(AbstractSet[str]):
    """The names of the rules that ``pick`` selects, read from the table at each use."""

    def __init__(self, pick: Callable[[Rule], bool]) -> None:
        self._pick = pick

    def _names(self) -> list[str]:
        return [name for name, rule in RULES.items() if self._pick(rule)]

    def __contains__(self, name: object) -> bool:
        rule = RULES.get(name) if isinstance(name, str) else None
        return rule is not None and self._pick(rule)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        return f"{{{', '.join(map(repr, self._names()))}}}"


#: The names of the rules offered as a neuron's activation (``rule.activation``), live.
ACTIVATIONS: AbstractSet[str] = _LiveNames(lambda rule: rule.activation)


def functions() -> dict[str, Rule]:
    """The rules that are functions of a Value (``x.exp()``), by method name, in table order."""
    return {rule.method: rule for rule in RULES.values() if rule.method is not None}


def markdown_table() -> str:
    """The README's table of ops, made from the table (``tests/test_docs.py`` checks the README)."""
    rows = ["| op | what it is | local derivatives | defined for |", "|---|---|---|---|"]
    for rule in RULES.values():
        what = rule.doc
        if rule.method is not None:
            args = ", ".join(f"{p}={d:g}" for p, d in rule.params)
            what = f"`x.{rule.method}({args})`: {what}"
        cells = [rule.name, what, f"`{rule.formula}`", rule.domain]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def linear_order(n: int) -> list[int]:
    """The order in which a linear node of ``n`` inputs adds its chain-rule terms, as positions in
    its inputs ``(x1..xn, w1..wn, b)``: x1, w1, x2, w2, ..., b (the fused backward's order)."""
    return [i + half for i in range(n) for half in (0, n)] + [2 * n]


def op_label(rule: Rule, aux: float | None) -> str:
    """The op name a diagram shows: ``'**2'`` for x**2, ``'3**'`` for 3**x, else the symbol."""
    if rule.name == "pow_const" and aux is not None:
        return f"**{_fmt(aux)}"
    if rule.name == "rpow_const" and aux is not None:
        return f"{_fmt(aux)}**"
    return rule.symbol
