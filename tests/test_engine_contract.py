"""What the engine promises through its public API, whatever the way nodes are stored: new nodes
start with no gradient and no label, constants show up as leaves, ``Value.linear`` and
``Value.sum`` take numbers as well as Values, and every refusal names the operation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from autograd import Value
from autograd.engine import local_grads

NEW_NODES: dict[str, Callable[[Value], Value]] = {
    "x+c": lambda x: x + 2.0,
    "c+x": lambda x: 2.0 + x,
    "x-c": lambda x: x - 2.0,
    "c-x": lambda x: 2.0 - x,
    "x*c": lambda x: x * 2.0,
    "x/c": lambda x: x / 2.0,
    "x*x": lambda x: x * x,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "x**2": lambda x: x**2,
    "sum": lambda x: Value.sum([x, 1.0, x]),
    "linear": lambda x: Value.linear([x, x], [0.5, x], 1.0),
}


@pytest.mark.parametrize("name", NEW_NODES)
def test_a_new_node_starts_with_zero_gradient_and_no_label(name: str) -> None:
    x = Value(1.5)
    out = NEW_NODES[name](x)
    assert out.grad == 0.0 and out.label == ""
    assert "label" not in repr(out)
    out.backward()
    assert out.grad == 1.0


def test_a_leaf_has_no_label_unless_given_one() -> None:
    assert Value(2.0).label == ""
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2.0, label="a")) == "Value(data=2.0, grad=0.0, label='a')"


@pytest.mark.parametrize(
    ("make", "inputs"),
    [
        (lambda x: x + 2.0, [1.5, 2.0]),
        (lambda x: 2.0 + x, [2.0, 1.5]),
        (lambda x: x - 2.0, [1.5, 2.0]),
        (lambda x: 2.0 - x, [2.0, 1.5]),
        (lambda x: x * 3, [1.5, 3.0]),
        (lambda x: 3 + x, [3.0, 1.5]),
    ],
)
def test_a_constant_operand_is_shown_as_a_leaf_with_its_value(make, inputs) -> None:
    x = Value(1.5)
    out = make(x)
    assert [p.data for p in out._prev] == inputs
    assert x in out._prev


def test_linear_takes_numbers_for_weights_and_bias() -> None:
    # 0.5 + 2*x + 3*y with x = 1, y = -1: 0.5 + 2 - 3 = -0.5; d/dx = 2, d/dy = 3
    x, y = Value(1.0), Value(-1.0)
    out = Value.linear([x, y], [2.0, 3], 0.5)
    out.backward()
    assert (out.data, x.grad, y.grad) == (-0.5, 2.0, 3.0)
    # the default bias is 0: the dot product alone
    w = Value(4.0)
    assert Value.linear((x,), [w]).data == 4.0
    assert Value.linear([x, y], [w, w]).data == 0.0


def test_linear_and_sum_refusals_name_the_op() -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"^Value\.linear: got 2 inputs but 1 weights; they must"):
        Value.linear([x, x], [x])
    with pytest.raises(ValueError, match=r"^Value\.linear: got 1 inputs but 2 weights; they must"):
        Value.linear([x], [x, x])
    with pytest.raises(ValueError, match=r"got none \(a neuron without inputs is just its bias\)$"):
        Value.linear([], [])
    with pytest.raises(TypeError, match=r"^Value\.linear: expected a real number .* got str: 'w'"):
        Value.linear([x], ["w"])
    with pytest.raises(TypeError, match=r"^Value\.sum: expected a real number .* got str: '2'"):
        Value.sum([x, "2"])
    with pytest.raises(ValueError, match=r"^Value\.sum: expected at least one value, got an emp"):
        Value.sum([])


def test_comparisons_with_a_non_number_name_the_comparison() -> None:
    with pytest.raises(TypeError, match=r"^comparison: expected a real number .* got str: 'a'$"):
        _ = Value(1.0) < "a"  # type: ignore[operator]
    assert Value(1.0) < 2 and Value(3.0) >= Value(3.0)


def test_local_grads_refuses_a_hand_built_node_naming_it() -> None:
    x = Value(1.0)
    y = Value(1.0, (x,), "custom")
    y._backward = lambda: None
    with pytest.raises(TypeError, match=r"^local_grads: node .* \(op 'custom'\) was built by hand"):
        local_grads(y)


def test_relu_at_zero_and_below() -> None:
    for x, expected in ((0.0, 0.0), (-0.0, 0.0), (-2.0, 0.0), (2.0, 2.0)):
        v = Value(x)
        out = v.relu()
        out.backward()
        assert out.data == expected
        assert v.grad == (1.0 if x > 0 else 0.0)


def test_format_with_a_spec_formats_the_number_and_without_one_is_the_repr() -> None:
    x = Value(2.5, label="x")
    assert f"{x:.3f}" == "2.500" and f"{x:+g}" == "+2.5"
    assert f"{x}" == repr(x) == "Value(data=2.5, grad=0.0, label='x')"
    with pytest.raises(TypeError, match=r"^float\(\) of a Value is refused"):
        float(x)
