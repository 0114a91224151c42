"""Corners of the engine a learner meets rarely: integer constants, the sign of zero, anomaly
mode building the same graph as the ordinary mode, leaves made by the engine, and foreign
objects with a ``.data`` of their own.

Truths: the engine's contract (a constant is kept as a float leaf; ``relu(x) = x if x > 0 else
0``; anomaly mode only adds checks, so graphs, op names and gradients are those of the ordinary
mode), gradients derived by hand next to each test.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from autograd import AnomalyError, Value, detect_anomaly
from autograd.rules import RULES

# --------------------------------------------------------------------------------------------------
# Constants given as ints
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "value", "slope", "constant_slope"),
    [
        (lambda x: x + 3, 4.5, 1.0, 1.0),
        (lambda x: 3 + x, 4.5, 1.0, 1.0),
        (lambda x: x - 3, -1.5, 1.0, -1.0),
        (lambda x: 3 - x, 1.5, -1.0, 1.0),
    ],
    ids=["x+3", "3+x", "x-3", "3-x"],
)
def test_an_int_constant_becomes_a_float_leaf_holding_its_value(
    make: Callable[[Value], Value], value: float, slope: float, constant_slope: float
) -> None:
    x = Value(1.5)
    out = make(x)
    (c,) = [p for p in out._prev if p is not x]
    assert type(c.data) is float and c.data == 3.0
    out.backward()
    assert out.data == value and x.grad == slope  # x = 1.5
    assert c.grad == constant_slope  # d(x + c)/dc = d(c + x)/dc = d(c - x)/dc = 1, d(x - c)/dc = -1


# --------------------------------------------------------------------------------------------------
# relu at -0.0
# --------------------------------------------------------------------------------------------------


def test_relu_of_minus_zero_is_plus_zero_as_in_the_op_table() -> None:
    """``x if x > 0 else 0.0``: -0.0 is not > 0, so the result is the 0.0 of the formula."""
    for made in (Value(-0.0).relu(), RULES["relu"].forward(-0.0)):
        data = made.data if isinstance(made, Value) else made
        assert data == 0.0 and math.copysign(1.0, data) == 1.0


# --------------------------------------------------------------------------------------------------
# Anomaly mode builds the same graph
# --------------------------------------------------------------------------------------------------

GRAPHS: dict[str, Callable[[Value, Value], Value]] = {
    # f(x, y) at x = 2, y = -3, with df/dx and df/dy worked out by hand
    "x*3": lambda x, y: x * 3.0,  # 3, 0
    "x*y": lambda x, y: x * y,  # y = -3, x = 2
    "x**2": lambda x, y: x**2,  # 2x = 4, 0
    "2**x": lambda x, y: 2.0**x,  # 4 ln 2, 0
    "relu": lambda x, y: x.relu(),  # 1, 0
    "tanh": lambda x, y: (x * 0.0).tanh(),  # 0 * (1 - 0) = 0, 0
    "leaky": lambda x, y: y.leaky_relu(0.5),  # 0, 0.5
    "linear": lambda x, y: Value.linear([x, y], [y, 4.0], 1.0),  # y = -3, x + 4 = 6
}
EXPECTED = {
    "x*3": (3.0, 0.0),
    "x*y": (-3.0, 2.0),
    "x**2": (4.0, 0.0),
    "2**x": (4.0 * math.log(2.0), 0.0),
    "relu": (1.0, 0.0),
    "tanh": (0.0, 0.0),
    "leaky": (0.0, 0.5),
    "linear": (-3.0, 6.0),
}


def _shape(out: Value) -> list[tuple[str, float, int]]:
    from autograd.engine import topological_order

    return [(n._op, n.data, len(n._prev)) for n in topological_order(out)]


@pytest.mark.parametrize("name", GRAPHS)
def test_anomaly_mode_builds_the_same_graph_and_gradients_as_the_ordinary_mode(name: str) -> None:
    x, y = Value(2.0), Value(-3.0)
    plain = GRAPHS[name](x, y)
    with detect_anomaly():
        checked = GRAPHS[name](x, y)
        checked.backward()
    assert _shape(checked) == _shape(plain)
    assert checked._op == plain._op
    assert (x.grad, y.grad) == pytest.approx(EXPECTED[name], rel=1e-15)


def test_anomaly_mode_names_the_place_a_node_was_made() -> None:
    """The node's origin is recorded when it is made, so the report says where it came from."""
    with detect_anomaly():
        x = Value(0.0)
        y = x.sqrt()
        with pytest.raises(AnomalyError) as err:
            y.backward()
    message = str(err.value)
    assert "the backward of 'sqrt' gave its input 1 the gradient inf" in message
    assert re_search(r"it was made at \S+:\d+", message)
    assert "line is unknown" not in message


def re_search(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text) is not None


def test_anomaly_mode_is_shown_by_name_as_the_grad_mode() -> None:
    """Inside ``detect_anomaly()`` the grad-mode setting is a marker that prints as its name,
    so a debugger shows which mode is on (it is neither True nor False)."""
    from autograd.engine import _grad_enabled

    with detect_anomaly():
        mode = _grad_enabled.get()
    assert repr(mode) == "anomaly mode"
    assert not mode


# --------------------------------------------------------------------------------------------------
# Leaves made by the engine
# --------------------------------------------------------------------------------------------------


def test_the_underscore_backward_of_an_engine_made_leaf_does_nothing() -> None:
    """A constant folded into a node and a detached copy are leaves: one chain-rule step from
    them has nowhere to push, so it changes no gradient."""
    x = Value(2.0)
    out = x * 3.0
    (_, constant) = out._prev
    for leaf in (constant, x.detach()):
        leaf.grad = 5.0
        leaf._backward()
        assert leaf.grad == 5.0 and leaf._prev == ()
    assert x.grad == 0.0


# --------------------------------------------------------------------------------------------------
# Value.linear and objects that only look like Values
# --------------------------------------------------------------------------------------------------


class _ForeignValue:
    """A Value of another engine (micrograd's, say): a ``.data`` but not this engine's node."""

    def __init__(self, data: float) -> None:
        self.data = data


def test_linear_refuses_a_bias_from_another_engine_naming_linear() -> None:
    x, y, w1, w2 = Value(1.0), Value(2.0), Value(3.0), Value(4.0)
    with pytest.raises(TypeError, match=r"^Value\.linear: expected a real number .*_ForeignValue"):
        Value.linear([x, y], [w1, w2], _ForeignValue(0.5))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# relu: the one function written out in the class
# --------------------------------------------------------------------------------------------------


def test_relu_stays_the_method_written_in_the_class_when_the_table_installs_methods() -> None:
    """Every function of the table becomes a method made from its rule, except relu, written
    out for speed: installing the table's methods (as at import, or again) keeps it, and the
    maths namespace of second derivatives borrows it."""
    from autograd.engine import ValueMath, _install_method

    written = Value.__dict__["relu"]
    _install_method(RULES["relu"])
    assert Value.__dict__["relu"] is written
    assert "written out rather than made from the table" in (Value.relu.__doc__ or "")
    assert ValueMath.__dict__["relu"].__func__ is written
    assert ValueMath.relu(Value(-1.5)).data == 0.0 and ValueMath.relu(Value(1.5)).data == 1.5


def test_a_function_of_the_table_with_two_parameters_is_refused_as_a_method_naming_it() -> None:
    """A method made from the table takes at most one number after ``self`` (``x.leaky_relu(
    slope)``): registering a function of two is refused, with the rule's name."""
    from autograd import rules
    from autograd.rules import Rule

    two = Rule(
        "scaled_shift", "scaled_shift", 1,
        lambda x, a, b: a * x + b,
        lambda m, out, x, a, b: (a,),
        "d/dx (a x + b) = a",
        method="scaled_shift", params=(("a", 1.0), ("b", 0.0)),
    )  # fmt: skip
    with pytest.raises(
        ValueError, match=r"^scaled_shift: a method takes at most one number parameter$"
    ):
        rules.register(two)
    # and the refused rule is not left half-registered
    assert "scaled_shift" not in RULES and not hasattr(Value, "scaled_shift")
