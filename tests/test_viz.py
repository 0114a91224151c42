"""Graph diagrams: the DOT source, real rendering with Graphviz, the collapsed view, errors.

Numbers are hand-derived. Worked example f = (x + y) * z at x = -2, y = 5, z = -4: q = 3,
f = -12, df/dz = 3, df/dq = df/dx = df/dy = -4.
"""

import ast
import html
import itertools
import math
import random
import re
import struct
import sys
from decimal import Decimal

import pytest
from moons_loss import moons_loss
from needs_dot import needs_dot
from worked_example import worked_example as labelled_worked_example

from autograd import Value, draw_dot, grad, save_diagram
from autograd.engine import topological_order
from autograd.nn import MLP, Neuron
from autograd.viz import GraphTooLargeError, GraphvizNotFoundError


def worked_example():
    return labelled_worked_example(backward=True)


NODE = re.compile(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\]$')
EDGE = re.compile(r'^\s*(\w+) -> (\w+)(?: \[label="((?:[^"\\]|\\.)*)"[^\]]*\])?$')


def parse(source):
    """Nodes (id -> (label, attribute text)) and edges [(tail, head, label)] of DOT source."""
    nodes, edges = {}, []
    for line in source.splitlines():
        if m := NODE.match(line):
            nodes[m.group(1)] = (m.group(2), m.group(3))
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3) or ""))
    return nodes, edges


def records(source):
    """label name -> (data, grad) for every record ``{ name | data D | grad G }``."""
    out = {}
    for label, _ in parse(source)[0].values():
        fields = [f.strip() for f in label.strip("{} ").split("|")]
        if len(fields) >= 2 and fields[1].startswith("data "):
            grad_ = float(fields[2][5:]) if len(fields) > 2 else None
            out[fields[0]] = (float(fields[1][5:]), grad_)
    return out


def fill(attrs):
    m = re.search(r'fillcolor="([^"]+)"', attrs)
    return m.group(1) if m else None


# -- the DOT source --------------------------------------------------------------------------------


def test_worked_example_records_show_labels_data_and_grads():
    *_, f = worked_example()
    assert records(draw_dot(f).source) == {
        "x": (-2.0, -4.0),
        "y": (5.0, -4.0),
        "z": (-4.0, 3.0),
        "q": (3.0, -4.0),
        "f": (-12.0, 1.0),
    }


def test_one_op_node_between_the_inputs_and_the_result():
    *_, f = worked_example()
    nodes, edges = parse(draw_dot(f).source)
    by_name = {label.strip("{} ").split("|")[0].strip(): nid for nid, (label, _) in nodes.items()}
    ops = {nid: label for nid, (label, _) in nodes.items() if "|" not in label}
    assert sorted(ops.values()) == ["*", "+"]
    plus = next(n for n, op in ops.items() if op == "+")
    times = next(n for n, op in ops.items() if op == "*")
    pairs = {(t, h) for t, h, _ in edges}
    assert pairs == {
        (by_name["x"], plus),
        (by_name["y"], plus),
        (plus, by_name["q"]),
        (by_name["q"], times),
        (by_name["z"], times),
        (times, by_name["f"]),
    }


def test_same_graph_gives_byte_identical_source():
    *_, f1 = worked_example()
    *_, f2 = worked_example()  # a different set of objects with the same structure
    assert draw_dot(f1).source == draw_dot(f1).source == draw_dot(f2).source


def test_hiding_grads_number_format_and_rankdir():
    *_, f = worked_example()
    source = draw_dot(f, show_grad=False, fmt=".1f", rankdir="TB").source
    assert "grad" not in source
    assert "data -12.0" in source and "data -12.0000" not in source
    assert "rankdir=TB" in source
    # top-to-bottom records lay their fields side by side without the { } that LR needs
    assert 'label="f | data -12.0"' in source


def test_role_colours_tell_inputs_parameters_and_output_apart():
    x, y, z, q, f = worked_example()
    nodes, _ = parse(draw_dot(f, params=[z]).source)
    colour = {
        label.strip("{} ").split("|")[0].strip(): fill(attrs) for label, attrs in nodes.values()
    }
    assert colour["x"] == colour["y"]  # both inputs
    assert len({colour["x"], colour["z"], colour["f"], colour["q"]}) == 4
    plain, _ = parse(draw_dot(f, color="none").source)
    assert all(fill(attrs) is None for _, attrs in plain.values())


def test_grad_colours_follow_the_sign_and_size_of_the_gradient():
    *_, f = worked_example()
    nodes, _ = parse(draw_dot(f, color="grad").source)
    rgb = {}
    for label, attrs in nodes.values():
        if "|" in label:
            h = fill(attrs)
            rgb[label.strip("{} ").split("|")[0].strip()] = tuple(
                int(h[i : i + 2], 16) for i in (1, 3, 5)
            )
    # negative gradients lean red (more red than blue), positive ones blue
    for name in ("x", "y", "q"):
        assert rgb[name][0] > rgb[name][2]
    for name in ("z", "f"):
        assert rgb[name][2] > rgb[name][0]

    # |grad| = 4 is the largest, so x is further from white than z (|grad| = 3) and f (1)
    def distance(c):
        return sum(255 - v for v in c)

    assert distance(rgb["x"]) > distance(rgb["z"]) > distance(rgb["f"])


def test_edge_labels_show_the_local_derivative_and_upstream_times_local():
    *_, f = worked_example()
    nodes, edges = parse(draw_dot(f, edge_labels=True, fmt="g").source)
    name = {nid: label.strip("{} ").split("|")[0].strip() for nid, (label, _) in nodes.items()}
    labelled = {name[t]: text for t, h, text in edges if text}
    # d(x + y)/dx = 1 and upstream df/dq = -4; d(q * z)/dq = z = -4 and d/dz = q = 3, upstream 1
    assert labelled == {
        "x": "∂q/∂x = 1\\n-4 × 1 = -4",
        "y": "∂q/∂y = 1\\n-4 × 1 = -4",
        "q": "∂f/∂q = -4\\n1 × -4 = -4",
        "z": "∂f/∂z = 3\\n1 × 3 = 3",
    }


def test_unlabelled_nodes_get_generated_names_and_special_characters_are_escaped():
    a = Value(2.0, label="a|b{c}")
    out = (a * 3.0).exp()
    nodes, _ = parse(draw_dot(out).source)
    labels = [label for label, _ in nodes.values() if "data" in label]
    assert any(label.startswith("{ a\\|b\\{c\\}") for label in labels)
    names = {label.strip("{} ").split(" | ")[0] for label in labels}
    assert len(names) == 4  # a, the constant 3, the product, the exp: all different


def test_reused_node_draws_two_edges_into_its_op():
    a = Value(3.0, label="a")
    b = a * a
    nodes, edges = parse(draw_dot(b).source)
    a_id = next(n for n, (label, _) in nodes.items() if label.startswith("{ a |"))
    assert sum(1 for t, _, _ in edges if t == a_id) == 2


def test_second_derivative_graph_can_be_drawn():
    x = Value(2.0, label="x")
    (dy,) = grad(x**3, x, create_graph=True)  # 3x^2 = 12
    dy.label = "dy"
    dy.backward()  # d(3x^2)/dx = 6x = 12
    recs = records(draw_dot(dy).source)
    assert recs["dy"] == (12.0, 1.0)
    assert recs["x"] == (2.0, 12.0)
    assert len(recs) == len(topological_order(dy))


def test_bad_options_are_named():
    *_, f = worked_example()
    with pytest.raises(TypeError, match="draw_dot: expected a Value"):
        draw_dot(1.0)
    with pytest.raises(ValueError, match="rankdir='XY'"):
        draw_dot(f, rankdir="XY")
    with pytest.raises(ValueError, match="color='pink'"):
        draw_dot(f, color="pink")
    with pytest.raises(ValueError, match="collapse='all'"):
        draw_dot(f, collapse="all")
    with pytest.raises(ValueError, match="fmt='x'"):
        draw_dot(f, fmt="x")
    with pytest.raises(TypeError, match="params must be Values"):
        draw_dot(f, params=[1.0])


# -- big graphs and the collapsed view -------------------------------------------------------------


def mlp(sizes, rng):
    """Layers of neurons [(weights, bias), ...] built by hand."""
    return [
        [([Value(rng.uniform(-1, 1)) for _ in range(nin)], Value(0.0)) for _ in range(nout)]
        for nin, nout in itertools.pairwise(sizes)
    ]


def forward(layers, xs, act="tanh"):
    for i, layer in enumerate(layers):
        out = [Value.linear(xs, w, b) for w, b in layer]
        xs = out if i == len(layers) - 1 else [getattr(o, act)() for o in out]
    return xs[0]


def test_node_limit_gives_a_clear_message():
    v = Value(0.1, label="x")
    for _ in range(600):
        v = v.sin()
    # a chain has no neurons or samples to fold, so no option is named that would not fit
    with pytest.raises(
        GraphTooLargeError, match=r"601 nodes.*max_nodes=500.*smaller graph.*print_tree"
    ) as refused:
        draw_dot(v)
    assert "collapse=" not in str(refused.value)
    assert "n600" in draw_dot(v, max_nodes=None).source


def test_collapsed_neurons_and_layers_of_a_small_mlp():
    rng = random.Random(0)
    layers = mlp([2, 4, 4, 1], rng)
    x1, x2 = Value(0.5, label="x1"), Value(-1.0, label="x2")
    out = forward(layers, [x1, x2])
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()

    neurons, n_edges = parse(draw_dot(loss, collapse="neuron").source)
    boxes = [label for label, _ in neurons.values() if "neuron" in label]
    assert len(boxes) == 4 + 4 + 1
    assert sum("tanh(w·x + b)" in b for b in boxes) == 8
    assert sum("2 inputs, 3 params" in b for b in boxes) == 4
    assert sum("4 inputs, 5 params" in b for b in boxes) == 5
    # no weight or bias leaf is drawn: only x1, x2, the constant 1.0 and the loss's own nodes
    leaves = [label for label, _ in neurons.values() if "data" in label and "neuron" not in label]
    assert len(leaves) == 2 + 1 + 2  # x1, x2, 1.0, (out - 1.0), loss
    # each first-layer neuron reads both inputs, each second-layer one all four first-layer ones
    # then out and 1.0 into '-', '-' to its result, that result into '**2', '**2' to loss
    assert len(n_edges) == 4 * 2 + 4 * 4 + 4 + 3 + 2

    layers_src = draw_dot(loss, collapse="layer").source
    nodes, edges = parse(layers_src)
    boxes = {
        nid: label for nid, (label, _) in nodes.items() if "neuron" in label or "layer" in label
    }
    assert sorted(label.split("|")[0].strip("{ ") for label in boxes.values()) == [
        "layer  4 × tanh(w·x + b)",
        "layer  4 × tanh(w·x + b)",
        "neuron  w·x + b",
    ]
    assert any("2 inputs, 12 params" in label for label in boxes.values())
    assert any("4 inputs, 20 params" in label for label in boxes.values())
    box_edges = [(t, h) for t, h, _ in edges if t in boxes and h in boxes]
    assert len(box_edges) == 2  # layer 1 -> layer 2 -> output neuron, one edge each
    # the layer's data range covers the neurons' outputs
    first_layer_outputs = [n for n in topological_order(loss) if n._op == "tanh"][:4]
    lo, hi = min(v.data for v in first_layer_outputs), max(v.data for v in first_layer_outputs)
    assert f"data {lo:.4f} … {hi:.4f}" in layers_src


def test_a_50000_node_graph_gives_a_text_view_and_a_collapsed_diagram():
    from autograd import text_tree

    rng = random.Random(1)
    layers = mlp([2, 16, 16, 1], rng)
    losses = []
    for _ in range(720):
        xs = [Value(rng.uniform(-2, 2)), Value(rng.uniform(-2, 2))]
        losses.append((1.0 - forward(layers, xs, act="relu")).relu())
    loss = Value.sum(losses) / len(losses)
    loss.backward()
    order = topological_order(loss)
    assert len(order) > 50_000
    with pytest.raises(GraphTooLargeError, match=r"nodes.*max_nodes=500"):
        draw_dot(loss)

    tree = text_tree(loss, max_lines=None)
    # one line per use of a node: the root plus one per edge of the graph
    assert tree.count("\n") + 1 == 1 + sum(len(v._prev) for v in order)

    source = draw_dot(loss, collapse="layer", max_nodes=None).source
    nodes, _ = parse(source)
    assert sum("layer  16 × relu" in label for label, _ in nodes.values()) == 2 * 720
    with pytest.raises(GraphTooLargeError, match="this view has 5763 nodes"):
        draw_dot(loss, collapse="layer")


@pytest.fixture(scope="module")
def moons():
    return moons_loss()


def test_moons_loss_refusal_names_options_that_draw_it(moons):
    X, model, loss = moons
    with pytest.raises(GraphTooLargeError, match="7545 nodes, more than max_nodes=500") as refused:
        draw_dot(loss)
    message = str(refused.value)
    calls = re.findall(r"draw_dot\(root, ([^)]*)\)", message)
    assert len(calls) == 2
    for call in calls:
        # follow the advice literally: the keyword arguments exactly as written
        kwargs = {}
        for part in call.split(", "):
            key, _, value = part.partition("=")
            kwargs[key] = ast.literal_eval(value)
        nodes, _ = parse(draw_dot(loss, **kwargs).source)
        boxes = [nid for nid, (label, _) in nodes.items() if "|" in label]
        assert 0 < len(boxes) <= 500
        assert f"({len(boxes)} boxes)" in message


def test_merged_samples_draw_one_box_per_layer_with_ranges_and_summed_grads(moons):
    X, model, loss = moons
    source = draw_dot(loss, collapse="layer", samples="merged").source
    nodes, _ = parse(source)
    titles = [label.strip("{ ").split("|")[0].strip() for label, _ in nodes.values()]
    assert "L1  16 × relu(w·x + b)" in titles
    assert "L2  16 × relu(w·x + b)" in titles
    assert "L3  w·x + b" in titles
    # x1 stands for the 100 first coordinates: their range, and the sum of their gradients
    # (each leaf labelled x1 in the real graph holds its own d loss/d x1)
    x1_leaves = [v for v in topological_order(loss) if v.label == "x1"]
    assert len(x1_leaves) == 100
    (x1,) = [label for label, _ in nodes.values() if label.startswith("{ x1 |")]
    lo, hi = re.search(r"data (\S+) … (\S+)", x1).groups()
    assert math.isclose(float(lo), X[:, 0].min(), rel_tol=1e-3)
    assert math.isclose(float(hi), X[:, 0].max(), rel_tol=1e-3)
    summed = float(re.search(r"grad summed (\S+)", x1).group(1))
    assert math.isclose(summed, sum(v.grad for v in x1_leaves), rel_tol=1e-3)
    assert "100 samples" in x1
    # the L2 penalty reads every parameter: counted in its box, not drawn one by one
    assert f"reads {model.num_parameters()} parameters" in source


def test_first_samples_draw_three_samples_and_the_shared_part(moons):
    _, model, loss = moons
    source = draw_dot(loss, samples=3, collapse="neuron").source
    nodes, _ = parse(source)
    inputs = [label for label, _ in nodes.values() if re.match(r"\{ x1(#\d+)? \|", label)]
    assert len(inputs) == 3  # x1, then x1#2 and x1#3: one label, three Values
    first_layer = [label for label, _ in nodes.values() if label.startswith("{ L1.N")]
    assert len(first_layer) == 3 * 16
    assert "+ 97 inputs from later samples, not drawn" in source


def test_collapsed_views_name_neurons_and_layers_after_the_model():
    model = MLP(2, [3, 1], seed=0)
    out = model([0.5, -1.0])
    out.backward()
    nodes, _ = parse(draw_dot(out, collapse="neuron").source)
    titles = sorted(label.strip("{ ").split("|")[0].strip() for label, _ in nodes.values())
    assert titles[:4] == [
        "L1.N1  relu(w·x + b)",
        "L1.N2  relu(w·x + b)",
        "L1.N3  relu(w·x + b)",
        "L2.N1  w·x + b",
    ]
    assert "x1" in titles and "x2" in titles
    full = records(draw_dot(out, fmt=".17g").source)
    w = model.layers[1].neurons[0].w[2]
    assert full["L2.N1.w3"] == (w.data, w.grad)
    assert full["x2"][0] == -1.0


def test_role_legend_lists_the_roles_drawn_and_grad_legend_the_scale():
    neuron = Neuron(2, activation="tanh", seed=1)
    out = neuron([1.0, 2.0])
    out.backward()
    source = draw_dot(out, params=neuron.parameters()).source
    legend = re.search(r"legend \[label=<(.*)>", source).group(1)
    for role in ("input or constant", "parameter", "computed", "output"):
        assert role in legend
    assert "neuron or layer" not in legend  # nothing collapsed here
    x, y, z, q, f = worked_example()
    legend = re.search(r"legend \[label=<(.*)>", draw_dot(f, color="grad").source).group(1)
    # the scale runs from the largest |grad| (df/dx = -4) to minus it, through 0
    assert [float(v) for v in re.findall(r">grad (-?[\d.]+)<", legend)] == [4, 2, 0, -2, -4]
    assert "blue: raising it raises the output" in legend
    assert "legend" not in draw_dot(f, legend=False).source
    assert "legend" not in draw_dot(f, color="none").source


def test_a_reused_nodes_edge_contributions_add_up_to_its_printed_grad():
    a = Value(1.0, label="a")
    out = a * 2.50534 + a * 0.45213  # da = 2.95747: at 4 decimals 2.5053 + 0.4521 != 2.9575
    out.backward()
    source = draw_dot(out, edge_labels=True, fmt=".4f").source
    nodes, edges = parse(source)
    a_id = next(nid for nid, (label, _) in nodes.items() if label.startswith("{ a |"))
    parts = [Decimal(text.rsplit("= ", 1)[1]) for t, _, text in edges if t == a_id]
    shown = Decimal(re.search(r"grad (\S+) \}", nodes[a_id][0]).group(1))
    assert len(parts) == 2
    assert sum(parts) == shown
    assert shown == Decimal("2.95747")  # one more digit was enough


def test_default_numbers_are_short_and_exact_looking():
    x = Value(0.1, label="x")
    y = x * 3.0 + 2.5
    y.backward()
    recs = draw_dot(y).source
    assert "data 0.1 " in recs and "data 2.5 " in recs and "grad 3 " in recs
    assert "0.1000" not in recs and "1.0000" not in recs
    assert "data 2.8 " in recs  # 0.1 * 3 + 2.5 = 2.8000000000000003, rounded to look exact


# -- rendering -------------------------------------------------------------------------------------


@needs_dot
def test_svg_rendering_contains_the_values(tmp_path):
    *_, f = worked_example()
    path = save_diagram(f, tmp_path / "f.svg", edge_labels=True)
    svg = path.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    for expected in ("data -12", "grad 1", "data 3", "grad -4", "grad 3", "∂f/∂z = 3"):
        assert expected in texts
    assert "*" in texts and "+" in texts


@needs_dot
def test_png_and_pdf_rendering(tmp_path):
    *_, f = worked_example()
    png = save_diagram(f, tmp_path / "f.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > height > 50  # left to right: wider than tall
    assert save_diagram(draw_dot(f), tmp_path / "f.pdf").read_bytes().startswith(b"%PDF")


@needs_dot
def test_jupyter_inline_display_is_svg():
    *_, f = worked_example()
    bundle = draw_dot(f)._repr_mimebundle_()
    assert "data -12" in html.unescape(bundle["image/svg+xml"])


def test_dot_source_file_needs_no_graphviz_program(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on this PATH
    *_, f = worked_example()
    path = save_diagram(f, tmp_path / "f.gv")
    assert path.read_text(encoding="utf-8") == draw_dot(f).source


def test_missing_dot_program_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    *_, f = worked_example()
    with pytest.raises(GraphvizNotFoundError) as info:
        save_diagram(f, tmp_path / "f.png")
    message = str(info.value)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install", ".dot"):
        assert hint in message
    assert "\n" not in message
    assert not (tmp_path / "f.png").exists()


def test_missing_graphviz_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes "import graphviz" fail
    *_, f = worked_example()
    with pytest.raises(ImportError, match="pip install graphviz"):
        draw_dot(f)


def test_unknown_extension_is_refused(tmp_path):
    *_, f = worked_example()
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot, \.gv"):
        save_diagram(f, tmp_path / "f.jpeg2000")


def test_importing_autograd_does_not_import_graphviz():
    import subprocess

    code = "import sys, autograd; print('graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_diagram_is_a_digraph_whose_repr_has_no_memory_address() -> None:
    # Jupyter saves the repr beside the picture; an address would change the notebook every run.
    import graphviz

    *_, f = worked_example()
    dot = draw_dot(f)
    assert isinstance(dot, graphviz.Digraph)
    assert repr(dot) == repr(draw_dot(f))
    assert "0x" not in repr(dot)


@needs_dot
def test_png_resolution_follows_dpi(tmp_path):
    *_, f = worked_example()

    def width(path):
        return struct.unpack(">I", path.read_bytes()[16:20])[0]

    default = width(save_diagram(f, tmp_path / "a.png"))
    double = width(save_diagram(f, tmp_path / "b.png", dpi=300))
    assert abs(double / default - 2) < 0.05  # the default is 150 dots per inch
    with pytest.raises(ValueError, match="dpi=0"):
        save_diagram(f, tmp_path / "c.png", dpi=0)


# -- the network view ------------------------------------------------------------------------------


def test_network_view_draws_circles_in_columns_and_one_edge_per_weight():
    from autograd import draw_network

    model = MLP(2, [3, 1], seed=0)
    source = draw_network(model).source
    edges = re.findall(r"^\s*(\w+) -> (\w+) \[([^\]]*)\]$", source, re.M)
    weighted = [(t, h, a) for t, h, a in edges if "invis" not in a]
    assert len(weighted) == 2 * 3 + 3 * 1  # one per weight
    largest = max(abs(w.data) for p in model.layers for n in p.neurons for w in n.w)
    for (_, _, attrs), w in zip(
        weighted, [w for layer in model.layers for n in layer.neurons for w in n.w]
    ):
        colour = re.search(r'color="#(..)(..)(..)"', attrs).groups()
        r, _, b = (int(c, 16) for c in colour)
        assert (b > r) == (w.data > 0)  # blue for positive, red for negative
        width = float(re.search(r"penwidth=([\d.]+)", attrs).group(1))
        assert math.isclose(width, 0.3 + 3.7 * abs(w.data) / largest, abs_tol=0.01)
    # each column is one rank, in order: L1N1, L1N2, L1N3
    assert re.search(r"rank=same\s+L1N1 -> L1N2 \[style=invis\]\s+L1N2 -> L1N3", source)
    assert "weight w &gt; 0" in source or "weight w > 0" in html.unescape(source)


def test_network_view_shows_activations_and_gradients():
    from autograd import draw_network

    model = MLP(2, [3, 1], seed=0)
    x = [0.5, -1.0]
    out = model(x)
    out.backward()
    hidden = [n(x) for n in model.layers[0].neurons]  # the activations, neuron by neuron
    source = draw_network(model, x, show="grad").source
    for j, h in enumerate(hidden, 1):
        b_grad = model.layers[0].neurons[j - 1].b.grad
        assert f'L1N{j} [label="L1.N{j}\\n{h.data:.3g}\\n∂b {b_grad:.3g}"' in source
    assert f"{out.data:.3g}" in source
    with pytest.raises(ValueError, match="show='both'"):
        draw_network(model, show="both")
    with pytest.raises(TypeError, match="draw_network: expected an MLP"):
        draw_network([1, 2])


@needs_dot
def test_network_view_of_the_demo_model_renders(tmp_path):
    from autograd import draw_network

    model = MLP(2, [16, 16, 1], seed=1337)
    path = save_diagram(draw_network(model, [0.5, -0.2]), tmp_path / "net.svg")
    svg = path.read_text(encoding="utf-8")
    assert svg.count('class="node"') == 2 + 16 + 16 + 1 + 1  # circles and the legend
