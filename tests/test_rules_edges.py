"""The op table at its edges: IEEE powers, the singular points of ``**``, the forwards' errors, and
the lists made from the table (registering, the live activation names, the README's table).

Truths used here: numpy's ``power`` (C's ``pow``, the IEEE function ``FloatMath.pow`` promises to
be), PyTorch's masked derivatives of ``a ** b`` at ``a = b = 0``, hand-written Markdown, and the
table's own promise that every list made from it follows it as it changes.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator

import numpy as np
import pytest

from autograd import Value, grad, rules
from autograd.engine import ValueMath
from autograd.rules import RULES, FloatMath, Rule

# --------------------------------------------------------------------------------------------------
# FloatMath.pow is C's pow: never an exception, signed infinities where C gives them
# --------------------------------------------------------------------------------------------------

POWERS = [
    # zero to a negative power: inf, signed like the zero for an odd integer power
    (0.0, -1.0),
    (-0.0, -1.0),
    (-0.0, -3.0),
    (-0.0, -2.0),
    (-0.0, -0.5),
    (0.0, -0.5),
    # too large for a float: signed like the base for an odd integer power
    (-10.0, 309.0),
    (-10.0, 310.0),
    (10.0, 309.0),
    (0.1, -309.0),
    (-0.1, -309.0),
    (-0.1, -310.0),
    (-1e200, 3.0),
    # a negative base to a non-integer power is not real
    (-8.0, 1 / 3),
    (-2.0, 0.5),
    # ordinary values
    (2.0, 3.0),
    (-2.0, 3.0),
    (0.0, 0.0),
]


def _same_float(a: float, b: float) -> bool:
    """Equal as floats, down to the sign of an infinity or a zero; nan equals nan."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@pytest.mark.parametrize(("x", "k"), POWERS)
def test_float_math_power_is_the_ieee_power_numpy_computes(x: float, k: float) -> None:
    with np.errstate(all="ignore"):
        expected = float(np.power(np.float64(x), np.float64(k)))
    assert _same_float(FloatMath.pow(x, k), expected), (x, k, FloatMath.pow(x, k), expected)


def test_an_odd_negative_power_of_negative_zero_is_minus_infinity_and_an_even_one_plus() -> None:
    """Spelled out: (-0)^-1 = 1/(-0) = -inf, (-0)^-2 = 1/(+0) = +inf, (-0)^-0.5 = +inf."""
    assert FloatMath.pow(-0.0, -1.0) == -math.inf
    assert FloatMath.pow(-0.0, -2.0) == math.inf
    assert FloatMath.pow(-0.0, -0.5) == math.inf
    assert FloatMath.pow(-10.0, 309.0) == -math.inf  # (-10)^309 = -(10^309)
    assert FloatMath.pow(0.1, -309.0) == math.inf  # 0.1^-309 = 10^309, positive


# --------------------------------------------------------------------------------------------------
# a ** b at a = b = 0: nothing flows back to either input (PyTorch's masked formulas)
# --------------------------------------------------------------------------------------------------


def test_zero_to_the_zero_sends_no_gradient_to_either_input_on_every_path() -> None:
    """0 ** 0 = 1. b * a**(b-1) would be 0 * inf = nan for a, and log(0) for b: PyTorch masks
    both to 0, and so does every path here, whatever the upstream gradient."""
    a, b = Value(0.0), Value(0.0)
    y = a**b
    assert y.data == 1.0
    y.backward()
    assert (a.grad, b.grad) == (0.0, 0.0)
    a, b = Value(0.0), Value(0.0)
    (a**b).backward(math.inf)  # even an infinite upstream gradient adds nothing
    assert (a.grad, b.grad) == (0.0, 0.0)
    a, b = Value(0.0), Value(0.0)
    assert grad(a**b, [a, b]) == (0.0, 0.0)
    da, db = grad(a**b, [a, b], create_graph=True)
    assert (da.data, db.data) == (0.0, 0.0)


def test_zero_to_a_positive_power_keeps_its_slope_in_the_base() -> None:
    """d/da a**b = b a^(b-1): at a = 0 it is 1 for b = 1 and 0 for b = 2 (no mask away from
    b = 0), while d/db is masked (0**b is the constant 0 for b > 0)."""
    for k, slope in ((1.0, 1.0), (2.0, 0.0)):
        a, b = Value(0.0), Value(k)
        (a**b).backward()
        assert (a.grad, b.grad) == (slope, 0.0)


# --------------------------------------------------------------------------------------------------
# The forwards name the op and the operand they refuse; relu's two forwards agree bit for bit
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sin", "cos"])
@pytest.mark.parametrize("x", [math.inf, -math.inf])
def test_sine_and_cosine_of_an_infinity_are_refused_naming_the_op_and_the_input(
    name: str, x: float
) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: {name}\({x!r}\) is undefined \(no limit"):
        getattr(Value(x), name)()


@pytest.mark.parametrize("x", [-0.0, 0.0, -2.5, 3.0, -1e-300])
def test_relu_on_floats_gives_the_same_float_as_the_value_method(x: float) -> None:
    """relu maps every x <= 0, negative zero included, to the same +0.0: its float forward (used
    by the maths namespace and the stepper) and the engine's written-out method agree bit for
    bit."""
    by_method = Value(x).relu().data
    for by_float in (FloatMath.relu(x), RULES["relu"].forward(x)):  # type: ignore[attr-defined]
        assert _same_float(by_float, by_method), (x, by_float, by_method)
    if x <= 0:
        assert _same_float(by_method, 0.0)


# --------------------------------------------------------------------------------------------------
# op_label: what a diagram shows
# --------------------------------------------------------------------------------------------------


def test_op_label_writes_the_number_into_a_power_and_shows_any_other_op_by_its_symbol() -> None:
    assert rules.op_label(RULES["pow_const"], 2.0) == "**2"
    assert rules.op_label(RULES["pow_const"], 0.5) == "**0.5"
    assert rules.op_label(RULES["rpow_const"], 3.0) == "3**"
    assert rules.op_label(RULES["pow_const"], None) == "**"
    # an op with a number that is not a power: its symbol alone
    assert rules.op_label(RULES["leaky_relu"], 0.01) == "leaky_relu"
    assert rules.op_label(RULES["mul"], 2.0) == "*"
    assert rules.op_label(RULES["tanh"], None) == "tanh"


# --------------------------------------------------------------------------------------------------
# register, unregister, on_register: the maths namespaces follow the table
# --------------------------------------------------------------------------------------------------


def _scaled(x: float, k: float) -> float:
    return k * x


SCALED = Rule(
    "scaled_by",
    "scaled_by",
    1,
    _scaled,
    lambda m, out, x, k: (k,),
    "d/dx (k x) = k",
    method="scaled_by",
    params=(("k", 2.0),),
    doc="k times x",
)
TWICE = Rule("twice", "2x", 1, lambda x: 2.0 * x, lambda m, out, x: (2.0,), "d/dx 2x = 2")
HYPOT = Rule(
    "hypot2",
    "hypot",
    2,
    math.hypot,
    lambda m, out, a, b: (m.div(a, out), m.div(b, out)),
    "d/da hypot(a, b) = a / hypot(a, b)",
    method="hypot2",
)


def _names(namespace: type) -> set[str]:
    return {k for k in vars(namespace) if not k.startswith("_")}


def _in_namespaces(rule: Rule) -> tuple[bool, bool]:
    """Whether FloatMath and ValueMath have a function named after the rule's method."""
    if rule.method is None:
        return False, False
    return hasattr(FloatMath, rule.method), hasattr(ValueMath, rule.method)


@pytest.fixture
def three_rules() -> Iterator[None]:
    before = _names(FloatMath)
    for rule in (SCALED, TWICE, HYPOT):
        rules.register(rule)
    try:
        yield
    finally:
        for rule in (SCALED, TWICE, HYPOT):
            if rule.name in RULES:
                rules.unregister(rule.name)
        assert _names(FloatMath) == before
        assert not hasattr(ValueMath, "scaled_by") and not hasattr(ValueMath, "hypot2")


def test_the_maths_namespaces_name_only_functions_of_one_value_without_a_parameter(
    three_rules: None,
) -> None:
    """A partial written ``m.f(x)`` must run on floats (FloatMath) and on Values (ValueMath): both
    offer the same names, one per one-input rule with a method and no parameter. A rule with a
    parameter (x.scaled_by(k)), without a method, or of two inputs adds none."""
    assert Value(1.5).scaled_by(3.0).data == 4.5  # type: ignore[attr-defined]
    for name in ("scaled_by", "twice", "hypot2", "2x", "hypot"):
        assert not hasattr(FloatMath, name) and not hasattr(ValueMath, name), name
    for name, rule in RULES.items():
        offered = rule.method is not None and rule.arity == 1 and not rule.params
        assert _in_namespaces(rule) == (offered, offered), name
        if rule.method is not None and offered:
            assert getattr(FloatMath, rule.method)(0.5) == rule.forward(0.5), name


def test_rules_with_a_parameter_or_without_a_method_are_unregistered_cleanly(
    three_rules: None,
) -> None:
    for name in ("scaled_by", "twice", "hypot2"):
        rules.unregister(name)
        assert name not in RULES
    assert not hasattr(Value, "scaled_by")
    assert "scaled_by" not in rules.markdown_table() and "hypot2" not in rules.markdown_table()


def test_a_hook_sees_every_rule_now_and_every_rule_registered_or_unregistered_later() -> None:
    seen: list[tuple[str, bool]] = []

    def hook(rule: Rule) -> None:
        seen.append((rule.name, rule.name in RULES))

    rules.on_register(hook)
    try:
        assert seen == [(name, True) for name in RULES]
        seen.clear()
        rules.register(TWICE)
        rules.unregister("twice")
        assert seen == [("twice", True), ("twice", False)]
    finally:
        rules._ON_REGISTER.remove(hook)
        if "twice" in RULES:
            rules.unregister("twice")


# --------------------------------------------------------------------------------------------------
# The live lists: ACTIVATIONS, functions(), markdown_table()
# --------------------------------------------------------------------------------------------------


def test_the_activation_names_print_as_the_set_they_are_in_table_order() -> None:
    shown = repr(rules.ACTIVATIONS)
    assert ast.literal_eval(shown) == set(rules.ACTIVATIONS)
    assert shown == "{" + ", ".join(repr(n) for n in rules.ACTIVATIONS) + "}"
    assert list(rules.ACTIVATIONS) == ["relu", "tanh", "sigmoid", "leaky_relu"]


@pytest.mark.parametrize("thing", [["relu"], {"relu": 1}, None, 3, ("relu",)])
def test_something_that_is_not_a_name_is_not_an_activation(thing: object) -> None:
    """Asked about anything but a string (even an unhashable list), the answer is no, not an
    error: ``nn`` then reports an unknown activation with the list of names."""
    assert thing not in rules.ACTIVATIONS


def test_a_live_list_of_names_follows_the_table_as_rules_come_and_go() -> None:
    def one_input_without_method(rule: Rule) -> bool:
        return rule.arity == 1 and rule.method is None

    live = rules._LiveNames(one_input_without_method)
    assert set(live) == {"neg", "pow_const", "rpow_const"} and len(live) == 3
    assert "neg" in live and "exp" not in live and "nonexistent" not in live
    rules.register(TWICE)
    try:
        assert "twice" in live and list(live)[-1] == "twice" and len(live) == 4
    finally:
        rules.unregister("twice")
    assert "twice" not in live and len(live) == 3


def test_functions_are_the_methods_made_from_the_table_in_table_order() -> None:
    made = rules.functions()
    assert list(made) == [
        "exp",
        "log",
        "relu",
        "tanh",
        "sigmoid",
        "leaky_relu",
        "sqrt",
        "abs",
        "sin",
        "cos",
    ]
    for name, rule in made.items():
        assert rule.method == name and getattr(Value, name)  # a Value method of that name


def test_the_markdown_table_has_a_header_and_one_row_of_four_cells_per_rule() -> None:
    lines = rules.markdown_table().split("\n")
    assert lines[0] == "| op | what it is | local derivatives | defined for |"
    assert lines[1] == "|---|---|---|---|"
    assert len(lines) == 2 + len(RULES)
    for line, name in zip(lines[2:], RULES):
        assert line.startswith(f"| {name} | ") and line.endswith(" |")
        cells = line[2:-2].replace("\\|", "¦").split(" | ")
        assert len(cells) == 4 and cells[0] == name, line
    rows = dict(zip(RULES, lines[2:]))
    assert rows["add"] == (
        "| add | `a + b`; `Value.sum(values)` makes one node of many terms "
        "| `d/dxi (x1 + x2 + ...) = 1` | all real numbers |"
    )
    assert rows["leaky_relu"] == (
        "| leaky_relu | `x.leaky_relu(slope=0.01)`: x for x > 0, else slope * x "
        "| `d/dx leaky_relu(x) = 1 if x > 0 else slope` | all real numbers |"
    )
    # a "|" inside a cell is escaped, or it would end the cell
    assert rows["abs"] == (
        "| abs | `x.abs()`: absolute value \\|x\\| "
        "| `d/dx \\|x\\| = sign(x)  (0 at x = 0)` | all real numbers |"
    )


def test_a_rule_refused_while_registering_is_left_out_of_every_list() -> None:
    """A method takes at most one number parameter: the engine refuses ``x.affine(a, b)``. The
    refused rule must not stay half-registered in the table, the expressions or the README's
    table, so that a corrected rule of the same name can be registered afterwards."""
    from autograd.expr import FUNCTIONS

    def affine(x: float, a: float, b: float) -> float:
        return a * x + b

    two = Rule(
        "affine",
        "affine",
        1,
        affine,
        lambda m, out, x, a, b: (a,),
        "d/dx (a x + b) = a",
        method="affine",
        params=(("a", 2.0), ("b", 0.5)),
    )
    with pytest.raises(ValueError, match="affine: a method takes at most one number parameter"):
        rules.register(two)
    assert "affine" not in RULES and "affine" not in FUNCTIONS
    assert not hasattr(Value, "affine") and "affine" not in rules.markdown_table()
    one = Rule(
        "affine",
        "affine",
        1,
        lambda x, a: a * x + 1.0,
        lambda m, out, x, a: (a,),
        "d/dx (a x + 1) = a",
        method="affine",
        params=(("a", 2.0),),
    )
    rules.register(one)
    try:
        assert Value(3.0).affine(0.5).data == 2.5  # type: ignore[attr-defined]
    finally:
        rules.unregister("affine")


def test_the_sigmoid_is_computed_by_the_formula_that_cannot_overflow_on_each_side() -> None:
    """For x >= 0 the sigmoid is 1 / (1 + e^-x), the float expression PyTorch computes, to the
    last bit; for x < 0, where e^-x may overflow, it is e^x / (1 + e^x) (equal in exact
    arithmetic: multiply above and below by e^x)."""
    for i in range(0, 192):
        x = i / 64
        assert Value(x).sigmoid().data == 1.0 / (1.0 + math.exp(-x)), x
    for x in [-i / 64 for i in range(1, 192)] + [-745.0, -1000.0]:
        e = math.exp(x)
        assert Value(x).sigmoid().data == e / (1.0 + e), x
