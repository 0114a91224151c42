"""How nodes are stored, and everything that depends on it: the engine's fast path.

A learner can skip this module: ``engine.py`` and ``rules.py`` tell the whole story of the chain
rule, and nothing here changes a single number (``tests/test_agreement.py`` holds every path to
the same bits). Everything in it exists for speed and memory.

Storage layouts
---------------
A ``Value`` has the slots ``data``, ``grad``, ``label``, ``_op`` and these three, which say how it
was made:

``_rule``
    ``None`` for a leaf (or a node built by hand without a ``_backward``); :data:`NO_GRAD` for a
    leaf that an op made inside ``no_grad()`` (so ``backward()`` can say why it has no graph);
    or the ``Rule`` of the op table (``rules.RULES``) or of ``FOLDED`` below that made it.
``_inputs``
    ``()`` for a leaf; **the input Value itself** for an op with one Value input (``x.tanh()``,
    ``x * 2.0``), with no tuple around it; otherwise the tuple of the input Values (for
    ``linear``: only its inputs ``x1..xn``).
``_param``
    What the op needs besides its Value inputs, or ``None``: the number of a folded op (the
    ``2.0`` of ``x * 2.0``), the ``k`` of ``x ** k`` and ``k ** x``, the slope of ``leaky_relu``,
    or ``linear``'s tuple of weights followed by the bias. For a node built by hand (``_rule``
    None, with inputs), the ``_backward`` function assigned to it, micrograd style.

So a chain of one-input ops costs one object per node (no tuple, no constant leaf), and Python's
garbage collector has half as many objects to scan; a linear node (a neuron) keeps the tuple of
its inputs, shared by the neurons of a layer, and the tuple of its weights, the same one every
time a neuron of ``autograd.nn`` is called.

From outside, a node looks exactly like micrograd's: ``Value._prev`` (:func:`prev`) lists the
inputs as one tuple, with a folded number shown as a constant leaf. That leaf is made the first
time anyone reads ``_prev`` (:func:`unfold`, the one place that changes how a node is stored): it
gets the gradient backward() would have given it, and the node becomes the two-input node
micrograd builds, so every later reader sees the same leaf.

The fast path
-------------
* :data:`FOLDED`: the one-input forms of ``+ - * /`` with a number (``x * c``, ``c - x``, ...).
* The fused backward functions ``_b_*``: for the hot ops, ``node.grad * local derivative`` added
  straight into each input's ``.grad``, reading the layouts above. Each computes exactly what the
  rule's ``partials`` compute, in the same order. Only ops whose local derivatives are finite
  wherever their result is finite have one, because :func:`backward_pass` skips a node whose
  gradient is 0 and whose result is finite (0 * finite = 0): in a ReLU net about half the graph.
* :func:`interior_order`: backward()'s walk, which follows runs of one-input nodes without the
  stack and looks through a weight tuple shared by many linear nodes only once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .rules import RULES, FloatMath, Rule, linear_order

__all__ = [
    "FOLDED",
    "LINEAR",
    "NO_GRAD",
    "FoldedRule",
    "backward_pass",
    "backward_pass_checked",
    "interior_order",
    "operands",
    "prev",
    "push_partials",
    "unfold",
]

LINEAR = RULES["linear"]


# --------------------------------------------------------------------------------------------------
# Folded constants: x op c as a one-input node that keeps c in _param.
# --------------------------------------------------------------------------------------------------


class FoldedRule(Rule):
    """``base`` (an op of two inputs) with its input number ``const_at`` a plain number.

    The node keeps that number in ``_param`` and has one Value input. Its forward and partials
    take ``(x, c)``, the Value input first, whichever side of the operator the number was on.
    """

    __slots__ = ("base", "const_at")

    def __init__(self, base: Rule, const_at: int, formula: str) -> None:
        if const_at == 1:  # x op c

            def forward(x: float, c: float) -> float:
                return base.forward(x, c)

            def partials(m: Any, out: Any, x: Any, c: Any) -> tuple[Any, ...]:
                return base.partials(m, out, x, c)[:1]

        else:  # c op x

            def forward(x: float, c: float) -> float:
                return base.forward(c, x)

            def partials(m: Any, out: Any, x: Any, c: Any) -> tuple[Any, ...]:
                return base.partials(m, out, c, x)[1:]

        side = "x, c" if const_at == 1 else "c, x"
        super().__init__(
            f"{base.name}({side})", base.symbol, 1, forward, partials, formula, base.domain
        )
        self.base = base  #: the two-input rule it stands for
        self.const_at = const_at  #: the position (0 or 1) the number takes among base's inputs


def _by_name(*rules: Rule) -> dict[str, Rule]:
    return {r.name: r for r in rules}


_ADD, _SUB, _MUL, _DIV = RULES["add"], RULES["sub"], RULES["mul"], RULES["div"]

#: The constant forms of the binary ops, keyed by name: ``"mul(x, c)"`` is ``x * c`` and
#: ``"mul(c, x)"`` is ``c * x`` for a plain number ``c``.
FOLDED: dict[str, Rule] = _by_name(
    FoldedRule(_ADD, 1, "d/dx (x + c) = 1"),
    FoldedRule(_ADD, 0, "d/dx (c + x) = 1"),
    FoldedRule(_SUB, 1, "d/dx (x - c) = 1"),
    FoldedRule(_SUB, 0, "d/dx (c - x) = -1"),
    FoldedRule(_MUL, 1, "d/dx (x * c) = c"),
    FoldedRule(_MUL, 0, "d/dx (c * x) = c"),
    FoldedRule(_DIV, 1, "d/dx (x / c) = 1/c"),
    FoldedRule(_DIV, 0, "d/dx (c / x) = -c/x^2"),
)


#: The rule of an op's result made inside ``no_grad()``: a leaf, with no inputs and no partials.
NO_GRAD = Rule(
    "no_grad", "", 0, lambda: 0.0, lambda m, out: (), "(computed inside no_grad(): no graph)"
)


# --------------------------------------------------------------------------------------------------
# Fused float backward for the hot ops: g = node.grad is pushed into each input's .grad.
# --------------------------------------------------------------------------------------------------


def _b_add(node: Any) -> None:
    g = node.grad
    for child in node._inputs:
        child.grad += g


def _b_sub(node: Any) -> None:
    a, b = node._inputs
    g = node.grad
    a.grad += g
    b.grad -= g


def _b_mul(node: Any) -> None:
    a, b = node._inputs
    g = node.grad
    a.grad += g * b.data
    b.grad += g * a.data


def _b_neg(node: Any) -> None:
    node._inputs.grad -= node.grad


def _b_tanh(node: Any) -> None:
    out = node.data
    node._inputs.grad += node.grad * (1.0 - out * out)


def _b_sigmoid(node: Any) -> None:
    out = node.data
    node._inputs.grad += node.grad * (out * (1.0 - out))


def _b_exp(node: Any) -> None:
    node._inputs.grad += node.grad * node.data


def _b_relu(node: Any) -> None:
    if not node.data <= 0:  # relu(x) <= 0 exactly where x <= 0: nothing flows there
        node._inputs.grad += node.grad


def _b_linear(node: Any) -> None:
    g = node.grad
    wb = node._param
    # In the order x1, w1, x2, w2, ..., b (rules.linear_order): every path adds a linear node's
    # terms in this order, so a Value that is both an input and a weight sums them alike.
    for x, w in zip(node._inputs, wb):
        x.grad += g * w.data
        w.grad += g * x.data
    wb[-1].grad += g


# The folded forms: the input is node._inputs, the number c is node._param. (None for the
# divisions: 1/c and -c/x^2 can be infinite where x / c and c / x are finite.)


def _b_plus_const(node: Any) -> None:  # x + c, c + x, x - c
    node._inputs.grad += node.grad


def _b_const_minus(node: Any) -> None:  # c - x
    node._inputs.grad -= node.grad


def _b_times_const(node: Any) -> None:  # x * c, c * x
    node._inputs.grad += node.grad * node._param


_FUSED: dict[str, Callable[[Any], None]] = {
    "add": _b_add,
    "sub": _b_sub,
    "mul": _b_mul,
    "neg": _b_neg,
    "tanh": _b_tanh,
    "sigmoid": _b_sigmoid,
    "exp": _b_exp,
    "relu": _b_relu,
    "linear": _b_linear,
    "add(x, c)": _b_plus_const,
    "add(c, x)": _b_plus_const,
    "sub(x, c)": _b_plus_const,
    "sub(c, x)": _b_const_minus,
    "mul(x, c)": _b_times_const,
    "mul(c, x)": _b_times_const,
}
for _name, _fn in _FUSED.items():
    (RULES.get(_name) or FOLDED[_name]).backward = _fn


# --------------------------------------------------------------------------------------------------
# Reading a node: its operands, its micrograd view, its slow-path chain-rule step.
# --------------------------------------------------------------------------------------------------


def operands(node: Any, inputs: Sequence[Any]) -> tuple[Any, ...]:
    """The arguments of a rule's partials after ``out``: ``inputs`` (Values or their data), then
    the op's number ``_param`` if it has one (linear's weights are among its inputs already)."""
    param = node._param
    return tuple(inputs) if param is None or node._rule is LINEAR else (*inputs, param)


def prev(node: Any, make_leaf: Callable[[float], Any]) -> tuple[Any, ...]:
    """``node._prev``: its inputs in order, as micrograd lists them (see the layouts above).

    A folded node is unfolded first (:func:`unfold`, with the constant leaf ``make_leaf(c)``).
    """
    inputs = node._inputs
    if inputs.__class__ is tuple:
        if node._rule is LINEAR:
            return (*inputs, *node._param)
        return inputs
    rule = node._rule
    if rule.__class__ is FoldedRule:
        return unfold(node, make_leaf(node._param))
    return (inputs,)


def unfold(node: Any, constant: Any) -> tuple[Any, ...]:
    """Give a folded node (``x * 2.0``) micrograd's form ``x * Value(2.0)``; return its inputs.

    The one function that changes how a node is stored. ``constant`` (a new leaf holding the
    number) gets the gradient backward() would have given it, ``node.grad * d(node)/d(constant)``
    from the last pass (a real leaf would add up several passes, but nobody could have read this
    one before it existed; on a fresh graph it is 0). The node takes the two-input rule, so from
    now on it is exactly the node micrograd would have built.
    """
    rule: FoldedRule = node._rule
    x = node._inputs
    inputs = (x, constant) if rule.const_at == 1 else (constant, x)
    g = node.grad
    if g != 0.0:
        d = rule.base.partials(FloatMath, node.data, inputs[0].data, inputs[1].data)[rule.const_at]
        if d is not None:
            constant.grad += g * d
    node._inputs = inputs
    node._rule = rule.base
    node._param = None
    return inputs


def float_partials(node: Any, rule: Rule, inputs: Sequence[Any]) -> tuple[Any, ...]:
    """``rule``'s partials for ``node`` on floats, one per input in ``inputs`` (its stored
    inputs, or ``_prev``: ``rule`` and ``inputs`` are read together, since reading ``_prev``
    can change the rule of a folded node)."""
    return rule.partials(FloatMath, node.data, *operands(node, [c.data for c in inputs]))


def push_partials(node: Any, rule: Rule) -> None:
    """One chain-rule step for ``node`` from the table: input.grad += node.grad * d(node)/d(input).

    The slow path of backward(), for rules with no fused backward, reading the node as stored (a
    folded constant stays folded). ``None`` partials add nothing (see ``rules``).
    """
    inputs = node._inputs
    if inputs.__class__ is not tuple:
        inputs = (inputs,)
    g = node.grad
    for child, d in zip(inputs, float_partials(node, rule, inputs)):
        if d is not None:
            child.grad += g * d


def push_order(node: Any, n_prev: int) -> Sequence[int]:
    """The positions in ``_prev`` in the order every path adds their chain-rule terms."""
    return linear_order(n_prev // 2) if node._rule is LINEAR else range(n_prev)


# --------------------------------------------------------------------------------------------------
# backward(): the walk and the hot loop.
# --------------------------------------------------------------------------------------------------


# Two markers for interior_order: float objects no user code holds, so they can sit in the .grad
# slot and be recognised by identity.
_EXPANDED: float = float("nan")  # its inputs are being walked
_DONE: float = float("nan")  # it is in the order


def interior_order(root: Any) -> list[Any]:
    """The non-leaf nodes reachable from ``root``, each after all of its inputs, with .grad = 0.

    Leaves are left out: they have no inputs to push gradients to, and an MLP's weights and data
    are most of its leaves, so skipping them saves most of the walk. This is the hottest loop of
    backward(), so it keeps its bookkeeping in the nodes' ``.grad`` (which backward() resets to 0
    anyway) instead of a set, and reads ``_inputs`` so that it never makes a tuple. It is a
    depth-first walk on an explicit stack: a node is pushed, and popped once to push its inputs
    (marked ``_EXPANDED``) and once more, after all of them, to be emitted (``_DONE``); a run of
    one-input nodes (a chain) is followed down without the first push and pop. Inputs are pushed
    last-first, so they are walked first-first: the same order as ``engine.topological_order``,
    and so the same floating-point sums as every other path.
    """
    if not root._inputs:
        return []
    order: list[Any] = []
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    walked_xs: tuple[Any, ...] = ()
    leaves_only: set[int] = set()  # ids of weight tuples that hold only leaves
    try:
        while stack:
            node = pop()
            mark = node.grad
            if mark is _EXPANDED:  # back after all its inputs
                node.grad = _DONE
                emit(node)
                continue
            if mark is _DONE:  # a node reached twice is skipped the second time
                continue
            while True:  # expand it; down a run of one-input nodes without using the stack
                node.grad = _EXPANDED
                push(node)
                inputs = node._inputs
                if inputs.__class__ is tuple:
                    if node._rule is LINEAR:  # weights and bias in _param
                        wb = node._param
                        if id(wb) not in leaves_only:
                            # A neuron passes the same tuple of weights every time: once it is
                            # known to hold only leaves (leaves stay leaves), skip it.
                            all_leaves = True
                            for child in reversed(wb):
                                if child._inputs:
                                    all_leaves = False
                                    if child.grad is not _DONE:
                                        push(child)
                            if all_leaves:
                                leaves_only.add(id(wb))
                        if inputs is walked_xs:
                            # Another neuron of the layer pushed these inputs, and all of them
                            # are done by now (anything else would mean a cycle): skip them.
                            break
                        walked_xs = inputs
                    for child in reversed(inputs):
                        if child._inputs and child.grad is not _DONE:
                            push(child)
                    break
                if not inputs._inputs or inputs.grad is _DONE:
                    break
                node = inputs
    finally:
        for node in order:
            node.grad = 0.0
        for node in stack:  # only if interrupted
            if node.grad is _EXPANDED:
                node.grad = 0.0
    return order


def backward_pass(root: Any, seed: float) -> None:
    """``root.backward(seed)``: zero the interior gradients, seed the root, apply the chain rule
    at every node in reverse topological order."""
    order = interior_order(root)
    root.grad += seed
    inf, minus_inf = math.inf, -math.inf
    # The hot loop: one call per node, straight from the op table. A fused op's local
    # derivatives are finite wherever its result is finite, so a node whose gradient is exactly 0
    # and whose data is finite has nothing to push (0 * finite = 0) and is skipped. (At an
    # infinite or nan result the products 0 * inf = nan must be pushed, as every path makes them.)
    for node in reversed(order):
        rule = node._rule
        if rule is not None:
            back = rule.backward
            if back is None:
                push_partials(node, rule)
            elif node.grad != 0.0 or not minus_inf < node.data < inf:
                back(node)
        elif node._param is not None:
            node._param()  # a node built by hand, with the _backward assigned to it


def backward_pass_checked(
    root: Any, seed: float, check: Callable[[Any, list[float]], None]
) -> None:
    """:func:`backward_pass` for anomaly mode: the same steps, each followed by
    ``check(node, its inputs' .grad before the step)``. It reads ``_prev``, so it unfolds."""
    order = interior_order(root)
    root.grad += seed
    for node in reversed(order):
        inputs = node._prev  # first: reading it can change the rule of a folded node
        rule = node._rule
        before = [child.grad for child in inputs]
        if rule is None:
            if node._param is not None:
                node._param()  # a node built by hand, with the _backward assigned to it
        elif rule.backward is None:
            push_partials(node, rule)
        else:
            rule.backward(node)
        check(node, before)
