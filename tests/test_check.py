"""The engine checker, run on small learner engines (tests/learner_engines/) and on micrograd.

Each learner engine is the lecture's engine with one well-known bug. The expected statuses below
are worked out from the bug, not copied from the checker's output: a bug in `tanh` makes every
check that backpropagates through tanh wrong and nothing else, and so on. The numbers quoted in
the explanations (tanh(0.8), the lecture's neuron, micrograd's double backward) are computed
here by hand.
"""

from __future__ import annotations

import functools
import io
import math
import multiprocessing
from pathlib import Path
from typing import Any

import micrograd.engine
import micrograd.nn
import pytest

from autograd import Value, check_engine
from autograd.check import CHECKS, FUNCTIONS, CheckError, Report, check_file
from autograd.cli import main

ENGINES = Path(__file__).resolve().parent / "learner_engines"

# Check names, for reading the expectations below.
ADD, MUL, SUB, DIV = (c.name for c in CHECKS[1:5])
POW, RPOW = "a ** k (k a number)", "2 ** a"
REUSE, WORKED = "reuse: gradients add up", "worked example f = (x + y) * z"
NEURON, NEURON_EXP = "the lecture's tanh neuron", "the neuron with tanh written with exp"
CHAIN, TWICE, MLP = "deep chain", "backward() twice", "MLP"
BACKPROP = {ADD, MUL, SUB, DIV, POW, "exp()", "tanh()", REUSE, WORKED, NEURON, NEURON_EXP}
ABSENT = {RPOW} | {f"{fn}()" for fn in FUNCTIONS if fn not in ("exp", "tanh")}


@functools.cache
def run(name: str, timeout: float = 10.0) -> Report:
    return check_file(str(ENGINES / f"{name}.py"), timeout=timeout, file=io.StringIO())


def statuses(report: Report, status: str) -> set[str]:
    return {r.name for r in report.results if r.status == status}


def text_of(report: Report, name: str) -> str:
    (result,) = [r for r in report.results if r.name == name]
    return "\n".join(result.lines)


def test_the_checks_cover_every_function_of_the_op_table() -> None:
    names = {c.name for c in CHECKS}
    assert {"exp()", "tanh()", "relu()", "log()", "sigmoid()"} <= names
    assert all(f"{fn}()" in names for fn in FUNCTIONS)


def test_the_lecture_engine_is_never_wrong() -> None:
    report = run("lecture")
    assert statuses(report, "wrong") == set()
    assert report.exit_code == 0
    assert statuses(report, "ok") == {"construction", *BACKPROP, TWICE, MLP}
    assert statuses(report, "missing") == ABSENT
    assert statuses(report, "limited") == {CHAIN}
    # The recursive build_topo stops short of Python's recursion limit, 1000.
    assert "raises RecursionError at 9" in text_of(report, CHAIN)
    assert "explicit stack" in text_of(report, CHAIN)
    # micrograd's convention for a second backward(): by hand, after one pass a.grad = -3,
    # b.grad = -8, d.grad = e = 1, e.grad = d = -6; the second pass re-seeds f, adds d.grad += 1,
    # e.grad += -6, then a += 2*3 + -12 = -6 and b += 2*(-2) + -12 = -16.
    assert "after two calls: -9, -24" in text_of(report, TWICE)
    assert "not a bug" in text_of(report, TWICE)
    assert "tanh on every layer (the lecture)" in text_of(report, MLP)


def test_the_summary_table_lists_every_check_with_its_status() -> None:
    report = run("lecture")
    table = report.table().splitlines()
    assert table[0].split() == ["check", "status"]
    rows = {line[: line.rindex("  ")].strip(): line.split()[-1] for line in table[2:-1]}
    assert rows["construction"] == "ok"
    assert rows[CHAIN] == "limited"
    assert rows["log()"] == "missing"
    assert len(table) == len(CHECKS) + 3


def test_the_reference_numbers_are_the_lectures() -> None:
    # The checker's expected values come from autograd.Value; here they are checked by hand.
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(1 / math.sqrt(2))
    assert (w1.grad, x1.grad) == (pytest.approx(1.0), pytest.approx(-1.5))


def test_equals_instead_of_plus_equals() -> None:
    report = run("assign_not_add")
    # Right until a node is used twice: reuse, the exp neuron (e feeds e - 1 and e + 1), the
    # chain (c is added at every step), two backward() calls and the MLP (weights reused).
    assert statuses(report, "wrong") == {REUSE, NEURON_EXP, CHAIN, TWICE, MLP}
    text = text_of(report, REUSE)
    assert "b = a + a   at a = 3" in text
    assert "The first wrong gradient in backward order is a: expected 2, got 1." in text
    assert "at b = a + a: db/da = 1, so a.grad += 1 × 1 = 1" in text
    assert "writes `x.grad = ...` instead of `x.grad += ...`" in text
    # The lecture's d = a*b; e = a+b; f = d*e at a = -2, b = 3: df/db = a*e + d = -2 - 6 = -8.
    assert "is b: expected -8, got" in text
    assert report.exit_code == 1


def test_tanh_derivative_written_one_minus_t() -> None:
    report = run("tanh_one_minus_t")
    assert statuses(report, "wrong") == {"tanh()", NEURON}
    text = text_of(report, "tanh()")
    t = math.tanh(0.8)
    assert f"x: expected {-1.5 * (1 - t * t):.6g}, got {-1.5 * (1 - t):.6g}" in text
    assert f"at y = tanh(x): dy/dx = {1 - t * t:.6g}, so x.grad += -1.5 × {1 - t * t:.6g}" in text
    assert "Recognised: tanh's derivative is written 1 - t; it is 1 - t**2" in text
    assert "The gradient of y is right, so look at the _backward of `tanh`." in text


def test_local_derivative_without_the_upstream_gradient() -> None:
    report = run("no_upstream")
    assert statuses(report, "wrong") == {"exp()", NEURON_EXP}
    text = text_of(report, "exp()")
    assert f"x: expected {-1.5 * math.exp(0.8):.6g}, got {math.exp(0.8):.6g}" in text
    assert "added without multiplying by out.grad" in text


def test_gradient_not_seeded() -> None:
    report = run("no_seed")
    assert statuses(report, "wrong") == BACKPROP | {CHAIN, TWICE}
    text = text_of(report, WORKED)
    assert "The first wrong gradient in backward order is f: expected 1, got 0." in text
    assert "Recognised: the gradient is not seeded" in text


def test_topological_sort_that_visits_a_node_twice() -> None:
    report = run("topo_twice")
    # Only an inner node reached along two paths runs twice: c in c = a*b; d = c + a; f = c*d,
    # and e in the exp neuron. Leaves (a + a, the worked example) have nothing to push.
    assert statuses(report, "wrong") == {REUSE, NEURON_EXP}
    text = text_of(report, REUSE)
    # df/db = a * df/dc = 2 * (d + c) = 2 * (-4 - 6) = -20. With c listed twice, b gets c's push
    # twice: -28 or -40, depending on the order Python's set gives c's children.
    assert "is b: expected -20, got -" in text
    assert "topological sort lists a node more than once" in text


def test_early_engine_reports_missing_not_wrong() -> None:
    report = run("early")
    assert statuses(report, "wrong") == set()
    assert report.exit_code == 0
    assert {ADD, MUL, SUB, DIV, POW, "exp()", NEURON_EXP, MLP} <= statuses(report, "missing")
    assert {"tanh()", REUSE, WORKED, NEURON} <= statuses(report, "ok")
    add = text_of(report, ADD)
    assert "a plain number is not accepted" in add
    assert "your class has no __radd__" in add and "sum([...]) fail" in add
    assert "your class has no __rmul__" in text_of(report, MUL)


def test_endless_backward_is_stopped_and_reported() -> None:
    report = run("loop_in_backward", timeout=1.0)
    results = {r.name: r for r in report.results}
    assert results["construction"].status == "ok"
    assert results[ADD].status == "wrong"
    assert "c = a + b; o = c * d" in text_of(report, ADD)
    assert "did not finish within 1 s" in text_of(report, ADD)
    # After a second check that never ends the rest are not run.
    assert results[MUL].status == "wrong"
    assert statuses(report, "not run") == {c.name for c in CHECKS[3:]}


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("loop_at_import.py", r"loop_at_import\.py did not finish within 1 s"),
        (
            "import_error.py",
            r"import_error\.py raised ModuleNotFoundError: No module named 'mathh'",
        ),
        (
            "lecture.py:Missing",
            r"has no class 'Missing' \(its classes: Layer, MLP, Neuron, Value\)",
        ),
        ("nowhere.py", r"no such file: .*nowhere\.py"),
    ],
)
def test_files_that_cannot_be_checked(target: str, message: str) -> None:
    path, _, name = target.partition(":")
    with pytest.raises(CheckError, match=message):
        check_file(str(ENGINES / path), name or "Value", timeout=1.0, file=io.StringIO())


def test_cli_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(ENGINES / "lecture.py")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Checking ") and "[limited] deep chain" in out
    assert main(["check", str(ENGINES / "tanh_one_minus_t.py")]) == 1
    assert main(["check", str(ENGINES / "import_error.py")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error: importing" in err and "mathh" in err
    assert main(["check", f"{ENGINES / 'lecture.py'}:not a name"]) == 2


def test_micrograd_ops_are_right_and_the_ones_it_lacks_are_missing() -> None:
    report = check_engine(micrograd.engine.Value, mlp=micrograd.nn.MLP, file=io.StringIO())
    assert report.engine == "micrograd.engine.Value"
    assert statuses(report, "wrong") == set()
    ops = {ADD, MUL, SUB, DIV, POW, "relu()", REUSE, WORKED, TWICE}
    assert statuses(report, "ok") == {"construction", *ops, MLP}
    lacks = {RPOW, NEURON, NEURON_EXP} | {f"{fn}()" for fn in FUNCTIONS if fn != "relu"}
    assert statuses(report, "missing") == lacks
    assert statuses(report, "limited") == {CHAIN}
    assert "micrograd's nn.py" in text_of(report, MLP)


def _local_engine() -> type:
    """A correct engine defined inside a function: no child can import it, a fork inherits it."""

    class Tiny:
        def __init__(self, data: float, children: tuple[Any, ...] = ()) -> None:
            self.data, self.grad, self._prev = data, 0.0, children
            self._backward: Any = lambda: None

        def __add__(self, other: Any) -> Tiny:
            other = other if isinstance(other, Tiny) else Tiny(other)
            out = Tiny(self.data + other.data, (self, other))

            def _backward() -> None:
                self.grad += out.grad
                other.grad += out.grad

            out._backward = _backward
            return out

        def __mul__(self, other: Any) -> Tiny:
            other = other if isinstance(other, Tiny) else Tiny(other)
            out = Tiny(self.data * other.data, (self, other))

            def _backward() -> None:
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad

            out._backward = _backward
            return out

        def backward(self) -> None:  # iterative: no depth limit
            order, seen, stack = [], set(), [(self, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    order.append(node)
                elif node not in seen:
                    seen.add(node)
                    stack.append((node, True))
                    stack.extend((c, False) for c in node._prev)
            self.grad = 1.0
            for node in reversed(order):
                node._backward()

    return Tiny


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_class_defined_in_a_session_is_checked_in_a_fork() -> None:
    report = check_engine(_local_engine(), file=io.StringIO())
    assert report.engine.endswith("Tiny")
    assert MUL in statuses(report, "missing")  # no __rmul__
    assert "your class has no __rmul__" in text_of(report, MUL)
    # An iterative sort has no depth limit: the chain of 100,000 nodes is right.
    assert {"construction", REUSE, WORKED, CHAIN} <= statuses(report, "ok")
    assert statuses(report, "wrong") == set()


def test_without_fork_a_local_class_runs_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    out = io.StringIO()
    report = check_engine(_local_engine(), file=out)
    assert "run in a thread of this process" in out.getvalue()
    assert {"construction", REUSE} <= statuses(report, "ok")
    assert statuses(report, "wrong") == set()


def test_check_engine_refuses_what_is_not_a_class() -> None:
    with pytest.raises(TypeError, match="expected your Value class, got Value"):
        check_engine(Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        check_engine(Value, timeout=0)


def test_without_fork_an_importable_class_is_imported_by_a_fresh_interpreter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    out = io.StringIO()
    report = check_engine(micrograd.engine.Value, file=out)
    assert "thread" not in out.getvalue()
    assert statuses(report, "wrong") == set()
    assert {"construction", ADD, REUSE, WORKED} <= statuses(report, "ok")
