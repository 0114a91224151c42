"""The text views: node names, the indented tree, and the step-by-step backward pass.

Expected numbers are derived by hand from the lecture's worked example f = (x + y) * z at
x = -2, y = 5, z = -4: q = 3, f = -12; df/dz = q = 3, df/dq = z = -4, df/dx = df/dy = -4.
"""

import io
import math
import re
from decimal import Decimal

import pytest
from moons_loss import moons_loss
from worked_example import worked_example

from autograd import Value, backprop_steps, explain, print_tree, text_tree
from autograd.engine import topological_order
from autograd.explain import node_names


def cells(line):
    """Split a table row on runs of two or more spaces."""
    return re.split(r"\s{2,}", line.strip())


# -- names -----------------------------------------------------------------------------------------


def test_labelled_nodes_are_called_by_their_labels():
    x, y, z, q, f = worked_example()
    names = node_names(topological_order(f))
    assert [names[v] for v in (x, y, z, q, f)] == ["x", "y", "z", "q", "f"]


def test_unlabelled_nodes_get_unique_names_that_are_the_same_for_the_same_graph():
    def build():
        a, b = Value(1.0), Value(2.0)
        return (a * b + a).tanh()

    first, second = build(), build()
    names1 = node_names(topological_order(first))
    names2 = node_names(topological_order(second))
    order1, order2 = topological_order(first), topological_order(second)
    assert [names1[v] for v in order1] == [names2[v] for v in order2]
    assert len(set(names1.values())) == len(order1) == 5
    # leaves and computed nodes are told apart by the name
    for v in order1:
        assert names1[v][0] == ("t" if v._prev else "v")


def test_generated_names_avoid_user_labels_and_repeated_labels_are_numbered():
    a = Value(1.0, label="t1")  # a label that looks like a generated name
    b = Value(2.0, label="x")
    c = Value(3.0, label="x")  # the same label twice
    out = a * b + c  # a * b is unlabelled
    names = node_names(topological_order(out))
    assert len(set(names.values())) == 5
    assert names[a] == "t1"
    assert {names[b], names[c]} == {"x", "x#2"}
    product = out._prev[0]
    assert names[product] != "t1"


# -- the tree --------------------------------------------------------------------------------------


def test_tree_of_the_worked_example_lists_every_node_once_with_data_and_grad():
    *_, f = worked_example()
    f.backward()
    lines = text_tree(f).splitlines()
    assert len(lines) == 5
    # the output first, then its inputs indented below it
    assert lines[0].startswith("f = q * z")
    expected = {"f": (-12, 1), "q": (3, -4), "x": (-2, -4), "y": (5, -4), "z": (-4, 3)}
    for line in lines:
        name = re.sub(r"^[│├└─\s]*", "", line).split()[0]
        data = float(re.search(r"data (\S+)", line).group(1))
        grad = float(re.search(r"grad (\S+)", line).group(1))
        assert (data, grad) == expected[name]
    depth = {
        re.sub(r"^[│├└─\s]*", "", ln).split()[0]: len(ln) - len(ln.lstrip("│├└─ ")) for ln in lines
    }
    assert depth["f"] < depth["q"] == depth["z"] < depth["x"] == depth["y"]


def test_a_reused_node_is_written_out_once_and_referred_to_afterwards():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    c = b + a
    c.label = "c"
    lines = text_tree(c, show_grad=False).splitlines()
    full = [ln for ln in lines if re.search(r"\ba\s+data 3\b", ln)]
    refs = [ln for ln in lines if ln.rstrip().endswith("a  (see above)")]
    assert len(full) == 1
    assert len(refs) == 2  # a is used three times: once written out, twice referred to
    assert not any("grad" in ln for ln in lines)


def test_tree_depth_limit_replaces_deeper_nodes_with_one_line():
    v = Value(0.5, label="x0")
    for _ in range(30):
        v = v.tanh()
    lines = text_tree(v, max_depth=10).splitlines()
    assert len(lines) == 12  # 11 nodes (depths 0..10) and the "…" line
    assert "max_depth=10" in lines[-1]
    assert len(text_tree(v, max_depth=None).splitlines()) == 31


def test_print_tree_writes_the_same_text(capsys):
    *_, f = worked_example()
    print_tree(f)
    assert capsys.readouterr().out == text_tree(f) + "\n"


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="text_tree: expected a Value"):
        text_tree(3.0)
    with pytest.raises(ValueError, match="fmt='%q'"):
        text_tree(Value(1.0), fmt="%q")


# -- the stepper -----------------------------------------------------------------------------------


def test_stepper_records_follow_the_lecture():
    x, y, z, q, f = worked_example()
    steps = list(backprop_steps(f))
    assert len(steps) == 3
    seed, at_f, at_q = steps
    assert (seed.index, seed.node, seed.upstream, seed.updates) == (0, f, 1.0, ())
    # at f = q * z: df/dq = z = -4, df/dz = q = 3
    assert at_f.node is f and at_f.upstream == 1.0
    assert [(u.child, u.local, u.contribution, u.grad_after) for u in at_f.updates] == [
        (q, -4.0, -4.0, -4.0),
        (z, 3.0, 3.0, 3.0),
    ]
    # at q = x + y: df/dx = df/dq * dq/dx = -4 * 1
    assert at_q.node is q and at_q.upstream == -4.0
    assert [(u.child, u.local, u.contribution, u.grad_after) for u in at_q.updates] == [
        (x, 1.0, -4.0, -4.0),
        (y, 1.0, -4.0, -4.0),
    ]
    assert "d/da (a * b) = b" in at_f.formula


def test_stepper_changes_grads_one_step_at_a_time():
    x, y, z, q, f = worked_example()
    f.backward()
    f.backward()  # leaves now hold -8, -8, 6: the stepper starts from zero regardless
    steps = backprop_steps(f)
    next(steps)
    assert (f.grad, q.grad, x.grad, z.grad) == (1.0, 0.0, 0.0, 0.0)
    next(steps)
    assert (q.grad, z.grad, x.grad) == (-4.0, 3.0, 0.0)
    next(steps)
    assert (x.grad, y.grad) == (-4.0, -4.0)
    assert next(steps, None) is None


def test_reused_node_gradients_add_up():
    a = Value(3.0, label="a")
    b = a * a + a * 2.0  # d/da = 2a + 2 = 8
    steps = list(backprop_steps(b))
    updates_of_a = [u for s in steps for u in s.updates if u.child is a]
    assert len(updates_of_a) == 3  # two from a * a, one from a * 2
    assert sum(u.contribution for u in updates_of_a) == 8.0
    for u in updates_of_a:
        assert u.grad_after == u.grad_before + u.contribution
    assert a.grad == 8.0


def test_stepper_matches_backward_on_a_bigger_expression():
    def build():
        x, w = Value(0.7, label="x"), Value(-1.3, label="w")
        h = (x * w + 0.5).tanh()
        return x, w, (h.exp() / (1.0 + x**2) - w.sigmoid() * h).relu() + (x - w).abs().log()

    x1, w1, out1 = build()
    out1.backward()
    x2, w2, out2 = build()
    for _ in backprop_steps(out2):
        pass
    assert x2.grad == pytest.approx(x1.grad, rel=1e-12)
    assert w2.grad == pytest.approx(w1.grad, rel=1e-12)
    # and both agree with a central difference
    eps = 1e-6

    def f(xv):
        x, w = Value(xv), Value(-1.3)
        h = (x * w + 0.5).tanh()
        return ((h.exp() / (1.0 + x**2) - w.sigmoid() * h).relu() + (x - w).abs().log()).data

    assert x2.grad == pytest.approx((f(0.7 + eps) - f(0.7 - eps)) / (2 * eps), rel=1e-6)


def test_stepper_reports_a_hand_written_backward():
    a = Value(2.0, label="a")
    out = Value(a.data**3, (a,), "cube", label="out")

    def _backward():
        a.grad += out.grad * 3 * a.data**2

    out._backward = _backward
    _, step = list(backprop_steps(out))
    (update,) = step.updates
    assert update.local is None
    assert update.contribution == 12.0 == a.grad


def test_explain_prints_the_worked_example_line_by_line(capsys):
    *_, f = worked_example()
    explain(f, formulas=False)
    lines = capsys.readouterr().out.splitlines()
    assert cells(lines[0]) == [
        "step",
        "node",
        "upstream",
        "child",
        "local",
        "upstream × local",
        "child.grad",
    ]
    assert cells(lines[1]) == ["0", "f", "df/df = 1", "(seed)"]
    assert cells(lines[2]) == [
        "1",
        "f = q * z",
        "df/df = 1",
        "q",
        "df/dq = -4",
        "1 × -4 = -4",
        "-4",
    ]
    assert cells(lines[3]) == ["z", "df/dz = 3", "1 × 3 = 3", "3"]
    assert cells(lines[4]) == [
        "2",
        "q = x + y",
        "df/dq = -4",
        "x",
        "dq/dx = 1",
        "-4 × 1 = -4",
        "-4",
    ]
    assert cells(lines[5]) == ["y", "dq/dy = 1", "-4 × 1 = -4", "-4"]
    assert lines[6].startswith("gradients of the inputs:")
    found = dict(re.findall(r"df/d(\w+) = (-?\d+)", lines[6]))
    assert found == {"x": "-4", "y": "-4", "z": "3"}
    assert len(lines) == 7


def test_explain_shows_rules_and_accumulation_and_writes_to_a_file():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    buf = io.StringIO()
    explain(b, file=buf)
    text = buf.getvalue()
    assert "rule: d/da (a * b) = b" in text
    # the second use of a adds 3 to the 3 already there: 2a = 6
    assert "3 + 3 = 6" in text


def test_explain_with_a_seed_scales_every_gradient():
    x, y, z, q, f = worked_example()
    explain(f, gradient=0.5, file=io.StringIO())
    assert (x.grad, z.grad) == (-2.0, 1.5)
    assert math.isclose(q.grad, -2.0)


def test_explain_lists_the_inputs_in_the_order_they_were_written():
    *_, f = worked_example()  # f = (x + y) * z
    buf = io.StringIO()
    explain(f, file=buf)
    last = buf.getvalue().splitlines()[-1]
    assert last == "gradients of the inputs: df/dx = -4,  df/dy = -4,  df/dz = 3"


def test_a_reused_nodes_sum_is_printed_so_that_it_adds_up():
    a = Value(1.0, label="a")
    out = a * 2.50534 + a * 0.45213  # 2.5053 + 0.4521 would stand beside 2.9575
    buf = io.StringIO()
    explain(out, fmt=".4f", formulas=False, file=buf)
    (line,) = [ln for ln in buf.getvalue().splitlines() if " + " in ln and ln.endswith("2.95747")]
    before, added, total = re.search(r"(\S+) \+ (\S+) = (\S+)$", line).groups()
    assert Decimal(before) + Decimal(added) == Decimal(total)


def test_text_views_of_the_moons_loss_are_a_bounded_summary():
    _, model, loss = moons_loss()
    order = topological_order(loss)
    tree = text_tree(loss).splitlines()
    assert len(tree) <= 205  # max_lines=200 and a three-line summary, not 68,000 lines
    edges = sum(len(v._prev) for v in order)
    # the full tree has one line per use of a node: the root plus one per edge
    assert tree[200] == f"… {1 + edges - 200:,} more lines not shown (max_lines=200)."
    # 33 neurons per sample × 100 samples, plus the L2 penalty's linear node
    assert "3,301 linear" in tree[201]
    assert "max_lines=None" in tree[202]
    grads = {p: p.grad for p in model.parameters()}
    buf = io.StringIO()
    explain(loss, file=buf)
    steps = buf.getvalue().splitlines()
    assert len(steps) <= 206
    assert "every gradient was still computed" in buf.getvalue()
    assert "explain(root, max_lines=None)" in steps[-1]
    # the pass still ran to the end: every parameter's gradient is the one backward() gave
    assert all(math.isclose(p.grad, g, abs_tol=1e-12) for p, g in grads.items())
    assert len(text_tree(loss, max_lines=None).splitlines()) == 1 + edges
