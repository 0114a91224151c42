"""Memory design of the graph: no reference cycles, deep graphs freed safely, ``__slots__``.

What each test compares against: Python's reference counting. A node points only DOWN to its
inputs (``_prev``), never back up to the nodes made from it, so the graph is a DAG of references
and a node is freed the moment the last reference to it goes. With the cyclic garbage collector
switched off (``gc.disable()``), an object that is still alive after its last outside reference is
dropped can only be held by a reference cycle: a weak reference that is still alive proves one.
"""

from __future__ import annotations

import gc
import sys
import weakref
from collections.abc import Callable, Iterator

import pytest

from autograd import Value, grad, no_grad


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    """Only reference counting may free objects inside the test."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _graph() -> tuple[Value, weakref.ref[Value], weakref.ref[Value], weakref.ref[Value]]:
    """root = tanh(a*b + a) * 2 + b; returns root and weak refs to an interior node, a leaf only
    the graph holds, and a constant leaf made from a number."""
    a = Value(0.5, label="a")
    c = a * Value(-1.5, label="b")  # b is referenced only by c._prev
    d = (c + a).tanh()
    root = d * 2.0 + c
    interior = weakref.ref(d)
    graph_only_leaf = weakref.ref(c._prev[1])
    constant = weakref.ref(root._prev[0]._prev[1])  # the Value(2.0) made from the number 2.0
    return root, interior, graph_only_leaf, constant


def _assert_freed(*refs: weakref.ref[Value]) -> None:
    for ref in refs:
        assert ref() is None, f"{ref()!r} is still alive: something holds it in a cycle"


def _alive(*refs: weakref.ref[Value]) -> bool:
    return all(ref() is not None for ref in refs)


@pytest.mark.usefixtures("no_cycle_collector")
def test_dropping_the_root_frees_the_graph_immediately() -> None:
    root, *refs = _graph()
    assert _alive(*refs)  # the root keeps everything alive
    del root
    _assert_freed(*refs)


# Things a learner does with a graph; none of them may leave a cycle behind.
USES: list[tuple[str, Callable[[Value], object]]] = [
    ("backward", lambda root: root.backward()),
    ("backward twice", lambda root: (root.backward(), root.backward())),
    ("zero_grad", lambda root: (root.backward(), root.zero_grad())),
    ("_backward by hand", lambda root: root._backward()),
    ("grad", lambda root: grad(root, root._prev[1])),
    ("grad create_graph", lambda root: grad(root, root._prev[1], create_graph=True)),
    ("detach", lambda root: root.detach()),
    ("repr", repr),
]


@pytest.mark.usefixtures("no_cycle_collector")
@pytest.mark.parametrize(("what", "use"), USES, ids=[u[0] for u in USES])
def test_no_cycles_after_use(what: str, use: Callable[[Value], object]) -> None:
    root, *refs = _graph()
    result = use(root)
    del root, result
    _assert_freed(*refs)


@pytest.mark.usefixtures("no_cycle_collector")
def test_second_order_graph_is_freed() -> None:
    x = Value(0.3)
    (g,) = grad(x.sin() * x, x, create_graph=True)
    inner = weakref.ref(g._prev[0])
    x_ref = weakref.ref(x)
    del x
    assert x_ref() is not None  # g's graph leads back to x and keeps it alive
    del g
    _assert_freed(inner, x_ref)


@pytest.mark.usefixtures("no_cycle_collector")
def test_values_made_under_no_grad_hold_nothing() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * 3.0
    x_ref = weakref.ref(x)
    del x
    _assert_freed(x_ref)  # y recorded no inputs, so it does not keep x alive
    assert y.data == 6.0


@pytest.mark.usefixtures("no_cycle_collector")
def test_deep_chain_is_freed_without_recursion_error() -> None:
    # 10^5 nested nodes: freeing them one inside the other must not overflow the C stack or hit
    # the recursion limit (CPython's deallocator flattens deep nesting; nothing here may defeat it).
    x = Value(1.0)
    first = x.sin()
    node = first
    for _ in range(100_000):
        node = node * 0.999 + 0.001
    node.backward()
    first_ref, x_ref = weakref.ref(first), weakref.ref(x)
    limit = sys.getrecursionlimit()
    del first, x
    assert _alive(first_ref, x_ref)
    del node
    _assert_freed(first_ref, x_ref)
    assert sys.getrecursionlimit() == limit


def test_value_keeps_its_fields_in_slots_and_takes_attributes_of_ones_own() -> None:
    v = Value(1.0)
    assert "__slots__" in Value.__dict__
    for field in ("data", "grad", "label", "_inputs", "_op", "_rule", "_param"):
        assert field in Value.__slots__
    # micrograd's Value is a plain object: learners' code stores things on it (Adam's state)
    v.m = 0.25  # type: ignore[attr-defined]
    assert v.m == 0.25  # type: ignore[attr-defined]
    assert v.__dict__ == {"m": 0.25}  # only the attribute of one's own: the fields are slots
    # the one slot that makes weak references possible (used by caches and by the tests above)
    assert "__weakref__" in Value.__slots__
    assert weakref.ref(v)() is v


def test_op_results_are_plain_values_with_slots() -> None:
    v = Value(1.0) * Value(2.0)
    assert type(v) is Value
    assert vars(v) == {}


def test_gc_paused_pauses_and_restores_the_collector_even_on_error() -> None:
    from autograd.engine import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner block must not switch it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="boom"), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before, so it stays off
    finally:
        gc.enable()
