"""The Value engine: construction, operators, graph internals, backward(), no_grad, detach, errors.

What each test compares against:

* construction, repr, labels, comparisons, identity: the behaviour the engine specification states
  (float storage, accepted and refused types, identity-based ``==``/hash);
* every gradient: a derivative worked out by hand in the test (written next to it), or a closed
  form such as ``d/dx0 (x0 * c**n) = c**n`` evaluated with ``math.pow``;
* micrograd internals: the definition of one chain-rule step,
  ``child.grad += node.grad * d(node)/d(child)``;
* errors: the exception type of the specification, and a message that names the op and the operand.
"""

from __future__ import annotations

import asyncio
import gc
import math
import threading
from fractions import Fraction

import numpy as np
import pytest
from hand_built import square_by_hand

from autograd import Value, enable_grad, grad, is_grad_enabled, no_grad
from autograd.engine import topological_order

# --------------------------------------------------------------------------------------------------
# Construction and types
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (3, 3.0),
        (-2.5, -2.5),
        (True, 1.0),
        (False, 0.0),
        (Fraction(1, 4), 0.25),
        (np.float64(1.5), 1.5),
        (np.float32(0.5), 0.5),
        (np.int64(7), 7.0),
        (np.bool_(True), 1.0),
        (np.array(2.5), 2.5),
        (np.array([2.5]), 2.5),
        (np.array([[2.5]]), 2.5),
    ],
)
def test_accepted_numbers_are_stored_as_python_floats(given: object, expected: float) -> None:
    v = Value(given)  # type: ignore[arg-type]
    assert type(v.data) is float
    assert v.data == expected
    assert type(v.grad) is float and v.grad == 0.0


@pytest.mark.parametrize(
    "given",
    ["1.0", None, 1j, [1.0], (1.0,), {"x": 1.0}, np.complex128(1j), b"1"],
    ids=["str", "None", "complex", "list", "tuple", "dict", "numpy-complex", "bytes"],
)
def test_non_numbers_are_refused_with_the_type_named(given: object) -> None:
    with pytest.raises(TypeError) as info:
        Value(given)  # type: ignore[arg-type]
    assert type(given).__name__ in str(info.value)


def test_arrays_of_more_than_one_element_are_refused() -> None:
    with pytest.raises(TypeError) as info:
        Value(np.array([1.0, 2.0, 3.0]))  # type: ignore[arg-type]
    message = str(info.value)
    assert "array" in message.lower()
    assert "3" in message  # the size that made it ambiguous


def test_label_is_set_at_construction_or_later_and_shown_by_repr() -> None:
    a = Value(1.5, label="a")
    assert a.label == "a"
    e = a * 2.0
    assert e.label == ""
    e.label = "e"
    assert e.label == "e"
    text = repr(e)
    assert "3.0" in text and "0.0" in text and "'e'" in text


def test_repr_shows_data_and_grad() -> None:
    x = Value(-2.0)
    y = x * 3.0
    y.backward()
    text = repr(x)
    assert "-2.0" in text  # data
    assert "3.0" in text  # grad: d(3x)/dx = 3


def test_both_import_paths_give_the_same_class() -> None:
    import autograd
    import autograd.engine

    assert autograd.engine.Value is autograd.Value is Value
    for name in ("Value", "grad", "no_grad", "gradcheck"):
        assert hasattr(autograd, name)


def test_label_passed_positionally_is_refused_with_a_hint() -> None:
    # micrograd's signature is Value(data, _children, _op, label): a string second argument is a
    # mistake (characters would become children), so it must not be silently accepted
    with pytest.raises(TypeError, match=r"second argument is the tuple of children.*label='x'"):
        Value(1.0, "x")  # type: ignore[arg-type]


def test_leaf_internals() -> None:
    x = Value(1.0)
    assert x._prev == ()
    assert x._op == ""
    assert x._rule is None


# --------------------------------------------------------------------------------------------------
# Operators with numbers on either side, and comparisons
# --------------------------------------------------------------------------------------------------

# (expression, value at x = 2, hand-derived d/dx at x = 2)
OPERATOR_CASES = [
    ("x + 3", lambda x: x + 3, 5.0, 1.0),
    ("3 + x", lambda x: 3 + x, 5.0, 1.0),
    ("x - 3", lambda x: x - 3, -1.0, 1.0),
    ("3 - x", lambda x: 3 - x, 1.0, -1.0),
    ("x * 3", lambda x: x * 3, 6.0, 3.0),
    ("3 * x", lambda x: 3 * x, 6.0, 3.0),
    ("x / 4", lambda x: x / 4, 0.5, 0.25),
    ("4 / x", lambda x: 4 / x, 2.0, -1.0),  # -4/x^2
    ("x ** 3", lambda x: x**3, 8.0, 12.0),  # 3x^2
    ("3 ** x", lambda x: 3**x, 9.0, 9.0 * math.log(3.0)),
    ("-x", lambda x: -x, -2.0, -1.0),
    ("+x", lambda x: +x, 2.0, 1.0),
    ("x + 1.5", lambda x: x + 1.5, 3.5, 1.0),
    ("x ** 0.5", lambda x: x**0.5, math.sqrt(2.0), 0.5 / math.sqrt(2.0)),
    ("x.pow(2)", lambda x: x.pow(2), 4.0, 4.0),
    ("x.div(8)", lambda x: x.div(8), 0.25, 0.125),
    ("abs(-x)", lambda x: abs(-x), 2.0, 1.0),
]


@pytest.mark.parametrize(
    ("expr", "fn", "value", "slope"), OPERATOR_CASES, ids=[c[0] for c in OPERATOR_CASES]
)
def test_operators_with_numbers_on_either_side(expr: str, fn, value: float, slope: float) -> None:
    x = Value(2.0)
    y = fn(x)
    assert isinstance(y, Value), expr
    assert y.data == pytest.approx(value, rel=1e-15)
    y.backward()
    assert x.grad == pytest.approx(slope, rel=1e-15)


NUMPY_OPERAND_CASES = [
    # (expression, value at x = 2, hand-derived d/dx at x = 2)
    ("float32 * x", lambda x: np.float32(3.0) * x, 6.0, 3.0),
    ("x * int64", lambda x: x * np.int64(3), 6.0, 3.0),
    ("float64 - x", lambda x: np.float64(3.0) - x, 1.0, -1.0),
    ("float32 / x", lambda x: np.float32(4.0) / x, 2.0, -1.0),
    ("x ** int64", lambda x: x ** np.int64(3), 8.0, 12.0),
    ("float64 ** x", lambda x: np.float64(3.0) ** x, 9.0, 9.0 * math.log(3.0)),
]


@pytest.mark.parametrize(
    ("expr", "fn", "value", "slope"), NUMPY_OPERAND_CASES, ids=[c[0] for c in NUMPY_OPERAND_CASES]
)
def test_numpy_scalars_on_either_side(expr: str, fn, value: float, slope: float) -> None:
    x = Value(2.0)
    y = fn(x)
    assert type(y) is Value, f"{expr} gave {type(y).__name__}"
    assert y.data == pytest.approx(value, rel=1e-6)
    y.backward()
    assert x.grad == pytest.approx(slope, rel=1e-6)


def test_numbers_become_constant_leaves_in_the_graph() -> None:
    x = Value(2.0)
    y = x * 2.0
    assert y._prev[0] is x
    const = y._prev[1]
    assert isinstance(const, Value) and const.data == 2.0 and const._prev == ()
    z = 5 - x
    assert z._prev[1] is x and z._prev[0].data == 5.0


def test_value_exponent_and_value_base() -> None:
    # x ** y with both Values: d/dx = y x^(y-1), d/dy = x^y log x
    x, y = Value(2.0), Value(3.0)
    z = x**y
    assert z._prev == (x, y)
    assert z._op == "**"
    z.backward()
    assert z.data == 8.0
    assert x.grad == pytest.approx(12.0, rel=1e-15)
    assert y.grad == pytest.approx(8.0 * math.log(2.0), rel=1e-15)


def test_op_names_of_constant_powers() -> None:
    x = Value(2.0)
    assert (x**2)._op == "**2"
    assert (2**x)._op == "2**"
    assert (x**2)._prev == (x,)
    assert (2**x)._prev == (x,)


def test_unsupported_operand_types_raise_type_error() -> None:
    x = Value(1.0)
    for bad in ("a", None, [1.0], 1j):
        # Python's own message, which names the op and both operand types (or, for a str or list
        # on the left, says it cannot repeat a sequence a Value number of times)
        name = type(bad).__name__
        with pytest.raises(TypeError, match=rf"for \+: 'Value' and '{name}'"):
            x + bad  # type: ignore[operator]
        with pytest.raises(TypeError, match=rf"for \*: '{name}' and 'Value'|of type 'Value'"):
            bad * x  # type: ignore[operator]
        with pytest.raises(TypeError, match=rf"for \*\* or pow\(\): 'Value' and '{name}'"):
            x**bad  # type: ignore[operator]


@pytest.mark.parametrize("other", [2.0, 2, Value(2.0)], ids=["float", "int", "Value"])
def test_comparisons_look_at_data_and_return_bool(other: object) -> None:
    x = Value(1.0)
    results = [x < other, x <= other, x > other, x >= other]  # type: ignore[operator]
    assert results == [True, True, False, False]
    assert all(type(r) is bool for r in results)
    # the number on the left goes through the reflected comparison
    assert (3.0 > x) is True and (0 >= x) is False  # noqa: SIM300 (the reflected path is the point)


def test_comparisons_at_equality() -> None:
    a, b = Value(1.0), Value(1.0)
    assert (a <= b, a >= b, a < b, a > b) == (True, True, False, False)


def test_equality_and_hash_are_identity_so_values_live_in_sets_and_dicts() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a
    assert a != b  # same data, different objects
    assert (a == 1.0) is False
    assert len({a, b, a}) == 2
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"
    a.data = 5.0  # the hash does not depend on the data
    assert table[a] == "a"


# --------------------------------------------------------------------------------------------------
# micrograd internals: _prev, _op, _backward()
# --------------------------------------------------------------------------------------------------


def test_prev_is_an_ordered_tuple_of_the_inputs() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    assert (a + b)._prev == (a, b)
    assert (b + a)._prev == (b, a)
    assert (c / a)._prev == (c, a)
    assert a.tanh()._prev == (a,)


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda a, b: a + b, "+"),
        (lambda a, b: a - b, "-"),
        (lambda a, b: a * b, "*"),
        (lambda a, b: a / b, "/"),
        (lambda a, b: -a, "neg"),
        (lambda a, b: a**b, "**"),
        (lambda a, b: a.exp(), "exp"),
        (lambda a, b: a.log(), "log"),
        (lambda a, b: a.tanh(), "tanh"),
        (lambda a, b: a.sigmoid(), "sigmoid"),
        (lambda a, b: a.relu(), "relu"),
        (lambda a, b: a.leaky_relu(), "leaky_relu"),
        (lambda a, b: a.sqrt(), "sqrt"),
        (lambda a, b: a.abs(), "abs"),
        (lambda a, b: a.sin(), "sin"),
        (lambda a, b: a.cos(), "cos"),
        (lambda a, b: Value.linear([a], [b], 1.0), "linear"),
    ],
)
def test_op_names(make, op: str) -> None:
    assert make(Value(0.5), Value(1.5))._op == op


# Each case: the op applied to leaves at fixed points, and the hand-derived local derivatives.
LOCAL_DERIVATIVE_CASES = [
    ("mul", lambda a, b: a * b, (3.0, -2.0), (-2.0, 3.0)),
    ("add", lambda a, b: a + b, (3.0, -2.0), (1.0, 1.0)),
    ("sub", lambda a, b: a - b, (3.0, -2.0), (1.0, -1.0)),
    ("div", lambda a, b: a / b, (3.0, -2.0), (-0.5, -0.75)),  # 1/b, -a/b^2
    ("pow", lambda a, b: a**b, (2.0, 3.0), (12.0, 8.0 * math.log(2.0))),
    ("tanh", lambda a: a.tanh(), (0.5,), (1.0 - math.tanh(0.5) ** 2,)),
    ("exp", lambda a: a.exp(), (0.5,), (math.exp(0.5),)),
    ("log", lambda a: a.log(), (0.5,), (2.0,)),
    ("sin", lambda a: a.sin(), (0.5,), (math.cos(0.5),)),
]


@pytest.mark.parametrize(
    ("name", "make", "point", "local"),
    LOCAL_DERIVATIVE_CASES,
    ids=[c[0] for c in LOCAL_DERIVATIVE_CASES],
)
def test_underscore_backward_pushes_exactly_once_per_call(name, make, point, local) -> None:
    leaves = [Value(p) for p in point]
    out = make(*leaves)
    out.grad = 2.0
    out._backward()
    for leaf, d in zip(leaves, local):
        assert leaf.grad == pytest.approx(2.0 * d, rel=1e-14), name
    out._backward()  # a second call adds the same amount again
    for leaf, d in zip(leaves, local):
        assert leaf.grad == pytest.approx(4.0 * d, rel=1e-14), name
    assert out.grad == 2.0  # _backward never changes the node's own grad


def test_underscore_backward_on_a_leaf_does_nothing() -> None:
    x = Value(3.0)
    x.grad = 1.0
    x._backward()
    assert x.grad == 1.0


def test_manual_backward_through_a_graph_matches_backward() -> None:
    # L = tanh(a*b + c);  dL/da = (1 - L^2) b,  dL/db = (1 - L^2) a,  dL/dc = 1 - L^2
    a, b, c = Value(0.3), Value(-1.2), Value(0.4)
    e = a * b
    d = e + c
    out = d.tanh()
    out.grad = 1.0
    for node in (out, d, e):
        node._backward()
    slope = 1.0 - math.tanh(0.3 * -1.2 + 0.4) ** 2
    assert a.grad == pytest.approx(slope * -1.2, rel=1e-14)
    assert b.grad == pytest.approx(slope * 0.3, rel=1e-14)
    assert c.grad == pytest.approx(slope, rel=1e-14)


def test_custom_micrograd_style_op_inside_a_graph() -> None:
    # f = square(3x) + x = 9x^2 + x;  df/dx = 18x + 1 = 37 at x = 2
    x = Value(2.0)
    y = square_by_hand(x * 3.0)
    assert y._op == "square"
    assert y._prev[0]._prev[0] is x
    f = y + x
    f.backward()
    assert f.data == 38.0
    assert x.grad == 37.0


def test_custom_op_underscore_backward_called_by_hand() -> None:
    x = Value(3.0)
    y = square_by_hand(x)
    y.grad = 1.0
    y._backward()
    assert x.grad == 6.0
    y._backward()
    assert x.grad == 12.0


def test_custom_op_without_a_backward_passes_nothing() -> None:
    # Value(data, children, op) with no _backward assigned: like micrograd's default lambda: None.
    x = Value(2.0)
    y = Value(4.0, (x,), "mystery")
    (y * 1.0).backward()
    assert x.grad == 0.0


def test_underscore_backward_must_be_callable() -> None:
    y = Value(1.0, (Value(1.0),), "op")
    with pytest.raises(TypeError, match="_backward must be callable, got float"):
        y._backward = 3.0  # type: ignore[assignment]


def test_children_must_be_values() -> None:
    with pytest.raises(TypeError, match=r"every child must be a Value, got float: 1\.0"):
        Value(1.0, (1.0,), "op")


# --------------------------------------------------------------------------------------------------
# Reused nodes: gradients must accumulate over every path
# --------------------------------------------------------------------------------------------------


def test_a_times_a() -> None:
    a = Value(3.0)
    b = a * a  # d/da a^2 = 2a
    b.backward()
    assert a.grad == 6.0


def test_b_equals_a_plus_a() -> None:
    a = Value(3.0)
    b = a + a  # d/da 2a = 2
    b.backward()
    assert a.grad == 2.0


def test_a_plus_a_twice_gives_four() -> None:
    a = Value(1.0)
    b = a + a
    c = b + b  # c = 4a
    c.backward()
    assert c.data == 4.0
    assert b.grad == 2.0
    assert a.grad == 4.0


def test_product_of_sum_and_product() -> None:
    # f = (a b)(a + b) = a^2 b + a b^2;  df/da = 2ab + b^2,  df/db = a^2 + 2ab
    a, b = Value(-2.0), Value(3.0)
    d = a * b
    e = a + b
    f = d * e
    f.backward()
    assert f.data == -6.0
    assert d.grad == 1.0  # e
    assert e.grad == -6.0  # d
    assert a.grad == 2 * -2.0 * 3.0 + 3.0**2  # -3
    assert b.grad == (-2.0) ** 2 + 2 * -2.0 * 3.0  # -8


def test_value_used_in_two_branches_of_different_ops() -> None:
    # f = sin(x) * x + x / 2;  df/dx = cos(x) x + sin(x) + 1/2
    x = Value(0.7)
    f = x.sin() * x + x / 2
    f.backward()
    assert x.grad == pytest.approx(math.cos(0.7) * 0.7 + math.sin(0.7) + 0.5, rel=1e-14)


# --------------------------------------------------------------------------------------------------
# backward(): accumulation, seeds, zero_grad
# --------------------------------------------------------------------------------------------------


def test_second_backward_adds_in_leaves_and_recomputes_intermediates() -> None:
    # c = a*b, d = c + 1: dd/dc = 1, dd/da = b = 4, dd/db = a = 3
    a, b = Value(3.0), Value(4.0)
    c = a * b
    d = c + 1.0
    d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == (4.0, 3.0, 1.0, 1.0)
    d.backward()
    assert (a.grad, b.grad) == (8.0, 6.0)  # leaves accumulate, like PyTorch
    assert (c.grad, d.grad) == (1.0, 1.0)  # intermediate nodes are recomputed, not doubled


def test_backward_on_two_outputs_accumulates_their_gradients_in_shared_leaves() -> None:
    x = Value(2.0)
    (x * 3.0).backward()
    (x**2).backward()
    assert x.grad == 3.0 + 4.0


def test_backward_with_a_seed() -> None:
    x = Value(2.0)
    y = x**2
    y.backward(0.5)
    assert y.grad == 0.5
    assert x.grad == 0.5 * 4.0


def test_backward_on_a_leaf_seeds_it() -> None:
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_on_a_leaf_adds_to_the_gradient_it_already_has() -> None:
    # a leaf is its own root here: dx/dx = 1 is added to the 3 left by (3x).backward(), like any
    # other backward() call accumulates in the leaves (PyTorch gives 4 too)
    x = Value(2.0)
    (3 * x).backward()
    x.backward()
    assert x.grad == 4.0
    x.backward(0.5)
    assert x.grad == 4.5


def test_backward_leaves_the_cycle_collector_as_it_found_it() -> None:
    # backward() pauses the cyclic GC during the walk (a speed measure); it must always restore it
    x = Value(1.0)
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        (x * 2.0).backward()
        assert gc.isenabled()
        gc.disable()
        (x * 2.0).backward()
        assert not gc.isenabled()
        gc.enable()
        broken = Value(1.0, (x,), "broken")

        def fail() -> None:
            raise RuntimeError("custom backward failed")

        broken._backward = fail
        with pytest.raises(RuntimeError, match="custom backward failed"):
            (broken * 1.0).backward()
        assert gc.isenabled()
    finally:
        (gc.enable if was_enabled else gc.disable)()


def test_zero_grad_resets_every_node_of_the_graph() -> None:
    a, b = Value(3.0), Value(4.0)
    c = a * b
    d = (c + a).tanh()
    d.backward()
    nodes = topological_order(d)
    assert any(n.grad != 0.0 for n in nodes)
    d.zero_grad()
    assert all(n.grad == 0.0 for n in nodes)
    assert (a.grad, b.grad, c.grad, d.grad) == (0.0, 0.0, 0.0, 0.0)
    d.backward()  # and a fresh pass gives the single-pass gradients again
    slope = 1.0 - math.tanh(15.0) ** 2
    assert a.grad == pytest.approx(slope * 5.0, rel=1e-12, abs=1e-300)


def test_zero_grad_leaves_unrelated_values_alone() -> None:
    a, other = Value(1.0), Value(1.0)
    other.grad = 7.0
    (a * 2.0).zero_grad()
    assert other.grad == 7.0


# --------------------------------------------------------------------------------------------------
# n-ary nodes: Value.sum and Value.linear
# --------------------------------------------------------------------------------------------------


def test_value_sum_is_one_node_with_all_children() -> None:
    xs = [Value(float(i)) for i in range(1, 6)]
    s = Value.sum(xs)
    assert s._prev == tuple(xs)
    assert s._op == "+"
    assert s.data == 15.0
    s.backward()
    assert [x.grad for x in xs] == [1.0] * 5


def test_value_sum_accepts_numbers_and_repeated_values() -> None:
    x = Value(2.0)
    s = Value.sum([x, 3, x])  # 2x + 3
    assert s.data == 7.0
    assert len(s._prev) == 3
    s.backward()
    assert x.grad == 2.0


def test_value_sum_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"Value\.sum: expected at least one value"):
        Value.sum([])


def test_builtin_sum_still_works() -> None:
    xs = [Value(1.0), Value(2.0), Value(3.0)]
    s = sum(xs)
    assert isinstance(s, Value)
    assert s.data == 6.0
    s.backward()
    assert [x.grad for x in xs] == [1.0, 1.0, 1.0]


def test_value_linear_is_one_node_with_inputs_weights_and_bias() -> None:
    # out = w1 x1 + w2 x2 + w3 x3 + b;  d/dxi = wi, d/dwi = xi, d/db = 1
    xs = [Value(1.0), Value(-2.0), Value(0.5)]
    ws = [Value(0.3), Value(0.7), Value(-4.0)]
    b = Value(0.25)
    out = Value.linear(xs, ws, b)
    assert out._op == "linear"
    assert out._prev == (*xs, *ws, b)
    assert out.data == pytest.approx(0.3 - 1.4 - 2.0 + 0.25, rel=1e-15)
    out.backward()
    assert [x.grad for x in xs] == [0.3, 0.7, -4.0]
    assert [w.grad for w in ws] == [1.0, -2.0, 0.5]
    assert b.grad == 1.0


def test_value_linear_with_number_bias_and_shared_input() -> None:
    # out = x*x + 3*x + 1 with x in both roles: d/dx = 2x + 3
    x = Value(2.0)
    out = Value.linear([x, x], [x, 3.0], 1.0)
    assert out.data == 11.0
    out.backward()
    assert x.grad == 7.0


def test_value_linear_length_mismatch() -> None:
    with pytest.raises(ValueError, match="linear"):
        Value.linear([Value(1.0)], [Value(1.0), Value(2.0)])


def test_value_linear_without_inputs_is_refused() -> None:
    with pytest.raises(ValueError, match=r"Value\.linear: expected at least one input"):
        Value.linear([], [], Value(2.0))


# --------------------------------------------------------------------------------------------------
# Deep graphs: no recursion anywhere
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_chain_of_a_million_nodes_backpropagates() -> None:
    # x_n = x0 * c^n, built as n multiplications by the SAME leaf c:
    #   d x_n / d x0 = c^n,   d x_n / d c = n x0 c^(n-1)   (c reused a million times).
    n = 1_000_000
    x0, c = Value(0.5), Value(1.000001)
    x = x0
    for _ in range(n):
        x = x * c
    x.backward()
    # n rounded multiplications: relative error at most about n * 2^-53 ~ 1e-10
    assert x.data == pytest.approx(0.5 * math.pow(1.000001, n), rel=1e-9)
    assert x0.grad == pytest.approx(math.pow(1.000001, n), rel=1e-9)
    assert c.grad == pytest.approx(n * 0.5 * math.pow(1.000001, n - 1), rel=1e-9)
    assert len(topological_order(x)) == n + 2


def test_grad_and_zero_grad_on_a_deep_chain() -> None:
    # 10^5 tanh nodes: grad() and zero_grad() walk the graph without recursion too.
    # y = tanh(tanh(...tanh(x))):  dy/dx = prod over the chain of (1 - tanh(u_k)^2)
    x = Value(0.5)
    y = x
    slope = 1.0
    u = 0.5
    for _ in range(100_000):
        y = y.tanh()
        u = math.tanh(u)
        slope *= 1.0 - u * u
    (g,) = grad(y, x)
    assert g == pytest.approx(slope, rel=1e-9)
    y.backward()
    assert x.grad == pytest.approx(slope, rel=1e-9)
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0


def test_topological_order_lists_inputs_first_deterministically() -> None:
    # f = (x + y) * z: depth first, left to right, each node after its inputs
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    assert topological_order(f) == [x, y, q, z, f]
    g = z * q  # the same nodes, inputs in the other order
    assert topological_order(g) == [z, x, y, q, g]
    # a node reached twice is listed once
    h = q * q
    assert topological_order(h) == [x, y, q, h]


# --------------------------------------------------------------------------------------------------
# no_grad, enable_grad, detach
# --------------------------------------------------------------------------------------------------


def test_no_grad_records_no_graph() -> None:
    x = Value(2.0)
    with no_grad():
        assert is_grad_enabled() is False
        y = (x * 3.0).tanh() + x
    assert is_grad_enabled() is True
    assert y.data == pytest.approx(math.tanh(6.0) + 2.0, rel=1e-15)
    assert y._prev == () and y._op == ""
    with pytest.raises(RuntimeError, match=r"computed inside no_grad\(\)"):
        y.backward()  # as in PyTorch: no graph, nothing to differentiate
    assert x.grad == 0.0


def test_no_grad_as_a_decorator() -> None:
    @no_grad()
    def evaluate(x: Value) -> Value:
        assert is_grad_enabled() is False
        return x * x

    x = Value(3.0)
    y = evaluate(x)
    assert y.data == 9.0 and y._prev == ()
    assert is_grad_enabled() is True
    assert evaluate.__name__ == "evaluate"  # functools.wraps keeps the name


def test_no_grad_nested_and_enable_grad_inside() -> None:
    x = Value(1.0)
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()  # leaving the inner block keeps the outer setting
        with enable_grad():
            assert is_grad_enabled()
            assert (x + 1.0)._prev != ()
        assert not is_grad_enabled()
        assert (x + 1.0)._prev == ()
    assert is_grad_enabled()


def test_the_same_no_grad_object_can_be_nested() -> None:
    ctx = no_grad()
    with ctx:
        with ctx:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_is_restored_after_an_exception() -> None:
    with pytest.raises(RuntimeError, match="boom"), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()

    @no_grad()
    def fails() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        fails()
    assert is_grad_enabled()


def test_no_grad_in_one_thread_does_not_leak_into_another() -> None:
    entered, checked = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def worker() -> None:
        with no_grad():
            seen["worker_enabled"] = is_grad_enabled()
            entered.set()
            checked.wait(timeout=10)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert entered.wait(timeout=10)
        # the worker is inside no_grad right now; this thread must still record graphs
        x = Value(1.0)
        y = x * 2.0
        seen["main_enabled"] = is_grad_enabled()
        seen["main_prev"] = y._prev
    finally:
        checked.set()
        thread.join(timeout=10)
    assert seen["worker_enabled"] is False
    assert seen["main_enabled"] is True
    assert seen["main_prev"] == (x, y._prev[1])


def test_main_thread_no_grad_does_not_leak_into_a_new_thread() -> None:
    seen: dict[str, object] = {}

    def worker() -> None:
        seen["enabled"] = is_grad_enabled()
        seen["prev_len"] = len((Value(1.0) * 2.0)._prev)

    with no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(timeout=10)
    assert seen == {"enabled": True, "prev_len": 2}


def test_no_grad_in_one_asyncio_task_does_not_leak_into_another() -> None:
    async def main() -> tuple[bool, bool, int]:
        inside = asyncio.Event()
        release = asyncio.Event()

        async def evaluating() -> bool:
            with no_grad():
                inside.set()
                await release.wait()
                return is_grad_enabled()

        task = asyncio.create_task(evaluating())
        await inside.wait()
        # the other task is suspended inside no_grad; this one still records graphs
        enabled_here = is_grad_enabled()
        prev_len = len((Value(1.0) * 2.0)._prev)
        release.set()
        return await task, enabled_here, prev_len

    in_task, enabled_here, prev_len = asyncio.run(main())
    assert in_task is False
    assert enabled_here is True
    assert prev_len == 2


def test_detach_is_a_leaf_with_the_same_data() -> None:
    x = Value(2.0)
    y = x * 3.0
    d = y.detach()
    assert d is not y
    assert d.data == 6.0
    assert d._prev == () and d._op == "" and d.grad == 0.0


def test_gradient_does_not_flow_through_detach() -> None:
    # f = x * stop(x): only the first factor is differentiated, df/dx = stop(x) = x.data
    x = Value(3.0)
    f = x * x.detach()
    f.backward()
    assert f.data == 9.0
    assert x.grad == 3.0


# --------------------------------------------------------------------------------------------------
# Errors: the type of the specification, and a message naming the op and the operand
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("x", [0.0, -1.5])
def test_log_of_non_positive(x: float) -> None:
    with pytest.raises(ValueError) as info:
        Value(x).log()
    message = str(info.value)
    assert "log" in message and repr(x) in message
    assert "math domain error" not in message


def test_sqrt_of_negative() -> None:
    with pytest.raises(ValueError) as info:
        Value(-4.0).sqrt()
    message = str(info.value)
    assert "sqrt" in message and "-4.0" in message


def test_sqrt_of_zero_is_allowed() -> None:
    assert Value(0.0).sqrt().data == 0.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(3.0) / Value(0.0),
        lambda: Value(3.0) / 0,
        lambda: 3.0 / Value(0.0),
        lambda: Value(3.0).div(0.0),
    ],
    ids=["Value/Value", "Value/number", "number/Value", "div"],
)
def test_division_by_zero(make) -> None:
    with pytest.raises(ZeroDivisionError) as info:
        make()
    message = str(info.value)
    assert "divi" in message.lower()  # names the op (division / divide)
    assert "3.0" in message and "zero" in message.lower()


# 0 ** negative: Python itself raises ZeroDivisionError (0.0 ** -1); the specification only asks
# for an error naming the op and the operand, so either arithmetic error type is accepted.
@pytest.mark.parametrize(
    "make",
    [lambda: Value(0.0) ** -2, lambda: Value(0.0) ** Value(-2.0), lambda: 0.0 ** Value(-2.0)],
    ids=["Value**number", "Value**Value", "number**Value"],
)
def test_zero_to_a_negative_power(make) -> None:
    with pytest.raises((ZeroDivisionError, ValueError)) as info:
        make()
    message = str(info.value)
    assert "pow" in message.lower() or "**" in message
    assert "0.0" in message and "-2" in message


@pytest.mark.parametrize(
    "make",
    [lambda: Value(-8.0) ** 0.5, lambda: Value(-8.0) ** Value(0.5), lambda: (-8.0) ** Value(0.5)],
    ids=["Value**number", "Value**Value", "number**Value"],
)
def test_negative_base_to_a_non_integer_power(make) -> None:
    with pytest.raises(ValueError) as info:
        make()
    message = str(info.value)
    assert "pow" in message.lower() or "**" in message
    assert "-8.0" in message and "0.5" in message


def test_negative_base_to_an_integer_power_is_fine() -> None:
    x = Value(-2.0)
    y = x**3  # d/dx x^3 = 3x^2 = 12
    y.backward()
    assert y.data == -8.0 and x.grad == 12.0
    z = Value(-2.0) ** Value(2.0)
    assert z.data == 4.0


def test_exp_overflow() -> None:
    with pytest.raises(OverflowError) as info:
        Value(1000.0).exp()
    message = str(info.value)
    assert "exp" in message and "1000.0" in message


def test_pow_overflow_names_the_op() -> None:
    with pytest.raises(OverflowError) as info:
        Value(10.0) ** 400
    assert "10.0" in str(info.value)


@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_tanh_and_sigmoid_never_overflow(x: float) -> None:
    v = Value(x)
    t = v.tanh()
    s = v.sigmoid()
    assert t.data == math.copysign(1.0, x)
    assert s.data == (1.0 if x > 0 else 0.0)
    (t + s).backward()
    assert math.isfinite(v.grad)
    assert v.grad == 0.0  # both slopes underflow to exactly 0 this far out


def test_leaky_relu_default_slope_is_one_hundredth() -> None:
    x = Value(-2.0)
    y = x.leaky_relu()
    y.backward()
    assert y.data == pytest.approx(-0.02, rel=1e-15)
    assert x.grad == 0.01


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda: Value.sum([Value(1.0), "2"]), "Value.sum"),
        (lambda: Value.linear([Value(1.0)], [None]), "Value.linear"),
        (lambda: Value.linear([Value(1.0)], [Value(1.0)], bias="b"), "Value.linear"),
    ],
    ids=["sum", "linear weight", "linear bias"],
)
def test_n_ary_nodes_refuse_non_numbers_naming_the_op(make, op: str) -> None:
    with pytest.raises(TypeError) as info:
        make()
    assert op in str(info.value)


def test_leaky_relu_slope_must_be_a_number() -> None:
    with pytest.raises(TypeError, match=r"leaky_relu\(slope\): expected a real number.*'0.1'"):
        Value(1.0).leaky_relu("0.1")  # type: ignore[arg-type]


def test_the_written_out_constructors_make_the_same_node_as_node() -> None:
    """relu and Value.linear write ``_node()`` out for speed: every slot must match."""
    from autograd import no_grad
    from autograd.engine import _node
    from autograd.rules import RULES

    x, w, b = Value(0.5), Value(-2.0), Value(0.25)
    slots = ("data", "grad", "label", "_inputs", "_op", "_rule", "_param")
    for made, expected in (
        (x.relu(), _node(0.5, x, RULES["relu"])),
        (Value.linear([x], [w], b), _node(-0.75, (x,), RULES["linear"], (w, b))),
    ):
        assert [getattr(made, s) for s in slots] == [getattr(expected, s) for s in slots]
    from autograd._compact import NO_GRAD

    with no_grad():  # a leaf that remembers it was computed under no_grad (backward() says so)
        for made in (x.relu(), Value.linear([x], [w], b)):
            expected = [made.data, 0.0, "", (), "", NO_GRAD, None]
            assert [getattr(made, s) for s in slots] == expected
