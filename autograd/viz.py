"""Graph diagrams with Graphviz: every Value with its data and grad, every op between them.

``draw_dot(root)`` returns a ``graphviz.Digraph``; in Jupyter it shows inline, and
:func:`save_diagram` writes it to SVG, PNG, PDF or DOT source. The picture is the expression you
wrote, turned on its side: inputs on the left, the output on the right, one box (a *record*) per
Value showing ``label | data | grad``, and one small oval per op in between, so you can read the
chain rule off the picture::

    grad of an input  =  sum over its uses of  (grad of the result) × (local derivative)

``edge_labels=True`` writes that product on every edge. The local derivatives come from the op
table through ``engine.local_grads``, the same numbers ``backward()`` uses.

Big graphs: an MLP's loss over a dataset has tens of thousands of nodes, far too many to read.
The full view stops at ``max_nodes`` with a message, and ``collapse="neuron"`` or
``collapse="layer"`` draws one box per neuron (a ``linear`` node, its activation and its weights)
or per layer (the neurons that read the same inputs) instead.

The ``graphviz`` Python package is imported only when a diagram is built, and the Graphviz
``dot`` program only when one is rendered to an image: building DOT source needs no ``dot``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import Value, local_grads, topological_order
from .explain import check_number_format, format_number, node_names, sum_format
from .rules import ACTIVATIONS as _ACTIVATIONS  # live: the op table's activation names
from .samples import Merged, first_samples, is_neuron, merge_samples

__all__ = [
    "COLORINGS",
    "INSTALL_DOT",
    "PNG_DPI",
    "RANKDIRS",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "draw_dot",
    "save_diagram",
]

INSTALL_DOT = (
    "install Graphviz: 'sudo apt-get install graphviz' (Debian/Ubuntu), "
    "'brew install graphviz' (macOS) or 'conda install -c conda-forge graphviz' (conda)"
)

#: file extensions save_diagram understands: rendered by ``dot``, or written as DOT source
IMAGE_FORMATS = ("svg", "png", "pdf")
SOURCE_FORMATS = ("dot", "gv")

#: the layouts (``rankdir``) and fillings (``color``) draw_dot accepts; the CLI offers the same
RANKDIRS = ("LR", "TB", "RL", "BT")
COLORINGS = ("role", "grad", "none")
_COLLAPSES = ("neuron", "layer")

# Fill colours by role. Pale, so the black text stays readable when printed.
_ROLE_FILL = {
    "input": "#dbeafe",  # leaves: data and constants (blue)
    "param": "#fde68a",  # parameters, the leaves a model learns (amber)
    "output": "#bbf7d0",  # the root (green)
    "inner": "#ffffff",  # computed along the way
    "group": "#ede9fe",  # a collapsed neuron or layer (lavender)
}
_OP_FILL = "#f3f4f6"


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program, which turns DOT source into images, is not installed."""


class GraphTooLargeError(ValueError):
    """The graph has more nodes than a readable diagram (``max_nodes``)."""


def _graphviz() -> Any:
    """The ``graphviz`` package, or an ImportError that says how to install it."""
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "drawing graphs needs the 'graphviz' Python package: pip install graphviz "
            "(it is a dependency of scalar-autograd, so 'pip install scalar-autograd' brings it); "
            "the text views autograd.print_tree and autograd.explain need nothing extra"
        ) from None
    return graphviz


_DIAGRAM_CLASS: Any = None


def _diagram_class() -> Any:
    """``graphviz.Digraph`` with a repr that holds no memory address.

    Jupyter saves a displayed object's repr next to its picture; the default one,
    ``<graphviz.graphs.Digraph at 0x7f...>``, would change a saved notebook on every run.
    """
    global _DIAGRAM_CLASS
    graphviz = _graphviz()  # every time: its clear ImportError if the package is missing
    if _DIAGRAM_CLASS is None or not issubclass(_DIAGRAM_CLASS, graphviz.Digraph):

        class Diagram(graphviz.Digraph):  # type: ignore[misc,name-defined]
            def __repr__(self) -> str:
                return f"<autograd diagram: {len(self.body)} DOT statements; .source has the text>"

            def _repr_mimebundle_(
                self,
                include: Iterable[str] | None = None,
                exclude: Iterable[str] | None = None,
                **kwargs: Any,
            ) -> dict[str, Any]:
                """What Jupyter shows: the picture, or without the ``dot`` program the way to
                install it (graphviz itself would show the traceback of ExecutableNotFound)."""
                try:
                    bundle: dict[str, Any] = super()._repr_mimebundle_(include, exclude, **kwargs)
                except graphviz.ExecutableNotFound:
                    from html import escape

                    message = (
                        "This diagram cannot be drawn: the Graphviz 'dot' program, which "
                        "turns a diagram into a picture, was not found on PATH. To see it, "
                        f"{INSTALL_DOT}; then run the cell again. Meanwhile "
                        "autograd.print_tree(root) and autograd.explain(root) show the graph as "
                        "text, and .source holds the diagram's DOT text."
                    )
                    html = (
                        '<div style="border-left: 4px solid #d97706; background: #fffbeb; '
                        'padding: 6px 10px; font-family: sans-serif; font-size: 13px">'
                        f"{escape(message)}</div>"
                    )
                    return {"text/plain": message, "text/html": html}
                return bundle

        _DIAGRAM_CLASS = Diagram
    return _DIAGRAM_CLASS


# --------------------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------------------


def _grad_fill(g: float, largest: float) -> str:
    """White for a zero gradient, towards blue for positive and red for negative ones.

    The strength is |g| / largest |g| in the drawing, so the node that matters most is darkest.
    """
    if largest == 0 or g != g:  # g != g: nan
        return "#ffffff"
    t = min(abs(g) / largest, 1.0)
    r, gr, b = (37, 99, 235) if g > 0 else (220, 38, 38)  # blue / red
    mix = [round(255 + (c - 255) * 0.65 * t) for c in (r, gr, b)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


# --------------------------------------------------------------------------------------------------
# Text in records
# --------------------------------------------------------------------------------------------------


#: characters no label may hold: control characters (NUL ends DOT source early; ESC and the rest
#: are not allowed in XML, so the SVG would not parse), lone surrogates (not encodable as UTF-8)
#: and the two non-characters U+FFFE and U+FFFF (not allowed in XML either)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a Graphviz record label, and show those
    that DOT or SVG cannot hold as Python writes them (NUL as ``\\x00``, ESC as ``\\x1b``)."""
    text = _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def _record(fields: list[str], rankdir: str) -> str:
    # In a left-to-right drawing a record's fields stack vertically unless wrapped in { }.
    body = " | ".join(fields)
    return f"{{ {body} }}" if rankdir in ("LR", "RL") else body


# --------------------------------------------------------------------------------------------------
# draw_dot
# --------------------------------------------------------------------------------------------------


def draw_dot(
    root: Value,
    format: str = "svg",
    rankdir: str = "LR",
    *,
    show_grad: bool = True,
    fmt: str | None = None,
    params: Iterable[Value] | None = None,
    color: str = "role",
    edge_labels: bool = False,
    collapse: str | None = None,
    samples: int | str | None = None,
    legend: bool | None = None,
    max_nodes: int | None = 500,
) -> Any:
    """The computational graph of ``root`` as a ``graphviz.Digraph`` (shown inline in Jupyter).

    Args:
        root: the output Value; everything it depends on is drawn.
        format: the image format of ``Digraph.render()``/``pipe()`` (``'svg'``, ``'png'``, ...).
        rankdir: ``'LR'`` (inputs left, output right), ``'TB'`` (top to bottom), ``'RL'``, ``'BT'``.
        show_grad: show each node's ``.grad`` (hide it to draw the forward pass alone).
        fmt: number format spec for data and grads (``'.4f'``, ``'.3g'``...); the default
            ``None`` writes the shortest form that looks exact (``-4``, ``2.5``, ``0.1234``).
        params: the parameters (e.g. ``model.parameters()``), coloured apart from the inputs.
        color: ``'role'`` fills inputs blue, parameters amber, the output green; ``'grad'`` fills
            every Value by its gradient (blue positive, red negative, darker = larger |grad|);
            ``'none'`` draws black on white.
        edge_labels: write the chain rule on each edge into an op: the local derivative
            ``∂q/∂x`` and upstream × local, the amount that edge adds to the input's grad.
        collapse: ``None`` draws every node; ``'neuron'`` draws each neuron (a ``linear`` node,
            its activation and its weight and bias leaves) as one box named like its weights
            (``L1.N3``); ``'layer'`` merges the neurons that read the same inputs into one box
            per layer (``L1``).
        samples: for the loss of a batch (see ``autograd.samples``): an int ``k`` draws only the
            first k samples' subgraphs and the shared part (the sum, the penalty); ``'merged'``
            draws the samples on top of one another, one node per position with the range of its
            values and its gradient summed over the batch.
        legend: draw a key to the colours; by default for ``color='role'`` and ``'grad'``.
        max_nodes: refuse (``GraphTooLargeError``) to draw more boxes than this; the message
            names options that draw this graph within the limit. ``None`` draws anything.

    The node ids come from the position in ``topological_order(root)`` (``n0``, ``n1``...), so the
    same graph gives byte-identical DOT source (``draw_dot(root).source``) every time.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: expected a Value as root, got {type(root).__name__}: {root!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir={rankdir!r}; expected one of {', '.join(RANKDIRS)}")
    if color not in COLORINGS:
        raise ValueError(f"draw_dot: color={color!r}; expected one of {', '.join(COLORINGS)}")
    if collapse is not None and collapse not in _COLLAPSES:
        raise ValueError(
            f"draw_dot: collapse={collapse!r}; expected None, {' or '.join(map(repr, _COLLAPSES))}"
        )
    if (
        samples is not None
        and samples != "merged"
        and (isinstance(samples, bool) or not isinstance(samples, int) or samples < 1)
    ):
        raise ValueError(
            f"draw_dot: samples={samples!r}; expected None, a positive int or 'merged'"
        )
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"draw_dot: max_nodes={max_nodes!r}; expected a positive int or None")
    check_number_format(fmt, "draw_dot")
    param_set = set(params) if params is not None else set()
    for p in param_set:
        if not isinstance(p, Value):
            raise TypeError(f"draw_dot: params must be Values, got {type(p).__name__}: {p!r}")

    view = _view(root, samples)
    count = _count(view, collapse, param_set)
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLargeError(_too_large(root, count, max_nodes, collapse, samples, param_set))

    dot = _diagram_class()(format=format, graph_attr={"rankdir": rankdir})
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="9")
    style = _Style(rankdir, show_grad, fmt, param_set, color, view)
    if edge_labels and show_grad:
        style.match_sums()
    if collapse is None:
        _draw_full(dot, view, style, edge_labels)
    else:
        plan = _plan_collapsed(view, param_set, collapse == "layer")
        _draw_collapsed(dot, view, plan, style, edge_labels)
    if legend if legend is not None else color != "none":
        _draw_legend(dot, style)
    return dot


# --------------------------------------------------------------------------------------------------
# What is drawn: the whole graph, the first samples, or the samples merged
# --------------------------------------------------------------------------------------------------


@dataclass
class _View:
    """The nodes one diagram draws, and their ids."""

    root: Value
    order: list[Value]  # the drawn part, in topological order
    ids: dict[Value, str]  # node -> 'n<position in the topological order of the graph drawn>'
    left_out: dict[Value, int] = field(default_factory=dict)  # inputs of later samples, not drawn
    merged: dict[Value, Merged] = field(default_factory=dict)
    samples: int | str | None = None

    def children(self, node: Value) -> tuple[Value, ...]:
        prev = node._prev
        if not self.left_out:
            return prev
        ids = self.ids
        return tuple(c for c in prev if c in ids)


def _view(root: Value, samples: int | str | None) -> _View:
    order = topological_order(root)
    if samples == "merged":
        root, merged, _ = merge_samples(order, root)
        order = topological_order(root)
        return _View(root, order, _ids(order), merged=merged, samples=samples)
    ids = _ids(order)
    if isinstance(samples, int):
        kept, left_out = first_samples(order, root, samples)
        return _View(root, kept, {n: ids[n] for n in kept}, left_out=left_out, samples=samples)
    return _View(root, order, ids)


def _ids(order: list[Value]) -> dict[Value, str]:
    return {node: f"n{i}" for i, node in enumerate(order)}


def _count(view: _View, collapse: str | None, params: set[Value]) -> int:
    """How many boxes the diagram of ``view`` has (values, neurons, layers; not the op ovals)."""
    if collapse is None:
        return len(view.order)
    return _plan_collapsed(view, params, collapse == "layer").count


#: what a refused diagram suggests, tried in this order; the first two that fit are named
_ALTERNATIVES: tuple[dict[str, Any], ...] = (
    {"collapse": "layer"},
    {"collapse": "neuron"},
    {"collapse": "layer", "samples": "merged"},
    {"collapse": "neuron", "samples": "merged"},
    {"samples": "merged"},
    {"collapse": "neuron", "samples": 3},
    {"collapse": "layer", "samples": 3},
    {"collapse": "neuron", "samples": 1},
    {"samples": 1},
)


def _too_large(
    root: Value,
    n: int,
    max_nodes: int,
    collapse: str | None,
    samples: int | str | None,
    params: set[Value],
) -> str:
    """The refusal, naming options that really draw this graph within ``max_nodes``."""
    asked = {k: v for k, v in (("collapse", collapse), ("samples", samples)) if v is not None}
    fits = []
    for option in _ALTERNATIVES:
        if option != asked:
            view = _view(root, option.get("samples"))
            boxes = _count(view, option.get("collapse"), params)
            if boxes <= max_nodes:
                args = ", ".join(f"{k}={v!r}" for k, v in option.items())
                fits.append(f"draw_dot(root, {args}) ({boxes} boxes)")
                if len(fits) == 2:
                    break
    what = "this view has" if collapse or samples else "the graph has"
    advice = f"draw it with {' or '.join(fits)}, " if fits else "draw a smaller graph, "
    return (
        f"draw_dot: {what} {n} nodes, more than max_nodes={max_nodes}, too many to read; "
        + advice
        + "print a summary with autograd.print_tree(root) or autograd.explain(root), "
        "or pass max_nodes=None to draw it anyway"
    )


# --------------------------------------------------------------------------------------------------
# How one Value looks
# --------------------------------------------------------------------------------------------------


class _Style:
    """Everything that decides how one Value's box looks, and what the legend must explain."""

    def __init__(
        self,
        rankdir: str,
        show_grad: bool,
        fmt: str | None,
        params: set[Value],
        color: str,
        view: _View,
    ) -> None:
        self.rankdir = rankdir
        self.show_grad = show_grad
        self.fmt = fmt
        self.params = params
        self.color = color
        self.view = view
        self.root = view.root
        self.names = node_names(view.order)
        grads = [abs(v.grad) for v in view.order if v.grad == v.grad]
        self.largest_grad = max(grads, default=0.0)
        self.roles_seen: dict[str, None] = {}  # insertion-ordered set, for the legend
        self.grad_fmt: dict[Value, str | None] = {}  # see match_sums

    def match_sums(self) -> None:
        """Print a reused node's grad and the contributions on its edges consistently.

        A node used k times gets k edge labels whose contributions add up to its grad. Each
        rounded on its own, they might not add up to the rounded grad; this picks, per such node,
        the precision at which they do (see ``explain.format_sum``).
        """
        parts: dict[Value, list[float]] = {}
        for node in self.view.order:
            if node._prev and node._rule is not None:
                up = node.grad
                for child, d in zip(node._prev, local_grads(node)):
                    parts.setdefault(child, []).append(up * d)
        for child, terms in parts.items():
            if len(terms) > 1:
                self.grad_fmt[child] = sum_format(terms, child.grad, self.fmt)

    def num(self, x: float, of: Value | None = None) -> str:
        return format_number(x, self.grad_fmt.get(of, self.fmt) if of is not None else self.fmt)

    def role(self, node: Value) -> str:
        if node is self.root:
            return "output"
        if node in self.params:
            return "param"
        return "inner" if node._prev else "input"

    def attrs(self, node: Value) -> dict[str, str]:
        role = self.role(node)
        if self.color == "none":
            return {"penwidth": "2"} if role == "output" else {}
        if self.color == "grad":
            fill = _grad_fill(node.grad, self.largest_grad)
            extra = {"penwidth": "2"} if role == "output" else {}
            return {"style": "filled", "fillcolor": fill, **extra}
        self.roles_seen[role] = None
        return {"style": "filled", "fillcolor": _ROLE_FILL[role]}

    def values(self, node: Value) -> list[str]:
        """The data and grad fields of a box; for a merged node, over the samples it stands for."""
        info = self.view.merged.get(node)
        if info is not None and info.count > 1:
            out = [f"data {self.num(info.low)} … {self.num(info.high)}  ({info.count} samples)"]
            if self.show_grad:
                out.append(f"grad summed {self.num(info.grad_sum)}")
            return out
        out = [f"data {self.num(node.data)}"]
        if self.show_grad:
            out.append(f"grad {self.num(node.grad, node)}")
        return out

    def fields(self, node: Value) -> list[str]:
        out = [_escape(self.names[node]), *self.values(node)]
        skipped = self.view.left_out.get(node)
        if skipped:
            s = "s" if skipped > 1 else ""
            out.append(f"+ {skipped} input{s} from later samples, not drawn")
        return out


def _draw_value(
    dot: Any, nid: str, node: Value, style: _Style, extra: list[str] | None = None
) -> None:
    label = _record([*style.fields(node), *(extra or [])], style.rankdir)
    dot.node(nid, label=label, shape="record", **style.attrs(node))
    if node._prev:
        dot.node(nid + "op", label=_escape(node._op or "?"), shape="ellipse", **_op_attrs(style))
        dot.edge(nid + "op", nid)


def _op_attrs(style: _Style) -> dict[str, str]:
    attrs = {"margin": "0.02", "height": "0.3"}
    if style.color != "none":
        attrs.update(style="filled", fillcolor=_OP_FILL)
    return attrs


def _edge_labels(node: Value, style: _Style) -> list[str]:
    """For each input x of ``node`` q: '∂q/∂x = local' and 'upstream × local = added', the
    amount that edge adds to x's grad; '' if unknown (a node with a hand-written _backward)."""
    try:
        locals_ = local_grads(node)
    except TypeError:  # a hand-built node with its own _backward: no table entry to read
        return [""] * len(node._prev)
    up = node.grad
    names = style.names
    q = names[node]
    num = style.num
    out = []
    for child, d in zip(node._prev, locals_):
        text = f"∂{q}/∂{names.get(child, '?')} = {num(d)}"
        if style.show_grad:
            text += f"\\n{num(up)} × {num(d)} = {num(up * d, child)}"
        out.append(text)
    return out


def _edge(dot: Any, tail: str, head: str, text: str) -> None:
    if text:
        # decorate: a line from the label to its edge, so it is clear which edge it belongs to
        dot.edge(tail, head, label=_escape_label(text), decorate="true")
    else:
        dot.edge(tail, head)


def _escape_label(text: str) -> str:
    """An edge label is not a record: only the quote and backslash need care (\\n is kept), and
    the characters DOT and SVG cannot hold, shown escaped as in record labels (the backslash of
    ``\\x00`` doubled, so that DOT shows it)."""
    text = _UNPRINTABLE.sub(
        lambda m: m.group().encode("unicode_escape").decode("ascii").replace("\\", "\\\\"), text
    )
    return text.replace('"', '\\"')


def _draw_full(dot: Any, view: _View, style: _Style, edge_labels: bool) -> None:
    ids = view.ids
    for node in view.order:
        nid = ids[node]
        _draw_value(dot, nid, node, style)
        if not node._prev:
            continue
        labels = _edge_labels(node, style) if edge_labels else [""] * len(node._prev)
        for child, text in zip(node._prev, labels):
            if child in ids:
                _edge(dot, ids[child], nid + "op", text)


# --------------------------------------------------------------------------------------------------
# The collapsed view, in four jobs: find the neurons, group them into boxes, find the edges
# between what is drawn, then draw it
# --------------------------------------------------------------------------------------------------


@dataclass
class _Group:
    """A neuron, or a layer of neurons, drawn as one box."""

    name: str  # 'L1.N3' / 'L1' from the weights' labels, or '' when they are unlabelled
    outputs: list[Value]  # each neuron's output (its activation, or the linear node itself)
    activation: str  # the activation's op, or '' for a bare linear neuron
    n_inputs: int
    n_params: int


def _neurons(view: _View) -> list[tuple[Value, Value, str]]:
    """Every neuron in the graph as (output, linear node, activation op), in topological order.

    A neuron is a ``linear`` node with leaf weights (``samples.is_neuron``), together with the
    activation applied to it if that activation is the linear node's only consumer.
    """
    order = view.order
    consumers: dict[Value, int] = {}
    for node in order:
        for child in view.children(node):
            consumers[child] = consumers.get(child, 0) + 1
    owner: dict[Value, tuple[Value, Value, str]] = {}
    for node in order:
        if not node._prev:
            continue
        if is_neuron(node):
            owner.setdefault(node, (node, node, ""))
        elif node._op in _ACTIVATIONS:
            lin = node._prev[0]
            if is_neuron(lin) and consumers[lin] == 1:
                owner[lin] = (node, lin, node._op)
    # Sorted by the position of the neuron's output, so the drawing order is the graph's order.
    position = {node: i for i, node in enumerate(order)}
    return sorted(owner.values(), key=lambda n: position[n[0]])


def _neuron_name(weights: tuple[Value, ...]) -> str:
    """'L1.N3' when the first weight is labelled 'L1.N3.w1' (see ``nn``), else ''."""
    label = weights[0].label if weights else ""
    head, dot, tail = label.rpartition(".")
    return head if dot and tail == "w1" else ""


@dataclass
class _Plan:
    """What a collapsed diagram draws."""

    groups: dict[str, _Group]  # box id -> group, in drawing order
    box: dict[Value, str]  # a node inside a group -> the id of its box
    edges: dict[tuple[str, str], None]  # (tail id, head id), insertion-ordered
    drawn: list[Value]  # the Values drawn as boxes of their own
    folded: dict[Value, int]  # a drawn node -> how many parameters it reads that are not drawn

    @property
    def count(self) -> int:
        return len(self.drawn) + len(self.groups)


def _plan_collapsed(view: _View, params: set[Value], by_layer: bool) -> _Plan:
    groups, box = _group_neurons(view, by_layer)
    edges, sources, folded = _collapsed_edges(view, box, params)
    drawn = [
        node
        for node in view.order
        if node not in box and (node._prev or node is view.root or node in sources)
    ]
    return _Plan(groups, box, edges, drawn, folded)


def _group_neurons(view: _View, by_layer: bool) -> tuple[dict[str, _Group], dict[Value, str]]:
    """One group per neuron, or per layer: the neurons that read the same inputs."""
    by_key: dict[Any, str] = {}
    groups: dict[str, _Group] = {}
    box: dict[Value, str] = {}
    for out, lin, act in _neurons(view):
        prev = lin._prev
        n = len(prev) // 2
        inputs, weights = prev[:n], prev[n:]
        key: Any = (inputs, act) if by_layer else out
        gid = by_key.get(key)
        if gid is None:
            gid = by_key[key] = view.ids[out].replace("n", "g", 1)
            name = _neuron_name(weights)
            if by_layer:
                name = name.partition(".")[0] if name else ""
            groups[gid] = _Group(name, [], act, n, 0)
        group = groups[gid]
        group.outputs.append(out)
        group.n_params += len(weights)
        box[out] = box[lin] = gid
    return groups, box


def _collapsed_edges(
    view: _View, box: dict[Value, str], params: set[Value]
) -> tuple[dict[tuple[str, str], None], set[Value], dict[Value, int]]:
    """The edges between what is drawn: a box stands for all its members; the weights folded into
    a neuron are not drawn, nor are parameters read elsewhere (an L2 penalty reads every weight:
    its box counts them instead). Insertion-ordered dicts keep the output stable."""
    ids = view.ids
    weights: set[Value] = set(params)
    for node in box:
        if node._op == "linear":
            prev = node._prev
            weights.update(prev[len(prev) // 2 :])
    edges: dict[tuple[str, str], None] = {}
    sources: set[Value] = set()
    folded: dict[Value, int] = {}
    for node in view.order:
        if not node._prev:
            continue
        member_of = box.get(node)
        if member_of is None:
            children = view.children(node)
            target = ids[node] + "op"
        elif node._op == "linear":
            n = len(node._prev) // 2
            children = tuple(c for c in node._prev[:n] if c in ids)
            target = member_of
        else:
            continue  # an activation: its only input is its own linear node, inside the box
        skipped: set[Value] = set()
        for child in children:
            if member_of is None and child in weights and not child._prev:
                skipped.add(child)
                continue
            tail = box.get(child, ids[child])
            if tail != target:
                edges[(tail, target)] = None
                sources.add(child)
        if skipped:
            folded[node] = len(skipped)
    return edges, sources, folded


def _draw_collapsed(dot: Any, view: _View, plan: _Plan, style: _Style, edge_labels: bool) -> None:
    ids = view.ids
    drawn = set(plan.drawn)
    for node in view.order:
        gid = plan.box.get(node)
        if gid is not None:
            group = plan.groups[gid]
            if node is group.outputs[0]:
                _draw_group(dot, gid, group, style)
        elif node in drawn:
            n = plan.folded.get(node)
            _draw_value(dot, ids[node], node, style, [f"reads {n} parameters"] if n else [])
    labels: dict[tuple[str, str], str] = {}
    if edge_labels:
        for node in view.order:
            if node._prev and node not in plan.box:
                for child, text in zip(node._prev, _edge_labels(node, style)):
                    if child in ids:
                        tail = plan.box.get(child, ids[child])
                        labels.setdefault((tail, ids[node] + "op"), text)
    for tail, head in plan.edges:
        _edge(dot, tail, head, labels.get((tail, head), ""))


def _draw_group(dot: Any, gid: str, group: _Group, style: _Style) -> None:
    act = group.activation
    formula = f"{act}(w·x + b)" if act else "w·x + b"
    outs = group.outputs
    num = style.num
    if len(outs) == 1:
        title = f"{group.name or 'neuron'}  {formula}"
        values = style.values(outs[0])
    else:
        title = f"{group.name or 'layer'}  {len(outs)} × {formula}"
        merged = style.view.merged
        lows = [merged[v].low if v in merged else v.data for v in outs]
        highs = [merged[v].high if v in merged else v.data for v in outs]
        values = [f"data {num(min(lows))} … {num(max(highs))}"]
        if style.show_grad:
            grads = [v.grad for v in outs]
            summed = " summed" if any(v in merged and merged[v].count > 1 for v in outs) else ""
            values.append(f"grad{summed} {num(min(grads))} … {num(max(grads))}")
    sizes = f"{group.n_inputs} inputs, {group.n_params} params"
    fields = [_escape(title), _escape(sizes), *values]
    attrs: dict[str, str] = {}
    if style.color == "role":
        role = "output" if style.root in outs else "group"
        style.roles_seen[role] = None
        attrs = {"style": "filled,rounded", "fillcolor": _ROLE_FILL[role]}
    elif style.color == "grad" and len(outs) == 1:
        attrs = {"style": "filled", "fillcolor": _grad_fill(outs[0].grad, style.largest_grad)}
    if style.root in outs:
        attrs["penwidth"] = "2"
    dot.node(gid, label=_record(fields, style.rankdir), shape="record", **attrs)


# --------------------------------------------------------------------------------------------------
# The legend
# --------------------------------------------------------------------------------------------------

_ROLE_NAMES = {
    "input": "input or constant",
    "param": "parameter",
    "inner": "computed",
    "group": "neuron or layer",
    "output": "output",
}


def _draw_legend(dot: Any, style: _Style) -> None:
    """A small key in a corner: what the fill colours mean."""
    rows: list[str] = []
    if style.color == "role":
        for role in _ROLE_NAMES:
            if role in style.roles_seen:
                rows.append(_swatch(_ROLE_FILL[role], _ROLE_NAMES[role]))
    elif style.color == "grad":
        top = style.largest_grad
        for g in (top, top / 2, 0.0, -top / 2, -top):
            rows.append(_swatch(_grad_fill(g, top), f"grad {format_number(g, '.3g')}"))
        rows.append(
            '<tr><td colspan="2">blue: raising it raises the output<br/>'
            "red: raising it lowers the output</td></tr>"
        )
    if not rows:
        return
    table = (
        '<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">'
        '<tr><td colspan="2"><b>colours</b></td></tr>' + "".join(rows) + "</table>>"
    )
    dot.node("legend", label=table, shape="plaintext", fontsize="9")


def _swatch(fill: str, text: str) -> str:
    return (
        f'<tr><td bgcolor="{fill}" width="14"> </td><td align="left">{html.escape(text)}</td></tr>'
    )


# --------------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------------


#: the resolution of a PNG when save_diagram is not told one: sharp on a high-density screen and in
#: print, where Graphviz's own default (96 dots per inch) looks blurred
PNG_DPI = 150


def save_diagram(
    graph: Value | Any,
    path: str | Path,
    *,
    dpi: float | None = None,
    **draw_options: Any,
) -> Path:
    """Write a diagram to ``path``; the extension picks the format (.svg .png .pdf .dot .gv).

    ``.html`` writes the explorer page of a Value (``autograd.explore``; options go to it).

    ``graph`` is a Value (drawn with ``draw_dot(graph, **draw_options)``) or a Digraph from
    ``draw_dot``. ``.dot``/``.gv`` write the DOT source and need no Graphviz program; the image
    formats run ``dot`` and raise :class:`GraphvizNotFoundError` with install instructions if it
    is missing. ``dpi`` sets the resolution of a PNG (default :data:`PNG_DPI`); SVG and PDF are
    drawn in vector form and need none. Returns the path written.
    """
    target = Path(path)
    ext = target.suffix.lower().lstrip(".")
    if ext == "html" and isinstance(graph, Value):
        # The interactive explorer page (autograd.pages, a layer above this one: imported here).
        from .pages import explore

        return explore(graph, **draw_options).save(target)
    if ext not in IMAGE_FORMATS + SOURCE_FORMATS:
        raise ValueError(
            f"save_diagram: cannot tell the format of {str(target)!r} from its extension; "
            f"use one of {', '.join('.' + e for e in IMAGE_FORMATS + SOURCE_FORMATS)}, "
            "or .html (for a Value)"
        )
    if dpi is not None and (
        isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 0 < dpi <= 2400
    ):
        raise ValueError(
            f"save_diagram: dpi={dpi!r}; expected a number of dots per inch, 1 to 2400"
        )
    if isinstance(graph, Value):
        dot = draw_dot(graph, **draw_options)
    elif draw_options:
        raise TypeError("save_diagram: drawing options only apply when graph is a Value")
    else:
        dot = graph
    if ext in SOURCE_FORMATS:
        target.write_text(dot.source, encoding="utf-8")
        return target
    if ext == "png":
        dot = dot.copy()  # the caller's diagram keeps its own attributes
        dot.graph_attr["dpi"] = f"{PNG_DPI if dpi is None else dpi:g}"
    target.write_bytes(render_bytes(dot, ext))
    return target


def render_bytes(dot: Any, format: str) -> bytes:
    """Run Graphviz's ``dot`` on a Digraph and return the image (``format``: svg, png, pdf, ...)."""
    graphviz = _graphviz()
    try:
        data: bytes = dot.pipe(format=format)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(
            "the Graphviz 'dot' program was not found on PATH, so no image can be made; "
            f"{INSTALL_DOT}; DOT source (.dot/.gv, or draw_dot(root).source) needs no Graphviz"
        ) from None
    except graphviz.CalledProcessError as err:
        detail = err.stderr.decode(errors="replace").strip() if err.stderr else str(err)
        raise RuntimeError(f"Graphviz 'dot' failed: {detail}") from None
    return data
