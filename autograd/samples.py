"""The samples of a batch loss, found in its graph, for diagrams of graphs too big to draw whole.

The loss of a model over a batch is the same small graph repeated once per sample (the model's
forward pass, then that sample's loss term) plus a few nodes that join them (the sum over the
batch, the mean, an L2 penalty on the weights). This module finds that structure in any graph, so a
diagram can show a picture a person can read:

* :func:`first_samples` keeps the first ``k`` samples' subgraphs and everything shared;
* :func:`merge_samples` draws the repeated graph once: one node per position in it, standing for
  that node in every sample, with the range of its values and its gradient summed over the batch
  (the sum is what the shared weights receive: each weight's ``.grad`` is the sum over samples).

How samples are found: the neurons of a model are ``linear`` nodes (Σ wᵢxᵢ + b in one node, see
``Value.linear``) whose weights are leaves. The first layer of a model call reads a tuple of data
leaves; each such tuple is one *sample*, numbered in the order the graph reads them. A node
belongs to a sample when everything sample-specific it reads comes from that sample; a node that
reads several samples (the sum over the batch) is *shared*, and so is one that reads none (the L2
penalty, the parameters). A constant read only inside one sample (such as its label ``y``)
belongs to that sample.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Value

__all__ = ["Merged", "Samples", "find_samples", "first_samples", "merge_samples"]

_SHARED = -1  # the sample number of a node that reads several samples


def is_neuron(node: Value) -> bool:
    """A ``linear`` node whose weights are leaves and are not also its inputs (that would be a sum
    of squares such as the L2 penalty ``linear(ws, ws, 0)``)."""
    if node._op != "linear":
        return False
    prev = node._prev
    n = len(prev) // 2
    weights = prev[n : 2 * n]
    return all(not w._prev for w in weights) and any(x is not w for x, w in zip(prev[:n], weights))


@dataclass
class Samples:
    """Where the samples are in a graph: ``sample[node]`` is its sample number (0, 1, ...),
    ``-1`` for a node shared by several samples; nodes of no sample are absent. ``column[x]`` is a
    data leaf's position in its sample's input tuple (0 for ``x1``)."""

    count: int
    sample: dict[Value, int]
    column: dict[Value, int]
    weights: set[Value]


def find_samples(order: list[Value]) -> Samples:
    """Find the samples of the graph whose nodes are ``order`` (a topological order)."""
    neurons = [node for node in order if is_neuron(node)]
    weights: set[Value] = set()
    for lin in neurons:
        prev = lin._prev
        weights.update(prev[len(prev) // 2 :])
    tuples: dict[tuple[Value, ...], int] = {}
    sample: dict[Value, int] = {}
    column: dict[Value, int] = {}
    for lin in neurons:
        prev = lin._prev
        xs = prev[: len(prev) // 2]
        if all(not x._prev and x not in weights for x in xs):
            number = tuples.setdefault(xs, len(tuples))
            for j, x in enumerate(xs):
                if sample.setdefault(x, number) != number:
                    sample[x] = _SHARED  # the same leaf in two samples' inputs
                column.setdefault(x, j)
    # Forward: a node belongs to the one sample it reads, or is shared.
    for node in order:
        if not node._prev or node in sample:
            continue
        found: int | None = None
        for child in node._prev:
            s = sample.get(child)
            if s is None or s == found:
                continue
            found = s if found is None else _SHARED
            if found == _SHARED:
                break
        if found is not None:
            sample[node] = found
    # Constants (leaves that are neither weights nor data) read only inside one sample join it.
    readers: dict[Value, int] = {}
    for node in order:
        s = sample.get(node)
        for child in node._prev:
            if child._prev or child in weights or child in column:
                continue
            if s is None or s == _SHARED or readers.setdefault(child, s) != s:
                readers[child] = _SHARED
    for leaf, s in readers.items():
        if s != _SHARED:
            sample[leaf] = s
    return Samples(len(tuples), sample, column, weights)


def first_samples(order: list[Value], root: Value, k: int) -> tuple[list[Value], dict[Value, int]]:
    """The nodes of the first ``k`` samples and of nothing else but the shared part, in ``order``;
    and for each kept node the number of its inputs left out (they belong to later samples)."""
    found = find_samples(order)
    keep = {root}
    left_out: dict[Value, int] = {}
    for node in reversed(order):
        if node not in keep:
            continue
        for child in node._prev:
            if found.sample.get(child, 0) >= k:
                left_out[node] = left_out.get(node, 0) + 1
            else:
                keep.add(child)
    return [node for node in order if node in keep], left_out


@dataclass
class Merged:
    """One node of the merged graph, standing for ``count`` nodes (one per sample)."""

    count: int
    low: float  #: the smallest data among them
    high: float  #: the largest
    grad_sum: float  #: their gradients added up


def merge_samples(order: list[Value], root: Value) -> tuple[Value, dict[Value, Merged], int]:
    """A new graph with the samples of ``root``'s graph drawn on top of one another.

    Nodes at the same position in every sample (the same op on inputs at the same positions: the
    same neuron, the same activation, the same loss term) become one node. Its ``.data`` is the
    mean of theirs, its ``.grad`` their sum, and ``merged[node]`` holds the count and the range.
    Shared nodes are copied with their inputs merged; leaves that are not per-sample (the weights)
    are the original Values, so their labels and ``.grad`` show as they are. The new nodes are
    built by hand (like micrograd's ``Value(data, children, op)``) and are only for drawing.

    Returns the new root, the merged-node records and the number of samples.
    """
    found = find_samples(order)
    sample = found.sample
    # Give each per-sample node a small int key: same key = same position in every sample.
    keys: dict[Value, int] = {}
    interned: dict[tuple[object, ...], int] = {}
    key: int
    members: dict[int, list[Value]] = {}
    for node in order:
        s = sample.get(node)
        if s is None or s == _SHARED:
            continue
        if not node._prev:
            if node in found.column:
                key = interned.setdefault(("x", found.column[node]), len(interned))
                keys[node] = key
                members.setdefault(key, []).append(node)
            continue  # a constant: placed by the first node that reads it, below
        for i, child in enumerate(node._prev):
            if child not in keys and sample.get(child) == s:  # a constant of this sample
                key = interned.setdefault(("c", node._op, i), len(interned))
                keys[child] = key
                members.setdefault(key, []).append(child)
        shape = (node._op, *(keys.get(c, c) for c in node._prev))
        key = interned.setdefault(shape, len(interned))
        keys[node] = key
        members.setdefault(key, []).append(node)

    merged: dict[Value, Merged] = {}
    made: dict[int, Value] = {}  # key -> its merged node
    copies: dict[Value, Value] = {}  # original -> the node that stands for it

    def stand_in(child: Value) -> Value:
        return copies.get(child, child)

    def inputs(node: Value) -> tuple[Value, ...]:
        # The 100 per-sample terms a batch sum adds become one merged input, drawn once; inputs
        # that are not per-sample (a sum of squares of the weights reads each weight twice) stay.
        out: list[Value] = []
        merged_seen: set[Value] = set()
        for child in node._prev:
            new = stand_in(child)
            if new is not child:
                if new in merged_seen:
                    continue
                merged_seen.add(new)
            out.append(new)
        return tuple(out)

    for node in order:
        at = keys.get(node)
        if at is not None:
            if at in made:
                copies[node] = made[at]
                continue
            group = members[at]
            data = [v.data for v in group]
            children = inputs(node)
            labels = {v.label for v in group}
            new = Value(
                sum(data) / len(data),
                children,
                node._op,
                label=labels.pop() if len(labels) == 1 else "",
            )
            new.grad = sum(v.grad for v in group)
            merged[new] = Merged(len(group), min(data), max(data), new.grad)
            made[at] = copies[node] = new
        elif node._prev:
            children = inputs(node)
            new = Value(node.data, children, node._op, label=node.label)
            new.grad = node.grad
            copies[node] = new
    return stand_in(root), merged, found.count
