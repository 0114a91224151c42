"""Code that learners already have runs unchanged, and notebooks show friendly output.

What each test compares against:

* a training script in the style of the EurekaLabs ``micrograd.py`` (Adam state stored on the
  Values as ``p.m``/``p.v``, a colour for drawing as ``p._vis_color``), run with our ``Value``
  swapped in: the same network, loss and AdamW written independently on plain floats, with
  the backward pass derived by hand;
* the "building micrograd" lecture's 20-step loop: the lecture's own ``Value`` (closures, a set
  for ``_prev``, recursive topological sort) and its tanh ``MLP`` with random biases, written out
  here as the reference, over the same seeds;
* ``math.exp(Value)`` and friends: the documented refusal, with the way out in the message;
* ``grad(..., create_graph=True)``: d(x*y)/dx = y, d^2(x*y)/dxdy = 1, and the identity of nodes;
* ``output_activation``: the neuron's formula act(w·x + b) evaluated with the ``math`` module;
* the model file: JSON written by hand in the version-1 layout, and what a reader of version 1
  would make of a newer file;
* the rich displays: the parameter count of an MLP from its sizes, Σ (nin + 1)·nout;
* the notebook: a real Jupyter kernel (nbclient) started with a PATH that has no ``dot``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest

from autograd import Value, grad
from autograd.losses import mse
from autograd.nn import MLP, Layer, Neuron
from autograd.serialize import load_model, model_from_dict, model_to_dict, save_model
from autograd.train import History, fit

# --------------------------------------------------------------------------------------------------
# Attributes on Values: a training script that keeps AdamW's state on the parameters
# --------------------------------------------------------------------------------------------------


def _points(seed: int, n: int) -> list[tuple[list[float], int]]:
    """n points in the plane, labelled 0, 1, 2 by the third of the circle their angle falls in."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        out.append(([x, y], int((math.atan2(y, x) + math.pi) / (2 * math.pi / 3)) % 3))
    return out


def eureka_style_training(value_class: Any, data: list[tuple[list[float], int]]) -> list[float]:
    """A learner's script in the style of EurekaLabs' micrograd.py; only its Value is given.

    Its own MLP (tanh hidden layer, linear logits, w ~ U(-1, 1)/sqrt(nin), b = 0), its own
    cross-entropy written with exp/sum/divide/log, and an AdamW that stores the moments on the
    parameters themselves. Returns the loss of every step.
    """
    rng = random.Random(42)

    def vis_color(nodes: list[Any], color: str) -> None:
        for n in nodes:
            n._vis_color = color

    class Neuron:
        def __init__(self, nin: int, nonlin: bool = True) -> None:
            self.w = [value_class(rng.uniform(-1, 1) * nin**-0.5) for _ in range(nin)]
            self.b = value_class(0)
            self.nonlin = nonlin
            vis_color([self.b, *self.w], "lightgreen")

        def __call__(self, x: list[Any]) -> Any:
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
            return act.tanh() if self.nonlin else act

        def parameters(self) -> list[Any]:
            return [*self.w, self.b]

    class Model:
        def __init__(self, nin: int, nouts: list[int]) -> None:
            sz = [nin, *nouts]
            self.layers = [
                [Neuron(sz[i], nonlin=i != len(nouts) - 1) for _ in range(sz[i + 1])]
                for i in range(len(nouts))
            ]

        def __call__(self, x: list[Any]) -> list[Any]:
            for layer in self.layers:
                x = [n(x) for n in layer]
            return x

        def parameters(self) -> list[Any]:
            return [p for layer in self.layers for n in layer for p in n.parameters()]

    def cross_entropy(logits: list[Any], target: int) -> Any:
        ex = [z.exp() for z in logits]
        denom = sum(ex)
        probs = [e / denom for e in ex]
        return -probs[target].log()

    class AdamW:
        def __init__(self, parameters: list[Any], lr: float, weight_decay: float) -> None:
            self.parameters, self.lr, self.weight_decay = parameters, lr, weight_decay
            self.beta1, self.beta2, self.t = 0.9, 0.95, 0
            for p in self.parameters:
                p.m = 0  # the optimizer's state lives on the Values
                p.v = 0

        def step(self) -> None:
            self.t += 1
            for p in self.parameters:
                p.m = self.beta1 * p.m + (1 - self.beta1) * p.grad
                p.v = self.beta2 * p.v + (1 - self.beta2) * (p.grad**2)
                m_hat = p.m / (1 - self.beta1**self.t)
                v_hat = p.v / (1 - self.beta2**self.t)
                p.data -= self.lr * (m_hat / (v_hat**0.5 + 1e-8) + self.weight_decay * p.data)

        def zero_grad(self) -> None:
            for p in self.parameters:
                p.grad = 0

    model = Model(2, [8, 3])
    optimizer = AdamW(model.parameters(), lr=0.1, weight_decay=1e-4)
    losses = []
    for _ in range(15):
        total = value_class(0.0)
        for x, y in data:
            total = total + cross_entropy(model([value_class(a) for a in x]), y)
        loss = total * (1.0 / len(data))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.data)
    params = model.parameters()
    assert all(p._vis_color == "lightgreen" for p in params)
    assert set(vars(params[0])) == {"_vis_color", "m", "v"}  # what a learner prints
    return losses


def float_reference_training(data: list[tuple[list[float], int]]) -> list[float]:
    """The same network, loss and AdamW on plain floats, with the backward pass derived by hand:
    dL/dz_k = (p_k - [k = y]) / N for the logits, then back through the linear layer and tanh."""
    rng = random.Random(42)  # the same draws in the same order as the script above
    nin, hidden, nout = 2, 8, 3
    w1 = [[rng.uniform(-1, 1) * nin**-0.5 for _ in range(nin)] for _ in range(hidden)]
    b1 = [0.0] * hidden
    w2 = [[rng.uniform(-1, 1) * hidden**-0.5 for _ in range(hidden)] for _ in range(nout)]
    b2 = [0.0] * nout
    # the script's parameter order: neuron by neuron, its weights then its bias
    order = [(w1[j], i) if i < nin else (b1, j) for j in range(hidden) for i in range(nin + 1)]
    order += [(w2[k], j) if j < hidden else (b2, k) for k in range(nout) for j in range(hidden + 1)]
    m = [0.0] * len(order)
    v = [0.0] * len(order)
    losses = []
    for t in range(1, 16):
        g1 = [[0.0] * nin for _ in range(hidden)]
        gb1 = [0.0] * hidden
        g2 = [[0.0] * hidden for _ in range(nout)]
        gb2 = [0.0] * nout
        total = 0.0
        n = len(data)
        for x, y in data:
            h = [math.tanh(sum(w1[j][i] * x[i] for i in range(nin)) + b1[j]) for j in range(hidden)]
            z = [sum(w2[k][j] * h[j] for j in range(hidden)) + b2[k] for k in range(nout)]
            ex = [math.exp(zk) for zk in z]
            p = [e / sum(ex) for e in ex]
            total += -math.log(p[y])
            dz = [(p[k] - (k == y)) / n for k in range(nout)]
            for k in range(nout):
                gb2[k] += dz[k]
                for j in range(hidden):
                    g2[k][j] += dz[k] * h[j]
            for j in range(hidden):
                da = sum(dz[k] * w2[k][j] for k in range(nout)) * (1 - h[j] ** 2)
                gb1[j] += da
                for i in range(nin):
                    g1[j][i] += da * x[i]
        losses.append(total / n)
        grads = [g1[j][i] if i < nin else gb1[j] for j in range(hidden) for i in range(nin + 1)]
        grads += [
            g2[k][j] if j < hidden else gb2[k] for k in range(nout) for j in range(hidden + 1)
        ]
        for q, ((row, i), g) in enumerate(zip(order, grads)):
            m[q] = 0.9 * m[q] + 0.1 * g
            v[q] = 0.95 * v[q] + 0.05 * g * g
            m_hat, v_hat = m[q] / (1 - 0.9**t), v[q] / (1 - 0.95**t)
            row[i] -= 0.1 * (m_hat / (math.sqrt(v_hat) + 1e-8) + 1e-4 * row[i])
    return losses


def test_a_script_that_keeps_adam_state_on_values_trains_to_the_same_losses() -> None:
    data = _points(seed=7, n=24)
    ours = eureka_style_training(Value, data)
    reference = float_reference_training(data)
    assert ours == pytest.approx(reference, rel=1e-9, abs=1e-12)
    assert ours[-1] < 0.5 * ours[0]  # it did learn: not two equally broken runs


def test_attributes_of_ones_own_live_beside_the_engines_fields() -> None:
    v = Value(2.0, label="v")
    assert vars(v) == {}
    v._vis_color = "lightblue"
    v.m = 0.5
    assert vars(v) == {"_vis_color": "lightblue", "m": 0.5}
    w = v * 3.0
    w.backward()
    assert (w.data, v.grad, v.label) == (6.0, 3.0, "v")  # the engine's own fields are untouched
    del v.m
    assert vars(v) == {"_vis_color": "lightblue"}
    with pytest.raises(AttributeError, match="'m'"):
        v.m


# --------------------------------------------------------------------------------------------------
# float() refused: math.exp(v) must not silently drop the gradient
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [math.exp, math.sqrt, math.log, math.tanh, float])
def test_math_functions_on_a_value_raise_and_say_what_to_use(fn: Any) -> None:
    x = Value(4.0)
    with pytest.raises(TypeError, match=r"use the Value's own methods \(v\.exp\(\).*v\.data"):
        fn(x)


def test_the_refusal_names_the_number_and_the_graph_keeps_its_gradient() -> None:
    # The example: with math.exp the graph was lost (x.grad 54.6 instead of 273.0).
    x = Value(2.0)
    with pytest.raises(TypeError, match=r"\(here 4\.0\)"):
        math.exp(x * x)
    y = (x * x).exp() * x  # d/dx x e^(x^2) = e^(x^2) (1 + 2x^2) = 9 e^4 at x = 2
    y.backward()
    assert x.grad == pytest.approx(9 * math.exp(4))
    assert f"{y:.3f}" == f"{2 * math.exp(4):.3f}"  # format specs read .data, no float() needed


# --------------------------------------------------------------------------------------------------
# grad(create_graph=True) returns nodes of its own
# --------------------------------------------------------------------------------------------------


def test_create_graph_never_returns_an_input_itself() -> None:
    x, y = Value(3.0, label="x"), Value(5.0, label="y")
    (gx,) = grad(x * y, x, create_graph=True)  # d(xy)/dx = y
    assert gx is not y
    assert gx.data == 5.0
    gx.label = "dq/dx"
    assert y.label == "y"
    assert grad(gx, y) == (1.0,)  # d²(xy)/dxdy = 1: still a graph leading back to y


def test_create_graph_gives_a_seed_value_and_a_repeated_input_new_nodes() -> None:
    x, seed = Value(1.5), Value(2.0, label="seed")
    q = x + 4.0
    gx, gx_again = grad(q, [x, x], grad_outputs=[seed], create_graph=True)
    assert gx.data == gx_again.data == 2.0
    assert len({id(gx), id(gx_again), id(seed)}) == 3


# --------------------------------------------------------------------------------------------------
# output_activation: micrograd's network and the lecture's
# --------------------------------------------------------------------------------------------------


def test_output_activation_applies_to_the_last_layer_only() -> None:
    model = MLP(2, [3, 1], activation="relu", output_activation="tanh", seed=5)
    x = [0.7, -1.2]
    hidden = [
        max(0.0, sum(w.data * a for w, a in zip(n.w, x)) + n.b.data)
        for n in model.layers[0].neurons
    ]
    out = model.layers[1].neurons[0]
    expected = math.tanh(sum(w.data * h for w, h in zip(out.w, hidden)) + out.b.data)
    assert model(x).data == pytest.approx(expected, rel=1e-15)
    assert repr(model) == (
        "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], Layer of [TanhNeuron(3)]]"
    )
    # the default is micrograd's linear output layer
    assert repr(MLP(2, [3, 1]).layers[1]) == "Layer of [LinearNeuron(3)]"
    assert repr(Layer(2, 2, nonlin=False, output_activation="sigmoid")) == (
        "Layer of [SigmoidNeuron(2), SigmoidNeuron(2)]"
    )
    assert repr(Neuron(2, nonlin=False)) == "LinearNeuron(2)"


def test_an_unknown_output_activation_is_named() -> None:
    with pytest.raises(ValueError, match="unknown output_activation 'tahn'; choose one of"):
        MLP(2, [1], output_activation="tahn")
    with pytest.raises(ValueError, match="unknown output_activation 'tahn'"):
        Neuron(2, output_activation="tahn")  # checked even where a hidden neuron ignores it


class _LectureValue:
    """The lecture's Value, as written in the video: closures, a set of children, tanh from exp."""

    def __init__(self, data: float, _children: tuple[Any, ...] = (), _op: str = "") -> None:
        self.data = data
        self.grad = 0.0
        self._backward: Any = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other: Any) -> _LectureValue:
        other = other if isinstance(other, _LectureValue) else _LectureValue(other)
        out = _LectureValue(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Any) -> _LectureValue:
        other = other if isinstance(other, _LectureValue) else _LectureValue(other)
        out = _LectureValue(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k: float) -> _LectureValue:
        out = _LectureValue(self.data**k, (self,), f"**{k}")

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other: Any) -> _LectureValue:
        return self + other

    def __neg__(self) -> _LectureValue:
        return self * -1

    def __sub__(self, other: Any) -> _LectureValue:
        return self + (-other)

    def tanh(self) -> _LectureValue:
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = _LectureValue(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def backward(self) -> None:
        topo: list[_LectureValue] = []
        visited = set()

        def build_topo(v: _LectureValue) -> None:
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()


class _LectureMLP:
    """The lecture's MLP: tanh in every neuron, the output included; w and b ~ U(-1, 1)."""

    def __init__(self, nin: int, nouts: list[int]) -> None:
        sizes = [nin, *nouts]
        self.layers = [
            [
                ([_LectureValue(random.uniform(-1, 1)) for _ in range(sizes[i])],
                 _LectureValue(random.uniform(-1, 1)))
                for _ in range(sizes[i + 1])
            ]
            for i in range(len(nouts))
        ]  # fmt: skip

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            outs = [sum((wi * xi for wi, xi in zip(w, x)), b).tanh() for w, b in layer]
            x = outs[0] if len(outs) == 1 else outs
        return x

    def parameters(self) -> list[_LectureValue]:
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


def _lecture_loop(model: Any) -> float:
    """The lecture's training loop, 20 steps of gradient descent with step 0.1; the last loss."""
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    for _ in range(20):
        ypred = [model(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data += -0.1 * p.grad
    return float(loss.data)


SEEDS = range(100)  # 200 seeds give 196/200 for the lecture's code and 200/200 for ours


@pytest.mark.slow
def test_the_lectures_loop_trains_our_tanh_mlp_as_reliably_as_the_lectures_own() -> None:
    def rate(make: Any) -> float:
        return sum(_lecture_loop(make(seed)) < 0.1 for seed in SEEDS) / len(SEEDS)

    def lecture(seed: int) -> _LectureMLP:
        random.seed(seed)
        return _LectureMLP(3, [4, 4, 1])

    reference = rate(lecture)
    ours = rate(lambda s: MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=s))
    micrograds = rate(lambda s: MLP(3, [4, 4, 1], seed=s))
    assert reference >= 0.9  # the lecture's result
    # A binomial rate over 100 seeds has a standard deviation of ~2 points near 0.95.
    assert ours >= reference - 0.05, (ours, reference)
    # the ReLU network is the wrong tool here (dead units, the loss sits at 4.0): the test
    # can tell the two networks apart
    assert micrograds <= 0.2, micrograds


# --------------------------------------------------------------------------------------------------
# The model file
# --------------------------------------------------------------------------------------------------


def test_a_tanh_output_model_round_trips_as_version_2(tmp_path: Path) -> None:
    model = MLP(3, [4, 1], activation="tanh", output_activation="tanh", seed=3)
    path = tmp_path / "model.json"
    save_model(model, path)
    saved = json.loads(path.read_text())
    assert (saved["version"], saved["output_activation"]) == (2, "tanh")
    loaded = load_model(path)
    assert loaded.output_activation == "tanh"
    x = [0.3, -2.0, 1.1]
    assert loaded(x).data == model(x).data
    assert loaded([50.0, -50.0, 50.0]).data == model([50.0, -50.0, 50.0]).data


def test_a_linear_output_model_is_still_written_as_version_1() -> None:
    d = model_to_dict(MLP(2, [2, 1], seed=1))
    assert d["version"] == 1
    assert "output_activation" not in d


def test_a_version_1_file_written_by_hand_loads_with_a_linear_output() -> None:
    d = {
        "format": "autograd-mlp",
        "version": 1,
        "nin": 2,
        "nouts": [1],
        "activation": "tanh",
        "layers": [{"weights": [[0.5, -2.0]], "biases": [3.0]}],
    }
    model = model_from_dict(d)
    assert model.output_activation == "linear"
    assert model([1.0, 1.0]).data == 0.5 - 2.0 + 3.0  # no tanh on the output: 1.5


def test_inconsistent_or_unknown_versions_are_refused() -> None:
    base = model_to_dict(MLP(2, [1], output_activation="sigmoid", seed=1))
    with pytest.raises(ValueError, match="'output_activation' needs version 2"):
        model_from_dict({**base, "version": 1})
    with pytest.raises(ValueError, match="unsupported version 3 \\(expected 1 or 2\\)"):
        model_from_dict({**base, "version": 3})
    with pytest.raises(ValueError, match="unknown output_activation 'softplus'"):
        model_from_dict({**base, "output_activation": "softplus"})


def test_the_file_records_what_the_neurons_compute_even_after_a_layer_was_replaced() -> None:
    model = MLP(2, [3, 1], seed=2)
    model.layers[-1] = Layer(3, 1, activation="sigmoid", seed=9)  # by hand, as some code does
    d = model_to_dict(model)
    assert (d["version"], d["activation"], d["output_activation"]) == (2, "relu", "sigmoid")
    x = [0.4, -0.3]
    assert model_from_dict(d)(x).data == model(x).data
    model.layers[0].neurons[1] = Neuron(2, activation="tanh", seed=1)
    with pytest.raises(
        ValueError, match=r"its hidden layers mix the activations \['relu', 'tanh'\]"
    ):
        model_to_dict(model)


# --------------------------------------------------------------------------------------------------
# Displays
# --------------------------------------------------------------------------------------------------


def test_mlp_shows_its_shape_and_parameter_count_in_jupyter() -> None:
    model = MLP(2, [16, 16, 1])
    expected = (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1  # Σ (nin + 1) · nout = 337
    assert model.summary() == (
        f"MLP 2 → 16 → 16 → 1: relu hidden layers, linear output, {expected} parameters"
    )
    assert model._repr_html_() == f"<code>{model.summary()}</code>"
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(2), ")  # micrograd's print(model)


def test_history_sums_itself_up_in_one_line_and_two_curves() -> None:
    history = History(loss=[4.0, 1.0, 3.0, 0.5], accuracy=[0.25, 0.5, 0.75, 1.0], lr=[0.1] * 4)
    assert repr(history) == ("History(4 steps in 0.00 s, final loss 0.5, final accuracy 100%)")
    assert repr(History()) == "History(no steps)"
    page = history._repr_html_()
    assert "final loss <b>0.5</b>" in page and "final accuracy <b>100%</b>" in page
    # loss curve: x from 0 to 200 over the steps, the largest loss at the top (y = 4), the
    # smallest at the bottom (y = 30): 4.0 -> 4, 1.0 -> 4 + 26·3/3.5, 3.0 -> 4 + 26·1/3.5, 0.5 -> 30
    first = page.index('points="') + len('points="')
    points = page[first : page.index('"', first)].split()
    assert points == ["0.0,4.0", "66.7,26.3", "133.3,11.4", "200.0,30.0"]
    assert "loss 4 → 0.5" in page and "accuracy 25% → 100%" in page


def test_history_of_one_step_says_one_step() -> None:
    history = History(loss=[0.25], accuracy=[0.5], lr=[0.1])
    assert repr(history) == "History(1 step in 0.00 s, final loss 0.25, final accuracy 50%)"
    assert "<b>History</b>: 1 step in 0.00 s &middot; " in history._repr_html_()


def _curves(page: str) -> list[ET.Element]:
    """The two SVG curves of a History's page, parsed as XML (each must be well formed)."""
    return [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", page)]


def test_history_page_is_the_numbers_then_a_loss_curve_and_an_accuracy_curve() -> None:
    history = History(loss=[1.0, 3.0], accuracy=[0.5, 0.5], lr=[0.1] * 2)
    page = history._repr_html_()
    head = (
        "<b>History</b>: 2 steps in 0.00 s &middot; final loss <b>3</b> &middot; "
        "final accuracy <b>50%</b><br>"
    )
    match = re.fullmatch(
        r'<div style="font-family: sans-serif; font-size: 13px; line-height: 1\.6">'
        rf"{re.escape(head)}(<svg .*?</svg>) &nbsp; (<svg .*?</svg>)</div>",
        page,
    )
    assert match is not None
    loss, acc = _curves(page)
    expected = [(loss, "loss 1 → 3", "#2563eb"), (acc, "accuracy 50% → 50%", "#16a34a")]
    for svg, label, colour in expected:
        # a 200 × 44 box, named for screen readers by the label it shows
        assert svg.tag == "svg"
        assert svg.attrib == {
            "width": "200",
            "height": "44",
            "viewBox": "0 0 200 44",
            "role": "img",
            "aria-label": label,
            "style": "vertical-align: middle",
        }
        line, text = list(svg)
        assert line.tag == "polyline"
        assert {k: v for k, v in line.attrib.items() if k != "points"} == {
            "fill": "none",
            "stroke": colour,
            "stroke-width": "1.5",
        }
        # the label along the bottom edge, its baseline 2 px above it
        assert (text.tag, text.attrib, text.text) == (
            "text",
            {"x": "0", "y": "42", "font-size": "11", "fill": "#374151"},
            label,
        )
    # x runs from 0 to 200 over the steps; y from 30 (the lowest value) up to 4 (the highest).
    # A flat curve (accuracy 50% throughout) lies along the bottom.
    assert loss[0].attrib["points"] == "0.0,30.0 200.0,4.0"
    assert acc[0].attrib["points"] == "0.0,30.0 200.0,30.0"
    assert History()._repr_html_() == "<code>History(no steps)</code>"


def test_history_curves_show_three_significant_digits_of_the_loss_and_whole_percents() -> None:
    page = History(loss=[0.5, 1.2345e-5], accuracy=[0.254, 0.996])._repr_html_()
    loss, acc = _curves(page)
    assert loss.attrib["aria-label"] == "loss 0.5 → 1.23e-05"
    assert acc.attrib["aria-label"] == "accuracy 25% → 100%"


def test_history_curves_leave_out_nan_and_infinity_and_scale_to_the_finite_values() -> None:
    # the finite values 2.0 (step 0) and 1.0 (step 3) span the height: 2.0 at the top (y = 4),
    # 1.0 at the bottom (y = 30); steps 1 and 2 are left out, the x axis still counts them
    nan, inf = math.nan, math.inf
    page = History(loss=[2.0, nan, inf, 1.0], accuracy=[0.0, 0.0, 0.0, 0.0])._repr_html_()
    loss, _ = _curves(page)
    assert loss[0].attrib["points"] == "0.0,4.0 200.0,30.0"
    assert loss.attrib["aria-label"] == "loss 2 → 1"
    # a run that diverged from the first step draws no line at all, but still says so
    page = History(loss=[nan, nan], accuracy=[0.0, 0.0])._repr_html_()
    loss, _ = _curves(page)
    assert loss[0].attrib["points"] == ""
    assert loss.attrib["aria-label"] == "loss nan → nan"


def test_history_curves_of_a_long_run_keep_at_most_200_points_and_the_last_one() -> None:
    # 450 steps: every ceil(450 / 200) = 3rd step (0, 3, ..., 447) and the last (449), 151 points.
    # The loss falls in a straight line from 449 to 0: at step k it is 449 - k, drawn at
    # x = 200 k / 449 and y = 4 + 26 k / 449.
    steps = [*range(0, 450, 3), 449]
    history = History(loss=[449.0 - k for k in range(450)], accuracy=[1.0] * 450)
    loss, _ = _curves(history._repr_html_())
    points = loss[0].attrib["points"].split()
    assert len(points) == 151
    assert points == [f"{200 * k / 449:.1f},{4 + 26 * k / 449:.1f}" for k in steps]
    assert points[0] == "0.0,4.0" and points[1] == "1.3,4.2" and points[-1] == "200.0,30.0"


def test_fit_draws_no_bar_in_logs_and_tests_but_does_when_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    X, y = [[0.0, 1.0], [1.0, 0.0]], [0, 1]
    fit(MLP(2, [2, 1], seed=0), X, y, steps=3)
    assert capsys.readouterr().err == ""  # stderr is not a terminal here, and no Jupyter kernel
    fit(MLP(2, [2, 1], seed=0), X, y, steps=3, progress=True)
    err = capsys.readouterr().err
    assert "train: 100%" in err and "3/3" in err


# --------------------------------------------------------------------------------------------------
# CLI: a dataset with a fixed number of classes
# --------------------------------------------------------------------------------------------------


def test_cli_refuses_classes_for_a_two_class_dataset(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "autograd", "train", "--dataset", "circles", "--classes", "3"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert r.stdout == ""
    assert "--classes 3: the circles dataset always has 2 classes" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------------------------------
# A notebook on a machine without Graphviz's dot
# --------------------------------------------------------------------------------------------------

NOTEBOOK_CELLS = [
    "from autograd import Value, draw_dot\n"
    "from autograd.nn import MLP\n"
    "from autograd.train import fit\n"
    "x = Value(2.0, label='x')\n"
    "f = (x * x).tanh()",
    "draw_dot(f)",
    "history = fit(MLP(2, [2, 1], seed=0), [[0.0, 1.0], [1.0, 0.0]], [0, 1], steps=3)\nhistory",
]


@pytest.mark.slow
def test_a_notebook_without_dot_shows_the_install_message_and_a_progress_bar(
    tmp_path: Path,
) -> None:
    # every directory of PATH that holds a dot program is left out
    path = os.pathsep.join(
        d for d in os.environ.get("PATH", "").split(os.pathsep) if not (Path(d) / "dot").exists()
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env={**os.environ, "PATH": path})
    assert shutil.which("dot", path=path) is None
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors

    (shown,) = nb.cells[1].outputs
    assert "ExecutableNotFound" not in json.dumps(shown)
    assert "was not found on PATH" in shown.data["text/plain"]
    assert "sudo apt-get install graphviz" in shown.data["text/plain"]
    assert "Graphviz &#x27;dot&#x27; program" in shown.data["text/html"]

    # The bar shows by default in a Jupyter kernel: a widget where ipywidgets is installed
    # (the notebooks extra), else tqdm's text bar on stderr, without tqdm's warning about it.
    outputs = nb.cells[2].outputs
    stderr = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "IProgress not found" not in stderr
    if importlib.util.find_spec("ipywidgets") is None:
        assert "train: 100%" in stderr and "3/3" in stderr
    else:
        (widget,) = [o for o in outputs if o.output_type == "display_data"]
        assert "application/vnd.jupyter.widget-view+json" in widget.data
        assert widget.data["text/plain"].startswith("train:")
    (result,) = [o for o in outputs if o.output_type == "execute_result"]
    assert result.data["text/plain"].startswith("History(3 steps in ")
    assert "<svg" in result.data["text/html"]


def test_mse_keeps_a_value_target_in_the_graph() -> None:
    # It used to take float() of each target, which silently cut the graph there.
    out, target = Value(0.5), Value(2.0)
    loss = mse([out, 1.0], [target, 1.0])  # ((0.5 - 2)² + 0) / 2
    loss.backward()
    assert loss.data == 1.125
    assert out.grad == 2 * (0.5 - 2.0) / 2
    assert target.grad == -2 * (0.5 - 2.0) / 2
