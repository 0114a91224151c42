"""The HTML pages without a browser: the symbolic derivatives, the step data, the files written.

The pages themselves are driven in a real browser in test_pages_browser.py.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from needs_dot import needs_dot

from autograd import Value, explore, save_diagram
from autograd.data import moons
from autograd.engine import local_grads, topological_order
from autograd.explain import node_names
from autograd.nn import MLP
from autograd.pages import TrainingReplay
from autograd.pages.symbolic import Sym, local_symbols
from autograd.train import fit
from autograd.viz import GraphTooLargeError


def _symbols(root: Value) -> dict[str, list[str] | None]:
    order = topological_order(root)
    names = node_names(order)
    return {names[n]: local_symbols(n, names) for n in order if n._prev}


def _page_data(page: str) -> dict:
    block = re.search(r'<script type="application/json" class="page-data">(.*?)</script>', page)
    assert block is not None
    return json.loads(block.group(1))


# --------------------------------------------------------------------------------------------------
# Symbolic local derivatives, evaluated from the op table's partials
# --------------------------------------------------------------------------------------------------


def test_the_lecture_derivatives_are_written_with_the_node_names() -> None:
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    # d(q*z)/dq = z and d(q*z)/dz = q; a sum passes 1 to each input.
    assert _symbols(f) == {"q": ["1", "1"], "f": ["z", "q"]}

    n = Value(0.8813735870195432, label="n")
    o = n.tanh()
    o.label = "o"
    assert _symbols(o) == {"o": ["1 - o²"]}


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda a, b: a / b, ["1/b", "-out/b"]),
        (lambda a, b: a - b, ["1", "-1"]),
        (lambda a, b: a**2, ["2·a"]),
        (lambda a, b: a**3, ["3·a²"]),
        (lambda a, b: a.sigmoid(), ["out·(1 - out)"]),
        (lambda a, b: a.exp(), ["out"]),
        (lambda a, b: a.sin(), ["cos(a)"]),
        (lambda a, b: a.log(), ["1/a"]),
        (lambda a, b: -a, ["-1"]),
    ],
)
def test_each_op_writes_its_rule(build, expected) -> None:  # type: ignore[no-untyped-def]
    a, b = Value(1.5, label="a"), Value(0.5, label="b")
    out = build(a, b)
    out.label = "out"
    names = node_names(topological_order(out))
    assert local_symbols(out, names) == expected


def test_the_symbolic_value_is_the_engines_number_for_every_op() -> None:
    # The text is computed by the same partials backward() evaluates: its number must match.
    a, b = Value(1.3, label="a"), Value(0.7, label="b")
    roots = [
        a * b, a / b, a - b, a + b + a, a**b, a**2.5, 2.0**a, a.exp(), a.log(), a.tanh(),
        a.sigmoid(), a.relu(), (-a).leaky_relu(0.1), a.sqrt(), abs(-a), a.sin(), a.cos(),
        Value.linear([a, b], [b, a], Value(0.2)), a * 3.0, 3.0 / a,
    ]  # fmt: skip
    from autograd._compact import operands as _operands
    from autograd.pages.symbolic import SymMath

    for root in roots:
        for node in topological_order(root):
            if not node._prev:
                continue
            names = node_names(topological_order(node))
            syms = [Sym(names[c], c.data) for c in node._prev]
            values = node._rule.partials(SymMath, Sym("o", node.data), *_operands(node, syms))
            shown = [0.0 if v is None else float(v) for v in values]  # None: no flow
            assert shown == pytest.approx(list(local_grads(node)))


def _tripled() -> tuple[Value, Value]:
    """micrograd style: out = 3a with the children passed to Value() and a hand-written
    _backward."""
    a = Value(2.0, label="a")
    out = Value(6.0, (a,), "triple", label="out")

    def _backward() -> None:
        a.grad += 3.0 * out.grad

    out._backward = _backward
    return a, out


def test_a_hand_built_node_has_no_symbolic_derivative() -> None:
    a, out = _tripled()
    assert local_symbols(out, {a: "a", out: "out"}) is None
    assert local_symbols(a, {a: "a"}) == []


@needs_dot
def test_the_explorer_reports_what_a_hand_written_backward_added() -> None:
    a, out = _tripled()
    f = out * a
    f.label = "f"  # f = 3a·a: df/da = 6a = 12, 6 directly (= out) and 3 · df/dout = 3 · a = 6
    lines = explore(f).steps[-1]["lines"]
    assert lines[-1] == "df/da += 6 (from a hand-written _backward), so df/da = 6 + 6 = 12"


# --------------------------------------------------------------------------------------------------
# The explorer's steps and file
# --------------------------------------------------------------------------------------------------


@needs_dot
def test_explorer_steps_follow_the_two_passes(tmp_path: Path) -> None:
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    x.grad = 7.0  # a gradient the caller had: the page does not disturb it
    page = explore(f)
    assert x.grad == 7.0 and f.grad == 0.0
    phases = [s["phase"] for s in page.steps]
    # start, 5 nodes forward, the seed, then the two ops backward
    assert phases == ["start"] + ["forward"] * 5 + ["backward"] * 3
    assert "df/dq = df/df · ∂f/∂q = 1 · z = 1 · (-4) = -4" in page.steps[7]["lines"]
    assert "df/dx = df/dq · ∂q/∂x = -4 · 1 = -4" in page.steps[8]["lines"]
    path = page.save(tmp_path / "sub" / "f.html")
    text = path.read_text(encoding="utf-8")
    assert _page_data(text)["steps"] == page.steps
    # Self-contained: no URL the browser would fetch (only the SVG namespace names a URL).
    assert re.findall(r"(?:src|href)=\"(?!data:|#)", text) == []
    assert set(re.findall(r"https?://[^\s\"']+", text)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }


@needs_dot
def test_a_label_cannot_end_the_data_block() -> None:
    a = Value(1.0, label="</script><b>")
    page = explore(a * 2.0).html()
    assert page.count("</script>") == 2  # the data block's and the page script's
    assert _page_data(page)["steps"][1]["title"].startswith("Forward 1/3: </script><b>")


@needs_dot
def test_a_graph_too_big_gets_draw_dots_advice() -> None:
    model = MLP(2, [8, 8, 1], seed=0)
    out = model([Value(0.5), Value(-1.0)])
    with pytest.raises(GraphTooLargeError, match=r"explore: the graph has \d+ nodes") as err:
        explore(out, max_nodes=50)
    assert "explore(root, collapse='neuron')" in str(err.value)
    page = explore(out, max_nodes=50, collapse="neuron")
    boxes = {s["focus"][0] for s in page.steps if s["phase"] == "forward"}
    assert sum(b.startswith("g") for b in boxes) == 8 + 8 + 1  # one box per neuron


@needs_dot
def test_a_collapsed_neuron_gets_its_gradient_from_the_layer_above() -> None:
    # out = 0.5·h1 - 2·h2 + b: d(out)/d(h1) = 0.5 and d(out)/d(h2) = -2, whatever h1 and h2 are.
    model = MLP(2, [2, 1], seed=0)
    top = model.layers[1].neurons[0]
    top.w[0].data, top.w[1].data = 0.5, -2.0
    out = model([Value(0.5), Value(-1.0)])
    lines = [s["lines"][-1] for s in explore(out, collapse="neuron").steps]
    assert "dL2.N1/dL1.N1 = 0.5" in lines and "dL2.N1/dL1.N2 = -2" in lines


def test_explore_refuses_what_is_not_a_value() -> None:
    with pytest.raises(TypeError, match="explore: expected a Value as root, got float"):
        explore(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="explore: fmt='x' is not a number format"):
        explore(Value(1.0), fmt="x")


@needs_dot
def test_save_diagram_and_the_cli_write_the_explorer(tmp_path: Path) -> None:
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    m = x * y
    m.label = "m"
    path = save_diagram(m, tmp_path / "m.html", fmt=".2f")
    assert path == tmp_path / "m.html"
    last = _page_data(path.read_text(encoding="utf-8"))["steps"][-1]["lines"]
    assert last[-2:] == [
        "dm/dx = dm/dm · ∂m/∂x = 1.00 · y = 1.00 · 3.00 = 3.00",
        "dm/dy = dm/dm · ∂m/∂y = 1.00 · x = 1.00 · 2.00 = 2.00",
    ]
    target = tmp_path / "f.html"
    command = ["draw", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4", "-o", str(target)]
    done = subprocess.run(
        [sys.executable, "-m", "autograd", *command],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {target}" in done.stdout
    steps = _page_data(target.read_text(encoding="utf-8"))["steps"]
    assert any(line.startswith("df/dq = df/df · ∂f/∂q = 1 · z") for line in steps[7]["lines"])


def test_notebook_frame_is_isolated() -> None:
    from autograd.pages._page import notebook_frame

    frame = notebook_frame('<p class="x">"a" & b</p>', 300, "t")
    assert frame.startswith('<iframe srcdoc="&lt;p class=&quot;x&quot;&gt;&quot;a&quot; &amp; b')
    assert 'sandbox="allow-scripts"' in frame and "height: 300px" in frame


# --------------------------------------------------------------------------------------------------
# The training replay
# --------------------------------------------------------------------------------------------------


def _blobs(n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(0)
    X = np.r_[rng.randn(n // 2, 2) + 2, rng.randn(n // 2, 2) - 2]
    y = np.r_[np.zeros(n // 2, int), np.ones(n // 2, int)]
    return X, y


def test_fit_calls_back_after_each_update() -> None:
    X, y = _blobs()
    model = MLP(2, [4, 1], seed=0)
    first = model.parameters()[0]
    before = first.data
    calls: list[tuple[int, int, float, float]] = []
    history = fit(
        model,
        X,
        y,
        steps=5,
        callback=lambda step, h: calls.append((step, h.steps, h.loss[-1], first.data)),
    )
    assert [c[:2] for c in calls] == [(k, k + 1) for k in range(5)]
    assert [c[2] for c in calls] == history.loss
    assert calls[0][3] != before  # the first call comes after the first update


def test_the_replay_keeps_a_bounded_number_of_snapshots() -> None:
    X, y = _blobs()
    model = MLP(2, [4, 1], seed=0)
    replay = TrainingReplay(model, X, y, frames=5, resolution=8)
    history = fit(model, X, y, steps=37, callback=replay)
    trained = [p.data for p in model.parameters()]
    assert replay.history is history
    kept = [done for done, _ in replay._kept]
    assert len(kept) <= 2 * 5 and kept[0] == 0
    assert all(k % 4 == 0 for k in kept)  # the stride doubled from 1 to 4 by step 37
    data = replay.data()
    steps = [f["step"] for f in data["frames"]]
    assert steps[0] == 0 and steps[-1] == 37 and len(steps) == 5 and steps == sorted(steps)
    assert data["curves"]["loss"] == pytest.approx(history.loss, abs=1e-6)
    # Computing the frames loads older weights into the model; it is left at its trained ones.
    assert [p.data for p in model.parameters()] == trained


def test_replay_frames_are_the_models_predictions() -> None:
    X, y = _blobs()
    model = MLP(2, [4, 1], seed=0)
    replay = TrainingReplay(model, X, y, frames=3, resolution=6)
    fit(model, X, y, steps=20, callback=replay)
    import base64

    from autograd.plot import decision_grid

    data = replay.data()
    last = base64.b64decode(data["frames"][-1]["grid"])
    _, _, scores = decision_grid(model, X, resolution=6)
    assert list(last[:36]) == [int(s > 0) for s in scores]
    assert list(last[36:]) == [round(255 * math.tanh(abs(s))) for s in scores]


def _fine_grid(data: dict, fine: int) -> tuple[np.ndarray, np.ndarray]:
    """The fine grid the lines are found on, as the docstring of ``TrainingReplay`` describes it:
    ``fine`` points spanning the canvas, which reaches half a coarse step beyond the extent."""
    x0, y0, x1, y1 = data["extent"]
    n = data["resolution"]
    hx, hy = (x1 - x0) / (n - 1) / 2, (y1 - y0) / (n - 1) / 2
    return np.linspace(x0 - hx, x1 + hx, fine), np.linspace(y0 - hy, y1 + hy, fine)


def _check_on_boundary(f, p: np.ndarray, fx: np.ndarray, fy: np.ndarray) -> bool:  # type: ignore[no-untyped-def]
    """Whether the page's line point ``p`` lies on an edge of the fine grid across which the
    model's predicted class changes (evaluated here with ``to_numpy``), with the score gap at ``p``
    (the score, or the difference of the two highest scores) small: no larger than its change
    across the edge, or than its slope at ``p`` times one grid step. (Marching squares interpolates
    linearly along each edge, which is exact for a score that is linear there; a ReLU kink inside
    the edge moves the point off the level, by less than a step.)"""
    tol = min(fx[1] - fx[0], fy[1] - fy[0]) / 20
    s = f(p[None])[0]
    pair = np.argsort(s)[-2:] if np.ndim(s) else None

    def gap(q: np.ndarray) -> np.ndarray:
        v = f(q)
        return v if pair is None else v[:, pair[1]] - v[:, pair[0]]

    def label(q: np.ndarray) -> np.ndarray:
        v = f(q)
        return v > 0 if v.ndim == 1 else v.argmax(axis=1)

    edges = []
    for fixed, (across, along) in enumerate(((fx, fy), (fy, fx))):  # vertical, then horizontal
        moving = 1 - fixed  # the coordinate that varies along the edge
        for j in np.nonzero(np.abs(across - p[fixed]) <= tol)[0]:
            for i in np.nonzero((along[:-1] <= p[moving] + tol) & (along[1:] >= p[moving] - tol))[
                0
            ]:
                e = np.array([[across[j], along[i]], [across[j], along[i + 1]]])
                edges.append(e if fixed == 0 else e[:, ::-1])
    for e in edges:
        ends = label(e)
        change = abs(float(np.diff(gap(e))[0]))
        h = 1e-7
        slope = np.hypot(
            *(gap(p + np.array([[h, 0], [0, h]])) - gap(p - np.array([[h, 0], [0, h]])))
        ) / (2 * h)
        if ends[0] != ends[1] and abs(float(gap(p[None])[0])) <= max(change, slope * 20 * tol):
            return True
    return False


@pytest.mark.parametrize("classes", [1, 3])
def test_replay_lines_lie_on_the_decision_boundary(classes: int) -> None:
    from autograd.data import blobs
    from autograd.export import to_numpy

    if classes == 1:
        X, y = moons(60, noise=0.1, seed=1)
        model, loss = MLP(2, [8, 8, 1], seed=1), "hinge"
    else:
        X, y = blobs(60, noise=0.6, seed=2, classes=3)
        model, loss = MLP(2, [8, 3], seed=1), "cross_entropy"  # three regions at first
    before = to_numpy(model)  # the model as frame 0 shows it
    replay = TrainingReplay(model, X, y, frames=3, resolution=20, fine=120)
    fit(model, X, y, steps=30, loss=loss, callback=replay)
    data = replay.data()
    fx, fy = _fine_grid(data, 120)
    step = min(fx[1] - fx[0], fy[1] - fy[0])
    for f, frame in ((before, data["frames"][0]), (to_numpy(model), data["frames"][-1])):
        assert frame["lines"], "no boundary line in the frame"
        points = np.concatenate([np.reshape(line, (-1, 2)) for line in frame["lines"]])
        for p in points:
            assert _check_on_boundary(f, p, fx, fy), f"{p} is not on the boundary"
        # And no boundary is missing: wherever the prediction changes between two neighbours
        # of an independent grid, a line passes close by.
        gx, gy = np.linspace(fx[0], fx[-1], 37), np.linspace(fy[0], fy[-1], 41)
        xx, yy = np.meshgrid(gx, gy)
        scores = f(np.c_[xx.ravel(), yy.ravel()])
        label = (scores > 0 if scores.ndim == 1 else scores.argmax(axis=1)).reshape(xx.shape)
        changed = np.zeros(xx.shape, dtype=bool)
        changed[:, :-1] |= label[:, :-1] != label[:, 1:]
        changed[:-1, :] |= label[:-1, :] != label[1:, :]
        cell = np.hypot(gx[1] - gx[0], gy[1] - gy[0])
        starts = np.concatenate([np.reshape(line, (-1, 2))[:-1] for line in frame["lines"]])
        ends = np.concatenate([np.reshape(line, (-1, 2))[1:] for line in frame["lines"]])
        d = ends - starts
        for p in np.c_[xx[changed], yy[changed]]:  # the distance from p to the nearest segment
            t = np.clip(((p - starts) * d).sum(axis=1) / (d * d).sum(axis=1), 0, 1)
            nearest = np.hypot(*(starts + t[:, None] * d - p).T).min()
            assert nearest <= cell + step, f"no line near {p}"


def test_replay_lines_match_a_full_fine_grid() -> None:
    # The page evaluates the fine grid only near where the coarse grid changes class; the lines
    # must be those found from every point of the fine grid.
    from autograd.export import to_numpy
    from autograd.pages.contour import zero_lines

    X, y = moons(100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    replay = TrainingReplay(model, X, y, frames=2, fine=200)
    fit(model, X, y, steps=40, callback=replay, loss="hinge")
    data = replay.data()
    fx, fy = _fine_grid(data, 200)
    xx, yy = np.meshgrid(fx, fy)
    full = zero_lines(fx, fy, to_numpy(model)(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape))
    embedded = [np.reshape(line, (-1, 2)) for line in data["frames"][-1]["lines"]]
    assert len(embedded) == len(full)
    step = fx[1] - fx[0]
    for line in embedded:  # each embedded point is one of the full grid's crossings, rounded
        nearest = min(
            np.abs(f[:, None, :] - line[None]).max(axis=2).min(axis=0).max() for f in full
        )
        assert nearest <= step / 20


def test_the_replay_needs_no_matplotlib() -> None:
    # matplotlib is the optional plot extra; the page finds its lines with numpy alone.
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"  # any import of it now fails
        "from autograd.data import moons\n"
        "from autograd.nn import MLP\n"
        "from autograd.pages import TrainingReplay\n"
        "from autograd.train import fit\n"
        "X, y = moons(40, seed=0)\n"
        "model = MLP(2, [8, 1], seed=0)\n"
        "replay = TrainingReplay(model, X, y, frames=2)\n"
        "fit(model, X, y, steps=5, callback=replay)\n"
        "print(len(replay.data()['frames'][-1]['lines']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 1  # the last frame has its boundary line


def test_replay_refuses_data_it_cannot_draw() -> None:
    model = MLP(3, [1], seed=0)
    with pytest.raises(ValueError, match=r"expected X of shape \(n, 2\), got \(4, 3\)"):
        TrainingReplay(model, np.zeros((4, 3)), np.zeros(4, int))
    with pytest.raises(ValueError, match="frames must be an int >= 2, got 1"):
        TrainingReplay(MLP(2, [1]), np.zeros((4, 2)), np.zeros(4, int), frames=1)
    with pytest.raises(ValueError, match="fine must be an int >= 2, got 1"):
        TrainingReplay(MLP(2, [1]), np.zeros((4, 2)), np.zeros(4, int), fine=1)


def test_cli_train_writes_the_replay(tmp_path: Path) -> None:
    target = tmp_path / "run.html"
    command = ["train", "--n", "40", "--hidden", "4", "--steps", "12", "--quiet"]
    command += ["--test-fraction", "0.25", "--report", str(target)]
    done = subprocess.run(
        [sys.executable, "-m", "autograd", *command],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert str(target) in done.stdout
    data = _page_data(target.read_text(encoding="utf-8"))
    assert data["results"]["steps"] == 12 and "test accuracy" in data["results"]
    assert data["settings"]["hidden"] == "4" and data["settings"]["steps"] == "12"
    assert [f["step"] for f in data["frames"]] == list(range(13))


def test_the_replay_page_is_small_for_the_readme_run(tmp_path: Path) -> None:
    # The README's demo run: 100 moons points, MLP(2, [16, 16, 1]), 100 steps, 50 frames.
    X, y = moons(100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    replay = TrainingReplay(model, X, y)
    fit(model, X, y, steps=100, callback=replay, alpha=1e-4, loss="hinge")
    size = len(replay.html().encode())
    assert size < 1_000_000, f"{size} bytes"
    assert all(frame["lines"] for frame in replay.data()["frames"][1:])  # the lines are in it
