"""The model as numpy and PyTorch: the same outputs as the scalar forward pass, the same gradients
as ``backward()``, the way back from PyTorch, and the five-line numpy loader of the README."""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from autograd import losses
from autograd.export import from_torch, to_numpy, to_torch
from autograd.nn import ACTIVATIONS, MLP, Layer
from autograd.serialize import save_model

README = Path(__file__).resolve().parent.parent / "README.md"
RNG = np.random.default_rng(0)
X5 = RNG.normal(size=(7, 5))


def scalar_forward(model, X):
    """Row by row through the engine: the truth the exports must reproduce."""
    rows = []
    for x in X.tolist():
        out = model(x)
        rows.append([out.data] if model.nout == 1 else [o.data for o in out])
    scores = np.array(rows)
    return scores[:, 0] if model.nout == 1 else scores


def with_output_activation(model, activation, seed=3):
    """The model with its last layer replaced by one whose neurons apply ``activation``."""
    last = model.layers[-1]
    model.layers[-1] = Layer(last.nin, last.nout, activation=activation, seed=seed)
    return model


# Every activation the MLP offers (a new one fails here until the exports know it), with one
# and with several outputs.
MODELS = [
    *[(f"{a}-1out", lambda a=a: MLP(5, [6, 4, 1], activation=a, seed=1)) for a in ACTIVATIONS],
    *[(f"{a}-3out", lambda a=a: MLP(5, [6, 3], activation=a, seed=2)) for a in ACTIVATIONS],
    ("tanh-output", lambda: with_output_activation(MLP(5, [6, 2], seed=4), "tanh")),
    ("sigmoid-output", lambda: with_output_activation(MLP(5, [6, 1], seed=5), "sigmoid")),
    ("leaky-output", lambda: with_output_activation(MLP(5, [6, 3], seed=6), "leaky_relu")),
]
IDS = [name for name, _ in MODELS]
MAKERS = [make for _, make in MODELS]


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_numpy_function_equals_the_scalar_forward(make):
    model = make()
    X = X5 * 3  # wide enough that every activation is used on both sides of 0
    got = to_numpy(model)(X)
    want = scalar_forward(model, X)
    assert got.shape == ((len(X),) if model.nout == 1 else (len(X), model.nout))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_numpy_function_by_hand():
    # one relu hidden neuron, one linear output: f(x) = 3·relu(x1 - 2·x2 + 0.5) - 1
    model = MLP(2, [1, 1], seed=0)
    hidden, out = model.layers[0].neurons[0], model.layers[1].neurons[0]
    hidden.w[0].data, hidden.w[1].data, hidden.b.data = 1.0, -2.0, 0.5
    out.w[0].data, out.b.data = 3.0, -1.0
    f = to_numpy(model)
    assert f(np.array([[1.0, 0.0], [0.0, 1.0]])).tolist() == [3 * 1.5 - 1, -1.0]


def test_numpy_function_keeps_the_weights_it_was_made_with():
    model = MLP(2, [3, 1], seed=0)
    X = RNG.normal(size=(4, 2))
    f = to_numpy(model)
    before = f(X)
    for p in model.parameters():
        p.data += 1.0
    np.testing.assert_array_equal(f(X), before)
    assert not np.allclose(to_numpy(model)(X), before)


def test_numpy_function_refuses_bad_input():
    f = to_numpy(MLP(2, [3, 1], seed=0))
    with pytest.raises(
        ValueError, match=r"to_numpy: expected X of shape \(n, 2\), got shape \(3,\)"
    ):
        f(np.zeros(3))
    with pytest.raises(ValueError, match=r"shape \(n, 2\), got shape \(4, 3\)"):
        f(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="to_numpy: expected an autograd MLP, got Layer"):
        to_numpy(Layer(2, 3))  # type: ignore[arg-type]


def test_a_layer_mixing_activations_is_refused():
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[1] = type(model.layers[0].neurons[1])(2, activation="tanh")
    with pytest.raises(ValueError, match=r"layer 1 mixes activations \['relu', 'tanh'\]"):
        to_numpy(model)


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_torch_module_has_the_same_weights_and_outputs(make):
    model = make()
    module = to_torch(model)
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    assert len(linears) == len(model.layers)
    for linear, layer in zip(linears, model.layers):
        assert linear.weight.dtype == torch.float64
        assert linear.weight.tolist() == [[w.data for w in n.w] for n in layer.neurons]
        assert linear.bias.tolist() == [n.b.data for n in layer.neurons]
    X = X5 * 3
    with torch.no_grad():
        got = module(torch.from_numpy(X)).numpy()
    want = scalar_forward(model, X)
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=0, atol=1e-12)


def test_torch_module_layout():
    module = to_torch(MLP(2, [4, 4, 1], activation="leaky_relu", seed=0))
    assert [type(m).__name__ for m in module] == ["Linear", "LeakyReLU"] * 2 + ["Linear"]
    assert module[1].negative_slope == 0.01  # Value.leaky_relu's default slope
    module = to_torch(with_output_activation(MLP(2, [4, 2], seed=0), "tanh"))
    assert [type(m).__name__ for m in module] == ["Linear", "ReLU", "Linear", "Tanh"]


def engine_and_torch_gradients(model, X, y, alpha):
    """The same loss, built by the engine and by PyTorch on the exported module: hinge + L2 for one
    output, softmax cross-entropy + L2 for several. Returns {name: (engine grad, torch grad)}."""
    module = to_torch(model)
    outputs = [model(x) for x in X.tolist()]
    if model.nout == 1:
        loss = losses.hinge(outputs, [2 * c - 1 for c in y.tolist()])
    else:
        loss = losses.cross_entropy(outputs, y.tolist())
    loss = loss + losses.l2(model.parameters(), alpha)
    model.zero_grad()
    loss.backward()

    scores = module(torch.from_numpy(X))
    if model.nout == 1:
        signs = torch.from_numpy(2.0 * y - 1)
        data_loss = torch.relu(1 - signs * scores[:, 0]).mean()
    else:
        data_loss = torch.nn.functional.cross_entropy(scores, torch.from_numpy(y))
    penalty = sum((p**2).sum() for p in module.parameters())
    (data_loss + alpha * penalty).backward()
    assert abs((data_loss + alpha * penalty).item() - loss.data) < 1e-12

    pairs = {}
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    for k, (linear, layer) in enumerate(zip(linears, model.layers)):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                pairs[f"L{k + 1}.N{j + 1}.w{i + 1}"] = (w.grad, linear.weight.grad[j, i].item())
            pairs[f"L{k + 1}.N{j + 1}.b"] = (neuron.b.grad, linear.bias.grad[j].item())
    return pairs


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_every_gradient_equals_backward(make):
    model = make()
    X = X5 * 2
    y = RNG.integers(0, max(model.nout, 2), size=len(X))
    pairs = engine_and_torch_gradients(model, X, y, alpha=1e-3)
    assert len(pairs) == model.num_parameters()
    assert any(abs(ours) > 1e-3 for ours, _ in pairs.values())  # the loss does reach the weights
    for name, (ours, theirs) in pairs.items():
        assert ours == pytest.approx(theirs, rel=0, abs=1e-12), name


def test_from_torch_gives_back_the_same_model():
    for _, make in MODELS[:-3]:
        model = make()
        back = from_torch(to_torch(model))
        assert back.nin == model.nin and back.nouts == model.nouts
        assert back.activation == model.activation
        assert back.state_dict() == model.state_dict()


def test_from_a_module_built_in_torch():
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(2, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 3),
        torch.nn.Identity(),
    )  # float32, as torch makes them by default
    model = from_torch(module)
    assert (model.nin, model.nouts, model.activation) == (2, [8, 8, 3], "tanh")
    X = RNG.normal(size=(6, 2))
    with torch.no_grad():
        want = module.double()(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(scalar_forward(model, X), want, rtol=0, atol=1e-12)


def test_from_torch_without_bias_uses_zero_biases():
    module = torch.nn.Sequential(torch.nn.Linear(2, 1, bias=False, dtype=torch.float64))
    model = from_torch(module)
    assert model.layers[0].neurons[0].b.data == 0.0
    assert [w.data for w in model.layers[0].neurons[0].w] == module[0].weight[0].tolist()


@pytest.mark.parametrize(
    "modules, message",
    [
        (lambda nn: [nn.Linear(2, 3), nn.Dropout(0.1), nn.Linear(3, 1)], "module 1 is Dropout"),
        (lambda nn: [nn.Linear(2, 3), nn.Linear(4, 1)], "module 1 takes 4 inputs, the layer"),
        (lambda nn: [nn.ReLU(), nn.Linear(2, 1)], r"module 0 \(ReLU\) must follow a Linear"),
        (
            lambda nn: [nn.Linear(2, 3), nn.ReLU(), nn.Tanh(), nn.Linear(3, 1)],
            r"module 2 \(Tanh\) must follow a Linear",
        ),
        (
            lambda nn: [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)],
            "the hidden layers use different activations",
        ),
        (
            lambda nn: [nn.Linear(2, 3), nn.LeakyReLU(0.2), nn.Linear(3, 1)],
            r"LeakyReLU\(0.2\) differs from the engine's slope 0.01",
        ),
        (lambda nn: [], "holds no Linear layer"),
    ],
)
def test_from_torch_refuses_what_an_mlp_cannot_hold(modules, message):
    with pytest.raises(ValueError, match=message):
        from_torch(torch.nn.Sequential(*modules(torch.nn)))


def test_from_torch_output_activation_needs_mlp_support():
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    module.append(torch.nn.Sigmoid())
    import inspect

    if "output_activation" in inspect.signature(MLP).parameters:
        model = from_torch(module)
        assert model.layers[-1].neurons[0].activation == "sigmoid"
    else:
        with pytest.raises(ValueError, match="followed by Sigmoid; an MLP's last layer is linear"):
            from_torch(module)


def test_from_torch_wants_a_sequential():
    with pytest.raises(
        TypeError, match=r"from_torch: expected a torch\.nn\.Sequential, got Linear"
    ):
        from_torch(torch.nn.Linear(2, 1))


def test_without_torch_the_message_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes "import torch" fail
    with pytest.raises(ImportError, match=r'pip install "scalar-autograd\[torch\]"'):
        to_torch(MLP(2, [1], seed=0))
    with pytest.raises(ImportError, match=r'pip install "scalar-autograd\[torch\]"'):
        from_torch(object())


# The README's loader, line for line (the test checks the README still shows these lines).
README_LOADER = """\
import json, numpy as np
layers = [(np.array(L["weights"]).T, np.array(L["biases"])) for L in json.load(open("model.json"))["layers"]]
def forward(X):                                              # X: (n, nin) -> scores (n, nout)
    for W, b in layers[:-1]: X = np.maximum(X @ W + b, 0)    # hidden layers: ReLU
    return X @ layers[-1][0] + layers[-1][1]                 # output layer: linear
"""  # noqa: E501


def test_readme_loads_a_saved_model_with_plain_numpy(tmp_path, monkeypatch):
    assert README_LOADER in README.read_text(encoding="utf-8")
    model = MLP(2, [16, 16, 1], seed=1337)
    monkeypatch.chdir(tmp_path)
    save_model(model, "model.json")
    assert '"activation": "relu"' in Path("model.json").read_text()

    # fmt: off
    import json, numpy as np  # noqa: E401, I001
    layers = [(np.array(L["weights"]).T, np.array(L["biases"])) for L in json.load(open("model.json"))["layers"]]  # noqa: E501, SIM115
    def forward(X):                                              # X: (n, nin) -> scores (n, nout)
        for W, b in layers[:-1]: X = np.maximum(X @ W + b, 0)    # hidden layers: ReLU  # noqa: E701
        return X @ layers[-1][0] + layers[-1][1]                 # output layer: linear
    # fmt: on

    X = RNG.normal(size=(10, 2))
    np.testing.assert_allclose(forward(X)[:, 0], scalar_forward(model, X), rtol=0, atol=1e-12)
