"""How nodes store their inputs compactly, and that nothing outside can tell.

Inside, ``x * 2.0`` is a one-input node that keeps 2.0 in ``_param`` (``_compact.FOLDED``); every
one-input node keeps its input in ``_inputs`` with no tuple around it; and a linear node keeps its
inputs in ``_inputs`` and its weights and bias in ``_param``, two tuples it shares with the other
neurons of its layer and with the other data points, which backward()'s walk then looks through
once. From outside nothing may differ from micrograd's graph: ``_prev`` turns
the number into a constant leaf the first time anyone looks, with the gradient backward() would
have given it, and lists a linear node's inputs flat. The truths used here:

* central differences of the two-input rule's forward (independent of the fused code),
* a twin graph that was unfolded (``_prev`` read everywhere) before backward(): the gradients must
  be bit-for-bit the same, so folding changes no floating-point sum,
* ``topological_order`` (the plain walk over ``_prev``) for the order backward() uses,
* the collector's own count of tracked objects, for "one object per node".
"""

from __future__ import annotations

import gc
import math
import operator
import random
from collections.abc import Callable

import hypothesis.strategies as st
import pytest
from finite_differences import central_difference
from hypothesis import given, settings

from autograd import Value
from autograd._compact import FOLDED, FoldedRule
from autograd._compact import interior_order as _zeroed_interior_order
from autograd.engine import topological_order
from autograd.nn import MLP, Neuron
from autograd.rules import RULES, FloatMath

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None)

# name -> (the Python operator, whether the number is on the left)
OPERATORS: dict[str, tuple[Callable[[object, object], object], bool]] = {
    "add(x, c)": (operator.add, False),
    "add(c, x)": (operator.add, True),
    "sub(x, c)": (operator.sub, False),
    "sub(c, x)": (operator.sub, True),
    "mul(x, c)": (operator.mul, False),
    "mul(c, x)": (operator.mul, True),
    "div(x, c)": (operator.truediv, False),
    "div(c, x)": (operator.truediv, True),
}


def away_from_zero() -> st.SearchStrategy[float]:
    magnitude = st.floats(0.1, 5.0, allow_nan=False, allow_infinity=False)
    return st.tuples(magnitude, st.booleans()).map(lambda t: -t[0] if t[1] else t[0])


def make(name: str, x: Value, c: float) -> Value:
    op, number_first = OPERATORS[name]
    out = op(c, x) if number_first else op(x, c)
    assert isinstance(out, Value)
    return out


def float_forward(name: str, x: float, c: float) -> float:
    op, number_first = OPERATORS[name]
    return float(op(c, x) if number_first else op(x, c))  # type: ignore[arg-type]


def test_every_folded_rule_is_tested() -> None:
    assert set(OPERATORS) == set(FOLDED)


@pytest.mark.parametrize("name", sorted(FOLDED))
def test_an_operator_with_a_number_makes_a_folded_node(name: str) -> None:
    x = Value(3.0, label="x")
    out = make(name, x, 2.0)
    rule = FOLDED[name]
    assert out._rule is rule and out._inputs is x and out._param == 2.0
    assert rule.base is not None and out._op == rule.base.symbol
    assert out.data == float_forward(name, 3.0, 2.0)


@pytest.mark.parametrize("name", sorted(FOLDED))
def test_a_folded_rule_is_its_base_rule_with_the_number_in_place(name: str) -> None:
    """Built afresh from its two-input rule, a folded rule computes what the operator computes,
    and its one partial is d/dx by central differences, whichever side the number is on."""
    _, number_first = OPERATORS[name]
    base = RULES[name.split("(")[0]]
    const_at = 0 if number_first else 1
    rule = FoldedRule(base, const_at, "the formula")
    assert rule.name == name and rule.symbol == base.symbol and rule.arity == 1
    assert rule.formula == "the formula" and rule.domain == base.domain
    assert rule.base is base and rule.const_at == const_at
    for x, c in [(3.0, 2.0), (-1.5, 0.25), (0.5, -4.0)]:
        assert rule.forward(x, c) == float_forward(name, x, c)
        (d,) = rule.partials(FloatMath, rule.forward(x, c), x, c)
        numeric = central_difference(lambda p, c=c: float_forward(name, p, c), x)
        assert d == pytest.approx(numeric, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("name", sorted(FOLDED))
@SETTINGS
@given(x=away_from_zero(), c=away_from_zero(), seed=st.floats(-3.0, 3.0))
def test_folded_backward_matches_central_differences_and_partials(
    name: str, x: float, c: float, seed: float
) -> None:
    leaf = Value(x)
    out = make(name, leaf, c)
    out.backward(seed)
    numeric = seed * central_difference(lambda p: float_forward(name, p, c), x)
    assert leaf.grad == pytest.approx(numeric, rel=1e-6, abs=1e-6)
    # the rule's own partials (what grad() and the diagrams would read) agree with its fused code
    (d,) = FOLDED[name].partials(FloatMath, out.data, x, c)
    assert leaf.grad == seed * d


@pytest.mark.parametrize("name", sorted(FOLDED))
@SETTINGS
@given(x=away_from_zero(), c=away_from_zero())
def test_prev_shows_the_constant_as_a_leaf_with_its_gradient(name: str, x: float, c: float) -> None:
    leaf = Value(x)
    out = make(name, leaf, c)
    out.backward()
    prev = out._prev
    _, number_first = OPERATORS[name]
    constant = prev[0] if number_first else prev[1]
    assert prev == ((constant, leaf) if number_first else (leaf, constant))
    assert constant.data == c and constant._prev == () and constant._op == ""
    # d out / d c by central differences, as micrograd's backward() would have left in the leaf
    numeric = central_difference(lambda p: float_forward(name, x, p), c)
    assert constant.grad == pytest.approx(numeric, rel=1e-6, abs=1e-6)
    # from now on the node is micrograd's two-input node, and stays the same one
    base = FOLDED[name].base
    assert out._rule is base and out._param is None
    assert out._prev is prev and out._prev[0] is prev[0]
    assert out._op == base.symbol  # type: ignore[union-attr]


def test_an_unfolded_constant_accumulates_like_any_leaf() -> None:
    x = Value(3.0)
    y = x * 2.0
    constant = y._prev[1]
    y.backward()
    y.backward()
    assert constant.grad == 2 * 3.0 and x.grad == 2 * 2.0


def test_one_input_nodes_show_a_one_tuple() -> None:
    x = Value(0.5)
    for out in (x.tanh(), x.relu(), -x, x**2, 2**x, x.exp()):
        assert out._inputs is x
        assert out._prev == (x,)


def random_expression(rng: random.Random, leaves: list[Value], size: int) -> Value:
    """A random DAG over ``leaves``: binary ops between earlier nodes, numbers on either side,
    one-input functions, and nodes used more than once."""
    nodes: list[Value] = list(leaves)
    shared = tuple(leaves)  # the inputs of a "layer" of linear nodes
    for _ in range(size):
        a = rng.choice(nodes[-6:] if rng.random() < 0.7 else nodes)
        b = rng.choice(nodes)
        c = rng.choice([0.5, -1.5, 2.0, 3.0])
        kind = rng.randrange(11)
        if kind == 0:
            out = a * b
        elif kind == 1:
            out = a + b
        elif kind == 2:
            out = a - b
        elif kind == 3:
            out = a * c if rng.random() < 0.5 else c * a
        elif kind == 4:
            out = a + c if rng.random() < 0.5 else c - a
        elif kind == 5:
            out = a / c if rng.random() < 0.5 else c / (a * a + 1.0)
        elif kind == 6:
            out = a.tanh()
        elif kind == 7:
            out = Value.sum([a, b, c])
        elif kind == 8:
            out = (a * 0.1).relu()
        elif kind == 9:  # a new layer's inputs: recent nodes, some used twice
            shared = tuple(rng.choice(nodes[-8:]) for _ in range(rng.randrange(1, 5)))
            out = a
        else:  # a neuron of the current layer; its weights may depend on earlier neurons
            weights = [rng.choice(nodes) if rng.random() < 0.3 else Value(0.5) for _ in shared]
            out = Value.linear(shared, weights, rng.choice([b, Value(0.1)]))
        nodes.append(out)
    return Value.sum(nodes[-4:])


@pytest.mark.parametrize("seed", range(20))
def test_gradients_are_bit_identical_folded_or_unfolded(seed: int) -> None:
    def build() -> tuple[list[Value], Value]:
        rng = random.Random(seed)
        leaves = [Value(rng.uniform(-1.0, 1.0)) for _ in range(4)]
        return leaves, random_expression(rng, leaves, 60)

    leaves_folded, folded = build()
    leaves_plain, plain = build()
    nodes = topological_order(plain)  # reads every _prev: all constants become leaves
    assert not any(n._rule in FOLDED.values() for n in nodes)
    folded.backward()
    plain.backward()
    assert [v.grad for v in leaves_folded] == [v.grad for v in leaves_plain]
    assert all(not math.isnan(v.grad) for v in leaves_folded)


@pytest.mark.parametrize("seed", range(20))
def test_backward_walks_the_nodes_in_topological_order(seed: int) -> None:
    rng = random.Random(seed)
    root = random_expression(rng, [Value(rng.uniform(-1.0, 1.0)) for _ in range(4)], 60)
    order = _zeroed_interior_order(root)  # backward()'s walk, over _inputs
    assert all(node.grad == 0.0 for node in order)
    # the same nodes in the same order as the plain walk over _prev, leaves left out
    assert order == [node for node in topological_order(root) if node._prev]


def test_an_mlp_graph_is_walked_in_topological_order_with_the_same_gradients() -> None:
    rng = random.Random(0)
    model = MLP(3, [8, 8, 2], seed=0)
    points = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(5)]
    loss = Value.sum([Value.sum(model(p)) ** 2 for p in points])  # type: ignore[arg-type]
    order = _zeroed_interior_order(loss)
    assert order == [node for node in topological_order(loss) if node._prev]
    # every neuron of a layer holds the same tuple of inputs, and _prev lists them flat
    neurons = [node for node in order if node._rule is RULES["linear"]]
    assert len(neurons) == 5 * (8 + 8 + 2)
    assert len({id(node._inputs) for node in neurons}) == 5 * 3  # one per point and layer
    assert len({id(node._param) for node in neurons}) == 8 + 8 + 2  # one per neuron
    assert {len(node._prev) for node in neurons} == {2 * 3 + 1, 2 * 8 + 1}
    # gradients against a model whose neurons each get their own copy of the inputs
    loss.backward()
    twin = MLP(3, [8, 8, 2], seed=0)

    def unshared(x: list[float]) -> list[Value]:
        xs: list[Value] = [Value(v) for v in x]
        for layer in twin.layers:
            xs = [
                n._act(Value.linear(list(xs), n.w, n.b))
                if n._act
                else Value.linear(list(xs), n.w, n.b)
                for n in layer.neurons
            ]
        return xs

    twin_loss = Value.sum([Value.sum(unshared(p)) ** 2 for p in points])
    twin_loss.backward()
    assert loss.data == twin_loss.data
    assert [p.grad for p in model.parameters()] == [p.grad for p in twin.parameters()]


def test_a_folded_chain_costs_one_tracked_object_per_node() -> None:
    """The cyclic collector's cost grows with the objects it tracks: one per node here (micrograd
    makes a Value per number and a set and a closure per node)."""
    n = 1000
    x = Value(1.0)
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.5
        after = len(gc.get_objects())
    finally:
        gc.enable()
    assert after - before == 2 * n
    # and it is the right chain: y = r^n x + 0.5 (r^n - 1) / (r - 1), r = 1.0001
    r = 1.0001
    assert y.data == pytest.approx(r**n + 0.5 * (r**n - 1) / (r - 1), rel=1e-12)
    y.backward()
    assert x.grad == pytest.approx(r**n, rel=1e-12)


def test_a_neuron_sees_every_change_to_its_weights_and_bias() -> None:
    n = Neuron(3, nonlin=False, seed=0)
    x = [1.0, 2.0, 3.0]

    def expected() -> float:
        return n.b.data + sum(w.data * xi for w, xi in zip(n.w, x))

    assert n(x).data == pytest.approx(expected(), rel=1e-15)
    n.w[1] = Value(10.0)  # a new Value in the list
    assert n(x).data == pytest.approx(expected(), rel=1e-15)
    n.w[2].data = -4.0  # a changed number in the same Value
    assert n(x).data == pytest.approx(expected(), rel=1e-15)
    n.b = Value(0.5)
    out = n(x)
    assert out.data == pytest.approx(expected(), rel=1e-15)
    out.backward()
    assert [w.grad for w in n.w] == x and n.b.grad == 1.0


def test_computed_weights_shared_by_a_neuron_applied_twice_get_their_gradients() -> None:
    """A neuron used twice in a row (tied weights, as in a recurrent net) whose weight is itself
    computed: the walk must not take its weight tuple for leaves only."""
    c = Value(0.7)
    n = Neuron(1, nonlin=False, seed=0)

    def f(cv: float) -> float:  # the same maths on floats: h2 = u * (u * x + b) + b, u = 3c
        u, b, x = 3.0 * cv, n.b.data, 1.5
        return u * (u * x + b) + b

    n.w[0] = c * 3.0
    h2 = n([n([1.5])])
    order = _zeroed_interior_order(h2)
    assert order == [node for node in topological_order(h2) if node._prev]
    h2.backward()
    assert h2.data == pytest.approx(f(0.7), rel=1e-12)
    assert c.grad == pytest.approx(central_difference(f, 0.7), rel=1e-6)
