"""Graph-building workloads shared by both engines: a long chain and a wide sum of products.

Each function takes the engine's ``Value`` class, so the exact same user code runs on micrograd and
on autograd.
"""

from __future__ import annotations

import contextlib
import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from autograd.engine import gc_paused


def chain(Value: Any, n: int) -> tuple[Any, Any]:
    """x -> x*1.0001 + 0.5, n times: 4 nodes per step (two ops, two constants)."""
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * 1.0001 + 0.5
    return x, y


def chain_nodes(n: int) -> int:
    return 4 * n + 1


def chain_gradient(n: int) -> float:
    """Closed form: d y_n / d x = 1.0001 ** n."""
    return 1.0001**n


def wide(Value: Any, n: int, use_nary_sum: bool = False) -> tuple[list[Any], Any]:
    """sum(a_i * b_i) over n pairs; with ``use_nary_sum``, autograd's one-node ``Value.sum``."""
    a = [Value(0.001 * i) for i in range(n)]
    b = [Value(1.0 - 0.0005 * i) for i in range(n)]
    products = [ai * bi for ai, bi in zip(a, b)]
    out = Value.sum(products) if use_nary_sum else sum(products)
    return a, out


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def build_and_backward(Value: Any, n: int, pause_gc: bool = False) -> tuple[float, float, float]:
    """Seconds to build the chain, seconds to backpropagate it, and the gradient found.

    ``pause_gc`` runs both inside ``autograd.gc_paused()`` (autograd's advice for big graphs).
    """
    gc.collect()
    with gc_paused() if pause_gc else contextlib.nullcontext():
        t_build, (x, y) = timed(chain, Value, n)
        t_back, _ = timed(y.backward)
    return t_build, t_back, x.grad


def wide_build_and_backward(Value: Any, n: int, use_nary_sum: bool) -> dict[str, float]:
    """Build and backpropagate ``wide``; check one gradient against its closed form (b_i)."""
    gc.collect()
    t_build, (a, out) = timed(wide, Value, n, use_nary_sum)
    nodes = count_nodes(out)
    t_back, _ = timed(out.backward)
    assert abs(a[7].grad - (1.0 - 0.0005 * 7)) < 1e-12, "wrong gradient"
    return {"build": t_build, "backward": t_back, "nodes": nodes}


def bytes_per_node(build: Callable[[], Any]) -> float:
    """Memory a graph holds per node, as tracemalloc sees it (before backward).

    Counts everything allocated while ``build()`` made the graph and still alive once it returns
    (nodes, their child tuples, floats, closures), divided by the number of nodes in the graph.
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        root = build()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / count_nodes(root)


def count_nodes(root: Any) -> int:
    """Nodes in a graph, counted iteratively (works for both engines' ``_prev``)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)
