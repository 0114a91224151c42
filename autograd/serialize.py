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

Saving never destroys a good file: the JSON goes to a temporary file beside the target, is synced
to disk and then renamed over it (see ``autograd._atomic``), so a save cut short by Ctrl-C, a kill
or a full disk leaves the previous model as it was. A model with a NaN or infinite weight (a run
that diverged) is refused rather than written, since no loader could read it back.

Loading is bounded, because a model file may come from anywhere: at most :data:`MAX_FILE_BYTES`
are read, and a file may describe at most :data:`MAX_PARAMETERS` parameters in at most
:data:`MAX_NEURONS` neurons. Every weight becomes a ``Value`` (about 150 bytes of memory), and a
neuron costs about a kilobyte, so without these limits a compact 2 MB file of one-character
weights would need some 250 MB.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from typing import Any

from ._atomic import write_text
from .nn import ACTIVATIONS, INITS, MLP

__all__ = [
    "FORMAT",
    "MAX_FILE_BYTES",
    "MAX_NEURONS",
    "MAX_PARAMETERS",
    "check_model_size",
    "load_model",
    "model_from_dict",
    "model_size",
    "model_to_dict",
    "save_model",
]

FORMAT = "autograd-mlp"
VERSION = 2  # the newest version this module reads and writes (see the module's docstring)
VERSIONS = (1, 2)

#: the most bytes ``load_model`` reads (a 250,000-parameter model takes about 7 MB)
MAX_FILE_BYTES = 16 * 2**20
#: the most weights and biases a model file may describe (the ``train`` command's limit too)
MAX_PARAMETERS = 250_000
#: the most neurons a model file may describe (each costs about a kilobyte in memory)
MAX_NEURONS = 10_000


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
    """Write ``model`` to ``path`` as JSON (floats are written exactly: they round-trip).

    The write is atomic: until it has fully succeeded, ``path`` keeps its previous content. A model
    with a non-finite weight raises ``ValueError`` naming the parameter, and nothing is written.
    """
    d = model_to_dict(model)
    for name, p in model.named_parameters():
        if not math.isfinite(p.data):
            raise ValueError(
                f"save_model: parameter {name} is {p.data!r}; a model with NaN or infinite "
                "weights cannot be saved (did training diverge? try a smaller learning rate)"
            )
    text = json.dumps(d, indent=1, allow_nan=False)
    write_text(path, text + "\n")


def model_size(nin: int, nouts: list[int]) -> tuple[int, int]:
    """``(parameters, neurons)`` of ``MLP(nin, nouts)``: each neuron has a weight per input and a
    bias."""
    sizes = [nin, *nouts]
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes)), sum(nouts)


def check_model_size(nin: int, nouts: list[int], where: str) -> None:
    """Raise ``ValueError`` (naming ``where``) if ``MLP(nin, nouts)`` exceeds the size limits."""
    params, neurons = model_size(nin, nouts)
    if params > MAX_PARAMETERS or neurons > MAX_NEURONS:
        shown = str(nouts) if len(nouts) <= 8 else f"[{nouts[0]}, ... {len(nouts)} layers]"
        raise ValueError(
            f"{where}: MLP({nin}, {shown}) has {params:,} parameters in {neurons:,} neurons; "
            f"the limit is {MAX_PARAMETERS:,} parameters and {MAX_NEURONS:,} neurons "
            "(each parameter is a Python object: this pure-Python engine is for small models)"
        )


def _size(x: object, where: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
        raise ValueError(f"{where} must be a positive integer, got {_short(x)}")
    return x


def _short(x: object) -> str:
    """``repr(x)``, cut to one short line: messages quote what a file holds, and it may be huge."""
    try:
        text = repr(x)
    except ValueError:  # an int too large to print (over 4300 digits)
        return "an integer of over 4300 digits"
    return text if len(text) <= 40 else text[:37] + "..."


def _numbers(row: object, length: int, where: str) -> list[Any]:
    """Check that ``row`` is a list of ``length`` finite numbers; return it (not a copy: a large
    model's weights are then held once, not twice, while it is built)."""
    if not isinstance(row, list):
        raise ValueError(f"{where} must be a list of {length} numbers, got {type(row).__name__}")
    if len(row) != length:
        raise ValueError(f"{where} must have {length} numbers, got {len(row)}")
    for i, x in enumerate(row):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise ValueError(f"{where}[{i}] must be a number, got {type(x).__name__}: {_short(x)}")
        try:
            finite = math.isfinite(x)
        except OverflowError:  # an integer too large for a float, e.g. 401 digits
            try:
                digits = str(len(str(abs(x))))
            except ValueError:  # Python will not convert an int of over 4300 digits
                digits = "over 4300"
            raise ValueError(
                f"{where}[{i}] must be a number in float range, got an integer of {digits} digits"
            ) from None
        if not finite:
            raise ValueError(f"{where}[{i}] must be finite, got {x!r}")
    return row


def model_from_dict(d: object) -> MLP:
    """Rebuild the MLP described by ``d`` (as made by ``model_to_dict``), validating it first."""
    if not isinstance(d, dict):
        raise ValueError(f"model file: expected a JSON object, got {type(d).__name__}")
    if d.get("format") != FORMAT:
        raise ValueError(f"model file: 'format' must be {FORMAT!r}, got {_short(d.get('format'))}")
    version = d.get("version")
    if isinstance(version, bool) or version not in VERSIONS:
        expected = " or ".join(str(v) for v in VERSIONS)
        raise ValueError(f"model file: unsupported version {_short(version)} (expected {expected})")
    for key in ("nin", "nouts", "activation", "layers"):
        if key not in d:
            raise ValueError(f"model file: missing key {key!r}")
    nin = _size(d["nin"], "model file: 'nin'")
    nouts = d["nouts"]
    if not isinstance(nouts, list) or not nouts:
        raise ValueError(f"model file: 'nouts' must be a non-empty list, got {_short(nouts)}")
    nouts = [_size(n, f"model file: 'nouts'[{i}]") for i, n in enumerate(nouts)]
    check_model_size(nin, nouts, "model file")
    activation = d["activation"]
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(
            f"model file: unknown activation {_short(activation)}; expected one of "
            f"{', '.join(map(repr, ACTIVATIONS))}"
        )
    # version 1 has no key for it: its output layers are linear
    output_activation = d.get("output_activation", "linear") if version >= 2 else "linear"
    if version < 2 and "output_activation" in d:
        raise ValueError("model file: 'output_activation' needs version 2, the file says 1")
    if not isinstance(output_activation, str) or output_activation not in ACTIVATIONS:
        raise ValueError(
            f"model file: unknown output_activation {_short(output_activation)}; expected one of "
            f"{', '.join(map(repr, ACTIVATIONS))}"
        )
    init = d.get("init", "uniform")
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(
            f"model file: unknown init {_short(init)}; "
            f"expected one of {', '.join(map(repr, INITS))}"
        )
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
    # seed=0: the weights drawn here are overwritten below, and a private generator leaves the
    # global random state alone; the model then says it was not made from a seed
    model = MLP(
        nin, nouts, activation=activation, output_activation=output_activation, init=init, seed=0
    )
    model.seed = None
    for layer, (weights, biases) in zip(model.layers, checked):
        for neuron, row, b in zip(layer.neurons, weights, biases):
            for w, x in zip(neuron.w, row):
                w.data = float(x)
            neuron.b.data = float(b)
    return model


def load_model(path: str | os.PathLike[str]) -> MLP:
    """Read an MLP saved by ``save_model``. Raises ``ValueError`` for anything malformed, and
    ``OSError`` (e.g. ``FileNotFoundError``) if the file cannot be read."""
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)  # a bounded read: the path may be /dev/zero
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(
            f"model file {os.fspath(path)!r} is larger than {MAX_FILE_BYTES // 2**20} MB, "
            "the most a model file may be"
        )
    try:
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        # ValueError covers JSONDecodeError and integers of more than 4300 digits
        detail = " ".join(str(err).split())[:100]
        raise ValueError(f"model file {os.fspath(path)!r} is not valid JSON: {detail}") from None
    del raw
    try:
        return model_from_dict(d)
    except ValueError as err:
        raise ValueError(f"{os.fspath(path)!r}: {err}") from None
