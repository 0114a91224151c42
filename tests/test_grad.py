"""grad(), higher-order derivatives, and composite expressions (gradcheck: test_gradcheck.py).

What each test compares against:

* ``grad()``'s contract (tuple result, ``.grad`` untouched, ``grad_outputs``, ``allow_unused``,
  errors): the behaviour of ``torch.autograd.grad`` that the engine specification adopts, with the
  gradients themselves derived by hand in the test;
* higher-order derivatives: closed forms derived by hand, e.g. d^2/dx^2 x^3 = 6x,
  d^2/dx^2 tanh x = -2 tanh x (1 - tanh^2 x), d^2/dxdy (x y sin x) = sin x + x cos x;
* ``gradcheck``/``gradgradcheck``: a function whose analytic gradient is right (True) and one whose
  analytic gradient is honestly wrong because part of the computation is hidden from the graph
  with ``detach()`` (the forward depends on x through a path the gradient never sees);
* composite expressions with every operator and r-operator: central differences of the same
  expression evaluated on plain Python floats with the ``math`` module (no Value involved).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value, grad
from autograd.engine import ValueMath, topological_order
from autograd.rules import FloatMath

# --------------------------------------------------------------------------------------------------
# grad(): the functional form
# --------------------------------------------------------------------------------------------------


def test_grad_returns_a_tuple_of_floats_and_leaves_grad_untouched() -> None:
    # f = x^2 y:  df/dx = 2xy = 12,  df/dy = x^2 = 4
    x, y = Value(2.0), Value(3.0)
    f = x**2 * y
    result = grad(f, [x, y])
    assert isinstance(result, tuple)
    assert result == (12.0, 4.0)
    assert all(type(g) is float for g in result)
    assert (x.grad, y.grad, f.grad) == (0.0, 0.0, 0.0)


def test_grad_does_not_disturb_existing_grads() -> None:
    x = Value(2.0)
    f = x * 5.0
    f.backward()
    assert x.grad == 5.0
    assert grad(f, x) == (5.0,)
    assert x.grad == 5.0


def test_grad_of_a_single_input_is_a_one_tuple() -> None:
    x = Value(0.3)
    (g,) = grad(x.sin(), x)
    assert g == pytest.approx(math.cos(0.3), rel=1e-15)


def test_grad_with_several_outputs_sums_their_gradients() -> None:
    # d/dx (x^2 + 3x) = 2x + 3 = 7 at x = 2;  d/dy (x y) = x = 2
    x, y = Value(2.0), Value(-1.0)
    out1 = x**2
    out2 = 3.0 * x + x * y
    assert grad([out1, out2], [x, y]) == (4.0 + 3.0 - 1.0, 2.0)


def test_grad_outputs_weight_each_output() -> None:
    # 0.5 * d(x^2)/dx + 2 * d(3x)/dx = 0.5 * 4 + 2 * 3 = 8
    x = Value(2.0)
    assert grad([x**2, 3.0 * x], [x], grad_outputs=[0.5, 2.0]) == (8.0,)
    assert grad(x**2, x, grad_outputs=3.0) == (12.0,)


def test_grad_outputs_length_must_match() -> None:
    x = Value(2.0)
    with pytest.raises(ValueError, match="grad: got 1 grad_outputs for 2 outputs"):
        grad([x * 2.0, x * 3.0], x, grad_outputs=[1.0])


def test_unused_input_is_an_error_unless_allowed() -> None:
    x, unused = Value(1.0), Value(2.0)
    f = x * 3.0
    with pytest.raises(ValueError, match="allow_unused"):
        grad(f, [x, unused])
    assert grad(f, [x, unused], allow_unused=True) == (3.0, None)


def test_grad_of_an_intermediate_node() -> None:
    # f = q z with q = x + y:  df/dq = z
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    assert grad(f, [q, x]) == (-4.0, -4.0)


def test_grad_refuses_non_values_in_sequences_naming_the_position() -> None:
    x = Value(1.0)
    f = x * 2.0
    for outputs, inputs, position in [
        ([f], [x, "nope"], "inputs[1]"),
        ([f, None], [x], "outputs[1]"),
        ([2.0], [x], "outputs[0]"),
    ]:
        with pytest.raises(TypeError) as info:
            grad(outputs, inputs)  # type: ignore[arg-type]
        assert position in str(info.value)


@pytest.mark.parametrize(
    ("outputs", "inputs"),
    [(1.0, "x"), ("f", 2.0)],
    ids=["output is a float", "input is a float"],
)
def test_grad_refuses_a_bare_non_value_naming_grad_and_the_type(outputs: Any, inputs: Any) -> None:
    # House rule: a clear TypeError naming the operation and what was given, not a bare
    # "'float' object is not iterable" from inside the implementation.
    x = Value(1.0)
    named = {"x": x, "f": x * 2.0}
    with pytest.raises(TypeError) as info:
        grad(named.get(outputs, outputs), named.get(inputs, inputs))
    message = str(info.value)
    assert "grad" in message and "float" in message, message


def test_grad_refuses_a_hand_built_node() -> None:
    x = Value(2.0)
    y = Value(4.0, (x,), "square")

    def _backward() -> None:
        x.grad += 2.0 * x.data * y.grad

    y._backward = _backward
    with pytest.raises(TypeError, match="square"):
        grad(y, x)


# --------------------------------------------------------------------------------------------------
# Higher order, through create_graph=True
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("x0", [-1.5, 0.5, 2.0])
def test_second_derivative_of_cube(x0: float) -> None:
    x = Value(x0)
    (dy,) = grad(x**3, x, create_graph=True)
    assert isinstance(dy, Value)
    assert dy.data == pytest.approx(3.0 * x0**2, rel=1e-15)
    (d2y,) = grad(dy, x)
    assert d2y == pytest.approx(6.0 * x0, rel=1e-15)


@pytest.mark.parametrize("x0", [-2.0, -0.3, 0.0, 0.7, 1.9])
def test_second_derivative_of_tanh(x0: float) -> None:
    x = Value(x0)
    (dy,) = grad(x.tanh(), x, create_graph=True)
    (d2y,) = grad(dy, x)
    t = math.tanh(x0)
    assert dy.data == pytest.approx(1.0 - t * t, rel=1e-14)
    assert d2y == pytest.approx(-2.0 * t * (1.0 - t * t), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("x0", "y0"), [(0.4, -1.3), (2.0, 3.0), (-1.1, 0.5)])
def test_mixed_partials_of_x_y_sin_x(x0: float, y0: float) -> None:
    # f = x y sin x:  df/dx = y (sin x + x cos x),  df/dy = x sin x,
    # d2f/dydx = d2f/dxdy = sin x + x cos x,  d2f/dx2 = y (2 cos x - x sin x),  d2f/dy2 = 0
    x, y = Value(x0), Value(y0)
    f = x * y * x.sin()
    dfdx, dfdy = grad(f, [x, y], create_graph=True)
    mixed = math.sin(x0) + x0 * math.cos(x0)
    assert dfdx.data == pytest.approx(y0 * mixed, rel=1e-14)
    assert dfdy.data == pytest.approx(x0 * math.sin(x0), rel=1e-14)
    d2_xx, d2_xy = grad(dfdx, [x, y])
    d2_yx, d2_yy = grad(dfdy, [x, y], allow_unused=True)
    assert d2_xy == pytest.approx(mixed, rel=1e-14)
    assert d2_yx == pytest.approx(mixed, rel=1e-14)
    assert d2_xx == pytest.approx(y0 * (2.0 * math.cos(x0) - x0 * math.sin(x0)), rel=1e-13)
    assert d2_yy in (None, 0.0)


@pytest.mark.parametrize("x0", [-1.0, 0.3, 2.5])
def test_third_derivatives(x0: float) -> None:
    # d3/dx3 sin x = -cos x;  d3/dx3 x^4 = 24 x;  d3/dx3 exp(2x) = 8 exp(2x)
    for make, expected in [
        (lambda x: x.sin(), -math.cos(x0)),
        (lambda x: x**4, 24.0 * x0),
        (lambda x: (2.0 * x).exp(), 8.0 * math.exp(2.0 * x0)),
    ]:
        x = Value(x0)
        (d1,) = grad(make(x), x, create_graph=True)
        (d2,) = grad(d1, x, create_graph=True)
        (d3,) = grad(d2, x)
        assert d3 == pytest.approx(expected, rel=1e-13)


def test_second_derivative_of_x_to_the_y_in_both_arguments() -> None:
    # f = x^y:  d2f/dx2 = y (y-1) x^(y-2),  d2f/dy2 = x^y log(x)^2,
    # d2f/dxdy = x^(y-1) (1 + y log x)
    x0, y0 = 1.7, 2.3
    x, y = Value(x0), Value(y0)
    dfdx, dfdy = grad(x**y, [x, y], create_graph=True)
    d2_xx, d2_xy = grad(dfdx, [x, y])
    d2_yx, d2_yy = grad(dfdy, [x, y])
    log_x = math.log(x0)
    assert d2_xx == pytest.approx(y0 * (y0 - 1.0) * x0 ** (y0 - 2.0), rel=1e-13)
    assert d2_yy == pytest.approx(x0**y0 * log_x**2, rel=1e-13)
    assert d2_xy == pytest.approx(x0 ** (y0 - 1.0) * (1.0 + y0 * log_x), rel=1e-13)
    assert d2_yx == pytest.approx(d2_xy, rel=1e-13)


# (a, b, d/da, d/db) by hand: d/da a/b = 1/b, d/db a/b = -a/b^2; d/da a^b = b a^(b-1),
# d/db a^b = a^b log a
MIXED = {
    "div": (1.5, -0.6, 1 / -0.6, -1.5 / 0.36),
    "pow": (1.7, 2.3, 2.3 * 1.7**1.3, 1.7**2.3 * math.log(1.7)),
}


@pytest.mark.parametrize("name", sorted(MIXED))
@pytest.mark.parametrize(("a_is_value", "b_is_value"), [(1, 1), (1, 0), (0, 1), (0, 0)])
def test_the_maths_of_second_derivatives_takes_numbers_and_values_in_any_mix(
    name: str, a_is_value: int, b_is_value: int
) -> None:
    """A partial written as ``m.div(a, b)`` or ``m.pow(a, b)`` is evaluated on Values under
    ``create_graph=True``, where either side may be a plain number (a constant of the rule):
    the result is the node the Python operator makes, with FloatMath's value and the gradients
    derived by hand."""
    a0, b0, da, db = MIXED[name]
    a = Value(a0) if a_is_value else a0
    b = Value(b0) if b_is_value else b0
    out = getattr(ValueMath, name)(a, b)
    value = getattr(FloatMath, name)(a0, b0)
    if not (a_is_value or b_is_value):
        assert out == value and not isinstance(out, Value)
        return
    operator = {"div": lambda p, q: p / q, "pow": lambda p, q: p**q}[name]
    same = operator(Value(a0) if a_is_value else a0, Value(b0) if b_is_value else b0)
    assert isinstance(out, Value) and out.data == value == same.data
    assert (out._op, out._rule, out._param) == (same._op, same._rule, same._param)
    out.backward()
    if isinstance(a, Value):
        assert a.grad == pytest.approx(da, rel=1e-14)
    if isinstance(b, Value):
        assert b.grad == pytest.approx(db, rel=1e-14)


def test_the_maths_of_second_derivatives_gives_inf_where_the_operator_raises() -> None:
    """A derivative may be infinite where the function is fine (d/dx sqrt x at 0): the graph of
    a gradient holds the IEEE value, as the float paths do, where ``/`` and ``**`` refuse."""
    zero = Value(0.0)
    assert ValueMath.div(0.5, zero).data == math.inf
    assert ValueMath.div(Value(-0.5), 0.0).data == -math.inf
    assert ValueMath.div(Value(-0.5), zero).data == -math.inf
    assert ValueMath.pow(zero, -1.0).data == math.inf
    assert ValueMath.pow(0.0, Value(-1.0)).data == math.inf
    assert ValueMath.pow(zero, Value(-2.0)).data == math.inf
    with pytest.raises(ZeroDivisionError):
        _ = 0.5 / zero
    x = Value(0.0)
    (slope,) = grad(x.sqrt(), x, create_graph=True)
    assert isinstance(slope, Value) and slope.data == math.inf


def test_create_graph_result_is_a_graph_leading_back_to_the_inputs() -> None:
    x, y = Value(0.8), Value(-0.6)
    f = (x * y).tanh() + x**2
    dfdx, dfdy = grad(f, [x, y], create_graph=True)
    for g in (dfdx, dfdy):
        assert isinstance(g, Value)
        assert g._prev  # an interior node, not a detached number
        nodes = topological_order(g)
        assert all(isinstance(n, Value) for n in nodes)
        assert x in nodes and y in nodes  # reached by following _prev
    # grad() with create_graph does not touch .grad either
    assert (x.grad, y.grad) == (0.0, 0.0)


def test_create_graph_gradient_can_be_backpropagated() -> None:
    # g = df/dx for f = x^3 is 3x^2; g.backward() gives dg/dx = 6x in x.grad
    x = Value(1.5)
    (g,) = grad(x**3, x, create_graph=True)
    g.backward()
    assert x.grad == pytest.approx(9.0, rel=1e-15)


def test_create_graph_grad_of_a_leaf_output() -> None:
    x = Value(1.5)
    (g,) = grad(x, x, create_graph=True)
    assert isinstance(g, Value) and g.data == 1.0


# --------------------------------------------------------------------------------------------------
# Composite expressions with every operator and r-operator, vs central differences on floats
# --------------------------------------------------------------------------------------------------


class _FloatOps:
    """The same functions as the Value methods, on plain floats, so one expression runs on both."""

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    tanh = staticmethod(math.tanh)
    sqrt = staticmethod(math.sqrt)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    abs = staticmethod(abs)

    @staticmethod
    def sigmoid(x: float) -> float:
        return 1.0 / (1.0 + math.exp(-x))

    @staticmethod
    def relu(x: float) -> float:
        return max(x, 0.0)

    @staticmethod
    def leaky_relu(x: float) -> float:
        return max(x, 0.1 * x)


class _ValueOps:
    exp = staticmethod(Value.exp)
    log = staticmethod(Value.log)
    tanh = staticmethod(Value.tanh)
    sqrt = staticmethod(Value.sqrt)
    sin = staticmethod(Value.sin)
    cos = staticmethod(Value.cos)
    abs = staticmethod(Value.abs)
    sigmoid = staticmethod(Value.sigmoid)
    relu = staticmethod(Value.relu)

    @staticmethod
    def leaky_relu(x: Value) -> Value:
        return x.leaky_relu(0.1)


# Each expression f(x, y, m) uses m for the functions; x, y in [0.5, 2.5] keep every one defined and
# away from kinks (relu, abs at 0).
COMPOSITES: list[tuple[str, Callable[[Any, Any, Any], Any]]] = [
    ("x + y", lambda x, y, m: x + y),
    ("x + 2", lambda x, y, m: x + 2),
    ("2 + x", lambda x, y, m: 2 + x),
    ("x - y", lambda x, y, m: x - y),
    ("x - 2", lambda x, y, m: x - 2),
    ("2 - x", lambda x, y, m: 2 - x),
    ("x * y", lambda x, y, m: x * y),
    ("x * 2", lambda x, y, m: x * 2),
    ("2 * x", lambda x, y, m: 2 * x),
    ("x / y", lambda x, y, m: x / y),
    ("x / 2", lambda x, y, m: x / 2),
    ("2 / x", lambda x, y, m: 2 / x),
    ("x ** y", lambda x, y, m: x**y),
    ("y ** x", lambda x, y, m: y**x),
    ("x ** 2.5", lambda x, y, m: x**2.5),
    ("x ** -1", lambda x, y, m: x**-1),
    ("2 ** x", lambda x, y, m: 2**x),
    ("0.5 ** y", lambda x, y, m: 0.5**y),
    ("-x", lambda x, y, m: -x),
    ("-(x * y) + x", lambda x, y, m: -(x * y) + x),
    ("(2 - x) / (y ** 2 + 1)", lambda x, y, m: (2 - x) / (y**2 + 1)),
    ("x ** y / (3 - y)", lambda x, y, m: x**y / (3 - y)),
    ("1 / (1 + 2 ** -x) * y", lambda x, y, m: 1 / (1 + 2 ** (-x)) * y),
    ("(x * y) ** (1 / y)", lambda x, y, m: (x * y) ** (1 / y)),
    (
        "exp, log, tanh, sigmoid",
        lambda x, y, m: m.exp(x / y) * m.log(1 + x) - m.tanh(x - y) + m.sigmoid(2 * y - x),
    ),
    (
        "sqrt, sin, cos, abs, relu, leaky_relu",
        lambda x, y, m: (
            m.sqrt(x + y) * m.sin(x)
            - m.cos(x * y) / m.abs(x - 3)
            + m.relu(y - 0.2) * m.leaky_relu(x - 3)
        ),
    ),
    ("reused: (x*x + x) * (x - y) ** 2", lambda x, y, m: (x * x + x) * (x - y) ** 2),
]

GRID = [(0.5, 1.0), (1.3, 0.7), (2.5, 1.9), (0.9, 2.5)]


def _float_partials(f: Callable[[float, float], float], x: float, y: float) -> tuple[float, float]:
    """Central differences with h = 1e-6: error ~ h^2 f'''/6 + 2^-53 |f| / h, below 1e-8 here."""
    h = 1e-6
    return (
        (f(x + h, y) - f(x - h, y)) / (2 * h),
        (f(x, y + h) - f(x, y - h)) / (2 * h),
    )


@pytest.mark.parametrize(("x0", "y0"), GRID)
@pytest.mark.parametrize(("expr", "fn"), COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_composite_expression_gradients(expr: str, fn, x0: float, y0: float) -> None:
    x, y = Value(x0), Value(y0)
    out = fn(x, y, _ValueOps)
    if not isinstance(out, Value):  # e.g. a constant expression in y: not built from Values
        raise AssertionError(f"{expr} did not produce a Value")
    expected = fn(x0, y0, _FloatOps)
    assert out.data == pytest.approx(expected, rel=1e-12, abs=1e-12)

    def as_float(a: float, b: float) -> float:
        return float(fn(a, b, _FloatOps))

    dx, dy = _float_partials(as_float, x0, y0)
    out.backward()
    scale = max(1.0, abs(expected))
    assert x.grad == pytest.approx(dx, rel=1e-6, abs=1e-7 * scale), expr
    assert y.grad == pytest.approx(dy, rel=1e-6, abs=1e-7 * scale), expr
    # grad() agrees with backward() exactly in meaning (same chain rule, independent code path)
    gx, gy = grad(out, [x, y], allow_unused=True)
    assert (gx or 0.0) == pytest.approx(x.grad, rel=1e-12, abs=1e-15)
    assert (gy or 0.0) == pytest.approx(y.grad, rel=1e-12, abs=1e-15)


# --------------------------------------------------------------------------------------------------
# grad(): how terms add up, and the gradient graphs create_graph builds
# --------------------------------------------------------------------------------------------------


def test_an_output_listed_twice_counts_twice() -> None:
    # like torch.autograd.grad([y, y], x): the seeds add up, 2 * d(x^2)/dx = 2 * 2x = 12 at x = 3
    x = Value(3.0)
    y = x**2
    assert grad([y, y], x) == (12.0,)
    assert grad([y, y], x, grad_outputs=[1.0, 0.5]) == (9.0,)


def test_a_node_shared_by_two_outputs_passes_on_its_gradient_once() -> None:
    # q = x^2 feeds both outputs: d(2q + 3q)/dq = 5, so d/dx = 5 * 2x = 20 at x = 2
    x = Value(2.0)
    q = x * x
    assert grad([q * 2.0, q * 3.0], x) == (20.0,)
    (g,) = grad([q * 2.0, q * 3.0], x, create_graph=True)
    assert g.data == 20.0


def test_zero_to_the_power_zero_passes_no_gradient_to_either_input_but_uses_both() -> None:
    """0**y is constant in y for y >= 0 and x**0 is constant in x: no gradient flows back (as in
    PyTorch, 0 rather than nan), and both inputs are still part of the graph."""
    x, y = Value(0.0), Value(0.0)
    assert grad(x**y, [x, y]) == (0.0, 0.0)
    assert grad(x**y * 3.0 + y, [x, y]) == (0.0, 1.0)


def test_a_zero_gradient_is_plus_zero_as_backward_leaves_it() -> None:
    """A gradient starts from 0.0, as a .grad does: the product 1 * -0.0 adds up to +0.0."""
    x = Value(2.0)
    f = x * -0.0
    (g,) = grad(f, x)
    f.backward()
    assert g == 0.0 == x.grad
    assert math.copysign(1.0, g) == math.copysign(1.0, x.grad) == 1.0


def _multiplications_by_one(g: Value) -> list[Value]:
    return [
        n
        for n in topological_order(g)
        if n._op == "*" and any(p.data == 1.0 and not p._prev for p in n._prev)
    ]


def test_a_gradient_graph_has_no_multiplication_by_one() -> None:
    """The chain rule's factors of exactly 1 (the seed, d(x+y)/dx) are left out, so the graph
    of a derivative reads as the formula: d(x*y)/dx is y, d(x+y)/dx is the upstream gradient."""
    x, y, s = Value(2.0), Value(-3.0), Value(0.5)
    (dx,) = grad(x * y, x, create_graph=True)
    assert dx.data == -3.0 and dx._prev == (y,)  # a one-term sum of y
    (dx,) = grad(x + y, x, grad_outputs=s, create_graph=True)
    assert dx.data == 0.5 and dx._prev == (s,)
    (dx,) = grad((x * y).tanh() + x * 3.0, x, create_graph=True)
    assert dx.data == pytest.approx(-3.0 * (1.0 - math.tanh(-6.0) ** 2) + 3.0, rel=1e-15)
    for g in (dx, *grad(x**3 + x * y, [x, y], create_graph=True)):
        assert _multiplications_by_one(g) == []


def test_a_gradient_that_is_a_value_passed_in_is_a_new_node() -> None:
    """d(x + y)/dx times the seed s is s itself: the result is a new node holding s's value,
    so labelling it, or backpropagating from it, leaves s and the graph it came from alone."""
    x, y, s = Value(2.0), Value(-3.0), Value(0.5, label="s")
    (dx,) = grad(x + y, x, grad_outputs=s, create_graph=True)
    assert dx is not s and dx.data == 0.5
    dx.label = "dx"
    assert s.label == "s"


def test_the_same_gradient_asked_for_twice_is_two_nodes() -> None:
    # d(x^2)/dx = 2x = 4 at x = 2, once for each time x is listed
    x = Value(2.0)
    first, second = grad(x * x, [x, x], create_graph=True)
    assert first is not second
    assert first.data == second.data == 4.0
    first.label = "first"
    assert second.label == ""


def test_a_value_in_grad_outputs_without_create_graph_weights_by_its_number() -> None:
    """As in ``torch.autograd.grad``, a seed may be a Value also when no graph is wanted: the
    gradients are floats, weighted by its number. d(x^2)/dx * 3 = 2x * 3 = 12 at x = 2."""
    x, s = Value(2.0), Value(3.0)
    assert grad(x**2, x, grad_outputs=s) == (12.0,)
    assert grad([x**2, x * 5.0], x, grad_outputs=[s, 1.0]) == (17.0,)
    assert s.grad == 0.0 and x.grad == 0.0
