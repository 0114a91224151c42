"""The engine's fast path at its edges: the walk interrupted, zero gradients through infinite
results, the order of a linear node's terms, folded constants, and anomaly mode's own backward.

Truths used here: IEEE arithmetic (0 * inf = nan, sums rounded to the nearest even float, worked
out by hand), closed-form derivatives, PyTorch's chain rule (it multiplies, it never skips), and
the engine's promise that ``backward()``, ``grad()`` and anomaly mode give the same floats.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from autograd import AnomalyError, Value, detect_anomaly, grad
from autograd._compact import FoldedRule
from autograd.rules import RULES, FloatMath

# --------------------------------------------------------------------------------------------------
# A folded rule is any two-input op with one input a number
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("const_at", [0, 1])
def test_a_folded_rule_made_from_a_power_is_x_to_the_c_or_c_to_the_x(const_at: int) -> None:
    """``x ** c`` (the number at position 1) has slope c x^(c-1); ``c ** x`` has c^x log(c)."""
    rule = FoldedRule(RULES["pow"], const_at, "the formula")
    assert rule.name == ("pow(x, c)" if const_at == 1 else "pow(c, x)")
    for x, c in [(1.5, 3.0), (2.0, 0.5), (0.7, 1.25), (-0.5, 2.0)]:
        if const_at == 0 and x < 0:
            x, c = c, -x  # c ** x needs c > 0 for a real slope
        a, b = (x, c) if const_at == 1 else (c, x)
        out = rule.forward(x, c)
        assert out == math.pow(a, b)
        (d,) = rule.partials(FloatMath, out, x, c)
        closed = b * math.pow(a, b - 1) if const_at == 1 else math.pow(a, b) * math.log(a)
        assert d == pytest.approx(closed, rel=1e-12)


def test_an_unfolded_constant_gets_the_float_a_real_leaf_gets_down_to_the_sign_of_zero() -> None:
    """d(x * c)/dc = x = -0.0 here. A real leaf adds 1 * -0.0 to its 0.0: 0.0 + -0.0 = +0.0 in
    IEEE arithmetic. The leaf made when ``_prev`` unfolds ``x * 2.0`` must hold the same float."""
    x = Value(-0.0)
    y = x * 2.0
    y.backward()
    _, constant = y._prev
    x2, real = Value(-0.0), Value(2.0)
    (x2 * real).backward()
    assert constant.data == 2.0 and real.grad == 0.0 and constant.grad == 0.0
    assert math.copysign(1.0, real.grad) == 1.0
    assert math.copysign(1.0, constant.grad) == math.copysign(1.0, real.grad)


# --------------------------------------------------------------------------------------------------
# The order of a linear node's chain-rule terms: x1, w1, x2, w2, ..., b on every path
# --------------------------------------------------------------------------------------------------


def test_a_value_both_input_and_weight_of_a_neuron_sums_its_terms_alike_on_every_path() -> None:
    """out = linear([q, p], [p, r], s) + p with q = 2^53, r = 1. d out/dp = 1 (from +), then
    x1 = q (p is w1), then w2 = r (p is x2): in that order, 1 + 2^53 rounds to 2^53 (a tie, to
    even) and 2^53 + 1 again, so the sum is exactly 2^53. (Adding r before q would give
    2^53 + 2.) backward(), grad() and grad(create_graph=True) all add in this order."""
    big = 2.0**53

    def build() -> tuple[Value, Value]:
        q, p, r, s = Value(big), Value(0.5), Value(1.0), Value(0.25)
        return Value.linear([q, p], [p, r], s) + p, p

    out, p = build()
    out.backward()
    assert p.grad == big
    out, p = build()
    assert grad(out, [p]) == (big,)
    out, p = build()
    (dp,) = grad(out, [p], create_graph=True)
    assert dp.data == big


# --------------------------------------------------------------------------------------------------
# backward() skips a zero gradient only where the result is finite
# --------------------------------------------------------------------------------------------------


def test_a_zero_gradient_through_an_infinite_or_nan_result_still_gives_nan() -> None:
    """As PyTorch and IEEE do: d/dx exp(x) = exp(x), so at x = inf (or nan) the chain rule's
    0 * inf (0 * nan) is nan, even though the upstream gradient is 0; likewise d/db (a * b) = a
    = inf where a * b = -inf. Where everything is finite, a zero gradient gives 0."""
    for start in (math.inf, math.nan):
        x = Value(start)
        (x.exp() * 0.0).backward()
        assert math.isnan(x.grad), start
        x = Value(start)
        assert math.isnan(grad(x.exp() * 0.0, [x])[0]), start
    a, b = Value(math.inf), Value(-2.0)
    product = a * b
    assert product.data == -math.inf
    (product * 0.0).backward()
    assert math.isnan(b.grad) and a.grad == 0.0
    x = Value(3.0)
    (x.exp() * 0.0).backward()
    assert x.grad == 0.0


# --------------------------------------------------------------------------------------------------
# The walk interrupted (Ctrl-C) leaves no marker behind
# --------------------------------------------------------------------------------------------------


class _CtrlCLeaf(Value):
    """A leaf whose inputs cannot be read: Ctrl-C arrives just as backward()'s walk reaches it."""

    @property
    def _inputs(self) -> Any:
        raise KeyboardInterrupt

    @_inputs.setter
    def _inputs(self, value: Any) -> None:
        pass


def test_a_backward_interrupted_in_its_walk_leaves_every_gradient_a_number() -> None:
    """The walk keeps its bookkeeping in the nodes' .grad; interrupted half way (some nodes
    finished, some still open), every node it touched is left with grad 0.0, not a marker, and
    the graph can be differentiated again."""
    x = Value(0.5)
    square = x * x
    t = square.tanh()
    opened = _CtrlCLeaf(1.0).exp()
    root = t + opened
    with pytest.raises(KeyboardInterrupt):
        root.backward()
    for node in (root, t, square, opened):
        assert node.grad == 0.0 and type(node.grad) is float
    t.backward()
    assert x.grad == pytest.approx((1.0 - math.tanh(0.25) ** 2) * 2 * 0.5, rel=1e-15)


# --------------------------------------------------------------------------------------------------
# Anomaly mode's backward: the same steps, checked one by one
# --------------------------------------------------------------------------------------------------


def _doubled_by_hand(a: Value) -> Value:
    """2a as micrograd builds its own op: children, then a hand-written _backward."""
    out = Value(2.0 * a.data, (a,), "double")

    def _backward() -> None:
        a.grad += 2.0 * out.grad

    out._backward = _backward
    return out


def _mixed(x: Value, y: Value) -> Value:
    # folded constants (x * 3.0, 1.0 - ...), table ops without a fused backward (log, sin, /, **),
    # fused ones (tanh, *), and a node with a hand-written _backward
    return (x * 3.0).log() + (1.0 - y.sin()) / x + _doubled_by_hand(x * y).tanh() + y**2.0


def test_anomaly_mode_gives_the_same_gradients_on_every_kind_of_node() -> None:
    """Closed form: d/dx = 1/x - (1 - sin y)/x^2 + 2y (1 - tanh(2xy)^2),
    d/dy = -cos(y)/x + 2x (1 - tanh(2xy)^2) + 2y."""
    a, b = 0.8, -0.6
    sech2 = 1.0 - math.tanh(2 * a * b) ** 2
    dx = 1 / a - (1 - math.sin(b)) / a**2 + 2 * b * sech2
    dy = -math.cos(b) / a + 2 * a * sech2 + 2 * b
    x, y = Value(a), Value(b)
    _mixed(x, y).backward()
    plain = (x.grad, y.grad)
    assert plain[0] == pytest.approx(dx, rel=1e-12)
    assert plain[1] == pytest.approx(dy, rel=1e-12)
    x, y = Value(a), Value(b)
    with detect_anomaly():
        _mixed(x, y).backward()
    assert (x.grad, y.grad) == plain


def test_in_anomaly_mode_a_leafs_gradient_accumulates_over_backward_calls() -> None:
    x = Value(2.0)
    with detect_anomaly():
        x.backward()
        x.backward(3.0)
    assert x.grad == 4.0
    y = Value(1.5)
    z = y * y
    with detect_anomaly():
        z.backward()
        z.backward()
    assert y.grad == 6.0  # 2 * (2 y), the interior z recomputed each time


def test_in_anomaly_mode_an_infinite_slope_of_an_op_without_fused_backward_is_named() -> None:
    """d/dx sqrt(x) = 1 / (2 sqrt(x)) = inf at 0: the step of the sqrt node is the first to
    make a gradient infinite."""
    with detect_anomaly():
        x = Value(0.0)
        y = (x + 0.0).sqrt()
        with pytest.raises(
            AnomalyError,
            match=r"the backward of 'sqrt' gave its input 1 the gradient inf "
            r"\(inputs: 0.0; upstream gradient 1.0\)",
        ):
            y.backward()


def test_in_anomaly_mode_an_infinite_gradient_from_a_hand_written_backward_is_named() -> None:
    """The hand-written step adds 2 * 1e308 = inf (too large for a float) to its input."""
    with detect_anomaly():
        x = Value(0.5)
        y = _doubled_by_hand(x)
        with pytest.raises(
            AnomalyError,
            match=r"the backward of 'double' gave its input 1 the gradient inf "
            r"\(inputs: 0.5; upstream gradient 1e\+308\)",
        ):
            y.backward(1e308)
