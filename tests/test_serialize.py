"""JSON model files: save, load, round trips, and clear errors for every kind of corrupt file."""

import json

import pytest

from autograd.nn import MLP
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
