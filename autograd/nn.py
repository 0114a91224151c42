"""A tiny neural-network library on top of ``Value``: ``Module``, ``Neuron``, ``Layer``, ``MLP``.

The classes keep micrograd's names, signatures and behaviour, so micrograd code runs with only
its import changed::

    from autograd.nn import MLP              # was: from micrograd.nn import MLP
    model = MLP(2, [16, 16, 1])              # 2 inputs, two hidden layers of 16, 1 output
    score = model([0.5, -1.0])               # a Value
    score.backward()
    for p in model.parameters():
        p.data -= 0.05 * p.grad

A neuron computes ``act(w · x + b)``. The weighted sum is ONE graph node (``Value.linear``), not
2n nodes of ``*`` and ``+``: that is what makes training fast and diagrams readable. Hidden layers
use a nonlinearity (ReLU unless told otherwise); the last layer is linear unless told otherwise
(``output_activation=``), so its outputs are raw scores (logits) that any loss can take.

Which network is which (see ``MLP``): ``MLP(3, [4, 4, 1])`` is micrograd's package (ReLU hidden
layers, linear output); ``MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")`` is the
network of the "building micrograd" video lecture (tanh in every layer, the output included).

Names. Every parameter is labelled when the model is built, from its place in it, so diagrams,
``explain()`` and the stepper say which weight they mean. The scheme is 1-based: ``L1.N3.w2`` is
the weight of layer 1, neuron 3 on that layer's input 2, and ``L1.N3.b`` that neuron's bias. A
neuron built on its own is labelled ``w1, w2, ..., b``, and a layer's neurons ``N1.w1 ... N1.b``;
they are relabelled when they become part of a layer or model. A label you set yourself is
never overwritten. Inputs passed as plain numbers become Values labelled ``x1, x2, ...`` (inputs
you pass as Values keep theirs); collapsed diagrams call a neuron ``L1.N3`` and a layer ``L1``.
The labels are only names: ``named_parameters()`` and ``state_dict()`` keep their PyTorch-style
keys (``layers.0.neurons.2.w.1``). Labelling costs nothing during training: it happens once,
when the model is built.

Initialisation. With no seed, weights are drawn from Python's global ``random`` module exactly as
micrograd draws them (``uniform(-1, 1)``, layer by layer, neuron by neuron, biases 0), so
``random.seed(1337); MLP(2, [16, 16, 1])`` reproduces micrograd's model weight for weight. With
``seed=`` a private ``random.Random(seed)`` is used instead and the global state is untouched.
"""

from __future__ import annotations

import html
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from . import rules
from .engine import Value, _linear  # _linear: Value.linear for tuples a Neuron keeps (see there)

__all__ = ["ACTIVATIONS", "INITS", "MLP", "Layer", "Module", "Neuron"]

Input = Value | float | int


class _Activations(Mapping[str, Callable[[Value], Value] | None]):
    """activation name -> the Value method applied to a neuron's pre-activation (None: identity,
    ``'linear'``): the op table's activations (``rules.ACTIVATIONS``), read at each use."""

    def __getitem__(self, name: str) -> Callable[[Value], Value] | None:
        if name == "linear":
            return None
        if name not in rules.ACTIVATIONS:
            raise KeyError(name)
        method: Callable[[Value], Value] = getattr(Value, rules.RULES[name].method or name)
        return method

    def __iter__(self) -> Iterator[str]:
        return iter([*rules.ACTIVATIONS, "linear"])

    def __len__(self) -> int:
        return len(rules.ACTIVATIONS) + 1


#: activation name -> the Value method applied to a neuron's pre-activation (None: identity).
ACTIVATIONS: Mapping[str, Callable[[Value], Value] | None] = _Activations()

#: initialisation names, with their aliases.
INITS = ("uniform", "xavier", "glorot", "kaiming", "he")


class Module:
    """Anything with parameters. Subclasses define ``parameters()`` and ``named_parameters()``."""

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (``backward()`` accumulates into them)."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        """The trainable Values, in a fixed order (micrograd's order)."""
        return [p for _, p in self.named_parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` pairs; names are dotted paths like ``'layers.0.neurons.3.w.1'``."""
        return []

    def state_dict(self) -> dict[str, float]:
        """Parameter name -> current value (plain floats: a snapshot, not live Values)."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, float]) -> None:
        """Copy values from ``state`` into the parameters; names must match exactly.

        Raises ``ValueError`` naming the missing or unexpected keys, ``TypeError`` for a value that
        is not a real number. Nothing is changed unless the whole state is valid.
        """
        named = dict(self.named_parameters())
        missing = [k for k in named if k not in state]
        unexpected = [k for k in state if k not in named]
        if missing or unexpected:
            raise ValueError(
                f"load_state_dict: state does not match the model; missing keys {missing[:5]}, "
                f"unexpected keys {unexpected[:5]}"
            )
        values = {}
        for k, v in state.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise TypeError(
                    f"load_state_dict: {k!r} must be a number, got {type(v).__name__}: {v!r}"
                )
            if not math.isfinite(v):
                raise ValueError(f"load_state_dict: {k!r} must be finite, got {v!r}")
            values[k] = float(v)
        for k, p in named.items():
            p.data = values[k]

    def num_parameters(self) -> int:
        return len(self.parameters())


def _activation(name: str, what: str = "activation") -> Callable[[Value], Value] | None:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown {what} {name!r}; choose one of {', '.join(repr(a) for a in ACTIVATIONS)}"
        )
    return ACTIVATIONS[name]


def _check_init(init: str) -> None:
    if init not in INITS:
        raise ValueError(
            f"unknown init {init!r}; choose one of {', '.join(repr(i) for i in INITS)}"
        )


def _draw_weights(nin: int, fan_out: int, init: str, rng: random.Random | None) -> Iterator[float]:
    """The initial weights of one neuron, drawn in order.

    * ``uniform`` (micrograd): w ~ U(-1, 1).
    * ``xavier``/``glorot`` (Glorot & Bengio 2010): w ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)),
      which keeps the variance of activations and of gradients about equal from layer to layer
      for tanh/sigmoid nets.
    * ``kaiming``/``he`` (He et al. 2015): w ~ N(0, std²), std = sqrt(2 / fan_in); the factor 2
      makes up for ReLU zeroing half of its inputs.
    """
    source: Any = random if rng is None else rng  # the module's functions or a private generator
    if init == "uniform":
        uniform = source.uniform
        return (uniform(-1, 1) for _ in range(nin))
    if init in ("xavier", "glorot"):
        a = math.sqrt(6.0 / (nin + fan_out))
        uniform = source.uniform
        return (uniform(-a, a) for _ in range(nin))
    std = math.sqrt(2.0 / nin)
    gauss = source.gauss
    return (gauss(0.0, std) for _ in range(nin))


def _check_size(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what}: expected a positive int, got {n!r}")
    return n


def _as_inputs(x: Sequence[Input], nin: int, where: str) -> tuple[Value, ...]:
    """The inputs as a tuple of Values, converting numbers ONCE (not once per neuron that reads
    them); the neurons of a layer then share the tuple (see ``Value.linear``). A number becomes a
    Value labelled ``x1``, ``x2``, ... after its position; a Value is used as it is."""
    if isinstance(x, (Value, int, float, str, bytes)) or not hasattr(x, "__len__"):
        raise TypeError(
            f"{where}: expected a sequence of {nin} numbers or Values, "
            f"got {type(x).__name__}: {x!r}"
        )
    if len(x) != nin:
        raise ValueError(f"{where}: expected {nin} inputs, got {len(x)}")
    out: list[Value] = []
    for v in x:
        if v.__class__ is not Value:
            # a plain number: named x1, x2, ... by its position (Value() refuses a non-number)
            v = v if isinstance(v, Value) else Value(v, label=f"x{len(out) + 1}")
        out.append(v)
    return tuple(out)


def _label(ws: Sequence[Value], b: Value, old: str, new: str) -> None:
    """Rename one neuron's parameters from ``{old}w1 ... {old}b`` to ``{new}w1 ... {new}b``.

    A parameter whose label is neither empty nor the one given under ``old`` was named by its
    user, and keeps that name.
    """
    for i, w in enumerate(ws, 1):
        if w.label in ("", f"{old}w{i}"):
            w.label = f"{new}w{i}"
    if b.label in ("", f"{old}b"):
        b.label = f"{new}b"


def _rng(seed: int | None, rng: random.Random | None, where: str) -> random.Random | None:
    """The generator to draw weights from: ``rng``, a new one from ``seed``, or None (global)."""
    if seed is None:
        return rng
    if rng is not None:
        raise ValueError(f"{where}: pass seed= or rng=, not both")
    return random.Random(seed)


class Neuron(Module):
    """One neuron: ``act(w1*x1 + ... + wn*xn + b)``.

    ``activation`` defaults to ReLU, micrograd's choice: relu(z) = max(0, z), d/dz = 1 for z > 0
    else 0. ``nonlin=False`` marks a neuron of an output layer, as in micrograd: it applies
    ``output_activation`` instead, by default ``'linear'`` (the bare weighted sum, micrograd's).
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        init: str = "uniform",
        fan_out: int = 1,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        _check_size(nin, "Neuron(nin)")
        _check_init(init)
        rng = _rng(seed, rng, "Neuron")
        # both checked, even the one not used, so that a typo never passes unnoticed
        _activation(activation)
        _activation(output_activation, "output_activation")
        self.activation = activation if nonlin else output_activation
        self._act = _activation(self.activation)
        self.init = init
        self.w = [Value(w) for w in _draw_weights(nin, fan_out, init, rng)]
        self.b = Value(0.0)
        self._prefix = ""
        _label(self.w, self.b, "", "")
        self._wb = (*self.w, self.b)  # see _weights_and_bias
        self._w_seen = list(self.w)

    def _relabel(self, prefix: str) -> None:
        """Label the parameters ``{prefix}w1 ... {prefix}b`` (e.g. ``L1.N3.``), except any whose
        label someone changed from the one this neuron gave it."""
        _label(self.w, self.b, self._prefix, prefix)
        self._prefix = prefix

    def _weights_and_bias(self) -> tuple[Value, ...]:
        """``(*self.w, self.b)``: the same tuple object on every call while they hold the same
        Values. This neuron's linear nodes then all share it, so backward()'s walk, which must
        look for graph nodes among a node's inputs, finds once per walk that this tuple holds only
        leaves, instead of once per data point. The check is cheap: comparing two lists of Values
        compares identities and allocates nothing."""
        if self.w != self._w_seen or self.b is not self._wb[-1]:
            self._w_seen = list(self.w)
            self._wb = (*self.w, self.b)
        return self._wb

    @property
    def nonlin(self) -> bool:
        return self._act is not None

    @property
    def nin(self) -> int:
        return len(self.w)

    def __call__(self, x: Sequence[Input]) -> Value:
        xs = (
            x
            if x.__class__ is tuple and len(x) == len(self.w)
            else _as_inputs(x, self.nin, "Neuron")
        )
        out = _linear(xs, self._weights_and_bias())
        act = self._act
        return out if act is None else act(out)

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{i}", w) for i, w in enumerate(self.w)), ("b", self.b)]

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        kind = "Linear" if self.activation == "linear" else self.activation.title().replace("_", "")
        kind = "ReLU" if self.activation == "relu" else kind
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs. Extra keyword arguments go to each Neuron:
    ``activation='tanh'``; ``nonlin=False`` makes it an output layer, whose neurons apply
    ``output_activation`` (``'linear'`` unless told otherwise: micrograd's last layer).

    Calling it returns a list of ``nout`` Values, or a single Value when ``nout == 1`` (micrograd).
    """

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        _check_size(nin, "Layer(nin)")
        _check_size(nout, "Layer(nout)")
        kwargs.setdefault("fan_out", nout)
        # one generator for the whole layer, so that its neurons get different weights
        kwargs["rng"] = _rng(kwargs.pop("seed", None), kwargs.get("rng"), "Layer")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        self._relabel("")

    def _relabel(self, prefix: str) -> None:
        """Label neuron j's parameters ``{prefix}N{j}.w1 ...`` (e.g. prefix ``L2.``), 1-based."""
        for j, neuron in enumerate(self.neurons, 1):
            neuron._relabel(f"{prefix}N{j}.")

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        return len(self.neurons)

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        xs = _as_inputs(x, self.nin, "Layer")
        out = [n(xs) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"neurons.{i}.{name}", p)
            for i, n in enumerate(self.neurons)
            for name, p in n.named_parameters()
        ]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` is 2 inputs -> 16 -> 16 -> 1 output.

    Hidden layers apply ``activation``; the last layer applies ``output_activation``, linear by
    default (its outputs are then scores/logits for any loss). ``init`` chooses the weight
    initialisation (see ``_draw_weights``); ``seed`` makes it reproducible without touching the
    global ``random`` state.

    Which configuration matches which source:

    * ``MLP(nin, nouts)``: micrograd's package (``micrograd.nn.MLP``, used by its ``demo.ipynb``):
      ReLU hidden layers, a linear output, weights U(-1, 1), biases 0. After the same
      ``random.seed(...)`` it has micrograd's weights, weight for weight.
    * ``MLP(nin, nouts, activation="tanh", output_activation="tanh")``: the network of the
      "building micrograd" video lecture's notebook, tanh in every layer (outputs in (-1, 1), to
      fit targets of ±1 with a squared error). One difference: its biases start at 0, where the
      lecture draws them from U(-1, 1) too, so the same seed gives other weights; it trains the
      lecture's 20-step example as reliably (see the README).

    Calling the model on one input (a sequence of ``nin`` numbers or Values) returns a Value when
    the last layer has one neuron, else a list of Values.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        init: str = "uniform",
        seed: int | None = None,
    ) -> None:
        _check_size(nin, "MLP(nin)")
        if isinstance(nouts, (int, str)) or not len(nouts):
            raise ValueError(f"MLP(nouts): expected a non-empty list of layer sizes, got {nouts!r}")
        nouts = [_check_size(n, "MLP(nouts)") for n in nouts]
        _activation(activation)
        _activation(output_activation, "output_activation")
        _check_init(init)
        self.nin = nin
        self.nouts = nouts
        self.activation = activation
        self.output_activation = output_activation
        self.init = init
        self.seed = seed
        rng = None if seed is None else random.Random(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                nonlin=i != last,
                activation=activation,
                output_activation=output_activation,
                init=init,
                rng=rng,
            )
            for i in range(len(nouts))
        ]
        for i, layer in enumerate(self.layers, 1):
            layer._relabel(f"L{i}.")

    @property
    def nout(self) -> int:
        return self.nouts[-1]

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        xs = _as_inputs(x, self.nin, "MLP")
        linear = _linear
        for layer in self.layers:
            # The hot loop of training: Neuron.__call__ inlined (a layer's outputs are already a
            # list of Values, so nothing needs checking or converting).
            xs = tuple(
                [
                    linear(xs, n._weights_and_bias())
                    if n._act is None
                    else n._act(linear(xs, n._weights_and_bias()))
                    for n in layer.neurons
                ]
            )
        return xs[0] if len(xs) == 1 else list(xs)

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        # micrograd's text, neuron by neuron (its demo prints it); Jupyter shows the short
        # summary() instead (_repr_html_)
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"

    def summary(self) -> str:
        """One line: the layer sizes, the activations and the parameter count, e.g.
        ``'MLP 2 → 16 → 16 → 1: relu hidden layers, linear output, 337 parameters'``."""
        sizes = " → ".join(str(n) for n in [self.nin, *self.nouts])
        hidden = f"{self.activation} hidden layers, " if len(self.nouts) > 1 else ""
        count = self.num_parameters()
        noun = "parameter" if count == 1 else "parameters"
        return f"MLP {sizes}: {hidden}{self.output_activation} output, {count:,} {noun}"

    def _repr_html_(self) -> str:
        """What Jupyter shows for a model: its summary() (``print(model)`` lists every neuron)."""
        return f"<code>{html.escape(self.summary())}</code>"
