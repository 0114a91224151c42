"""One table entry per op: everything else is made from it.

A throwaway op registered in a fixture must show up, working, in every list made from the table:
the Value method, both maths namespaces of the partials, the expression whitelist and the CLI's
help, ``nn``'s activations (a model trains with it), the diagrams' activations, the README's table
of ops; and be gone from all of them once unregistered. The truth for its derivative is the closed
form d/dx x / (1 + |x|) = 1 / (1 + |x|)^2.
"""

from __future__ import annotations

import ast
import functools
import inspect
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from finite_differences import central_difference

from autograd import Value, grad, rules, viz
from autograd.cli import build_parser
from autograd.engine import ValueMath, _install_method
from autograd.expr import FUNCTIONS, evaluate
from autograd.nn import ACTIVATIONS, MLP
from autograd.pages.symbolic import Sym, SymMath
from autograd.rules import RULES, FloatMath, Rule

ROOT = Path(__file__).resolve().parent.parent


def _softsign(x: float) -> float:
    return x / (1.0 + abs(x))


SOFTSIGN = Rule(
    "softsign",
    "softsign",
    1,
    _softsign,
    lambda m, out, x: (m.div(1.0, (1.0 + abs(x)) ** 2),),
    "d/dx softsign(x) = 1 / (1 + |x|)^2",
    method="softsign",
    activation=True,
    doc="x / (1 + |x|), in (-1, 1)",
)


@pytest.fixture
def softsign() -> Iterator[Rule]:
    rules.register(SOFTSIGN)
    try:
        yield SOFTSIGN
    finally:
        rules.unregister("softsign")


def _draw_help() -> str:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices["draw"].format_help()  # type: ignore[attr-defined, no-any-return]


def test_a_registered_op_is_in_every_list_made_from_the_table(softsign: Rule) -> None:
    x = Value(-0.5)
    y = x.softsign()  # type: ignore[attr-defined]
    assert y.data == -0.5 / 1.5 and y._op == "softsign"
    y.backward()
    assert x.grad == pytest.approx(1 / 1.5**2)
    assert grad(y, x, create_graph=True)[0].data == pytest.approx(1 / 1.5**2)
    assert FloatMath.softsign(2.0) == pytest.approx(2 / 3)  # type: ignore[attr-defined]
    assert ValueMath.softsign(Value(2.0)).data == pytest.approx(2 / 3)  # type: ignore[attr-defined]
    assert "softsign" in FUNCTIONS
    assert evaluate("softsign(x) * 3", {"x": 1.0}).data == pytest.approx(1.5)
    assert "softsign" in re.sub(r"\s+", " ", _draw_help())
    assert "softsign" in ACTIVATIONS and "softsign" in viz._ACTIVATIONS
    model = MLP(2, [3, 1], activation="softsign", seed=0)
    assert math.isfinite(model([0.5, -1.0]).data)  # type: ignore[union-attr]
    assert "| softsign | `x.softsign()`: x / (1 + \\|x\\|), in (-1, 1) |" in rules.markdown_table()
    # the explorer's symbolic namespace, for a partial written as m.softsign(x)
    written = SymMath.softsign(Sym("x", 2.0))
    assert (str(written), written.value) == ("softsign(x)", pytest.approx(2 / 3))


def test_an_unregistered_op_is_gone_from_every_list(softsign: Rule) -> None:
    rules.unregister("softsign")
    try:
        assert not hasattr(Value, "softsign") and not hasattr(FloatMath, "softsign")
        assert not hasattr(ValueMath, "softsign") and not hasattr(SymMath, "softsign")
        assert "softsign" not in FUNCTIONS and "softsign" not in ACTIVATIONS
        assert "softsign" not in viz._ACTIVATIONS and "softsign" not in rules.markdown_table()
        assert "softsign" not in _draw_help()
    finally:
        rules.register(SOFTSIGN)  # for the fixture to take out again


def test_a_name_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="already a rule named 'relu'"):
        rules.register(RULES["relu"])


def test_the_type_checking_declarations_match_the_table() -> None:
    """mypy sees the methods made from the table through declarations in ``Value``'s
    ``if TYPE_CHECKING:`` block (or a method written out): both must match the table."""
    source = (ROOT / "autograd" / "engine.py").read_text()
    value_class = next(
        n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == "Value"
    )
    declared: dict[str, list[str]] = {}
    for node in value_class.body:
        body = node.body if isinstance(node, ast.If) else [node]
        for item in body:
            if isinstance(item, ast.FunctionDef):
                declared[item.name] = [a.arg for a in item.args.args]
    for name, rule in rules.functions().items():
        assert declared.get(name) == ["self", *(p for p, _ in rule.params)], name
        made = inspect.signature(getattr(Value, name))
        assert list(made.parameters) == ["self", *(p for p, _ in rule.params)], name
        for p, default in rule.params:
            assert made.parameters[p].default == default


def test_the_readme_table_of_ops_is_the_one_the_table_makes() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- ops table:")
    start = readme.index("\n", start) + 1
    end = readme.index("<!-- end of ops table -->")
    assert readme[start:end].strip() == rules.markdown_table()


def test_every_function_of_the_table_is_a_method_with_its_rule() -> None:
    for name, rule in rules.functions().items():
        args = [d for _, d in rule.params]
        out = getattr(Value(0.75), name)(*args)
        assert out._rule is rule and out.data == rule.forward(0.75, *args)


def _forward_at(rule: Rule, args: list[float], x: float) -> float:
    return rule.forward(x, *args)


def test_every_method_made_from_the_table_is_made_again_the_same_way() -> None:
    """The engine's hook of ``register`` builds each method afresh here (as it does at import):
    its name, signature, docstring, forward and gradient come from the rule, and the maths
    namespace of ``grad(create_graph=True)`` gets the same function under the same name."""
    for name, rule in rules.functions().items():
        _install_method(rule)
        method = getattr(Value, name)
        assert method.__name__ == name, name
        args = [default for _, default in rule.params]
        if getattr(method, "from_table", False):
            assert method.__qualname__ == f"Value.{name}"
            assert method.__doc__ == f"{rule.doc}.  {rule.formula}."
            params = inspect.signature(method).parameters
            assert list(params) == ["self", *(p for p, _ in rule.params)], name
            for p, default in rule.params:
                assert params[p].default == default
                with pytest.raises(TypeError, match=rf"^{name}\({p}\): expected a real number"):
                    method(Value(1.0), "a")
        else:  # written out in Value for speed: the maths namespace borrows it
            assert ValueMath.__dict__[name].__func__ is Value.__dict__[name]
        if not rule.params:
            assert ValueMath.__dict__[name].__func__ is method, name
        for a in (0.75, 0.4):
            x = Value(a)
            y = method(x, *args)
            assert y._rule is rule and y.data == rule.forward(a, *args), name
            y.backward()
            numeric = central_difference(functools.partial(_forward_at, rule, args), a)
            assert x.grad == pytest.approx(numeric, rel=1e-5, abs=1e-6), name
    # a parameter passed by name and by position reaches the forward
    if "leaky_relu" in rules.functions():
        assert Value(-2.0).leaky_relu(slope=0.25).data == -0.5  # type: ignore[attr-defined]
        assert Value(-2.0).leaky_relu(0.5).data == -1.0  # type: ignore[attr-defined]


def test_a_rule_keeps_what_it_was_given_and_defaults_to_an_operator_on_all_reals() -> None:
    def forward(x: float) -> float:
        return 2 * x

    def partials(m: object, out: float, x: float) -> tuple[float]:
        return (2.0,)

    plain = Rule("twice", "2*", 1, forward, partials, "d/dx 2x = 2")
    assert (plain.name, plain.symbol, plain.arity) == ("twice", "2*", 1)
    assert plain.forward is forward and plain.partials is partials
    assert plain.formula == "d/dx 2x = 2" and plain.domain == "all real numbers"
    assert plain.method is None and plain.params == () and plain.activation is False
    assert plain.doc == "" and plain.backward is None
    assert repr(plain) == "Rule('twice': d/dx 2x = 2)"
    full = Rule(
        "twice", "2*", 1, forward, partials, "f", "x > 0",
        method="twice", params=(("k", 1.0),), activation=True, doc="2x",
    )  # fmt: skip
    assert (full.domain, full.method, full.params) == ("x > 0", "twice", (("k", 1.0),))
    assert full.activation is True and full.doc == "2x"
