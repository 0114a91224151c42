"""Save and load a trained ``MLP`` as JSON: the architecture and every weight, human-readable.

The file looks like::

    {"format": "autograd-mlp", "version": 1,
     "nin": 2, "nouts": [16, 16, 1], "activation": "relu", "init": "uniform",
     "layers": [{"weights": [[w, w], ...16 rows], "biases": [b, ...16]}, ...]}

``weights[j]`` is neuron j's weight list. A model whose output layer has an activation of its own
(``MLP(..., output_activation="tanh")``) is written as version 2, with one more key,
``"output_activation": "tanh"``: a reader that knows only version 1 then refuses the file instead
of loading a model that computes something else. Every other model is still written as version 1,
and both versions load. Loading reads JSON only (never pickle, never eval) and
checks everything before building the model: the format tag, the sizes, that every weight is a
finite number and that every layer has the shape its sizes promise. Anything wrong raises one
``ValueError`` saying what and where.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from .nn import ACTIVATIONS, INITS, MLP

__all__ = ["FORMAT", "load_model", "model_from_dict", "model_to_dict", "save_model"]

FORMAT = "autograd-mlp"
VERSION = 2  # the newest version this module reads and writes (see the module's docstring)
VERSIONS = (1, 2)


def model_to_dict(model: MLP) -> dict[str, Any]:
    """The JSON-ready description of ``model`` (plain dicts, lists, floats)."""
    if not isinstance(model, MLP):
        raise TypeError(f"model_to_dict: expected an MLP, got {type(model).__name__}")
    hidden, last = _activations(model)
    output = {} if last == "linear" else {"output_activation": last}
    return {
        "format": FORMAT,
        "version": VERSION if output else 1,
        "nin": model.nin,
        "nouts": list(model.nouts),
        "activation": hidden,
        **output,
        "init": model.init,
        "layers": [
            {
                "weights": [[w.data for w in n.w] for n in layer.neurons],
                "biases": [n.b.data for n in layer.neurons],
            }
            for layer in model.layers
        ],
    }


def _activations(model: MLP) -> tuple[str, str]:
    """The activation of the hidden layers and of the output layer, read off the neurons, so that
    the file describes what the model computes even if someone replaced a layer by hand."""
    hidden = {n.activation for layer in model.layers[:-1] for n in layer.neurons}
    output = {n.activation for n in model.layers[-1].neurons}
    if len(hidden) > 1 or len(output) > 1:
        mixed = sorted(hidden) if len(hidden) > 1 else sorted(output)
        where = "its hidden layers" if len(hidden) > 1 else "its output layer"
        raise ValueError(
            f"model_to_dict: {where} mix the activations {mixed}; the file holds one activation "
            "for the hidden layers and one for the output layer"
        )
    return (hidden.pop() if hidden else model.activation), output.pop()


def save_model(model: MLP, path: str | os.PathLike[str]) -> None:
    """Write ``model`` to ``path`` as JSON (floats are written exactly: they round-trip)."""
    text = json.dumps(model_to_dict(model), indent=1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def _size(x: object, where: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
        raise ValueError(f"{where} must be a positive integer, got {x!r}")
    return x


def _numbers(row: object, length: int, where: str) -> list[float]:
    if not isinstance(row, list):
        raise ValueError(f"{where} must be a list of {length} numbers, got {type(row).__name__}")
    if len(row) != length:
        raise ValueError(f"{where} must have {length} numbers, got {len(row)}")
    out = []
    for i, x in enumerate(row):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise ValueError(f"{where}[{i}] must be a number, got {type(x).__name__}: {x!r}")
        if not math.isfinite(x):
            raise ValueError(f"{where}[{i}] must be finite, got {x!r}")
        out.append(float(x))
    return out


def model_from_dict(d: object) -> MLP:
    """Rebuild the MLP described by ``d`` (as made by ``model_to_dict``), validating it first."""
    if not isinstance(d, dict):
        raise ValueError(f"model file: expected a JSON object, got {type(d).__name__}")
    if d.get("format") != FORMAT:
        raise ValueError(f"model file: 'format' must be {FORMAT!r}, got {d.get('format')!r}")
    version = d.get("version")
    if isinstance(version, bool) or version not in VERSIONS:
        expected = " or ".join(str(v) for v in VERSIONS)
        raise ValueError(f"model file: unsupported version {version!r} (expected {expected})")
    for key in ("nin", "nouts", "activation", "layers"):
        if key not in d:
            raise ValueError(f"model file: missing key {key!r}")
    nin = _size(d["nin"], "model file: 'nin'")
    nouts = d["nouts"]
    if not isinstance(nouts, list) or not nouts:
        raise ValueError(f"model file: 'nouts' must be a non-empty list, got {nouts!r}")
    nouts = [_size(n, f"model file: 'nouts'[{i}]") for i, n in enumerate(nouts)]
    activation = d["activation"]
    if activation not in ACTIVATIONS:
        raise ValueError(f"model file: unknown activation {activation!r}")
    # version 1 has no key for it: its output layers are linear
    output_activation = d.get("output_activation", "linear") if version >= 2 else "linear"
    if version < 2 and "output_activation" in d:
        raise ValueError("model file: 'output_activation' needs version 2, the file says 1")
    if output_activation not in ACTIVATIONS:
        raise ValueError(f"model file: unknown output_activation {output_activation!r}")
    init = d.get("init", "uniform")
    if init not in INITS:
        raise ValueError(f"model file: unknown init {init!r}")
    layers = d["layers"]
    if not isinstance(layers, list) or len(layers) != len(nouts):
        got = len(layers) if isinstance(layers, list) else type(layers).__name__
        raise ValueError(f"model file: 'layers' must be a list of {len(nouts)} layers, got {got}")
    sizes = [nin, *nouts]
    checked = []
    for i, layer in enumerate(layers):
        where = f"model file: layers[{i}]"
        if not isinstance(layer, dict) or "weights" not in layer or "biases" not in layer:
            raise ValueError(f"{where} must be an object with 'weights' and 'biases'")
        rows = layer["weights"]
        if not isinstance(rows, list) or len(rows) != sizes[i + 1]:
            got = len(rows) if isinstance(rows, list) else type(rows).__name__
            raise ValueError(f"{where}.weights must have {sizes[i + 1]} rows (neurons), got {got}")
        weights = [_numbers(r, sizes[i], f"{where}.weights[{j}]") for j, r in enumerate(rows)]
        biases = _numbers(layer["biases"], sizes[i + 1], f"{where}.biases")
        checked.append((weights, biases))
    model = MLP(
        nin, nouts, activation=activation, output_activation=output_activation, init=init, seed=0
    )
    for layer, (weights, biases) in zip(model.layers, checked):
        for neuron, row, b in zip(layer.neurons, weights, biases):
            for w, x in zip(neuron.w, row):
                w.data = x
            neuron.b.data = b
    return model


def load_model(path: str | os.PathLike[str]) -> MLP:
    """Read an MLP saved by ``save_model``. Raises ``ValueError`` for anything malformed, and
    ``OSError`` (e.g. ``FileNotFoundError``) if the file cannot be read."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"model file {os.fspath(path)!r} is not valid JSON: {err}") from None
    try:
        return model_from_dict(d)
    except ValueError as err:
        raise ValueError(f"{os.fspath(path)!r}: {err}") from None
