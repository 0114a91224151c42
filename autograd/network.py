"""The network view: the picture of an MLP a learner draws on paper.

``draw_network(model)`` draws one circle per input and per neuron, in columns by layer, and one
edge per weight: blue for a positive weight, red for a negative one, thicker for a larger |w|.
With an input ``x`` each circle shows its value for that input (the activations of a forward pass);
``show="grad"`` draws what the last backward pass left in the parameters instead: each edge by its
weight's ``.grad``, each neuron with its bias's ``.grad``. A legend explains the colours and widths.

Unlike ``draw_dot``, which draws the graph of one computation, this view draws the model itself,
so its size does not grow with the data: ``MLP(2, [16, 16, 1])`` is 35 circles and 320 edges.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from typing import Any

from .engine import Value, no_grad
from .explain import format_number
from .nn import MLP, Layer, Neuron
from .viz import _diagram_class

__all__ = ["draw_network"]

_SHOWS = ("data", "grad")
_POSITIVE, _NEGATIVE = (37, 99, 235), (220, 38, 38)  # blue, red: the gradient colours of draw_dot
_MAX_WIDTH = 4.0  # the pen width of the largest |w|, in points


def draw_network(
    model: MLP | Layer | Neuron,
    x: Sequence[float | Value] | None = None,
    *,
    show: str = "data",
    fmt: str = ".3g",
    legend: bool = True,
) -> Any:
    """The network ``model`` as a ``graphviz.Digraph``: circles for inputs and neurons, one edge
    per weight (colour: sign, width: size).

    Args:
        model: an ``MLP``, a ``Layer`` or a ``Neuron``.
        x: an input; when given, each circle shows its value for ``x`` (inputs, then every
            neuron's activation), computed under ``no_grad`` so nothing is recorded.
        show: ``'data'`` draws the weights; ``'grad'`` draws the gradients the last backward pass
            left in them (edges by ``w.grad``, neurons with their bias's ``.grad``).
        fmt: number format of the values in the circles.
        legend: draw a key to the colours and widths.
    """
    layers = _layers(model)
    if show not in _SHOWS:
        raise ValueError(f"draw_network: show={show!r}; expected 'data' or 'grad'")
    format_number(1.0, fmt)  # a bad spec raises here, naming itself
    values = _activations(layers, x) if x is not None else None
    nin = layers[0].nin

    def amount(v: Value) -> float:
        return v.grad if show == "grad" else v.data

    largest = max(
        (abs(amount(w)) for layer in layers for n in layer.neurons for w in n.w), default=0.0
    )
    dot = _diagram_class()(
        graph_attr={"rankdir": "LR", "ranksep": "2.2", "nodesep": "0.12", "splines": "line"}
    )
    dot.attr("node", fontname="Helvetica", fontsize="10", shape="circle", fixedsize="true")
    dot.attr("node", width="0.95" if values is not None and show == "grad" else "0.75")
    columns: list[list[str]] = [[f"x{i + 1}" for i in range(nin)]]
    for i, nid in enumerate(columns[0]):
        text = nid + (f"\\n{format_number(values[0][i], fmt)}" if values else "")
        dot.node(nid, label=text, style="filled", fillcolor="#dbeafe")
    for li, layer in enumerate(layers, 1):
        last = li == len(layers)
        column = []
        for ni, neuron in enumerate(layer.neurons, 1):
            nid = f"L{li}N{ni}"
            column.append(nid)
            lines = [f"L{li}.N{ni}"]
            if values is not None:
                lines.append(format_number(values[li][ni - 1], fmt))
            if show == "grad":
                lines.append(f"∂b {format_number(neuron.b.grad, fmt)}")
            fill = "#bbf7d0" if last else "#ede9fe"
            dot.node(nid, label="\\n".join(lines), style="filled", fillcolor=fill)
            for source, w in zip(columns[-1], neuron.w):
                dot.edge(source, nid, **_edge_style(amount(w), largest))
        columns.append(column)
    # Each column in one rank, top to bottom in order: invisible edges chain its circles.
    for column in columns:
        with dot.subgraph() as rank:
            rank.attr(rank="same")
            for a, b in itertools.pairwise(column):
                rank.edge(a, b, style="invis")
    if legend:
        _legend(dot, show, largest, x is not None)
    return dot


def _layers(model: MLP | Layer | Neuron) -> list[Layer]:
    if isinstance(model, MLP):
        return list(model.layers)
    if isinstance(model, Layer):
        return [model]
    if isinstance(model, Neuron):
        layer = Layer.__new__(Layer)  # a one-neuron layer around it, without new weights
        layer.neurons = [model]
        return [layer]
    raise TypeError(
        f"draw_network: expected an MLP, Layer or Neuron, got {type(model).__name__}: {model!r}"
    )


def _activations(layers: list[Layer], x: Sequence[float | Value]) -> list[list[float]]:
    """The values in every column for the input ``x``: the inputs, then each layer's outputs."""
    with no_grad():
        xs: Any = list(x)
        columns: list[list[float]] = []
        for layer in layers:
            out = layer(xs)
            if not columns:
                columns.append([v.data if isinstance(v, Value) else float(v) for v in xs])
            xs = out if isinstance(out, list) else [out]
            columns.append([v.data for v in xs])
    return columns


def _edge_style(w: float, largest: float) -> dict[str, str]:
    """Blue for w > 0, red for w < 0, grey for 0; width and strength grow with |w|."""
    t = abs(w) / largest if largest else 0.0
    if w != w:  # nan
        t = 0.0
    base = _POSITIVE if w > 0 else _NEGATIVE
    mix = [round(255 + (c - 255) * (0.25 + 0.75 * t)) for c in base] if t else [200, 200, 200]
    return {
        "color": "#{:02x}{:02x}{:02x}".format(*mix),
        "penwidth": f"{0.3 + (_MAX_WIDTH - 0.3) * t:.2f}",
        "arrowhead": "none",
    }


def _legend(dot: Any, show: str, largest: float, with_x: bool) -> None:
    what = "w.grad" if show == "grad" else "weight w"
    top = format_number(largest, ".3g")
    rows = [
        f'<tr><td><font color="#2563eb">━━</font></td><td align="left">{what} &gt; 0</td></tr>',
        f'<tr><td><font color="#dc2626">━━</font></td><td align="left">{what} &lt; 0</td></tr>',
        f'<tr><td colspan="2" align="left">thickest: |{html.escape(what)}| = {top}</td></tr>',
    ]
    circles = "circles: the value of each input and neuron for x" if with_x else "circles: inputs"
    circles += ", and each bias's grad (∂b)" if show == "grad" else ""
    rows.append(f'<tr><td colspan="2" align="left">{html.escape(circles)}</td></tr>')
    table = (
        '<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">'
        '<tr><td colspan="2"><b>key</b></td></tr>' + "".join(rows) + "</table>>"
    )
    dot.node("legend", label=table, shape="box", fixedsize="false", style="rounded")
