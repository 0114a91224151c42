"""One derivative, one answer: every gradient path agrees bit for bit, even at 0, inf and nan.

Random small graphs of every op in the table, at points that include 0, -0, +-inf, nan, tiny and
huge numbers, go through

* ``backward()`` on the graph as built (folded constants, fused float backward, zero skip),
* ``grad()`` on floats and ``grad(create_graph=True)`` on Values (the table's partials),
* the stepper ``explain.backprop_steps``,
* ``backward()`` again once the constants are unfolded (``_prev`` read everywhere),

and every node's gradient must be the same float in all of them (nan counts as equal to nan; the
sign of a zero too, except in ``create_graph``'s Values, see ``same``). ``local_grads`` must give
the numbers the table's partials give on Values. Where the point is regular (every number finite,
away from kinks and singularities), ``mpmath``'s numerical derivative at 50 digits is the
independent truth for the gradients of the inputs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st
import mpmath
from hypothesis import assume, given, settings

from autograd import Value, grad
from autograd._compact import operands
from autograd.engine import ValueMath, local_grads, topological_order
from autograd.explain import backprop_steps

inf, nan = math.inf, math.nan
SPECIAL = [0.0, -0.0, inf, -inf, nan, 1.0, -1.0, 2.0, 0.5, -2.5, 3.0, 1e-300, -1e-300, 1e300]
# Hypothesis's own floats favour round numbers, whose products round exactly: a seeded uniform draw
# gives the full 53-bit numbers where a different order of multiplication shows.
MESSY = st.integers(0, 2**32).map(lambda n: random.Random(n).uniform(-3.0, 3.0))
POINTS = st.one_of(st.sampled_from(SPECIAL), MESSY)
REGULAR_POINTS = MESSY.filter(lambda x: abs(x) > 1e-3)

# name -> (number of Value operands, build from Values and a number c, the same on mpmath numbers,
#          whether the op is smooth at these operands; None: smooth wherever it is defined)
Op = tuple[int, Callable[..., Any], Callable[..., Any], Callable[..., bool] | None]


def _away_from_kink(x: float) -> bool:
    return abs(x) > 1e-6


def _mp_sigmoid(x: Any) -> Any:
    return 1 / (1 + mpmath.exp(-x))


OPS: dict[str, Op] = {
    "+": (2, lambda a, b, c: a + b, lambda a, b, c: a + b, None),
    "-": (2, lambda a, b, c: a - b, lambda a, b, c: a - b, None),
    "*": (2, lambda a, b, c: a * b, lambda a, b, c: a * b, None),
    "/": (2, lambda a, b, c: a / b, lambda a, b, c: a / b, None),
    "**": (2, lambda a, b, c: a**b, lambda a, b, c: mpmath.power(a, b), lambda a, b: a > 1e-6),
    "x+c": (1, lambda x, c: x + c, lambda x, c: x + c, None),
    "c+x": (1, lambda x, c: c + x, lambda x, c: c + x, None),
    "x-c": (1, lambda x, c: x - c, lambda x, c: x - c, None),
    "c-x": (1, lambda x, c: c - x, lambda x, c: c - x, None),
    "x*c": (1, lambda x, c: x * c, lambda x, c: x * c, None),
    "c*x": (1, lambda x, c: c * x, lambda x, c: c * x, None),
    "x/c": (1, lambda x, c: x / c, lambda x, c: x / c, None),
    "c/x": (1, lambda x, c: c / x, lambda x, c: c / x, None),
    "x**c": (1, lambda x, c: x**c, lambda x, c: mpmath.power(x, c), lambda x: x > 1e-6),
    "c**x": (1, lambda x, c: c**x, lambda x, c: mpmath.power(c, x), None),
    "neg": (1, lambda x, c: -x, lambda x, c: -x, None),
    "exp": (1, lambda x, c: x.exp(), lambda x, c: mpmath.exp(x), None),
    "log": (1, lambda x, c: x.log(), lambda x, c: mpmath.log(x), None),
    "tanh": (1, lambda x, c: x.tanh(), lambda x, c: mpmath.tanh(x), None),
    "sigmoid": (1, lambda x, c: x.sigmoid(), lambda x, c: _mp_sigmoid(x), None),
    "relu": (1, lambda x, c: x.relu(), lambda x, c: x if x > 0 else 0 * x, _away_from_kink),
    "leaky_relu": (
        1,
        lambda x, c: x.leaky_relu(c),
        lambda x, c: x if x > 0 else c * x,
        _away_from_kink,
    ),
    "sqrt": (1, lambda x, c: x.sqrt(), lambda x, c: mpmath.sqrt(x), lambda x: x > 1e-6),
    "abs": (1, lambda x, c: x.abs(), lambda x, c: abs(x), _away_from_kink),
    "sin": (1, lambda x, c: x.sin(), lambda x, c: mpmath.sin(x), None),
    "cos": (1, lambda x, c: x.cos(), lambda x, c: mpmath.cos(x), None),
    "sum": (3, lambda a, b, d, c: Value.sum([a, b, d]), lambda a, b, d, c: a + b + d, None),
    "linear": (
        4,
        lambda x1, x2, w1, w2, c: Value.linear([x1, x2], [w1, w2], c),
        lambda x1, x2, w1, w2, c: c + w1 * x1 + w2 * x2,
        None,
    ),
}
NAMES = sorted(OPS)


class Program:
    """A graph built step by step; a step whose forward is outside its op's domain is left out.

    A step names its op, its operands (each counted back from the newest node: 0 is the last one
    made) and the number c that ops with a constant use.
    """

    def __init__(
        self,
        leaves: list[float],
        steps: list[tuple[str, list[int], float]],
        weights: list[float],
    ) -> None:
        self.leaves = [Value(x, label=f"x{i + 1}") for i, x in enumerate(leaves)]
        self.pool: list[Value] = list(self.leaves)
        self.done: list[tuple[str, list[int], float]] = []  # the steps that were kept
        for name, picks, c in steps:
            arity, build, _, _ = OPS[name]
            # counted back from the newest node, so that small numbers make deep graphs
            at = [len(self.pool) - 1 - p % len(self.pool) for p in picks[:arity]]
            try:
                out = build(*(self.pool[i] for i in at), c)
            except (ValueError, ZeroDivisionError, OverflowError):
                continue  # a domain error is the forward's business, not this test's
            self.pool.append(out)
            self.done.append((name, at, c))
        # The output weighs every node made (a linear node), so every op gets an upstream
        # gradient of its own, not only those on one path.
        made = self.pool[len(self.leaves) :]
        self.weights = (weights * len(made))[: len(made)]
        self.root = Value.linear(made, self.weights) if made else self.leaves[0]

    def regular(self) -> bool:
        """Every number finite and every op smooth at its operands: mpmath can be the truth."""
        if not all(math.isfinite(v.data) for v in [*self.pool, self.root]):
            return False
        for k, (name, at, c) in enumerate(self.done):
            _, _, _, smooth = OPS[name]
            operands = [self.pool[i].data for i in at]
            if not math.isfinite(c) or (smooth is not None and not smooth(*operands)):
                return False
            if name == "c**x" and c <= 0:
                return False
            if name == "leaky_relu" and not math.isfinite(c):
                return False
            del k
        return True

    def mp_value(self, leaves: list[Any]) -> Any:
        pool = list(leaves)
        for name, at, c in self.done:
            pool.append(OPS[name][2](*(pool[i] for i in at), mpmath.mpf(c)))
        made = pool[len(leaves) :]
        return mpmath.fsum(mpmath.mpf(w) * v for w, v in zip(self.weights, made))


def same(a: float, b: float) -> bool:
    """Bit for bit, except that any nan equals any nan (IEEE gives no payload guarantees)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def same_value(a: float, b: float) -> bool:
    """``same``, but 0.0 == -0.0: a gradient Value starts its sum at its first term (no '+ 0'
    node in the gradient's graph), where a .grad starts at +0.0, so a zero may differ in sign."""
    return same(a, b) or (a == 0 and b == 0)


def _steps(n: int) -> st.SearchStrategy[list[tuple[str, list[int], float]]]:
    return (
        st.lists(
            st.tuples(st.sampled_from(NAMES), st.lists(st.integers(0, 5), min_size=4, max_size=4)),
            min_size=1,
            max_size=n,
        )
        .flatmap(
            lambda steps: st.tuples(
                *(st.tuples(st.just(s[0]), st.just(s[1]), POINTS) for s in steps)
            )
        )
        .map(list)
    )


SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)


@SETTINGS
@given(
    leaves=st.lists(POINTS, min_size=1, max_size=3),
    steps=_steps(8),
    weights=st.lists(POINTS, min_size=1, max_size=4),
)
def test_every_gradient_path_gives_the_same_bits(
    leaves: list[float], steps: Any, weights: list[float]
) -> None:
    prog = Program(leaves, steps, weights)
    assume(prog.done)
    pool, root = prog.pool, prog.root
    for v in pool:
        v.grad = 0.0

    # 1. backward() on the graph as built: nothing has read _prev yet, constants are folded
    root.backward()
    by_backward = [v.grad for v in pool]

    # 2. grad() on floats; an input the output does not depend on is None (backward leaves 0)
    by_grad = grad(root, pool, allow_unused=True)
    for v, b, g in zip(pool, by_backward, by_grad):
        if g is None:
            assert b == 0.0, v
        else:
            assert same(g, b), (v, g, b)

    # 3. grad(create_graph=True): the table's partials evaluated on Values
    by_values = grad(root, pool, create_graph=True, allow_unused=True)
    for v, b, g in zip(pool, by_backward, by_values):
        if g is not None:
            assert same_value(g.data, b), (v, g.data, b)

    # 4. the stepper, one node at a time
    for v in pool:
        v.grad = 0.0
    for _ in backprop_steps(root):
        pass
    for v, b in zip(pool, by_backward):
        assert same(v.grad, b), (v, v.grad, b)

    # 5. backward() again, now that every constant has been unfolded into a leaf
    for v in topological_order(root):
        v.grad = 0.0
    root.backward()
    for v, b in zip(pool, by_backward):
        assert same(v.grad, b), (v, v.grad, b)

    # 6. local_grads (what the diagrams and the stepper show) vs the partials on Values
    for node in topological_order(root):
        if not node._prev:
            continue
        on_values = node._rule.partials(ValueMath, node, *operands(node, node._prev))
        for shown, d in zip(local_grads(node), on_values):
            expected = 0.0 if d is None else (d.data if isinstance(d, Value) else d)
            assert same_value(shown, expected), (node, shown, expected)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    leaves=st.lists(REGULAR_POINTS, min_size=1, max_size=3),
    steps=st.lists(
        st.tuples(
            st.sampled_from(NAMES),
            st.lists(st.integers(0, 5), min_size=4, max_size=4),
            REGULAR_POINTS,
        ),
        min_size=1,
        max_size=6,
    ),
    weights=st.lists(REGULAR_POINTS, min_size=1, max_size=4),
)
def test_gradients_match_a_50_digit_numerical_derivative(
    leaves: list[float], steps: Any, weights: list[float]
) -> None:
    prog = Program(leaves, steps, weights)
    assume(prog.done and prog.regular())
    prog.root.backward()
    ours = [v.grad for v in prog.leaves]
    assume(all(math.isfinite(g) and abs(g) < 1e12 for g in ours))
    scale = max([1.0] + [abs(v.grad) for v in prog.pool if math.isfinite(v.grad)])
    with mpmath.workdps(50):
        point = [mpmath.mpf(v.data) for v in prog.leaves]
        for i, g in enumerate(ours):

            def along(t: Any, i: int = i) -> Any:
                return prog.mp_value([t if j == i else p for j, p in enumerate(point)])

            exact = mpmath.diff(along, point[i])
            assert abs(g - float(exact)) <= 1e-9 * max(scale, abs(float(exact))), (
                prog.done,
                i,
                g,
                float(exact),
            )


def test_the_cases_that_used_to_disagree() -> None:
    """The singular points where the paths once gave different answers, with PyTorch's answer."""

    def all_paths(make: Callable[[Value], Value], x0: float) -> set[str]:
        answers = set()
        x = Value(x0)
        f = make(x)
        answers.add(repr(grad(f, x)[0]))
        answers.add(repr(grad(f, x, create_graph=True)[0].data))
        f.backward()
        answers.add(repr(x.grad))
        for _ in backprop_steps(f):
            pass
        answers.add(repr(x.grad))
        return answers

    # 0**y has slope 0 in y at y = 2 (PyTorch 0), (1-x)**x has slope -1 at x = 1
    y = Value(2.0)
    assert grad(Value(0.0) ** y, y, create_graph=True)[0].data == 0.0
    assert all_paths(lambda x: (1 - x) ** x, 1.0) == {"-1.0"}
    # x = y = 0: x**y has no flow to x (PyTorch 0), where b * a**(b-1) would be 0 * inf
    x = Value(0.0)
    (x**x).backward()
    assert x.grad == 0.0
    # infinite first derivatives are inf on every path, create_graph included
    assert all_paths(lambda x: x.sqrt(), 0.0) == {"inf"}
    assert all_paths(lambda x: x**0.5, 0.0) == {"inf"}
    # relu passes nothing back at x <= 0, even an infinite upstream gradient (PyTorch: 0)
    assert all_paths(lambda x: x.relu().sqrt(), 0.0) == {"0.0"}
    # 0 * inf is nan on every path (PyTorch: nan); backward() no longer skips it
    assert all_paths(lambda a: (a * (Value(1e308) * 10)) * 0.0, 1.0) == {"nan"}
    # a slope that overflows is -inf, not an OverflowError (PyTorch: -inf)
    assert all_paths(lambda x: x**-0.5, 1e-300) == {"-inf"}


def test_nan_propagates_through_every_op() -> None:
    x = Value(nan)
    results = [
        build(*([x] * arity), 2.0) for name, (arity, build, _, _) in OPS.items() if name != "c**x"
    ]
    results.append(2.0**x)
    assert all(math.isnan(r.data) for r in results), [r for r in results if not math.isnan(r.data)]


def test_a_value_that_is_both_input_and_weight_of_a_linear_node_sums_in_one_order() -> None:
    """Every path adds a linear node's terms in one order (x1, w1, x2, w2, ..., b, the fused
    backward's): a Value in both places gets its terms in the same order, so the same rounding."""
    rng = random.Random(5)
    for _ in range(200):
        a, b, c, d = (Value(rng.uniform(-3, 3)) for _ in range(4))
        # c gets a gradient from the last `*` first, then from the linear node as input 2 and
        # as weight 1: three terms, whose sum depends on their order
        out = Value.linear([d, c], [c, b], a) * c
        out.backward()
        assert [v.grad for v in (a, b, c, d)] == list(grad(out, [a, b, c, d]))
