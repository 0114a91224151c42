"""Neuron, Layer, MLP: micrograd compatibility, maths, parameters and errors."""

import math
import random

import pytest

from autograd import Value
from autograd.nn import MLP, Layer, Module, Neuron

# -- micrograd compatibility -----------------------------------------------------------------------


def test_global_random_init_reproduces_micrograds_weights():
    # micrograd draws uniform(-1, 1) per weight, layer by layer, neuron by neuron; biases are 0.
    random.seed(1337)
    expected = []
    for nin, nout in ((2, 16), (16, 16), (16, 1)):
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    assert [p.data for p in model.parameters()] == expected
    assert len(model.parameters()) == 337


def test_seed_uses_a_private_generator():
    random.seed(5)
    before = random.random()
    random.seed(5)
    a = MLP(2, [4, 1], seed=11)
    assert random.random() == before  # the global state was not touched
    b = MLP(2, [4, 1], seed=11)
    c = MLP(2, [4, 1], seed=12)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]


def test_micrograd_style_client_code_trains():
    # The micrograd lecture's tiny regression, written exactly as for micrograd.
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    n = MLP(3, [4, 4, 1], seed=0)
    first = None
    for _ in range(60):
        ypred = [n(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        first = loss.data if first is None else first
        n.zero_grad()
        loss.backward()
        for p in n.parameters():
            p.data += -0.02 * p.grad
    assert loss.data < 0.05 < first


def test_layer_returns_a_value_for_one_neuron_and_a_list_otherwise():
    assert isinstance(Layer(3, 1)([1.0, 2.0, 3.0]), Value)
    out = Layer(3, 2)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(MLP(2, [3, 2])([0.1, 0.2]), list)


def test_repr_is_micrograds():
    assert repr(Neuron(2)) == "ReLUNeuron(2)"
    assert repr(Neuron(2, nonlin=False)) == "LinearNeuron(2)"
    assert repr(Layer(2, 2, nonlin=False)) == "Layer of [LinearNeuron(2), LinearNeuron(2)]"
    assert repr(MLP(2, [1, 1])) == "MLP of [Layer of [ReLUNeuron(2)], Layer of [LinearNeuron(1)]]"
    assert repr(Neuron(2, activation="tanh")) == "TanhNeuron(2)"


# -- the maths of a neuron ------------------------------------------------------------------------


def set_weights(neuron, w, b):
    for p, v in zip(neuron.w, w):
        p.data = v
    neuron.b.data = b


@pytest.mark.parametrize(
    ("activation", "f"),
    [
        ("relu", lambda z: max(0.0, z)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("linear", lambda z: z),
        ("leaky_relu", lambda z: z if z > 0 else 0.01 * z),
    ],
)
def test_neuron_computes_activation_of_weighted_sum(activation, f):
    n = Neuron(3, activation=activation)
    for w, x_sign in ((0.5, 1), (-0.5, -1)):
        set_weights(n, [w, -0.25, 1.0], 0.1)
        x = [x_sign * 1.0, 2.0, -0.5]
        z = w * x[0] - 0.25 * 2.0 + 1.0 * -0.5 + 0.1
        assert n(x).data == pytest.approx(f(z))


def test_a_neuron_is_one_linear_node_then_its_activation():
    n = Neuron(3)
    x = [Value(1.0), Value(2.0), Value(3.0)]
    out = n(x)
    assert out._op == "relu"
    (pre,) = out._prev
    assert pre._op == "linear"
    assert pre._prev == (*x, *n.w, n.b)


def test_mlp_gradients_match_central_differences():
    model = MLP(2, [3, 2], activation="tanh", seed=4)
    x = [0.3, -0.8]

    def loss():
        a, b = model(x)
        return a * a + 3.0 * b

    model.zero_grad()
    loss().backward()
    eps = 1e-6
    for p in model.parameters():
        analytic = p.grad
        p.data += eps
        up = loss().data
        p.data -= 2 * eps
        down = loss().data
        p.data += eps
        assert analytic == pytest.approx((up - down) / (2 * eps), abs=1e-6)


def test_inputs_may_be_values_and_gradients_reach_them():
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    x = [Value(0.5), Value(-0.2)]
    model(x).backward()
    assert any(v.grad != 0 for v in x)


# -- initialisation --------------------------------------------------------------------------------


def test_xavier_init_bounds():
    layer = Layer(30, 20, init="xavier", rng=random.Random(0))
    a = math.sqrt(6 / (30 + 20))
    ws = [w.data for n in layer.neurons for w in n.w]
    assert max(abs(w) for w in ws) <= a
    assert max(abs(w) for w in ws) > 0.9 * a  # the range is used, not a smaller one


def test_kaiming_init_standard_deviation():
    layer = Layer(200, 50, init="kaiming", rng=random.Random(0))
    ws = [w.data for n in layer.neurons for w in n.w]
    mean = sum(ws) / len(ws)
    std = math.sqrt(sum((w - mean) ** 2 for w in ws) / len(ws))
    assert std == pytest.approx(math.sqrt(2 / 200), rel=0.05)  # 10^4 samples: ~1% error
    assert all(n.b.data == 0.0 for n in layer.neurons)


# -- parameters, state ----------------------------------------------------------------------------


def test_named_parameters_follow_parameters_order():
    model = MLP(2, [3, 1])
    names = [name for name, _ in model.named_parameters()]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert len(set(names)) == len(names) == 13
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert isinstance(model, Module)


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip_and_validation():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert b([0.4, -0.1]).data == a([0.4, -0.1]).data
    state = a.state_dict()
    del state["layers.1.neurons.0.b"]
    with pytest.raises(ValueError, match=r"missing keys \['layers.1.neurons.0.b'\]"):
        b.load_state_dict(state)
    state = a.state_dict() | {"extra": 1.0}
    with pytest.raises(ValueError, match="unexpected keys"):
        b.load_state_dict(state)
    with pytest.raises(TypeError, match="must be a number"):
        b.load_state_dict(a.state_dict() | {"layers.0.neurons.0.b": "1"})


# -- bad input -------------------------------------------------------------------------------------


def test_wrong_input_length_and_type():
    model = MLP(2, [3, 1])
    with pytest.raises(ValueError, match="MLP: expected 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="expected a sequence of 2 numbers"):
        model(1.0)
    with pytest.raises(TypeError, match="str"):
        model(["a", 1.0])
    with pytest.raises(ValueError, match="Neuron: expected 3 inputs, got 2"):
        Neuron(3)((1.0, 2.0))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        MLP(2, [3, 1], activation="gelu")
    with pytest.raises(ValueError, match="unknown init 'zeros'"):
        Neuron(2, init="zeros")
    with pytest.raises(ValueError, match="non-empty list of layer sizes"):
        MLP(2, [])
    with pytest.raises(ValueError, match=r"MLP\(nouts\): expected a positive int, got 0"):
        MLP(2, [3, 0])


def test_neuron_and_layer_take_a_seed_like_mlp() -> None:
    # The same seed gives the same weights as a private random.Random(seed) would draw ...
    rng = random.Random(7)
    expected = [rng.uniform(-1, 1) for _ in range(3)]
    assert [w.data for w in Neuron(3, seed=7).w] == expected
    # ... and a seeded layer draws all its neurons from ONE generator, so they differ.
    layer = Layer(2, 3, seed=7)
    rng = random.Random(7)
    assert [[w.data for w in n.w] for n in layer.neurons] == [
        [rng.uniform(-1, 1) for _ in range(2)] for _ in range(3)
    ]
    with pytest.raises(ValueError, match="seed= or rng="):
        Neuron(2, seed=1, rng=random.Random(1))
