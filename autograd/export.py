"""The way out: the same trained network as a numpy function or a PyTorch module, and back.

A scalar engine builds a graph node for every multiply-and-add of every example. A tensor library
computes a whole layer for a whole batch as one matrix product: for inputs ``X`` of shape
``(n, nin)``, layer l computes ``A_l = act_l(A_{l-1} @ W_l.T + b_l)``, where row j of ``W_l`` holds
neuron j's weights (``layer.neurons[j].w``) and ``b_l[j]`` its bias. The numbers are the same; only
the bookkeeping changes.

* ``to_numpy(model)`` -> ``f(X)``: the model's outputs for a batch of inputs, with numpy only.
* ``to_torch(model)`` -> ``torch.nn.Sequential`` of ``Linear`` and activation modules (float64),
  which PyTorch trains like any other module.
* ``from_torch(module)`` -> ``MLP``: such a Sequential back as a model of this package.

Each layer's activation is read from its neurons (``neuron.activation``), so a model whose last
layer has an activation exports as it computes. The weights are copied: training the ``MLP`` after
exporting does not change the exported function or module, and the other way round.

This module needs only ``nn`` and numpy (torch is imported inside ``to_torch``/``from_torch``), so
the pictures in ``plot`` use ``to_numpy`` for their grids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .engine import Value
from .nn import MLP, Layer

__all__ = ["from_torch", "to_numpy", "to_torch"]

Array = npt.NDArray[np.float64]

_TORCH_MISSING = (
    'PyTorch is not installed: pip install "scalar-autograd[torch]" (or pip install torch)'
)


def _numpy_sigmoid(z: Array) -> Array:
    # exp() only ever sees a non-positive argument, as in the engine's rule: no overflow.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# One entry per name in nn.ACTIVATIONS (tests/test_export.py runs every one of them).
#: activation name -> its numpy form; ``slope`` is leaky_relu's, unused by the others.
_NUMPY: dict[str, Callable[[Array, float], Array]] = {
    "relu": lambda z, slope: np.maximum(z, 0.0),
    "tanh": lambda z, slope: np.tanh(z),
    "sigmoid": lambda z, slope: _numpy_sigmoid(z),
    "leaky_relu": lambda z, slope: np.where(z > 0, z, slope * z),
    "linear": lambda z, slope: z,
}
#: activation name -> the name of the ``torch.nn`` module that computes it (None: nothing).
_TORCH = {
    "relu": "ReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "leaky_relu": "LeakyReLU",
    "linear": None,
}


@dataclass(frozen=True)
class _Dense:
    """One layer as arrays: ``act(X @ weight.T + bias)``."""

    weight: Array  # (nout, nin): row j is neuron j's weights
    bias: Array  # (nout,)
    activation: str
    slope: float  # leaky_relu's negative slope (0 for the others)


def _slope(layer: Layer) -> float:
    """The negative slope a leaky-ReLU neuron applies, read off the neuron itself: its activation
    at z = -1 is -slope. (A default written here could disagree with the engine's.)"""
    act = layer.neurons[0]._act
    assert act is not None, "a leaky_relu neuron applies its activation"
    return float(-act(Value(-1.0)).data)


def _dense_layers(model: MLP, where: str) -> list[_Dense]:
    if not isinstance(model, MLP):
        raise TypeError(f"{where}: expected an autograd MLP, got {type(model).__name__}")
    out = []
    for i, layer in enumerate(model.layers):
        acts = {n.activation for n in layer.neurons}
        if len(acts) != 1:
            raise ValueError(
                f"{where}: layer {i + 1} mixes activations {sorted(acts)}; a dense layer applies "
                "one activation to all its neurons"
            )
        (act,) = acts
        if act not in _NUMPY or act not in _TORCH:  # nn.ACTIVATIONS grew; the tests say so too
            raise ValueError(f"{where}: no tensor form for the activation {act!r} yet")
        slope = _slope(layer) if act == "leaky_relu" else 0.0
        weight = np.array([[w.data for w in n.w] for n in layer.neurons], dtype=np.float64)
        bias = np.array([n.b.data for n in layer.neurons], dtype=np.float64)
        out.append(_Dense(weight, bias, act, slope))
    return out


def to_numpy(model: MLP) -> Callable[[Any], Array]:
    """The model as a vectorised numpy function ``f(X)``.

    ``X`` has shape ``(n, nin)``; ``f(X)`` has shape ``(n,)`` for a one-output model and
    ``(n, k)`` for k outputs: row i is what ``model(X[i])`` computes, equal up to floating-point
    rounding (the sums are added in a different order). One matrix product per layer instead of a
    graph node per neuron per example: a 200 × 200 grid is evaluated in milliseconds.

    The weights are copied now: later changes to the model do not change ``f``.
    """
    layers = _dense_layers(model, "to_numpy")
    nin, single = model.nin, model.nout == 1

    def f(X: Any) -> Array:
        A = np.asarray(X, dtype=np.float64)
        if A.ndim != 2 or A.shape[1] != nin:
            raise ValueError(f"to_numpy: expected X of shape (n, {nin}), got shape {A.shape}")
        for layer in layers:
            A = _NUMPY[layer.activation](A @ layer.weight.T + layer.bias, layer.slope)
        return A[:, 0] if single else A

    f.__doc__ = f"The outputs of {model!r} for the rows of X, shape (n, {nin})."
    return f


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(_TORCH_MISSING) from None
    return torch


def to_torch(model: MLP) -> Any:
    """The model as a ``torch.nn.Sequential``: ``Linear(nin, nout)`` for each layer, followed by
    its activation module (``ReLU``, ``Tanh``, ``Sigmoid``, ``LeakyReLU(slope)``; none for a
    linear layer). Everything is float64, so outputs and gradients agree with this engine's to
    rounding. ``Linear.weight[j, i]`` is ``model.layers[l].neurons[j].w[i]``.

    Needs PyTorch (``pip install "scalar-autograd[torch]"``).
    """
    layers = _dense_layers(model, "to_torch")
    torch = _torch()
    modules = []
    for layer in layers:
        nout, nin = layer.weight.shape
        linear = torch.nn.Linear(nin, nout, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.weight))
            linear.bias.copy_(torch.from_numpy(layer.bias))
        modules.append(linear)
        name = _TORCH[layer.activation]
        if name == "LeakyReLU":
            modules.append(torch.nn.LeakyReLU(layer.slope))
        elif name is not None:
            modules.append(getattr(torch.nn, name)())
    return torch.nn.Sequential(*modules)


def _activation_of(module: Any, index: int) -> tuple[str, float]:
    """The activation name (and leaky slope) of a ``torch.nn`` activation module."""
    kind = type(module).__name__
    if kind == "Identity":
        return "linear", 0.0
    for name, torch_name in _TORCH.items():
        if torch_name == kind:
            return name, float(module.negative_slope) if name == "leaky_relu" else 0.0
    known = ", ".join(["Linear", "Identity", *(t for t in _TORCH.values() if t)])
    raise ValueError(f"from_torch: module {index} is {kind}; expected one of {known}")


def from_torch(module: Any) -> MLP:
    """An ``MLP`` with the weights of a ``torch.nn.Sequential`` of ``Linear`` layers, each followed
    by at most one activation module (what ``to_torch`` makes).

    The hidden layers must share one activation and the last one be linear, as in every ``MLP``
    (unless ``MLP`` takes an ``output_activation``). Anything else raises ``ValueError`` naming
    the module that does not fit.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential, got {type(module).__name__}")
    # (weight, bias, activation, slope) per Linear
    found: list[tuple[Array, Array, str, float]] = []
    for i, m in enumerate(module):
        if isinstance(m, torch.nn.Linear):
            w = m.weight.detach().to("cpu", torch.float64).numpy()
            b = (
                m.bias.detach().to("cpu", torch.float64).numpy()
                if m.bias is not None
                else np.zeros(m.out_features)
            )
            if found and found[-1][0].shape[0] != w.shape[1]:
                raise ValueError(
                    f"from_torch: module {i} takes {w.shape[1]} inputs, the layer before it "
                    f"gives {found[-1][0].shape[0]}"
                )
            found.append((w, b, "linear", 0.0))
            continue
        act, slope = _activation_of(m, i)
        if not found or found[-1][2] != "linear":
            raise ValueError(
                f"from_torch: module {i} ({type(m).__name__}) must follow a Linear layer"
            )
        found[-1] = (*found[-1][:2], act, slope)
    if not found:
        raise ValueError("from_torch: the Sequential holds no Linear layer")

    hidden = {(a, s) for _, _, a, s in found[:-1]}
    if len(hidden) > 1:
        raise ValueError(
            f"from_torch: the hidden layers use different activations {sorted(hidden)}; "
            "an MLP applies one activation to all its hidden layers"
        )
    activation = hidden.pop()[0] if hidden else "relu"
    output = found[-1][2]
    kwargs: dict[str, Any] = {}
    if output != "linear":
        import inspect

        if "output_activation" not in inspect.signature(MLP).parameters:
            raise ValueError(
                f"from_torch: the last Linear is followed by {_TORCH[output]}; an MLP's last "
                "layer is linear"
            )
        kwargs["output_activation"] = output
    nin = int(found[0][0].shape[1])
    model = MLP(nin, [int(w.shape[0]) for w, _, _, _ in found], activation=activation, **kwargs)
    for layer, (w, b, act, s) in zip(model.layers, found):
        if act == "leaky_relu" and _slope(layer) != s:
            raise ValueError(
                f"from_torch: LeakyReLU({s:g}) differs from the engine's slope {_slope(layer):g}"
            )
        for neuron, row, bias in zip(layer.neurons, w.tolist(), b.tolist()):
            for p, x in zip(neuron.w, row):
                p.data = float(x)
            neuron.b.data = float(bias)
    return model
