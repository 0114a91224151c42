"""Backprop in the terminal: a text tree of the graph and a step-by-step backward pass.

Nothing here needs Graphviz. Two views, both for a plain REPL:

* :func:`text_tree` / :func:`print_tree` -- the graph as an indented tree, output at the top,
  each node with its name, op, data and grad. A node used twice (``a`` in ``a * a``) is written
  out once and referred to by name afterwards, so the tree stays the size of the graph.
* :func:`backprop_steps` / :func:`explain` -- the backward pass one node at a time. Each step
  takes one node whose gradient is complete (its *upstream* gradient d(out)/d(node)) and applies
  the chain rule to each of its inputs::

      child.grad  +=  upstream  ×  local        where local = d(node)/d(child)

  The local derivatives come from the op table (``engine.local_derivatives``), the same numbers
  ``backward()`` uses.

Both need names for the nodes; :func:`node_names` gives every node one (its label, or a stable
generated one), and the diagrams in ``viz.py`` use the same function, so a node is called the
same everywhere.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TextIO

from ._compact import push_order
from .engine import Value, local_derivatives, topological_order

__all__ = [
    "BackpropStep",
    "ChildUpdate",
    "backprop_steps",
    "check_number_format",
    "describe",
    "explain",
    "format_number",
    "format_steps",
    "format_sum",
    "graph_summary",
    "node_names",
    "print_tree",
    "sum_format",
    "text_tree",
]

# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------


def node_names(order: Sequence[Value]) -> dict[Value, str]:
    """A unique, stable name for every node of ``order`` (usually ``topological_order(root)``).

    * A labelled node is called by its label. If two nodes share a label, the later ones (in
      ``order``) get ``#2``, ``#3``... appended, so references in the text tree stay unambiguous.
    * An unlabelled node gets a generated name that depends only on its position in ``order``:
      ``v1, v2, ...`` for leaves (inputs, or constants such as the ``2`` in ``x * 2``) and
      ``t1, t2, ...`` for computed nodes ("temporaries"), each counted from the inputs towards
      the output. A generated name never collides with a label.

    Because the topological order is deterministic, the same graph always gets the same names.
    """
    labels = {node.label for node in order if node.label}
    names: dict[Value, str] = {}
    taken: set[str] = set()
    counters = {"v": 0, "t": 0}
    for node in order:
        if node in names:
            continue
        if node.label:
            name, copy = node.label, 1
            while name in taken:
                copy += 1
                name = f"{node.label}#{copy}"
        else:
            prefix = "t" if node._prev else "v"
            while True:
                counters[prefix] += 1
                name = f"{prefix}{counters[prefix]}"
                if name not in labels and name not in taken:
                    break
        names[node] = name
        taken.add(name)
    return names


_INFIX = frozenset({"+", "-", "*", "/", "**"})
_SHOWN_TERMS = 4  # an n-ary node with more inputs than this is summarised, not listed


def describe(node: Value, names: dict[Value, str]) -> str:
    """How ``node`` was computed, written with its inputs' names: ``q * z``, ``tanh(t3)``, ``x**2``.

    A leaf is just its name. Wide n-ary nodes are summarised (``linear(16 inputs)``).
    """
    name = names[node]
    prev = node._prev
    if not prev:
        return name
    op = node._op
    args = [names[c] for c in prev]
    if op == "+" and len(args) > _SHOWN_TERMS:
        expr = f"{args[0]} + {args[1]} + … + {args[-1]} ({len(args)} terms)"
    elif op in _INFIX and len(args) >= 2:
        expr = f" {op} ".join(args)
    elif op.startswith("**") and len(args) == 1:  # x ** k with a constant k: op '**k'
        expr = f"{args[0]}{op}"
    elif op.endswith("**") and len(args) == 1:  # k ** x with a constant k: op 'k**'
        expr = f"{op}{args[0]}"
    elif op == "neg":
        expr = f"-{args[0]}"
    elif op == "linear":
        n = len(args) // 2
        if n > _SHOWN_TERMS // 2:
            expr = f"linear({n} inputs)"
        else:
            terms = [f"{w}·{x}" for x, w in zip(args[:n], args[n:-1])]
            expr = " + ".join([*terms, args[-1]])
    else:
        expr = f"{op or '?'}({', '.join(args)})"
    return f"{name} = {expr}"


def format_number(x: float, fmt: str | None) -> str:
    """``format(x, fmt)``, but a negative zero (a gradient of -0.0) is written without its sign.

    ``fmt=None`` is the shortest form that looks exact: a number with at most six significant
    digits is written in full (``-4``, ``2.5``, ``0.125``, no ``1.0000`` clutter), any other one
    rounded to four (``2.957``).
    """
    if fmt is None:
        text = format(x, ".6g")
        if math.isfinite(x) and float(text) != x:
            text = format(x, ".4g")
    else:
        text = format(x, fmt)
    return text[1:] if text.startswith("-") and float(text) == 0 else text


_PRECISION = re.compile(r"^(.*\.)(\d+)([a-zA-Z%]?)$")


def _finer(fmt: str | None) -> Iterator[str | None]:
    """``fmt``, then the same format with one more digit at a time (up to 17)."""
    yield fmt
    if fmt is None:
        base, digits, kind = ".", 6, "g"
    elif m := _PRECISION.match(fmt):
        base, digits, kind = m.group(1), int(m.group(2)), m.group(3)
    elif fmt in ("g", "f", "e", "G", "F", "E"):
        base, digits, kind = ".", 6, fmt
    else:
        return
    for more in range(digits + 1, 18):
        yield f"{base}{more}{kind}"


def sum_format(parts: Sequence[float], total: float, fmt: str | None) -> str | None:
    """The format at which the printed ``parts`` add up to the printed ``total``.

    Rounding each term on its own can break the sum a reader checks by hand (``2.5053 + 0.4521``
    beside a total of ``2.9573``), so digits are added, to the terms and the total alike, until
    the exact sum of the printed terms, printed the same way, is the printed total. If no
    precision agrees (the total holds more than these terms, e.g. after a second ``backward()``),
    ``fmt`` itself.
    """
    for spec in _finer(fmt):
        texts = [format_number(p, spec) for p in parts]
        try:
            exact = sum((Decimal(t) for t in texts), Decimal(0))
        except InvalidOperation:
            break
        if not exact.is_finite():
            break
        if format_number(float(exact), spec) == format_number(total, spec):
            return spec
    return fmt


def format_sum(parts: Sequence[float], total: float, fmt: str | None) -> tuple[list[str], str]:
    """The terms of a sum and its total, printed so that the printed terms add up to the printed
    total (see :func:`sum_format`)."""
    spec = sum_format(parts, total, fmt)
    return [format_number(p, spec) for p in parts], format_number(total, spec)


# --------------------------------------------------------------------------------------------------
# The text tree
# --------------------------------------------------------------------------------------------------


def text_tree(
    root: Value,
    *,
    fmt: str | None = ".4g",
    show_grad: bool = True,
    max_depth: int | None = 100,
    max_lines: int | None = 200,
) -> str:
    """The graph of ``root`` as an indented tree (output first), one line per use of a node.

    ``f = (x + y) * z`` after ``f.backward()`` reads::

        f = q * z   data -12   grad 1
        ├── q = x + y   data 3   grad -4
        │   ├── x   data -2   grad -4
        │   └── y   data 5   grad -4
        └── z   data -4   grad 3

    A node that appears again (a reused value) is printed as ``q  (see above)`` instead of
    repeating its whole subtree. ``max_depth`` bounds the indentation (a long chain would
    otherwise indent each line further than the last); deeper parts are replaced by one ``…``
    line. Pass ``max_depth=None`` for no limit. Numbers use ``fmt`` (a format spec).

    A big graph (an MLP's loss over a dataset has tens of thousands of nodes) is cut after
    ``max_lines`` lines and summarised: how many lines were left out, and the graph's nodes
    counted by op. ``max_lines=None`` writes every line.
    """
    if not isinstance(root, Value):
        raise TypeError(f"text_tree: expected a Value, got {type(root).__name__}: {root!r}")
    check_number_format(fmt, "text_tree")
    _check_limit(max_lines, "text_tree", "max_lines")
    order = topological_order(root)
    names = node_names(order)
    limit = math.inf if max_lines is None else max_lines
    lines: list[str] = []
    hidden = 0  # lines past max_lines, counted but not written
    seen: set[Value] = set()
    # Each entry: node, the guide to print before it, the guide its children inherit, depth.
    stack: list[tuple[Value, str, str, int]] = [(root, "", "", 0)]
    while stack:
        node, lead, child_lead, depth = stack.pop()
        write = len(lines) < limit
        if node in seen:
            if write:
                lines.append(f"{lead}{names[node]}  (see above)")
            else:
                hidden += 1
            continue
        seen.add(node)
        if write:
            text = f"{lead}{describe(node, names)}   data {format_number(node.data, fmt)}"
            if show_grad:
                text += f"   grad {format_number(node.grad, fmt)}"
            lines.append(text)
        else:
            hidden += 1
        if not node._prev:
            continue
        if max_depth is not None and depth >= max_depth:
            if len(lines) < limit:
                lines.append(f"{child_lead}└── …  (deeper nodes hidden: max_depth={max_depth})")
            else:
                hidden += 1
            continue
        last = len(node._prev) - 1
        # Pushed in reverse so the first child is printed first.
        for i in range(last, -1, -1):
            branch, extend = ("└── ", "    ") if i == last else ("├── ", "│   ")
            stack.append((node._prev[i], child_lead + branch, child_lead + extend, depth + 1))
    if hidden:
        lines += [
            f"… {hidden:,} more lines not shown (max_lines={max_lines}).",
            graph_summary(order),
            "To see all of it: print_tree(root, max_lines=None), or text_tree(root, "
            "max_lines=None) for the text.",
        ]
    return "\n".join(lines)


def graph_summary(order: Sequence[Value]) -> str:
    """One line counting the nodes of a graph by op: ``12,345 nodes: 3,300 linear, ...``."""
    counts = Counter(node._op if node._prev else "leaf" for node in order)
    parts = [
        f"{n:,} {'leaves (inputs, parameters, constants)' if op == 'leaf' else op or '?'}"
        for op, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return f"The graph has {len(order):,} nodes: {', '.join(parts)}."


def _check_limit(value: int | None, where: str, name: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{where}: {name}={value!r}; expected a positive int or None")


def print_tree(
    root: Value,
    *,
    fmt: str | None = ".4g",
    show_grad: bool = True,
    max_depth: int | None = 100,
    max_lines: int | None = 200,
    file: TextIO | None = None,
) -> None:
    """Print :func:`text_tree` (to ``file``, standard output by default)."""
    text = text_tree(root, fmt=fmt, show_grad=show_grad, max_depth=max_depth, max_lines=max_lines)
    print(text, file=sys.stdout if file is None else file)


def check_number_format(fmt: str | None, where: str) -> None:
    """Raise ValueError naming ``where`` unless ``fmt`` is a format spec for floats (or None, the
    shortest exact-looking form of :func:`format_number`)."""
    if fmt is None:
        return
    try:
        format(1.5, fmt)
    except (ValueError, TypeError):
        raise ValueError(
            f"{where}: fmt={fmt!r} is not a number format; expected a format spec such as "
            "'.4g' or '.4f'"
        ) from None


# --------------------------------------------------------------------------------------------------
# The backprop stepper
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildUpdate:
    """One chain-rule addition: ``child.grad += upstream * local``."""

    child: Value
    name: str
    local: float | None  #: d(node)/d(child) from the op table; None for a hand-written _backward
    contribution: float  #: upstream × local, the amount added to child.grad
    grad_before: float
    grad_after: float


@dataclass(frozen=True)
class BackpropStep:
    """One node of the backward pass. Step 0 is the seed: d(out)/d(out) = 1."""

    index: int
    node: Value
    name: str
    expression: str  #: how the node was computed, e.g. ``'f = q * z'``
    upstream: float  #: d(out)/d(node), complete by the time the node is reached
    updates: tuple[ChildUpdate, ...]
    formula: str  #: the op table's local derivatives, e.g. ``'d/da (a * b) = b, ...'``


def backprop_steps(root: Value, gradient: float = 1.0) -> Iterator[BackpropStep]:
    """Run the backward pass of ``root`` one node at a time, yielding a record of each step.

    It starts from a clean slate: every ``.grad`` in the graph (leaves included) is set to 0,
    then ``root.grad = gradient`` (the seed, step 0). Each following step takes the next node in
    reverse topological order -- all of its consumers are done, so its ``.grad`` is final -- and
    adds ``upstream × local`` to each input's ``.grad``. The ``.grad`` fields really change as you
    go, so in a REPL you can inspect the graph between two ``next()`` calls. When the iterator is
    exhausted, the gradients equal those of ``zero_grad()`` followed by ``backward(gradient)``.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backprop_steps: expected a Value, got {type(root).__name__}: {root!r}")
    order = topological_order(root)
    names = node_names(order)
    for node in order:
        node.grad = 0.0
    root.grad = float(gradient)
    yield BackpropStep(0, root, names[root], describe(root, names), root.grad, (), "")
    index = 0
    for node in reversed(order):
        if not node._prev:
            continue  # a leaf has no inputs to pass its gradient on to
        index += 1
        upstream = node.grad
        rule = node._rule
        if rule is not None:
            prev, locals_ = node._prev, local_derivatives(node)
            done: dict[int, ChildUpdate] = {}
            for i in push_order(node, len(prev)):  # the order every path adds the terms in
                child, local = prev[i], locals_[i]
                # None: nothing flows back (relu at x <= 0), whatever the upstream gradient
                added = 0.0 if local is None else upstream * local
                before = child.grad
                child.grad = before + added
                shown = 0.0 if local is None else local
                done[i] = ChildUpdate(child, names[child], shown, added, before, child.grad)
            updates = [done[i] for i in range(len(prev))]  # shown in _prev's order
            formula = rule.formula
        else:
            # A micrograd-style node with its own _backward: run it and report what it added.
            children = list(dict.fromkeys(node._prev))
            before_grads = [c.grad for c in children]
            node._backward()
            updates = [
                ChildUpdate(c, names[c], None, c.grad - b, b, c.grad)
                for c, b in zip(children, before_grads)
            ]
            formula = "(a hand-written _backward)"
        yield BackpropStep(
            index, node, names[node], describe(node, names), upstream, tuple(updates), formula
        )


def explain(
    root: Value,
    *,
    gradient: float = 1.0,
    fmt: str | None = ".4g",
    formulas: bool = True,
    max_lines: int | None = 200,
    file: TextIO | None = None,
) -> None:
    """Run the backward pass of ``root`` (see :func:`backprop_steps`) and print it as a table.

    For ``f = (x + y) * z`` at x = -2, y = 5, z = -4 the rows read like the lecture: df/df = 1;
    at ``f = q * z``: df/dq = z = -4 and df/dz = q = 3; at ``q = x + y``:
    df/dx = df/dq · dq/dx = -4 × 1 = -4, and the same for y. With ``formulas`` each step also
    shows the op table's rule for its local derivatives. The last line lists the gradients of the
    inputs in the order the graph reads them (for ``(x + y) * z``: x, y, z).

    A big graph's table is cut after ``max_lines`` lines and summarised (the whole backward pass
    still runs, so every ``.grad`` is complete); ``max_lines=None`` prints every step.
    """
    check_number_format(fmt, "explain")
    _check_limit(max_lines, "explain", "max_lines")
    out = sys.stdout if file is None else file
    text = format_steps(
        backprop_steps(root, gradient), fmt=fmt, formulas=formulas, max_lines=max_lines
    )
    print(text, file=out)


_SHOWN_LEAVES = 10  # gradients listed in the closing line of a table that was cut


def format_steps(
    steps: Iterator[BackpropStep] | Sequence[BackpropStep],
    *,
    fmt: str | None = ".4g",
    formulas: bool = True,
    max_lines: int | None = None,
) -> str:
    """The table :func:`explain` prints, from the records of :func:`backprop_steps`.

    Every step is consumed (so the gradients are complete) even when ``max_lines`` cuts the table.
    """

    def num(x: float) -> str:
        return format_number(x, fmt)

    limit = math.inf if max_lines is None else max_lines
    rows: list[tuple[str, ...]] = []
    notes: dict[int, str] = {}  # row index -> a full-width line printed after that row
    out = ""
    leaves: set[Value] = set()
    root: Value | None = None
    hidden_steps = hidden_rows = 0
    for step in steps:
        if step.index == 0:
            root = step.node
            out = step.name
            d_out = f"d{out}/d{out}"
            rows.append(("0", step.name, f"{d_out} = {num(step.upstream)}", "(seed)"))
            continue
        for u in step.updates:
            if not u.child._prev:
                leaves.add(u.child)
        if len(rows) + len(notes) >= limit:
            hidden_steps += 1
            hidden_rows += len(step.updates) + (1 if formulas and step.formula else 0)
            continue
        upstream = f"d{out}/d{step.name} = {num(step.upstream)}"
        for i, u in enumerate(step.updates):
            if len(rows) + len(notes) >= limit:  # one wide node can fill the table alone
                hidden_rows += len(step.updates) - i
                break
            local = "?" if u.local is None else num(u.local)
            product = (
                f"{num(step.upstream)} × {local} = {num(u.contribution)}"
                if u.local is not None
                else f"{num(u.contribution)}"
            )
            after = num(u.grad_after)
            if u.grad_before != 0:  # a reused node: gradients from its uses add up
                (before, added), after = format_sum(
                    [u.grad_before, u.contribution], u.grad_after, fmt
                )
                after = f"{before} + {added} = {after}"
            head = (str(step.index), step.expression, upstream) if i == 0 else ("", "", "")
            rows.append((*head, u.name, f"d{step.name}/d{u.name} = {local}", product, after))
        if formulas and step.formula:
            notes[len(rows) - 1] = f"rule: {step.formula}"
    if root is None:
        return ""
    header = ("step", "node", "upstream", "child", "local", "upstream × local", "child.grad")
    widths = [
        max(len(r[c]) if c < len(r) else 0 for r in [header, *rows]) for c in range(len(header))
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(widths[c]) for c, cell in enumerate(cells)).rstrip()

    lines = [line(header)]
    indent = widths[0] + 2
    for r, row in enumerate(rows):
        lines.append(line(row))
        if r in notes:
            lines.append(" " * indent + notes[r])
    order = topological_order(root)
    names = node_names(order)
    cut = hidden_rows > 0
    if cut:
        lines += [
            f"… {hidden_rows:,} more lines ({hidden_steps:,} more steps) not shown "
            f"(max_lines={max_lines}); every gradient was still computed.",
            graph_summary(order),
        ]
    # The inputs in the order the graph reads them, which is the order they were written in.
    inputs = [node for node in order if node in leaves]
    shown = inputs if not cut else inputs[:_SHOWN_LEAVES]
    summary = ",  ".join(f"d{out}/d{names[v]} = {num(v.grad)}" for v in shown)
    if len(shown) < len(inputs):
        summary += f",  … and {len(inputs) - len(shown):,} more"
    if summary:
        lines.append(f"gradients of the inputs: {summary}")
    if cut:
        lines.append("To see every step: explain(root, max_lines=None).")
    return "\n".join(lines)
