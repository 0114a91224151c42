"""Grade a ``Value`` class you wrote yourself (following the "building micrograd" lecture).

``check_engine(MyValue)`` in Python or Jupyter, ``python -m autograd check my_engine.py`` on the
command line. Each check builds one expression twice, with your class and with ``autograd.Value``,
runs ``backward()`` on both and compares the data and the gradient of every node. The checks go
from simple to hard: making a Value; ``+ * - /`` with Values and with plain numbers on either side;
``**`` with a number; every function both classes have (tanh, exp, relu, ...); reused nodes,
whose gradients must add up; the lecture's worked example and its tanh neuron; a deep chain;
``backward()`` called twice; and a small MLP if you have one.

Each check ends as one of

* ``ok``       -- every number matches (up to float rounding),
* ``wrong``    -- a number differs or your code raised an error: the report shows expected and got
  for every node, the first node in backward order whose gradient is wrong, and the chain-rule
  step that should have produced it, in the words of ``autograd.explain``,
* ``missing``  -- your class has no such operation (not an error: the lecture skips some),
* ``limited``  -- it works up to a size and fails beyond (a recursive topological sort),
* ``not run``  -- skipped after your code stopped answering twice.

Your code runs in a child process, so an endless loop or a crash cannot take the checker (or your
Jupyter kernel) down with it: each check has a time limit (``timeout`` seconds), after which the
child is stopped and a fresh one carries on with the next check. How the child gets your class:

* from a file (the CLI): it imports the file itself (forked on Linux, a fresh interpreter
  elsewhere), so an import that hangs or fails is reported as such;
* from ``check_engine(cls)``: on Linux (and wherever ``fork`` exists) the child is a fork of your
  session and simply inherits the class, even one defined in a notebook cell. Where ``fork`` is
  unavailable (Windows), a class importable from a module is imported by a fresh interpreter; a
  class defined in ``__main__`` or a notebook cannot be, so the checks then run in a background
  thread of your own process: a hang is still reported after the timeout, but the looping thread
  cannot be stopped and keeps running until you restart the kernel.

Results come back as JSON text over a pipe: nothing from the child is unpickled.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import math
import os
import random
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from .engine import Value, local_grads, topological_order
from .explain import backprop_steps, describe, format_number, node_names
from .rules import RULES

__all__ = ["CHECKS", "CheckError", "CheckResult", "Report", "check_engine", "check_file"]

STATUSES = ("ok", "wrong", "missing", "limited", "not run")
REL_TOL, ABS_TOL = 1e-6, 1e-9  # float rounding: a learner may sum or multiply in another order
DEFAULT_TIMEOUT = 10.0  # seconds per check


class CheckError(Exception):
    """The engine could not be checked at all: no such file or class, or it failed to import."""


@dataclass
class CheckResult:
    """The outcome of one check: its status and what a teacher would say about it."""

    name: str
    status: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Report:
    """Every check's result, in order; ``str(report)`` is the whole printed report."""

    engine: str
    results: list[CheckResult]

    @property
    def wrong(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "wrong"]

    @property
    def exit_code(self) -> int:
        """0 when nothing is wrong (missing and limited are not errors), else 1."""
        return 1 if self.wrong else 0

    def table(self) -> str:
        """The summary table: one row per check, with its status."""
        width = max(len(r.name) for r in self.results)
        rows = [f"{'check'.ljust(width)}  status", f"{'-' * width}  -------"]
        rows += [f"{r.name.ljust(width)}  {r.status}" for r in self.results]
        counts = {s: sum(r.status == s for r in self.results) for s in STATUSES}
        rows.append(", ".join(f"{n} {s}" for s, n in counts.items() if n))
        return "\n".join(rows)

    def __str__(self) -> str:
        parts = [f"Checking {self.engine} against autograd.Value", ""]
        parts += [_format_result(r) for r in self.results]
        parts += ["", self.table()]
        return "\n".join(parts)


def _format_result(result: CheckResult) -> str:
    return "\n".join([f"[{result.status}] {result.name}", *("    " + x for x in result.lines)])


# ==================================================================================================
# Numbers and the learner's objects
# ==================================================================================================


def _num(x: float) -> str:
    return format_number(x, ".6g")


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _read(node: Any, attr: str) -> float | str:
    """``node.data`` or ``node.grad`` of a learner's node as a float, or why it is not one."""
    try:
        value = getattr(node, attr)
    except Exception as err:  # the learner's object: anything can happen
        return f"no .{attr} ({type(err).__name__})"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except Exception:
        return f"a {type(value).__name__}, not a number"


def _error_text(err: BaseException) -> str:
    """One line for an exception raised by the learner's code, with the line it came from."""
    where = ""
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if os.path.basename(frame.filename) != "check.py":
            where = f" (in {frame.name}, {os.path.basename(frame.filename)} line {frame.lineno})"
            break
    text = str(err).splitlines()[0] if str(err) else ""
    return f"{type(err).__name__}: {text}{where}"


# ==================================================================================================
# One case: an expression built with both classes
# ==================================================================================================

#: A builder makes the expression with the class it is given and returns its named nodes in the
#: order they were made; the last one is the output.
Builder = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """One expression to build with both classes, e.g. ``c = a * b; o = c * d``."""

    text: str  #: the expression and its inputs, as the report shows it
    build: Builder
    needs: tuple[str, ...] = ()  #: attributes the learner's class must have, else *missing*
    number_operand: bool = False  #: a plain number in the expression (``a + 2``)


def _run_case(case: Case, cls: type) -> tuple[str, list[str]]:
    """Build ``case`` with ``cls`` and with ``Value``, backprop both, and compare every node."""
    absent = [n for n in case.needs if not hasattr(cls, n)]
    if absent:
        return "missing", [f"your class has no {', '.join(absent)}{_why(absent)}"]
    try:
        got = case.build(cls)
    except Exception as err:
        if case.number_operand:
            return "missing", [
                f"{case.text}: a plain number is not accepted ({_error_text(err)}).",
                "Wrap it first, as the lecture does: "
                "other = other if isinstance(other, Value) else Value(other)",
            ]
        return "wrong", [f"{case.text}: building it raised {_error_text(err)}"]
    ours = case.build(Value)
    out = list(ours)[-1]
    try:
        got[out].backward()
    except Exception as err:
        return "wrong", [f"{case.text}: backward() raised {_error_text(err)}"]
    lines = _compare(case.text, ours, got)
    return ("wrong", lines) if lines else ("ok", [f"{case.text}: ok"])


_WHY = {
    "__radd__": "number + Value: Python first asks the number (int.__add__ gives up), then "
    "calls Value.__radd__; without it `2 + a` and sum([...]) fail",
    "__rmul__": "number * Value: Python first asks the number (int.__mul__ gives up), then "
    "calls Value.__rmul__; without it `2 * a` fails",
    "__rsub__": "`2 - a` needs __rsub__",
    "__rtruediv__": "`2 / a` needs __rtruediv__",
    "__rpow__": "`2 ** a` needs __rpow__",
}


def _why(absent: list[str]) -> str:
    notes = [_WHY[n] for n in absent if n in _WHY]
    return f" ({'; '.join(notes)})" if notes else ""


def _compare(text: str, ours: dict[str, Value], got: dict[str, Any]) -> list[str]:
    """Lines explaining the first difference between the two graphs; empty when all match."""
    for name, node in ours.items():
        node.label = name
    root = list(ours.values())[-1]
    for node in topological_order(root):
        if not node.label and not node._prev:
            node.label = _num(node.data)  # a constant such as the 2 in 2 * n is called "2"
    steps = list(backprop_steps(root))  # our gradients, with a record of every chain-rule step
    forward = [n for n in topological_order(root) if n.label in ours]
    expected = {n: (ours[n].data, ours[n].grad) for n in ours}
    actual = {n: (_read(got[n], "data"), _read(got[n], "grad")) for n in ours}

    def same(e: float, g: float | str) -> bool:
        return isinstance(g, float) and _close(e, g)

    bad_data = [n.label for n in forward if not same(expected[n.label][0], actual[n.label][0])]
    backward_order = [n.label for n in reversed(forward)]
    bad_grad = [n for n in backward_order if not same(expected[n][1], actual[n][1])]
    if not bad_data and not bad_grad:
        return []
    lines = [text, *_table(backward_order, expected, actual)]
    if bad_data:
        name = bad_data[0]
        node = ours[name]
        lines.append(
            f"The forward pass goes wrong first at {describe(node, node_names(forward))}: "
            f"expected data {_num(node.data)}, got {_shown(actual[name][0])}."
        )
        return lines
    first = bad_grad[0]
    e, g = expected[first][1], actual[first][1]
    lines.append(
        f"The first wrong gradient in backward order is {first}: "
        f"expected {_num(e)}, got {_shown(g)}."
    )
    lines += _diagnose(ours, first, g, steps, got)
    return lines


def _shown(x: float | str) -> str:
    return _num(x) if isinstance(x, float) else x


def _table(
    names: list[str],
    expected: dict[str, tuple[float, float]],
    actual: dict[str, tuple[float | str, float | str]],
) -> list[str]:
    head = ("node", "data expected", "data got", "grad expected", "grad got")
    rows = [head]
    for n in names:
        (ed, eg), (gd, gg) = expected[n], actual[n]
        mark = "" if isinstance(gg, float) and _close(eg, gg) else "  <-"
        rows.append((n, _num(ed), _shown(gd), _num(eg), _shown(gg) + mark))
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


# ==================================================================================================
# Diagnosis: which chain-rule step, and which well-known bug
# ==================================================================================================


def _step_words(step: Any, update: Any) -> str:
    """A chain-rule step as the stepper says it: ``dq/dx = 1, so x.grad += -4 × 1``."""
    local = "?" if update.local is None else _num(update.local)
    # A constant is named by its number; node_names tells a second "1" apart as "1#2".
    expression = re.sub(r"(?<=\d)#\d+", "", step.expression)
    return (
        f"at {expression}: d{step.name}/d{update.name} = {local}, "
        f"so {update.name}.grad += {_num(step.upstream)} × {local} = {_num(update.contribution)}"
    )


def _diagnose(
    ours: dict[str, Value], first: str, got: float | str, steps: list[Any], learner: dict[str, Any]
) -> list[str]:
    root = list(ours)[-1]
    if first == root:
        lines = [f"backward() should start from the seed d{root}/d{root} = 1: {root}.grad = 1.0."]
        if isinstance(got, float) and got == 0:
            lines.append(
                "Recognised: the gradient is not seeded. backward() must set self.grad = 1.0 "
                "before it calls the nodes' _backward (0 times anything stays 0)."
            )
        return lines
    node = ours[first]
    feeding = [(s, u) for s in steps for u in s.updates if u.child is node]
    lines = [
        "It should have come from "
        + ("this chain-rule step:" if len(feeding) == 1 else "these chain-rule steps, added up:")
    ]
    lines += [f"  {_step_words(s, u)}" for s, u in feeding]
    consumers = sorted({s.name for s, _ in feeding})
    ops = ", ".join(sorted({_op_name(s.node) for s, _ in feeding}))
    if all(c in ours for c in consumers):
        lines.append(
            f"The gradient of {', '.join(consumers)} is right, so look at the _backward of {ops}."
        )
    else:
        lines.append(f"Look at the _backward of {ops}.")
    if isinstance(got, float):
        bug = _recognise(ours, node, got, feeding, learner)
        if bug:
            lines.append(f"Recognised: {bug}")
    return lines


def _op_name(node: Value) -> str:
    op = node._op
    return f"`{op}`" if op else "?"


def _recognise(
    ours: dict[str, Value], node: Value, got: float, feeding: list[Any], learner: dict[str, Any]
) -> str | None:
    """Name a well-known bug whose arithmetic gives exactly ``got`` for ``node``'s gradient."""
    contributions = [u.contribution for _, u in feeding]
    expected = sum(contributions)
    # 1. A local derivative added without the upstream factor (the chain rule's multiplication).
    locals_ = [u.local for _, u in feeding if u.local is not None]
    upstream_not_one = any(s.upstream != 1 for s, _ in feeding)
    if len(locals_) == len(feeding) and upstream_not_one and _close(sum(locals_), got):
        return (
            "the local derivative is added without multiplying by out.grad. "
            "The chain rule: child.grad += out.grad * local."
        )
    # 2. A known slip in one op's local derivative.
    for step, update in feeding:
        for wrong_local, story in _slips(step.node, update):
            alt = expected - update.contribution + step.upstream * wrong_local
            if not _close(alt, expected) and _close(alt, got):
                return story
    # 3. `=` instead of `+=`: only some of the contributions survived.
    if len(contributions) >= 2:
        n = len(contributions)
        for mask in range(1, 2**n - 1):
            part = sum(c for i, c in enumerate(contributions) if mask >> i & 1)
            if not _close(part, expected) and _close(part, got):
                return (
                    f"{node.label} is used {n} times, and its gradient holds only part of the "
                    "sum above: a _backward that writes `x.grad = ...` instead of "
                    "`x.grad += ...` overwrites what another use has already added. "
                    "Gradients must accumulate."
                )
    # 4. A topological sort that lists a node twice: its _backward runs twice.
    for order in _orders_without_visited(list(ours.values())[-1]):
        grads = _simulate(order)
        if all(
            isinstance(g := _read(learner[name], "grad"), float) and _close(grads[v], g)
            for name, v in ours.items()
        ):
            return (
                "these are exactly the gradients of a backward pass whose topological sort "
                "lists a node more than once (no `visited` set, or the check comes after the "
                "append), so that node's _backward runs twice and pushes its gradient again. "
                "Add each node to `visited` before walking its children."
            )
    return None


def _slips(node: Value, update: Any) -> Iterator[tuple[float, str]]:
    """Wrong local derivatives learners often write for ``node``'s op, with what to say."""
    op, out, x = node._op, node.data, update.child.data
    if op == "tanh":
        yield (1 - out, "tanh's derivative is written 1 - t; it is 1 - t**2 (t = tanh(x)).")
        yield (
            1 - x * x,
            "tanh's derivative uses the input: 1 - x**2; it is 1 - t**2, t = tanh(x).",
        )
    elif op == "exp":
        yield (x, "exp's derivative is written as the input x; d/dx exp(x) = exp(x) = out.data.")
    elif op.startswith("**") and node._param is not None and len(node._prev) == 1:
        k = node._param
        yield (
            k * x**k - 1,
            f"the power rule without brackets: k * x**k - 1; it is k * x**(k - 1) (k = {k:g}).",
        )
        yield (x ** (k - 1), "the power rule lost its factor k: it is k * x**(k - 1).")
    elif op == "*" and len(node._prev) == 2 and update.local is not None:
        yield (
            x,
            "multiplication's derivatives are swapped: d(a*b)/da = b (the other factor), "
            "so self.grad += other.data * out.grad.",
        )


def _simulate(order: Sequence[Value]) -> dict[Value, float]:
    """The gradients a micrograd-style backward gives when its sort returns ``order``."""
    grads: dict[Value, float] = {}
    for v in order:
        grads[v] = 0.0
    grads[order[-1]] = 1.0
    for v in reversed(order):
        if v._prev:
            for child, local in zip(v._prev, local_grads(v)):
                grads[child] += grads[v] * local
    return grads


def _orders_without_visited(root: Value) -> Iterator[list[Value]]:
    """The order micrograd's build_topo gives without its visited check (children each way)."""
    for flip in (False, True):
        order: list[Value] = []
        stack: list[tuple[Value, bool]] = [(root, False)]
        while stack and len(order) < 10_000:
            v, done = stack.pop()
            if done:
                order.append(v)
                continue
            stack.append((v, True))
            children = list(dict.fromkeys(v._prev))  # a set in micrograd: each child once
            stack.extend((c, False) for c in (children if flip else reversed(children)))
        yield order


# ==================================================================================================
# The checks, simple to hard
# ==================================================================================================


@dataclass(frozen=True)
class Check:
    """A graded check: a name, and a function that runs it with the learner's class."""

    name: str
    run: Callable[[type, Any, Callable[[str], None]], CheckResult]


def _cases_check(name: str, cases: Callable[[], list[Case]]) -> Check:
    """A check made of cases; its status is the worst of theirs (wrong > missing > ok)."""

    def run(cls: type, mlp: Any, progress: Callable[[str], None]) -> CheckResult:
        statuses: list[str] = []
        lines: list[str] = []
        for case in cases():
            progress(case.text)  # what the parent reports if this case never ends
            status, text = _run_case(case, cls)
            if status == "missing":
                text = [t for t in text if t not in lines]  # one line per missing method
            elif status == "wrong" and "wrong" in statuses:
                text = text[:1] + [t for t in text if t.startswith("The first wrong")]
            statuses.append(status)
            lines += text
        for worst in ("wrong", "missing"):
            if worst in statuses:
                return CheckResult(name, worst, lines)
        return CheckResult(name, "ok", lines)

    return Check(name, run)


def _construction(cls: type, mlp: Any, progress: Callable[[str], None]) -> CheckResult:
    name = "construction: Value(3.0).data, .grad"
    try:
        a = cls(3.0)
    except Exception as err:
        return CheckResult(name, "wrong", [f"Value(3.0) raised {_error_text(err)}"])
    data, grad = _read(a, "data"), _read(a, "grad")
    problems = []
    if not (isinstance(data, float) and data == 3.0):
        problems.append(f"Value(3.0).data should be 3.0, got {_shown(data)}")
    if not (isinstance(grad, float) and grad == 0.0):
        problems.append(
            f"Value(3.0).grad should start at 0.0 (nothing depends on it yet), got {_shown(grad)}"
        )
    if not hasattr(a, "backward"):
        problems.append("a Value needs a backward() method")
    return CheckResult(name, "wrong" if problems else "ok", problems or ["data 3.0, grad 0.0: ok"])


def _binary_cases(symbol: str, dunder: str, rdunder: str) -> Callable[[], list[Case]]:
    op = _BINARY[symbol]

    def cases() -> list[Case]:
        def vv(V: Any) -> dict[str, Any]:
            a, b, d = V(2.0), V(-3.0), V(-1.5)
            c = op(a, b)
            return {"a": a, "b": b, "d": d, "c": c, "o": c * d}

        def vn(V: Any) -> dict[str, Any]:
            a, d = V(2.0), V(-1.5)
            c = op(a, 4)
            return {"a": a, "d": d, "c": c, "o": c * d}

        def nv(V: Any) -> dict[str, Any]:
            a, d = V(2.0), V(-1.5)
            c = op(4, a)
            return {"a": a, "d": d, "c": c, "o": c * d}

        at = "at a = 2, b = -3, d = -1.5"
        out = [
            Case(f"c = a {symbol} b; o = c * d   {at}", vv, (dunder, "__mul__")),
            Case(f"c = a {symbol} 4; o = c * d   {at}", vn, (dunder, "__mul__"), True),
            Case(f"c = 4 {symbol} a; o = c * d   {at}", nv, (rdunder, "__mul__")),
        ]
        if symbol == "+":

            def total(V: Any) -> dict[str, Any]:
                a, b, c = V(2.0), V(-3.0), V(0.5)
                return {"a": a, "b": b, "c": c, "s": sum([a, b, c])}

            out.append(Case("s = sum([a, b, c])   at a = 2, b = -3, c = 0.5", total, ("__radd__",)))
        return out

    return cases


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "*": lambda a, b: a * b,
    "-": lambda a, b: a - b,
    "/": lambda a, b: a / b,
}


def _power_cases() -> list[Case]:
    cases = []
    for k in (2, 3, -1, 0.5):

        def build(V: Any, k: float = k) -> dict[str, Any]:
            a, d = V(1.5), V(-2.0)
            c = a**k
            return {"a": a, "d": d, "c": c, "o": c * d}

        needs = ("__pow__", "__mul__")
        cases.append(Case(f"c = a**{k}; o = c * d   at a = 1.5, d = -2", build, needs))

    return cases


def _rpow_cases() -> list[Case]:
    def rpow(V: Any) -> dict[str, Any]:
        a, d = V(1.5), V(-2.0)
        c = 2**a
        return {"a": a, "d": d, "c": c, "o": c * d}

    return [Case("c = 2**a; o = c * d   at a = 1.5, d = -2", rpow, ("__rpow__", "__mul__"))]


#: The functions both classes may have: every one-input op of the table that is a Value method.
FUNCTIONS = [r.name for r in RULES.values() if r.arity == 1 and callable(getattr(Value, r.name, 0))]


def _function_cases(fn: str) -> Callable[[], list[Case]]:
    def cases() -> list[Case]:
        # Inside the domain: one point each side of 0 where both exist, else two positive ones.
        points = (0.8, -0.6) if RULES[fn].domain == "all real numbers" else (0.8, 2.5)
        out = []
        for x0 in points:

            def build(V: Any, x0: float = x0) -> dict[str, Any]:
                x, w = V(x0), V(-1.5)
                y = getattr(x, fn)()
                return {"x": x, "w": w, "y": y, "o": y * w}

            text = f"y = x.{fn}(); o = y * w   at x = {x0:g}, w = -1.5"
            out.append(Case(text, build, (fn, "__mul__")))
        return out

    return cases


def _reuse_cases() -> list[Case]:
    def twice_add(V: Any) -> dict[str, Any]:
        a = V(3.0)
        return {"a": a, "b": a + a}

    def twice_mul(V: Any) -> dict[str, Any]:
        a = V(3.0)
        return {"a": a, "b": a * a}

    def lecture(V: Any) -> dict[str, Any]:
        a, b = V(-2.0), V(3.0)
        d = a * b
        e = a + b
        return {"a": a, "b": b, "d": d, "e": e, "f": d * e}

    def inner(V: Any) -> dict[str, Any]:
        a, b = V(2.0), V(-3.0)
        c = a * b
        d = c + a
        return {"a": a, "b": b, "c": c, "d": d, "f": c * d}

    both = ("__add__", "__mul__")
    return [
        Case("b = a + a   at a = 3", twice_add, ("__add__",)),
        Case("b = a * a   at a = 3", twice_mul, ("__mul__",)),
        Case("d = a * b; e = a + b; f = d * e   at a = -2, b = 3", lecture, both),
        Case("c = a * b; d = c + a; f = c * d   at a = 2, b = -3", inner, both),
    ]


def _worked_cases() -> list[Case]:
    def build(V: Any) -> dict[str, Any]:
        x, y, z = V(-2.0), V(5.0), V(-4.0)
        q = x + y
        return {"x": x, "y": y, "z": z, "q": q, "f": q * z}

    return [Case("q = x + y; f = q * z   at x = -2, y = 5, z = -4", build, ("__add__", "__mul__"))]


NEURON_B = 6.8813735870195432  # the lecture's bias: makes n = 0.8814, so o = tanh(n) = 1/sqrt(2)


def _neuron_cases(with_exp_form: bool = False) -> list[Case]:
    def inputs(V: Any) -> dict[str, Any]:
        x1, x2, w1, w2, b = V(2.0), V(0.0), V(-3.0), V(1.0), V(NEURON_B)
        x1w1, x2w2 = x1 * w1, x2 * w2
        s = x1w1 + x2w2
        return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "x1w1": x1w1, "x2w2": x2w2,
                "x1w1x2w2": s, "n": s + b}  # fmt: skip

    def with_tanh(V: Any) -> dict[str, Any]:
        nodes = inputs(V)
        nodes["o"] = nodes["n"].tanh()
        return nodes

    def with_exp(V: Any) -> dict[str, Any]:
        nodes = inputs(V)
        nodes["t"] = t = 2 * nodes["n"]
        nodes["e"] = e = t.exp()
        nodes["num"], nodes["den"] = e - 1, e + 1
        nodes["o"] = nodes["num"] / nodes["den"]
        return nodes

    at = "x1 = 2, x2 = 0, w1 = -3, w2 = 1, b = 6.8814"
    head = "x1w1 = x1*w1; x2w2 = x2*w2; x1w1x2w2 = x1w1 + x2w2; n = x1w1x2w2 + b"
    if not with_exp_form:
        needs: tuple[str, ...] = ("__add__", "__mul__", "tanh")
        return [Case(f"{head}; o = n.tanh()   at {at}", with_tanh, needs)]
    tail = "t = 2*n; e = t.exp(); num = e - 1; den = e + 1; o = num / den"
    needs = ("__add__", "__mul__", "exp", "__rmul__", "__sub__", "__truediv__")
    return [Case(f"{head}; {tail}   at {at}", with_exp, needs)]


CHAIN_DEPTHS = (10, 100, 1_000, 10_000, 100_000)


def _chain(cls: Any, depth: int) -> str | None:
    """Backprop ``y = x + c + c + ...`` (``depth`` additions of one Value c = 1); None if the
    gradients are right (dy/dx = 1, dy/dc = depth), else what is wrong."""
    x = y = cls(0.5)
    c = cls(1.0)
    for _ in range(depth):
        y = y + c
    y.backward()
    got = (_read(y, "data"), _read(x, "grad"), _read(c, "grad"))
    if all(_same(g, e) for g, e in zip(got, (0.5 + depth, 1.0, depth))):
        return None
    return f"expected y.data = {_num(0.5 + depth)}, x.grad = 1, c.grad = {depth}; got " + ", ".join(
        _shown(g) for g in got
    )


def _deep_chain(cls: type, mlp: Any, progress: Callable[[str], None]) -> CheckResult:
    name = "deep chain"
    if not hasattr(cls, "__add__"):
        return CheckResult(name, "missing", ["needs __add__"])
    reached = 0
    for depth in CHAIN_DEPTHS:
        progress(f"{reached}:{depth}")  # the parent's last word if this depth never ends
        try:
            problem = _chain(cls, depth)
        except RecursionError:
            # A recursive sort: find the exact depth it stops at between the last two tries.
            lo, hi = reached, depth
            while hi - lo > 1:
                mid = (lo + hi) // 2
                try:
                    _chain(cls, mid)
                    lo = mid
                except RecursionError:
                    hi = mid
            return CheckResult(
                name,
                "limited",
                [
                    f"backward() works on a chain of {lo:,} additions and raises RecursionError "
                    f"at {hi:,}: the topological sort calls itself once per node, and Python "
                    f"stops at {sys.getrecursionlimit():,} nested calls (sys.getrecursionlimit()).",
                    "It is fine for the lecture's graphs. To lift the limit, walk the graph with "
                    "an explicit stack (a list you append to and pop from) instead of recursion.",
                ],
            )
        except Exception as err:
            return CheckResult(name, "wrong", [f"depth {depth:,}: {_error_text(err)}"])
        if problem:
            return CheckResult(name, "wrong", [f"depth {depth:,}: {problem}"])
        reached = depth
    return CheckResult(name, "ok", [f"x.grad = 1 at every depth up to {reached:,}: ok"])


def _twice(cls: type, mlp: Any, progress: Callable[[str], None]) -> CheckResult:
    """backward() twice on d = a*b; e = a+b; f = d*e, without zeroing in between."""
    name = "backward() twice"
    text = "d = a * b; e = a + b; f = d * e   at a = -2, b = 3; f.backward(); f.backward()"
    case = _reuse_cases()[2]
    absent = [n for n in case.needs if not hasattr(cls, n)]
    if absent:
        return CheckResult(name, "missing", [f"needs {', '.join(absent)}"])
    build = case.build
    try:
        got = build(cls)
        got["f"].backward()
        got["f"].backward()
    except Exception as err:
        return CheckResult(name, "wrong", [f"{text}: raised {_error_text(err)}"])
    ours = build(Value)
    order = topological_order(ours["f"])
    once = _simulate(order)
    again = dict(once)  # micrograd: the output is re-seeded, every other .grad keeps adding
    again[ours["f"]] = 1.0
    for v in reversed(order):
        for child, local in zip(v._prev, local_grads(v)) if v._prev else ():
            again[child] += again[v] * local
    leaves = ("a", "b")
    conventions = [
        ("adds up: each leaf holds twice the gradient, as in PyTorch and autograd.Value", 2.0),
        ("starts afresh: each leaf holds the gradient once (backward() zeroes first)", 1.0),
    ]
    actual = {n: _read(got[n], "grad") for n in leaves}
    lines = [text, "a.grad, b.grad after one call: " + _pair(once[ours["a"]], once[ours["b"]])]
    lines.append("after two calls: " + _pair(actual["a"], actual["b"]))
    for words, factor in conventions:
        if all(_same(actual[n], factor * once[ours[n]]) for n in leaves):
            return CheckResult(name, "ok", [*lines, f"Your backward() {words}. ok"])
    if all(_same(actual[n], again[ours[n]]) for n in leaves):
        return CheckResult(
            name,
            "ok",
            [
                *lines,
                "Your backward() re-seeds the output (self.grad = 1) and adds every node's "
                "gradient again, inner nodes included, as the lecture's micrograd does: the "
                "leaves then hold neither one nor two gradients. That is the lecture's "
                "convention, not a bug: call zero_grad() (set every .grad to 0) before each "
                "backward(), as its training loop does. ok",
            ],
        )
    expect = [
        f"{w.split(':')[0]}: {_pair(f * once[ours['a']], f * once[ours['b']])}"
        for w, f in conventions
    ]
    expect.append(f"micrograd's re-seed: {_pair(again[ours['a']], again[ours['b']])}")
    return CheckResult(
        name, "wrong", [*lines, "That matches no convention. Expected one of:", *expect]
    )


def _pair(a: float | str, b: float | str) -> str:
    return f"{_shown(a)}, {_shown(b)}"


def _same(got: float | str, expected: float) -> bool:
    return isinstance(got, float) and _close(got, expected)


# The lecture's MLP and data: MLP(3, [4, 4, 1]) on four points, squared-error loss.
MLP_SIZES = (3, [4, 4, 1])
MLP_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
MLP_YS = [1.0, -1.0, -1.0, 1.0]
#: how a learner's MLP may apply its nonlinearity: (description, hidden layers, last layer)
MLP_STYLES = [
    ("tanh on every layer (the lecture)", "tanh", "tanh"),
    ("ReLU on the hidden layers, a linear output (micrograd's nn.py)", "relu", None),
    ("tanh on the hidden layers, a linear output", "tanh", None),
]


def _reference_mlp(weights: list[float], hidden: str, last: str | None) -> tuple[Any, list[Any]]:
    """The lecture's MLP written out with autograd.Value: returns (loss, labelled parameters)."""
    nin, nouts = MLP_SIZES
    sizes = [nin, *nouts]
    params: list[Value] = []
    it = iter(weights)
    layers = []
    for i in range(len(nouts)):
        neurons = []
        for j in range(sizes[i + 1]):
            w = [Value(next(it), label=f"L{i + 1}.N{j + 1}.w{k + 1}") for k in range(sizes[i])]
            b = Value(next(it), label=f"L{i + 1}.N{j + 1}.b")
            params += [*w, b]
            neurons.append((w, b))
        layers.append(neurons)
    preds = []
    for x in MLP_XS:
        xs: list[Any] = list(x)
        for i, neurons in enumerate(layers):
            act = hidden if i < len(layers) - 1 else last
            outs = []
            for w, b in neurons:
                s = sum((wi * xi for wi, xi in zip(w, xs)), b)
                outs.append(getattr(s, act)() if act else s)
            xs = outs
        preds.append(xs[0])
    loss = sum((p - y) ** 2 for y, p in zip(MLP_YS, preds))
    assert isinstance(loss, Value)
    loss.label = "loss"
    return loss, params


def _mlp(cls: type, mlp: Any, progress: Callable[[str], None]) -> CheckResult:
    name = "MLP(3, [4, 4, 1]): the lecture's loss on four points"
    if mlp is None:
        return CheckResult(name, "missing", ["no MLP class found next to your Value"])
    text = "loss = sum((mlp(x) - y)**2 for x, y in the lecture's four points)"
    try:
        random.seed(1337)
        model = mlp(*MLP_SIZES)
        params = list(model.parameters())
        preds = [model(x) for x in MLP_XS]
        preds = [p[0] if isinstance(p, list) and len(p) == 1 else p for p in preds]
        loss = sum((p - y) ** 2 for y, p in zip(MLP_YS, preds))
        loss.backward()
    except Exception as err:
        missing = [n for n in ("__radd__", "__sub__", "__pow__") if not hasattr(cls, n)]
        status = "missing" if missing else "wrong"
        why = f" (your Value has no {', '.join(missing)})" if missing else ""
        return CheckResult(name, status, [f"{text}: raised {_error_text(err)}{why}"])
    weights = [_read(p, "data") for p in params]
    nin, nouts = MLP_SIZES
    count = sum((a + 1) * b for a, b in zip([nin, *nouts], nouts))
    if len(weights) != count or not all(isinstance(w, float) for w in weights):
        return CheckResult(
            name,
            "wrong",
            [f"model.parameters() should give {count} numbers (weights and biases), got "
             f"{len(weights)}"],
        )  # fmt: skip
    floats = [float(w) for w in weights]
    got_loss = _read(loss, "data")
    references = ((s, *_reference_mlp(floats, h, a)) for s, h, a in MLP_STYLES)
    match = next((r for r in references if _same(got_loss, r[1].data)), None)
    if match is None:
        return CheckResult(
            name,
            "wrong",
            [f"{text}: loss {_shown(got_loss)} matches no MLP with the same weights "
             f"({'; '.join(s[0] for s in MLP_STYLES)})"],
        )  # fmt: skip
    style, ref, ref_params = match
    ref.backward()
    bad = [
        (p.label, p.grad, _read(q, "grad"))
        for p, q in zip(ref_params, params)
        if not _same(_read(q, "grad"), p.grad)
    ]
    lines = [f"{text}   ({style}, loss {_num(ref.data)})"]
    if not bad:
        return CheckResult(name, "ok", [*lines, f"all {count} parameter gradients match: ok"])
    lines.append(f"{len(bad)} of {count} parameter gradients differ, e.g.:")
    lines += [f"  {n}: expected {_num(e)}, got {_shown(g)}" for n, e, g in bad[:5]]
    return CheckResult(name, "wrong", lines)


#: Every check, in the order they run and are reported.
CHECKS: list[Check] = [
    Check("construction", _construction),
    _cases_check("a + b, a + 4, 4 + a, sum", _binary_cases("+", "__add__", "__radd__")),
    _cases_check("a * b, a * 4, 4 * a", _binary_cases("*", "__mul__", "__rmul__")),
    _cases_check("a - b, a - 4, 4 - a", _binary_cases("-", "__sub__", "__rsub__")),
    _cases_check("a / b, a / 4, 4 / a", _binary_cases("/", "__truediv__", "__rtruediv__")),
    _cases_check("a ** k (k a number)", _power_cases),
    _cases_check("2 ** a", _rpow_cases),
    *(_cases_check(f"{fn}()", _function_cases(fn)) for fn in FUNCTIONS),
    _cases_check("reuse: gradients add up", _reuse_cases),
    _cases_check("worked example f = (x + y) * z", _worked_cases),
    _cases_check("the lecture's tanh neuron", _neuron_cases),
    _cases_check("the neuron with tanh written with exp", lambda: _neuron_cases(True)),
    Check("deep chain", _deep_chain),
    Check("backward() twice", _twice),
    Check("MLP", _mlp),
]


# ==================================================================================================
# Running the checks in a child
# ==================================================================================================


@dataclass(frozen=True)
class _Source:
    """Where the child finds the learner's classes: a file, a module, or (fork) the classes."""

    path: str = ""
    module: str = ""
    class_name: str = "Value"
    cls: Any = None  # only with fork, where the child inherits it
    mlp: Any = None

    def load(self) -> tuple[type, Any]:
        if self.cls is not None:
            return self.cls, self.mlp
        if self.path:
            spec = importlib.util.spec_from_file_location("learner_engine", self.path)
            assert spec is not None and spec.loader is not None
            mod = importlib.util.module_from_spec(spec)
            sys.modules["learner_engine"] = mod
            sys.path.insert(0, os.path.dirname(os.path.abspath(self.path)))
            spec.loader.exec_module(mod)
        else:
            mod = importlib.import_module(self.module)
        cls: Any = mod
        for part in self.class_name.split("."):
            cls = getattr(cls, part, None)
        if not isinstance(cls, type):
            found = sorted(n for n, v in vars(mod).items() if isinstance(v, type))
            where = self.path or self.module
            raise LookupError(
                f"{where} has no class {self.class_name!r}"
                + (f" (its classes: {', '.join(found)})" if found else " (it defines no class)")
                + f"; name it with {where}:ClassName"
            )
        mlp = getattr(mod, "MLP", None)  # checked too if the file has one
        return cls, mlp if isinstance(mlp, type) else None


def _worker(send: Callable[[str], None], source: _Source, start: int) -> None:
    """The child's job: load the classes, run the checks from ``start`` on, report each as JSON."""
    try:
        cls, mlp = source.load()
    except LookupError as err:
        send(json.dumps({"kind": "load_error", "message": str(err)}))
        return
    except BaseException as err:
        where = source.path or source.module or source.class_name
        message = f"importing {where} raised {_error_text(err)}"
        send(json.dumps({"kind": "load_error", "message": message}))
        return
    send(json.dumps({"kind": "loaded", "mlp": mlp is not None}))
    for index in range(start, len(CHECKS)):
        check = CHECKS[index]
        send(json.dumps({"kind": "start", "index": index}))

        def progress(note: str) -> None:
            send(json.dumps({"kind": "progress", "note": note}))

        try:
            result = check.run(cls, mlp, progress)
        except RecursionError as err:
            result = CheckResult(check.name, "wrong", [f"raised {_error_text(err)}"])
        except Exception as err:
            result = CheckResult(check.name, "wrong", [f"raised {_error_text(err)}"])
        payload = {"kind": "result", "name": check.name, "status": result.status}
        send(json.dumps({**payload, "lines": result.lines}))
    send(json.dumps({"kind": "done"}))


def _process_entry(conn: Any, source: _Source, start: int) -> None:
    """The child process's entry point: the messages go to the parent over a pipe, as text."""
    sys.stdout = sys.stderr = io.StringIO()  # the learner's prints are not part of the report
    _worker(lambda text: conn.send_bytes(text.encode()), source, start)


class _Child:
    """The checks running elsewhere: a child process, or a thread where neither fork nor an
    importable class allows a process. ``receive`` waits for the next message."""

    def __init__(self, source: _Source, start: int, kind: str) -> None:
        self.kind = kind
        if kind == "thread":
            import queue

            self._queue: Any = queue.Queue()
            self._thread = threading.Thread(
                target=_worker, args=(self._queue.put, source, start), daemon=True
            )
            self._thread.start()
            return
        import multiprocessing

        ctx: Any = multiprocessing.get_context(kind)
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_process_entry, args=(send, source, start), daemon=True)
        self._proc.start()
        send.close()

    def receive(self, timeout: float) -> dict[str, Any] | None:
        """The next message, or None after ``timeout`` seconds or if the child died."""
        if self.kind == "thread":
            import queue

            try:
                message: dict[str, Any] = json.loads(self._queue.get(timeout=timeout))
            except queue.Empty:
                return None
            return message
        try:
            if not self._recv.poll(timeout):
                return None
            data: dict[str, Any] = json.loads(self._recv.recv_bytes().decode())
            return data
        except (EOFError, OSError):
            return None

    def died(self) -> str | None:
        """How the child ended, if it ended without saying goodbye (a crash)."""
        if self.kind == "thread":
            return None
        self._proc.join(0.5)
        code = self._proc.exitcode
        if code is None:
            return None
        return f"the Python process died (signal {-code})" if code < 0 else f"exit code {code}"

    def stop(self) -> None:
        if self.kind != "thread":
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join()
            self._recv.close()


def _start_method(source: _Source) -> str:
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "thread" if source.cls is not None else "spawn"


def _run(
    source: _Source, engine: str, timeout: float, file: TextIO | None, verbose: bool = True
) -> Report:
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"check: timeout must be a positive number of seconds, got {timeout!r}")
    out = sys.stdout if file is None else file
    kind = _start_method(source)
    results: list[CheckResult] = []
    start, timeouts = 0, 0
    where = source.path or engine
    while start < len(CHECKS):
        child = _Child(source, start, kind)
        try:
            first = child.receive(timeout)
            if first is None or first["kind"] == "load_error":
                if first is None:
                    why = child.died()
                    message = (
                        f"importing {where} crashed ({why})"
                        if why
                        else f"importing {where} did not finish within {timeout:g} s "
                        "(an endless loop at the top level of the file?)"
                    )
                else:
                    message = first["message"]
                raise CheckError(message)
            if start == 0:
                print(f"Checking {engine} against autograd.Value", file=out)
                if kind == "thread":
                    print(
                        "(no fork here and the class is not importable: the checks run in a "
                        "thread of this process; one that never ends runs until you restart)",
                        file=out,
                    )
                print(file=out, flush=True)
            current, note = start, ""
            while True:
                msg = child.receive(timeout)
                if msg is None:
                    break
                if msg["kind"] == "start":
                    current, note = msg["index"], ""
                elif msg["kind"] == "progress":
                    note = msg["note"]
                elif msg["kind"] == "result":
                    result = CheckResult(msg["name"], msg["status"], msg["lines"])
                    results.append(result)
                    if verbose or result.status in ("wrong", "limited"):
                        print(_format_result(result), file=out, flush=True)
                elif msg["kind"] == "done":
                    return _finish(engine, results, out)
            # The child went silent: it hangs in the current check, or it died.
            crash = child.died()
            result = _lost(CHECKS[current].name, note, crash, timeout)
            results.append(result)
            print(_format_result(result), file=out, flush=True)
            timeouts += 1
            start = current + 1
            if timeouts == 2 or kind == "thread":  # a thread cannot be stopped: no retry
                for check in CHECKS[start:]:
                    lines = ["not run: your code stopped answering in an earlier check"]
                    results.append(CheckResult(check.name, "not run", lines))
                return _finish(engine, results, out)
        finally:
            child.stop()
    return _finish(engine, results, out)


def _lost(name: str, note: str, crash: str | None, timeout: float) -> CheckResult:
    """The result of a check during which the child hung or died."""
    what = crash or f"did not finish within {timeout:g} s (an endless loop?)"
    if note and name == "deep chain":
        reached, depth = (int(x) for x in note.split(":"))
        return CheckResult(
            name,
            "limited",
            [
                f"backward() works on a chain of {reached:,} additions; at {depth:,} it {what}."
                if reached
                else f"at depth {depth:,} it {what}.",
                "A recursive topological sort with a raised recursion limit overflows the C "
                "stack; a slow one (e.g. `node not in topo` on a list) takes quadratic time. "
                "Walk the graph with an explicit stack and a visited set.",
            ],
        )
    where = f"{note}: " if note else ""
    return CheckResult(name, "wrong", [f"{where}{'it ' if crash else ''}{what}"])


def _finish(engine: str, results: list[CheckResult], out: TextIO) -> Report:
    report = Report(engine, results)
    print(file=out)
    print(report.table(), file=out, flush=True)
    return report


# ==================================================================================================
# The public entry points
# ==================================================================================================


def check_engine(
    value_class: type,
    *,
    mlp: type | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    file: TextIO | None = None,
    verbose: bool = True,
) -> Report:
    """Grade ``value_class`` (a micrograd-style Value you wrote) against ``autograd.Value``.

    Prints each check as it finishes and a summary table (to ``file``, standard output by default)
    and returns the :class:`Report` (``report.exit_code`` is 1 if anything is wrong). Pass your
    ``MLP`` class as ``mlp`` to check it too. Each check may take ``timeout`` seconds; see the
    module's docstring for how your code is kept from hanging or crashing the session. With
    ``verbose=False`` only the wrong and limited checks are explained before the table.
    """
    if not isinstance(value_class, type):
        raise TypeError(
            f"check_engine: expected your Value class, got {type(value_class).__name__}: "
            f"{value_class!r}"
        )
    if mlp is not None and not isinstance(mlp, type):
        raise TypeError(f"check_engine: mlp must be your MLP class, got {mlp!r}")
    module = value_class.__module__
    engine = value_class.__qualname__
    if module not in ("__main__", "builtins"):
        engine = f"{module}.{engine}"
    source = _Source(cls=value_class, mlp=mlp, class_name=value_class.__qualname__)
    if _start_method(source) != "fork" and _importable(value_class) and _importable(mlp):
        source = _Source(module=value_class.__module__, class_name=value_class.__qualname__)
    return _run(source, engine, timeout, file, verbose)


def _importable(cls: type | None) -> bool:
    """Whether a fresh interpreter can import ``cls`` by its module and name."""
    if cls is None:
        return True
    mod = sys.modules.get(cls.__module__)
    if mod is None or mod.__name__ == "__main__" or not getattr(mod, "__file__", None):
        return False
    obj: Any = mod
    for part in cls.__qualname__.split("."):
        obj = getattr(obj, part, None)
    return obj is cls


def check_file(
    path: str,
    class_name: str = "Value",
    *,
    timeout: float = DEFAULT_TIMEOUT,
    file: TextIO | None = None,
) -> Report:
    """Grade the class ``class_name`` of the Python file ``path`` (the CLI's ``check``).

    The file is imported in the child process only; an ``MLP`` class in it is checked too.
    Raises :class:`CheckError` if the file does not exist, does not import (within ``timeout``
    seconds), or has no such class.
    """
    if not os.path.isfile(path):
        raise CheckError(f"no such file: {path!r}")
    if not path.endswith(".py"):
        raise CheckError(f"expected a Python file (.py), got {path!r}")
    source = _Source(path=path, class_name=class_name)
    return _run(source, f"{path}:{class_name}", timeout, file)
