"""Local derivatives written with the nodes' names, read from the op table: ``∂f/∂q = z``.

The op table (``autograd.rules``) writes every partial derivative with ordinary arithmetic and a
small maths namespace ``m``, so the same rule runs on floats (``m = FloatMath``) and on Values
(``m = Value``, for ``create_graph``). Here it runs a third time, on :class:`Sym` objects: each
carries a piece of text and its number, and arithmetic on them builds both. ``mul``'s partials
``(b, a)`` come back as the other input's name, ``tanh``'s ``1.0 - out * out`` as ``1 - o²``.

Because the text is computed by the very function ``backward()`` evaluates, the explorer page
can never name a derivative the engine does not use. There is no second, hand-written table.
"""

from __future__ import annotations

import math
from typing import Any

from .._compact import operands as _operands
from ..engine import Value
from ..explain import format_number
from ..rules import FloatMath

__all__ = ["Sym", "SymMath", "local_symbols"]

# Operator precedence of a piece of text, to know when it needs brackets.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5
_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _number(x: float) -> Sym:
    text = format_number(x, "g")
    return Sym(text, x, _UNARY if text.startswith("-") else _ATOM)


def _sym(x: Any) -> Sym:
    return x if isinstance(x, Sym) else _number(float(x))


class Sym:
    """A number that also knows how to write itself: ``text`` (e.g. ``'1 - o²'``) and ``value``.

    Arithmetic with other Syms or plain numbers gives a new Sym; comparisons compare the values,
    so a partial with a branch (``1.0 if x > 0 else 0.0`` for relu) takes the branch the number
    takes. A few identities keep the text the way a person writes it: ``1·x = x``, ``x·x = x²``,
    ``x**1 = x``.
    """

    __slots__ = ("text", "value", "prec")

    def __init__(self, text: str, value: float, prec: int = _ATOM) -> None:
        self.text = text
        self.value = value
        self.prec = prec

    def __repr__(self) -> str:
        return f"Sym({self.text!r}, {self.value!r})"

    def __str__(self) -> str:
        return self.text

    def __float__(self) -> float:
        return self.value

    def _wrap(self, prec: int) -> str:
        return f"({self.text})" if self.prec < prec else self.text

    def _is(self, number: float) -> bool:
        return self.prec >= _UNARY and self.text == format_number(number, "g")

    # -- arithmetic ---------------------------------------------------------------------------

    def __add__(self, other: Any) -> Sym:
        o = _sym(other)
        if o._is(0):
            return self
        if self._is(0):
            return o
        if o.text.startswith("-") and o.prec >= _UNARY:
            return Sym(f"{self.text} - {o.text[1:]}", self.value + o.value, _SUM)
        return Sym(f"{self.text} + {o.text}", self.value + o.value, _SUM)

    def __radd__(self, other: Any) -> Sym:
        return _sym(other) + self

    def __sub__(self, other: Any) -> Sym:
        o = _sym(other)
        if o._is(0):
            return self
        return Sym(f"{self.text} - {o._wrap(_PRODUCT)}", self.value - o.value, _SUM)

    def __rsub__(self, other: Any) -> Sym:
        return _sym(other) - self

    def __mul__(self, other: Any) -> Sym:
        o = _sym(other)
        if self._is(1):
            return o
        if o._is(1):
            return self
        if self.text == o.text and self.prec == _ATOM:  # x·x is x²
            return self**2
        return Sym(f"{self._wrap(_PRODUCT)}·{o._wrap(_UNARY)}", self.value * o.value, _PRODUCT)

    def __rmul__(self, other: Any) -> Sym:
        return _sym(other) * self

    def __truediv__(self, other: Any) -> Sym:
        o = _sym(other)
        if o._is(1):
            return self
        value = self.value / o.value if o.value != 0 else math.nan
        return Sym(f"{self._wrap(_PRODUCT)}/{o._wrap(_POWER)}", value, _PRODUCT)

    def __rtruediv__(self, other: Any) -> Sym:
        return _sym(other) / self

    def __neg__(self) -> Sym:
        if self.text.startswith("-") and self.prec >= _UNARY:
            return Sym(self.text[1:], -self.value, _ATOM)
        return Sym(f"-{self._wrap(_UNARY)}", -self.value, _UNARY)

    def __pow__(self, other: Any) -> Sym:
        o = _sym(other)
        if o._is(1):
            return self
        value = _float_pow(self.value, o.value)
        if o.prec == _ATOM and o.text.isdigit():
            return Sym(f"{self._wrap(_ATOM)}{o.text.translate(_SUPERSCRIPTS)}", value, _POWER)
        return Sym(f"{self._wrap(_ATOM)}^{o._wrap(_ATOM)}", value, _POWER)

    # -- comparisons (by value: a rule's branch follows the number) ----------------------------

    def __gt__(self, other: Any) -> bool:
        return self.value > float(other)

    def __ge__(self, other: Any) -> bool:
        return self.value >= float(other)

    def __lt__(self, other: Any) -> bool:
        return self.value < float(other)

    def __le__(self, other: Any) -> bool:
        return self.value <= float(other)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (Sym, int, float)) and self.value == float(other)

    __hash__ = None  # type: ignore[assignment]


def _float_pow(x: float, k: float) -> float:
    if x == 0 and k < 0:
        return math.inf
    try:
        result = x**k
    except (OverflowError, ZeroDivisionError):
        return math.nan
    return result if isinstance(result, float) else math.nan  # a complex result: not real


def _call(name: str, x: Any, fn: Any) -> Sym:
    s = _sym(x)
    try:
        value = float(fn(s.value))
    except (ValueError, OverflowError, ZeroDivisionError):
        value = math.nan
    return Sym(f"{name}({s.text})", value, _ATOM)


class _SymMath:
    """The maths namespace ``m`` of the op table's partials, for :class:`Sym` arguments.

    A one-input function (``m.exp``, ``m.cos``, ...) is whichever ``FloatMath`` has, which is
    every one-input op of the table (see ``rules.register``): an op added to the table is written
    symbolically with no change here. ``div`` and ``pow`` are the two-input helpers.
    """

    def __getattr__(self, name: str) -> Any:
        fn = getattr(FloatMath, name)  # AttributeError for a name the table does not have
        return lambda x: _call(name, x, fn)

    @staticmethod
    def div(a: Any, b: Any) -> Sym:
        return _sym(a) / _sym(b)

    @staticmethod
    def pow(x: Any, k: Any) -> Sym:
        if isinstance(x, Sym) or isinstance(k, Sym):
            return _sym(x) ** _sym(k)
        return _number(_float_pow(float(x), float(k)))


SymMath = _SymMath()


def local_symbols(node: Value, names: dict[Value, str]) -> list[str] | None:
    """d(node)/d(child) for each child in ``node._prev``, written with the nodes' names.

    ``names`` is :func:`autograd.explain.node_names` of the graph. For ``f = q * z`` this is
    ``['z', 'q']``; for ``o = tanh(n)`` it is ``['1 - o²']``. A leaf gives ``[]``; a node built by
    hand with its own ``_backward`` (no entry in the op table) gives None.
    """
    prev = node._prev  # first: reading it may turn a folded constant into a leaf (see Value._prev)
    rule = node._rule
    if rule is None:
        return [] if not prev else None
    out = Sym(names[node], node.data)
    args = _operands(node, [Sym(names[c], c.data) for c in prev])
    # None: nothing flows back there (relu at x <= 0, see rules.py), shown as the slope 0
    return ["0" if d is None else str(_sym(d)) for d in rule.partials(SymMath, out, *args)]
