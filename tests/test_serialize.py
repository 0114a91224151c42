"""JSON model files: save, load, round trips, and clear errors for every kind of corrupt file."""

import json
import math
import random
import re

import pytest

from autograd.nn import ACTIVATIONS, INITS, MLP, Layer, Neuron
from autograd.serialize import load_model, model_from_dict, model_to_dict, save_model


def test_json_round_trip_gives_identical_predictions(tmp_path):
    model = MLP(2, [5, 4, 3], activation="tanh", seed=3)
    path = tmp_path / "model.json"
    save_model(model, path)
    loaded = load_model(path)
    assert repr(loaded) == repr(model)
    for x in ([0.1, 0.2], [-1.5, 3.0], [1e3, -1e-3]):
        assert [v.data for v in loaded(x)] == [v.data for v in model(x)]
    assert json.loads(path.read_text())["nouts"] == [5, 4, 3]


@pytest.mark.parametrize("init", ["uniform", "kaiming"])
def test_the_init_scheme_is_saved_and_read_back(tmp_path, init):
    path = tmp_path / "model.json"
    save_model(MLP(2, [3, 1], init=init, seed=0), path)
    assert json.loads(path.read_text())["init"] == init
    assert load_model(path).init == init


def test_a_file_without_init_was_made_with_the_default_uniform_init(tmp_path):
    d = model_to_dict(MLP(2, [3, 1], init="xavier", seed=0))
    del d["init"]
    assert model_from_dict(d).init == "uniform"


def test_the_file_is_indented_json_a_person_can_read(tmp_path):
    path = tmp_path / "model.json"
    save_model(MLP(2, [2, 1], seed=0), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert '"format": "autograd-mlp",' in [line.strip() for line in lines]  # one key a line


def test_only_an_mlp_can_be_saved():
    with pytest.raises(TypeError, match="model_to_dict: expected an MLP, got str"):
        model_to_dict("not a model")  # type: ignore[arg-type]


def corrupt(tmp_path, change):
    d = model_to_dict(MLP(2, [3, 1], seed=0))
    change(d)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(d))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="pickle"), "'format' must be 'autograd-mlp', got 'pickle'"),
        (lambda d: d.update(nouts=[3, 2]), r"layers\[1\].weights must have 2 rows.*got 1"),
        (lambda d: d["layers"][0]["weights"].pop(), r"layers\[0\].weights must have 3 rows.*got 2"),
        (
            lambda d: d["layers"][0].update(weights={}),
            r"layers\[0\].weights must have 3 .*got dict",
        ),
        (
            lambda d: d["layers"][0].update(biases="abc"),
            r"biases must be a list of 3 numbers, got str",
        ),
        (lambda d: d["layers"][0]["weights"][1].pop(), r"weights\[1\] must have 2 numbers, got 1"),
        (lambda d: d["layers"][0]["biases"].__setitem__(0, "0.5"), "must be a number, got str"),
        (lambda d: d["layers"][0]["biases"].__setitem__(0, True), "must be a number, got bool"),
        (
            lambda d: d["layers"][1]["biases"].__setitem__(0, float("nan")),
            r"biases\[0\] must be fin",
        ),
        (lambda d: d.update(activation="gelu"), "model file: unknown activation 'gelu'"),
        (lambda d: d.pop("layers"), "missing key 'layers'"),
        (lambda d: d.update(nin=0), "'nin' must be a positive integer"),
        (lambda d: d.update(nin=True), "'nin' must be a positive integer, got True"),
        (lambda d: d.update(nouts=[]), r"'nouts' must be a non-empty list, got \[\]"),
        (lambda d: d.update(nouts="3"), "'nouts' must be a non-empty list, got '3'"),
        (lambda d: d.update(nouts=[3, 0]), r"'nouts'\[1\] must be a positive integer, got 0"),
        (lambda d: d.update(version=3), r"unsupported version 3 \(expected 1 or 2\)"),
        (lambda d: d.pop("version"), r"unsupported version None \(expected 1 or 2\)"),
        (lambda d: d.update(init="zeros"), "model file: unknown init 'zeros'"),
        (lambda d: d["layers"].pop(), "'layers' must be a list of 2 layers, got 1"),
        (lambda d: d.update(layers={}), "'layers' must be a list of 2 layers, got dict"),
        (lambda d: d["layers"].__setitem__(0, [[0.1, 0.2]]), r"layers\[0\] must be an object"),
        (lambda d: d["layers"][1].pop("biases"), r"layers\[1\] must be an object with 'weights'"),
        (lambda d: d["layers"].__setitem__(1, "weights, biases"), r"layers\[1\] must be an object"),
    ],
)
def test_corrupt_model_files_raise_a_clear_value_error(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        load_model(corrupt(tmp_path, change))


def test_non_json_files_raise_value_error(tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(b"\x80\x04\x95 not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_model(path)
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="expected a JSON object, got list"):
        load_model(path)


def test_the_output_activation_is_saved_as_version_2_and_read_back(tmp_path):
    path = tmp_path / "model.json"
    save_model(MLP(2, [3, 1], activation="tanh", output_activation="tanh", seed=0), path)
    d = json.loads(path.read_text())
    assert (d["version"], d["output_activation"]) == (2, "tanh")
    model = load_model(path)
    # the output neuron squashes its sum: tanh(b + w . h) for the hidden layer's output h
    h = [v.data for v in model.layers[0]([0.3, -2.0])]
    out = model.layers[1].neurons[0]
    expected = math.tanh(out.b.data + sum(w.data * x for w, x in zip(out.w, h)))
    assert model([0.3, -2.0]).data == pytest.approx(expected, rel=1e-15)
    del d["output_activation"]  # version 2 without the key: a linear output, as in version 1
    linear = model_from_dict(d)
    expected = out.b.data + sum(w.data * x for w, x in zip(out.w, h))
    assert linear([0.3, -2.0]).data == pytest.approx(expected, rel=1e-15)


def test_messages_quote_a_long_or_huge_value_in_short():
    d = model_to_dict(MLP(2, [3, 1], seed=0))
    with pytest.raises(ValueError, match=r"'nin' must be a positive integer, got 'x{36}\.\.\.$"):
        model_from_dict({**d, "nin": "x" * 100})
    with pytest.raises(ValueError, match=r"got 'x{38}'$"):  # 40 characters with the quotes: whole
        model_from_dict({**d, "nin": "x" * 38})
    with pytest.raises(ValueError, match=r"got an integer of over 4300 digits$"):
        model_from_dict({**d, "nin": -(10**5000)})
    with pytest.raises(ValueError, match=r"got 'x{36}\.\.\.$"):  # 41 characters: cut to 40
        model_from_dict({**d, "nin": "x" * 39})
    d["layers"][0]["biases"][0] = 10**5000
    with pytest.raises(
        ValueError,
        match=r"biases\[0\] must be a number in float range, got an integer of over 4300 digits$",
    ):
        model_from_dict(d)


def test_unknown_activation_lists_the_known_ones():
    d = model_to_dict(MLP(2, [3, 1], seed=0))
    with pytest.raises(ValueError, match="'relu', 'tanh', 'sigmoid', 'leaky_relu', 'linear'"):
        model_from_dict({**d, "activation": "gelu"})


def test_a_model_too_large_is_refused_before_it_is_built():
    from autograd.serialize import MAX_NEURONS, MAX_PARAMETERS, check_model_size

    big = MAX_NEURONS // 8 + 1
    with pytest.raises(
        ValueError, match=rf"^model file: MLP\(2, \[{big}, {big}, .*\]\) has .* the limit"
    ):
        check_model_size(2, [big] * 8, "model file")
    with pytest.raises(ValueError, match=rf"^here: MLP\(2, \[{big}, \.\.\. 9 layers\]\) has"):
        check_model_size(2, [big] * 9, "here")
    # a long list is shown by its first layer's size and the number of layers
    with pytest.raises(ValueError, match=r"^here: MLP\(2, \[7, \.\.\. 10 layers\]\) has"):
        check_model_size(2, [7] + [big] * 9, "here")
    with pytest.raises(ValueError, match=r"this pure-Python engine is for small models\)$"):
        check_model_size(1, [MAX_PARAMETERS], "here")
    check_model_size(2, [100, 100, 1], "here")  # small: no error
    d = model_to_dict(MLP(2, [3, 1], seed=0))
    with pytest.raises(ValueError, match=r"^model file: MLP\(2, \[10001\]\)"):
        model_from_dict({**d, "nouts": [MAX_NEURONS + 1]})


def test_a_diverged_model_is_not_saved(tmp_path):
    model = MLP(2, [1], seed=0)
    model.layers[0].neurons[0].b.data = float("nan")
    with pytest.raises(ValueError, match=r"did training diverge\? try a smaller learning rate\)$"):
        save_model(model, tmp_path / "m.json")


def test_a_model_with_a_linear_output_is_written_as_version_1_without_the_new_key(tmp_path):
    """Only a model that needs the ``output_activation`` key is written as version 2: every other
    file stays readable by a reader that knows only version 1."""
    for model in (MLP(2, [3, 1], seed=0), MLP(2, [3, 2], activation="tanh", seed=0)):
        path = tmp_path / "model.json"
        save_model(model, path)
        d = json.loads(path.read_text())
        assert d["version"] == 1
        assert "output_activation" not in d
        assert load_model(path).output_activation == "linear"


def test_a_version_1_file_with_an_output_activation_is_refused():
    """Version 1 has no output activation: a file claiming version 1 and holding one is
    inconsistent, and loading it as either a linear or a tanh output would be a guess."""
    d = model_to_dict(MLP(2, [3, 1], output_activation="tanh", seed=0))
    d["version"] = 1
    with pytest.raises(
        ValueError, match=r"^model file: 'output_activation' needs version 2, the file says 1$"
    ):
        model_from_dict(d)


def known(names):
    """The message's list of allowed names: each quoted, separated by commas."""
    return re.escape(", ".join(f"'{name}'" for name in names))


@pytest.mark.parametrize(("value", "shown"), [("gelu", "'gelu'"), ([], r"\[\]"), (3, "3")])
def test_an_unknown_output_activation_is_refused_listing_the_known_ones(value, shown):
    d = model_to_dict(MLP(2, [3, 1], output_activation="tanh", seed=0))
    with pytest.raises(
        ValueError,
        match=rf"^model file: unknown output_activation {shown}; expected one of "
        rf"{known(ACTIVATIONS)}$",
    ):
        model_from_dict({**d, "output_activation": value})


def test_an_unknown_init_is_refused_listing_the_known_ones():
    d = model_to_dict(MLP(2, [3, 1], seed=0))
    with pytest.raises(
        ValueError, match=rf"^model file: unknown init 'zeros'; expected one of {known(INITS)}$"
    ):
        model_from_dict({**d, "init": "zeros"})


def test_a_weight_that_is_not_a_number_is_quoted_in_the_message():
    d = model_to_dict(MLP(2, [3, 1], seed=0))
    d["layers"][1]["weights"][0][2] = "0.5"
    with pytest.raises(
        ValueError,
        match=r"^model file: layers\[1\]\.weights\[0\]\[2\] must be a number, "
        r"got str: '0\.5'$",
    ):
        model_from_dict(d)


def test_a_hidden_layer_replaced_by_hand_is_saved_with_the_activation_it_computes(tmp_path):
    """The file's ``activation`` is read off the neurons, not off the model's constructor
    argument: a relu model whose hidden layer was swapped for a tanh layer is saved as tanh, and
    the loaded model computes what the saved one did."""
    model = MLP(2, [3, 1], seed=0)  # relu hidden layer
    model.layers[0] = Layer(2, 3, activation="tanh", seed=1)
    path = tmp_path / "model.json"
    save_model(model, path)
    assert json.loads(path.read_text())["activation"] == "tanh"
    loaded = load_model(path)
    for x in ([0.3, -2.0], [-1.0, -1.0], [2.0, 0.5]):
        # tanh of the hidden sums, then the linear output neuron, by hand
        h = [
            math.tanh(n.b.data + sum(w.data * xi for w, xi in zip(n.w, x)))
            for n in model.layers[0].neurons
        ]
        out = model.layers[1].neurons[0]
        expected = out.b.data + sum(w.data * hi for w, hi in zip(out.w, h))
        assert loaded(x).data == pytest.approx(expected, rel=1e-12)


def test_a_model_whose_hidden_layers_mix_activations_is_refused_naming_them():
    """The file holds one activation for all hidden layers: a model whose second hidden layer was
    replaced by a tanh layer (the first is relu) cannot be written without changing what it
    computes, so it is refused, and the message says where the mix is and what it mixes."""
    model = MLP(2, [3, 3, 1], seed=0)
    model.layers[1] = Layer(3, 3, activation="tanh", seed=1)
    with pytest.raises(
        ValueError,
        match=r"^model_to_dict: its hidden layers mix the activations \['relu', 'tanh'\]; the "
        r"file holds one activation for the hidden layers and one for the output layer$",
    ):
        model_to_dict(model)


def test_a_model_whose_output_layer_mixes_activations_is_refused_naming_them(tmp_path):
    model = MLP(2, [3, 2], seed=0)  # a linear output layer of two neurons
    model.layers[1].neurons[1] = Neuron(3, nonlin=False, output_activation="tanh", seed=1)
    with pytest.raises(
        ValueError,
        match=r"^model_to_dict: its output layer mix the activations \['linear', 'tanh'\]; the "
        r"file holds one activation for the hidden layers and one for the output layer$",
    ):
        save_model(model, tmp_path / "model.json")
    assert not (tmp_path / "model.json").exists()


def test_loading_a_model_leaves_the_global_random_state_untouched(tmp_path):
    """Every weight comes from the file, so loading draws no random numbers from the global
    ``random`` module: a seeded experiment gives the same numbers with or without a load."""
    path = tmp_path / "model.json"
    save_model(MLP(2, [4, 1], init="kaiming", seed=0), path)
    random.seed(7)
    expected = [random.random() for _ in range(3)]
    random.seed(7)
    load_model(path)
    assert [random.random() for _ in range(3)] == expected


def test_a_loaded_model_says_it_was_not_made_from_a_seed(tmp_path):
    """``MLP.seed`` is the seed its initial weights were drawn from; a loaded model's weights come
    from the file, whatever seed it was first made with."""
    path = tmp_path / "model.json"
    save_model(MLP(2, [3, 1], seed=5), path)
    assert load_model(path).seed is None
