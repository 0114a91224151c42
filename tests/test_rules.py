"""Every entry of the op table ``autograd.rules.RULES``, checked automatically.

``CASES`` maps each rule name to a hypothesis strategy for inputs inside that op's domain (kept a
margin away from kinks and singularities, so a finite difference never straddles one) and to the
public ``Value`` expression that makes that op. A test asserts that its keys equal ``RULES``' keys:
a new op without a strategy here fails the suite.

What each test compares against:

1. first derivatives, from ``backward()`` and from ``grad()``: central differences of the rule's
   own float ``forward``, computed here (independent of the rule's ``partials``);
2. the fused ``rule.backward``: the generic ``rule.partials`` (they must agree);
3. second derivatives from ``grad(..., create_graph=True)``: central differences of the first
   derivative (``grad()`` on floats), one row of the Hessian per input;
4. ``rule.forward`` on floats and the node's ``.data``: a closed form with the ``math`` module.

Tolerances. A central difference with step h has truncation error ~ h^2 |f'''| / 6 and rounding
error ~ 2^-53 |f| / h. With h = 1e-6 * max(1, |x|) and the bounded domains below, both stay below
1e-7 relative to max(1, |f|, |f'|), so ``_close`` uses 1e-6 of that scale: a wrong derivative is off
by O(1) of the same scale and cannot pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from autograd import Value, grad
from autograd.engine import local_grads
from autograd.rules import RULES, FloatMath, Rule

# Reproducible and database-free: the same examples on every machine and every run.
settings.register_profile(
    "rules",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SETTINGS = settings.get_profile("rules")

Floats = tuple[float, ...]


def real(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


def away_from_zero(margin: float, bound: float) -> st.SearchStrategy[float]:
    """A float in [-bound, -margin] or [margin, bound]: a kink at 0 is never within reach of h."""
    return st.one_of(real(margin, bound), real(-bound, -margin))


@dataclass(frozen=True)
class Case:
    """How to test one rule.

    ``inputs`` draws ``(args, consts)``: ``args`` are the differentiable inputs (one Value each),
    ``consts`` the op's constant parameter (an exponent, a base, a slope) or ``()``.
    ``build`` makes the node through the public Value API; ``closed_form`` is the forward written
    with the ``math`` module, as independent of the rule's own code as the op allows.
    """

    inputs: st.SearchStrategy[tuple[Floats, Floats]]
    build: Callable[[Sequence[Value], Floats], Value]
    closed_form: Callable[[Floats, Floats], float]


def args(*strategies: st.SearchStrategy[float]) -> st.SearchStrategy[tuple[Floats, Floats]]:
    return st.tuples(st.tuples(*strategies), st.just(()))


def args_and_const(
    arg: st.SearchStrategy[float], const: st.SearchStrategy[float]
) -> st.SearchStrategy[tuple[Floats, Floats]]:
    return st.tuples(st.tuples(arg), st.tuples(const))


def n_args(n_min: int, n_max: int, per_n: Callable[[int], int]) -> Any:
    """A tuple of per_n(n) floats in [-5, 5] for n in [n_min, n_max] (for n-ary ops)."""
    return st.integers(n_min, n_max).flatmap(
        lambda n: st.tuples(
            st.lists(real(-5, 5), min_size=per_n(n), max_size=per_n(n)).map(tuple), st.just(())
        )
    )


def _linear_closed_form(a: Floats, _: Floats) -> float:
    n = len(a) // 2
    return math.fsum([*(a[i] * a[n + i] for i in range(n)), a[-1]])


def _tanh_closed_form(a: Floats, _: Floats) -> float:
    # (e^2x - 1) / (e^2x + 1), written with expm1 so that small x keeps its digits
    e = math.expm1(2.0 * a[0])
    return e / (e + 2.0)


# A negative base is in pow_const's domain only with an integer exponent.
_POW_CONST_INPUTS = st.one_of(
    args_and_const(real(0.2, 5.0), real(-3.0, 3.0)),
    args_and_const(away_from_zero(0.2, 5.0), st.integers(-3, 4).map(float)),
)

CASES: dict[str, Case] = {
    "add": Case(
        n_args(1, 5, lambda n: n),
        lambda v, c: Value.sum(v),
        lambda a, c: math.fsum(a),
    ),
    "sub": Case(args(real(-5, 5), real(-5, 5)), lambda v, c: v[0] - v[1], lambda a, c: a[0] - a[1]),
    "mul": Case(args(real(-5, 5), real(-5, 5)), lambda v, c: v[0] * v[1], lambda a, c: a[0] * a[1]),
    "div": Case(
        args(real(-5, 5), away_from_zero(0.5, 5.0)),
        lambda v, c: v[0] / v[1],
        lambda a, c: a[0] / a[1],
    ),
    "neg": Case(args(real(-5, 5)), lambda v, c: -v[0], lambda a, c: -a[0]),
    # a > 0 keeps d/db = a^b log(a) real (a negative base needs an integer b, a point set in b)
    "pow": Case(
        args(real(0.2, 5.0), real(-3.0, 3.0)),
        lambda v, c: v[0] ** v[1],
        lambda a, c: math.pow(a[0], a[1]),
    ),
    "pow_const": Case(
        _POW_CONST_INPUTS, lambda v, c: v[0] ** c[0], lambda a, c: math.pow(a[0], c[0])
    ),
    "rpow_const": Case(
        args_and_const(real(-3.0, 3.0), real(0.2, 5.0)),
        lambda v, c: c[0] ** v[0],
        lambda a, c: math.pow(c[0], a[0]),
    ),
    "exp": Case(args(real(-10, 10)), lambda v, c: v[0].exp(), lambda a, c: math.exp(a[0])),
    "log": Case(args(real(0.1, 50.0)), lambda v, c: v[0].log(), lambda a, c: math.log(a[0])),
    "tanh": Case(args(real(-5, 5)), lambda v, c: v[0].tanh(), _tanh_closed_form),
    "sigmoid": Case(
        args(real(-10, 10)),
        lambda v, c: v[0].sigmoid(),
        lambda a, c: 1.0 / (1.0 + math.exp(-a[0])),
    ),
    "relu": Case(
        args(away_from_zero(0.1, 5.0)), lambda v, c: v[0].relu(), lambda a, c: max(a[0], 0.0)
    ),
    "leaky_relu": Case(
        args_and_const(away_from_zero(0.1, 5.0), real(0.0, 0.9)),
        lambda v, c: v[0].leaky_relu(c[0]),
        # for 0 <= slope < 1, leaky_relu(x) = max(x, slope * x)
        lambda a, c: max(a[0], c[0] * a[0]),
    ),
    "sqrt": Case(args(real(0.1, 50.0)), lambda v, c: v[0].sqrt(), lambda a, c: math.sqrt(a[0])),
    "abs": Case(
        args(away_from_zero(0.1, 5.0)), lambda v, c: v[0].abs(), lambda a, c: math.fabs(a[0])
    ),
    "sin": Case(args(real(-10, 10)), lambda v, c: v[0].sin(), lambda a, c: math.sin(a[0])),
    "cos": Case(args(real(-10, 10)), lambda v, c: v[0].cos(), lambda a, c: math.cos(a[0])),
    "linear": Case(
        n_args(1, 4, lambda n: 2 * n + 1),
        lambda v, c: Value.linear(v[: len(v) // 2], v[len(v) // 2 : -1], v[-1]),
        _linear_closed_form,
    ),
}

NAMES = sorted(RULES)
FUSED = sorted(name for name, rule in RULES.items() if rule.backward is not None)


# --------------------------------------------------------------------------------------------------
# Helpers: the truths the tests compare against
# --------------------------------------------------------------------------------------------------


def forward(rule: Rule, a: Floats, c: Floats) -> float:
    """The rule's own float forward, with the op's constant appended as the engine passes it.

    ``linear``'s forward takes ``(xs, ws, b)`` as Values (it reads their ``.data`` in place); every
    other forward takes its inputs as positional floats.
    """
    if rule.name == "linear":
        n = len(a) // 2
        vs = [Value(x) for x in a]
        return float(rule.forward(vs[:n], vs[n:-1], vs[-1]))
    return float(rule.forward(*a, *c))


def central_difference(f: Callable[[Floats], float], a: Floats, i: int) -> float:
    """(f(a + h e_i) - f(a - h e_i)) / 2h, h scaled to |a_i|; error O(h^2) + O(2^-53 |f| / h)."""
    h = 1e-6 * max(1.0, abs(a[i]))
    hi = list(a)
    lo = list(a)
    hi[i] += h
    lo[i] -= h
    return (f(tuple(hi)) - f(tuple(lo))) / (hi[i] - lo[i])


def _close(actual: float, expected: float, scale: float) -> bool:
    return abs(actual - expected) <= 1e-6 * max(1.0, abs(scale), abs(expected))


def build(name: str, a: Floats, c: Floats) -> tuple[list[Value], Value]:
    leaves = [Value(x) for x in a]
    out = CASES[name].build(leaves, c)
    # the public expression really makes this rule's node, with the leaves as its inputs
    assert out._rule is RULES[name], (name, out._op)
    assert out._prev == tuple(leaves)
    return leaves, out


def first_derivatives(name: str, a: Floats, c: Floats) -> list[float]:
    """d out / d input_i for each input, from grad() on floats."""
    leaves, out = build(name, a, c)
    return list(grad(out, leaves))


# --------------------------------------------------------------------------------------------------
# The table is fully covered
# --------------------------------------------------------------------------------------------------


def test_every_rule_has_a_strategy_and_no_strategy_is_stale() -> None:
    assert set(CASES) == set(RULES)


def test_rules_are_well_formed() -> None:
    for name, rule in RULES.items():
        assert rule.name == name
        assert rule.arity == -1 or rule.arity >= 1
        assert rule.formula and rule.domain


def test_some_rules_have_a_fused_backward() -> None:
    # otherwise test_fused_backward_agrees_with_partials would check nothing
    assert {"add", "mul", "tanh"} <= set(FUSED)


# --------------------------------------------------------------------------------------------------
# (1) first derivatives vs central differences of the rule's own forward
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_first_derivatives_match_central_differences(name: str, data: st.DataObject) -> None:
    a, c = data.draw(CASES[name].inputs, label="args, consts")
    rule = RULES[name]
    leaves, out = build(name, a, c)
    out.backward()
    by_backward = [leaf.grad for leaf in leaves]
    by_grad = first_derivatives(name, a, c)
    f_a = forward(rule, a, c)
    for i in range(len(a)):
        numeric = central_difference(lambda p: forward(rule, p, c), a, i)
        assert _close(by_backward[i], numeric, f_a), (name, a, c, i, by_backward[i], numeric)
        assert _close(by_grad[i], numeric, f_a), (name, a, c, i, by_grad[i], numeric)


# --------------------------------------------------------------------------------------------------
# (2) the fused backward and the generic partials agree
# --------------------------------------------------------------------------------------------------


def _push_with_partials(out: Value, rule: Rule, leaves: Sequence[Value]) -> None:
    """child.grad += out.grad * partial, evaluated straight from ``rule.partials`` on floats."""
    operands = [leaf.data for leaf in out._prev]
    if out._param is not None and rule.name != "linear":  # linear's _param holds inputs of _prev
        operands.append(out._param)
    for child, d in zip(out._prev, rule.partials(FloatMath, out.data, *operands)):
        if d is not None:  # None: nothing flows back (relu at x <= 0)
            child.grad += out.grad * d


@pytest.mark.parametrize("name", FUSED)
@SETTINGS
@given(data=st.data(), seed=real(-3.0, 3.0), shared=st.booleans())
def test_fused_backward_agrees_with_partials(
    name: str, data: st.DataObject, seed: float, shared: bool
) -> None:
    a, c = data.draw(CASES[name].inputs, label="args, consts")
    rule = RULES[name]
    assert rule.backward is not None
    if shared:
        # every input is the SAME Value: the fused code must accumulate, not overwrite
        leaf = Value(a[0])
        leaves = [leaf] * len(a)
        out = CASES[name].build(leaves, c)
    else:
        leaves, out = build(name, a, c)
    out.grad = seed
    rule.backward(out)
    fused = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = 0.0
    _push_with_partials(out, rule, leaves)
    generic = [leaf.grad for leaf in leaves]
    assert fused == pytest.approx(generic, rel=1e-12, abs=1e-300)
    # and local_grads (what the diagrams read from the table) gives the same slopes
    slopes = local_grads(out)
    assert len(slopes) == len(leaves)
    if shared:
        assert fused[0] == pytest.approx(seed * math.fsum(slopes), rel=1e-12, abs=1e-300)
    else:
        assert fused == pytest.approx([seed * d for d in slopes], rel=1e-12, abs=1e-300)
    assert out.grad == seed  # pushing never changes the node's own grad


# --------------------------------------------------------------------------------------------------
# (3) second derivatives through create_graph vs central differences of the first derivative
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_second_derivatives_match_central_differences(name: str, data: st.DataObject) -> None:
    a, c = data.draw(CASES[name].inputs, label="args, consts")
    leaves, out = build(name, a, c)
    firsts = grad(out, leaves, create_graph=True)
    for i, g in enumerate(firsts):
        assert isinstance(g, Value)
        # a first derivative that is constant (e.g. of x + y) is a leaf unconnected to the inputs
        row = grad(g, leaves, allow_unused=True)
        first_i = first_derivatives(name, a, c)[i]
        assert g.data == pytest.approx(first_i, rel=1e-12, abs=1e-300)
        for j in range(len(a)):
            numeric = central_difference(lambda p, i=i: first_derivatives(name, p, c)[i], a, j)
            analytic = 0.0 if row[j] is None else row[j]
            assert _close(analytic, numeric, first_i), (name, a, c, i, j, analytic, numeric)


# --------------------------------------------------------------------------------------------------
# (4) forward on floats vs the math module's closed form
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_forward_matches_closed_form(name: str, data: st.DataObject) -> None:
    a, c = data.draw(CASES[name].inputs, label="args, consts")
    expected = CASES[name].closed_form(a, c)
    by_rule = forward(RULES[name], a, c)
    _, out = build(name, a, c)
    assert by_rule == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert out.data == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert type(out.data) is float


# --------------------------------------------------------------------------------------------------
# Behaviour the table must give through Value, whatever the engine's node layout
# --------------------------------------------------------------------------------------------------

ONE_INPUT_OPS: dict[str, Callable[[Value], Value]] = {
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "leaky_relu": lambda x: x.leaky_relu(0.1),
    "sqrt": Value.sqrt,
    "abs": abs,
    "sin": Value.sin,
    "cos": Value.cos,
    "neg": lambda x: -x,
    "x**k": lambda x: x**3,
    "k**x": lambda x: 2.0**x,
    "x+c": lambda x: x + 2.0,
    "c+x": lambda x: 2.0 + x,
    "x-c": lambda x: x - 2.0,
    "c-x": lambda x: 2.0 - x,
    "x*c": lambda x: x * 3.0,
    "c*x": lambda x: 3.0 * x,
    "x/c": lambda x: x / 4.0,
    "c/x": lambda x: 4.0 / x,
}


@pytest.mark.parametrize("name", ONE_INPUT_OPS)
def test_an_input_used_twice_gets_the_sum_of_both_paths(name: str) -> None:
    # f(x) + x: the '+' gives x its 1 first, then f's node must ADD f'(x) to it, not overwrite it
    op = ONE_INPUT_OPS[name]
    x = Value(0.7)
    op(x).backward()
    alone = x.grad
    y = Value(0.7)
    (op(y) + y).backward()
    assert y.grad == pytest.approx(alone + 1.0, rel=1e-15)


def test_float_math_divides_by_zero_as_ieee_does() -> None:
    assert FloatMath.div(3.0, 2.0) == 1.5
    assert FloatMath.div(0.5, 0.0) == math.inf
    assert FloatMath.div(0.5, -0.0) == -math.inf
    assert FloatMath.div(-2.0, 0.0) == -math.inf
    assert FloatMath.div(-2.0, -0.0) == math.inf
    assert math.isnan(FloatMath.div(0.0, 0.0))


def test_float_math_power_of_zero() -> None:
    assert FloatMath.pow(2.0, 3.0) == 8.0
    assert FloatMath.pow(0.0, 0.0) == 1.0
    assert FloatMath.pow(0.0, 0.5) == 0.0
    assert FloatMath.pow(0.0, -1.0) == math.inf
    assert FloatMath.pow(0.0, -0.5) == math.inf


def test_powers_and_roots_at_zero() -> None:
    # forward: 0**0 = 1 and 0**0.5 = 0 are defined; slopes: d/dx x = 1, d/dx x**1.5 = 1.5 sqrt(x)
    # = 0, d/dx sqrt(x) = 1/(2 sqrt(x)) -> +inf at 0
    assert (Value(0.0) ** 0).data == 1.0
    for k, slope in ((1, 1.0), (1.5, 0.0), (2, 0.0)):
        x = Value(0.0)
        y = x**k
        y.backward()
        assert (y.data, x.grad) == (0.0, slope)
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf
    with pytest.raises(ValueError, match=r"^power: negative base -8.0 to the non-integer power"):
        Value(-8.0) ** (1 / 3)
