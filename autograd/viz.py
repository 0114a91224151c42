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

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import Value, local_grads, topological_order
from .explain import check_number_format, format_number, node_names

__all__ = [
    "INSTALL_DOT",
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

_RANKDIRS = ("LR", "TB", "RL", "BT")
_COLORINGS = ("role", "grad", "none")
_COLLAPSES = ("neuron", "layer")
_ACTIVATIONS = frozenset({"tanh", "relu", "sigmoid", "leaky_relu"})

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


def _escape(text: str) -> str:
    """Escape the characters that have a meaning inside a Graphviz record label."""
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
    fmt: str = ".4f",
    params: Iterable[Value] | None = None,
    color: str = "role",
    edge_labels: bool = False,
    collapse: str | None = None,
    max_nodes: int | None = 500,
) -> Any:
    """The computational graph of ``root`` as a ``graphviz.Digraph`` (shown inline in Jupyter).

    Args:
        root: the output Value; everything it depends on is drawn.
        format: the image format of ``Digraph.render()``/``pipe()`` (``'svg'``, ``'png'``, ...).
        rankdir: ``'LR'`` (inputs left, output right), ``'TB'`` (top to bottom), ``'RL'``, ``'BT'``.
        show_grad: show each node's ``.grad`` (hide it to draw the forward pass alone).
        fmt: number format spec for data and grads, ``'.4f'`` as micrograd.
        params: the parameters (e.g. ``model.parameters()``), coloured apart from the inputs.
        color: ``'role'`` fills inputs blue, parameters amber, the output green; ``'grad'`` fills
            every Value by its gradient (blue positive, red negative, darker = larger |grad|);
            ``'none'`` draws black on white.
        edge_labels: write the chain rule on each edge into an op: the local derivative
            d(result)/d(input) and upstream × local, the amount that edge adds to the input's grad.
        collapse: ``None`` draws every node; ``'neuron'`` draws each neuron (a ``linear`` node,
            its activation and its weight and bias leaves) as one box; ``'layer'`` merges the
            neurons that read the same inputs into one box per layer.
        max_nodes: refuse (``GraphTooLargeError``) to draw more boxes than this, pointing to
            ``collapse`` and the text views; ``None`` draws anything.

    The node ids come from the position in ``topological_order(root)``, so the same graph gives
    byte-identical DOT source (``draw_dot(root).source``) every time.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: expected a Value as root, got {type(root).__name__}: {root!r}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_dot: rankdir={rankdir!r}; expected one of {', '.join(_RANKDIRS)}")
    if color not in _COLORINGS:
        raise ValueError(f"draw_dot: color={color!r}; expected one of {', '.join(_COLORINGS)}")
    if collapse is not None and collapse not in _COLLAPSES:
        raise ValueError(
            f"draw_dot: collapse={collapse!r}; expected None, {' or '.join(map(repr, _COLLAPSES))}"
        )
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"draw_dot: max_nodes={max_nodes!r}; expected a positive int or None")
    check_number_format(fmt, "draw_dot")
    param_set = set(params) if params is not None else set()
    for p in param_set:
        if not isinstance(p, Value):
            raise TypeError(f"draw_dot: params must be Values, got {type(p).__name__}: {p!r}")

    order = topological_order(root)
    if collapse is None and max_nodes is not None and len(order) > max_nodes:
        raise GraphTooLargeError(_too_large(len(order), max_nodes, collapsed=False))

    dot = _diagram_class()(format=format, graph_attr={"rankdir": rankdir})
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="9")
    style = _Style(rankdir, show_grad, fmt, param_set, color, root, order)
    if collapse is None:
        _draw_full(dot, order, style, edge_labels)
    else:
        _draw_collapsed(dot, order, style, edge_labels, collapse == "layer", max_nodes)
    return dot


def _too_large(n: int, max_nodes: int, *, collapsed: bool) -> str:
    what = "even collapsed, the diagram has" if collapsed else "the graph has"
    return (
        f"draw_dot: {what} {n} nodes, more than max_nodes={max_nodes}, too many to read; "
        + ("" if collapsed else "draw it with collapse='neuron' or collapse='layer', ")
        + "print it with autograd.print_tree(root) or autograd.explain(root), draw a smaller "
        "graph (one sample's loss), or pass max_nodes=None to draw it anyway"
    )


@dataclass
class _Style:
    """Everything that decides how one Value's box looks."""

    rankdir: str
    show_grad: bool
    fmt: str
    params: set[Value]
    color: str
    root: Value
    order: list[Value]
    names: dict[Value, str] = field(init=False)
    largest_grad: float = field(init=False)

    def __post_init__(self) -> None:
        self.names = node_names(self.order)
        grads = [abs(v.grad) for v in self.order if v.grad == v.grad]
        self.largest_grad = max(grads, default=0.0)

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
        return {"style": "filled", "fillcolor": _ROLE_FILL[role]}

    def fields(self, node: Value) -> list[str]:
        out = [_escape(self.names[node]), f"data {format_number(node.data, self.fmt)}"]
        if self.show_grad:
            out.append(f"grad {format_number(node.grad, self.fmt)}")
        return out


def _draw_value(dot: Any, nid: str, node: Value, style: _Style) -> None:
    label = _record(style.fields(node), style.rankdir)
    dot.node(nid, label=label, shape="record", **style.attrs(node))
    if node._prev:
        dot.node(nid + "op", label=_escape(node._op or "?"), shape="ellipse", **_op_attrs(style))
        dot.edge(nid + "op", nid)


def _op_attrs(style: _Style) -> dict[str, str]:
    attrs = {"margin": "0.02", "height": "0.3"}
    if style.color != "none":
        attrs.update(style="filled", fillcolor=_OP_FILL)
    return attrs


def _edge_label(node: Value, style: _Style) -> list[str]:
    """For each input of ``node``: 'local d' and 'upstream × local = added', or '' if unknown."""
    try:
        locals_ = local_grads(node)
    except TypeError:  # a hand-built node with its own _backward: no table entry to read
        return [""] * len(node._prev)
    up = node.grad

    def num(x: float) -> str:
        return format_number(x, style.fmt)

    return [
        f"local {num(d)}\\n{num(up)} × {num(d)} = {num(up * d)}"
        if style.show_grad
        else f"local {num(d)}"
        for d in locals_
    ]


def _draw_full(dot: Any, order: list[Value], style: _Style, edge_labels: bool) -> None:
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    for node in order:
        nid = ids[node]
        _draw_value(dot, nid, node, style)
        if not node._prev:
            continue
        labels = _edge_label(node, style) if edge_labels else [""] * len(node._prev)
        for child, text in zip(node._prev, labels):
            if text:
                dot.edge(ids[child], nid + "op", label=text)
            else:
                dot.edge(ids[child], nid + "op")


# --------------------------------------------------------------------------------------------------
# The collapsed view
# --------------------------------------------------------------------------------------------------


@dataclass
class _Group:
    """A neuron, or a layer of neurons, drawn as one box."""

    outputs: list[Value]  # each neuron's output (its activation, or the linear node itself)
    linears: list[Value]
    activation: str  # the activation's op, or '' for a bare linear neuron
    n_inputs: int
    n_params: int


def _neurons(order: list[Value]) -> list[tuple[Value, Value, str]]:
    """Every neuron in the graph as (output, linear node, activation op), in topological order.

    A neuron is a ``linear`` node (Σ wᵢxᵢ + b as one node), together with the activation applied
    to it if that activation is the linear node's only consumer.
    """
    consumers: dict[Value, int] = {}
    for node in order:
        for child in node._prev:
            consumers[child] = consumers.get(child, 0) + 1
    owner: dict[Value, tuple[Value, Value, str]] = {}
    for node in order:
        rule = node._rule
        if rule is None:
            continue
        if rule.name == "linear" and node not in owner:
            owner[node] = (node, node, "")
        elif rule.name in _ACTIVATIONS:
            lin = node._prev[0]
            if lin._rule is not None and lin._rule.name == "linear" and consumers[lin] == 1:
                owner[lin] = (node, lin, node._op)
    # Sorted by the position of the neuron's output, so the drawing order is the graph's order.
    position = {node: i for i, node in enumerate(order)}
    return sorted(owner.values(), key=lambda n: position[n[0]])


def _draw_collapsed(
    dot: Any,
    order: list[Value],
    style: _Style,
    edge_labels: bool,
    by_layer: bool,
    max_nodes: int | None,
) -> None:
    position = {node: i for i, node in enumerate(order)}
    groups: dict[Any, _Group] = {}
    box: dict[Value, str] = {}  # member node -> id of the box that stands for it
    for out, lin, act in _neurons(order):
        prev = lin._prev
        n = len(prev) // 2
        inputs = prev[:n]
        params = prev[n:]
        key: Any = (inputs, act) if by_layer else out
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group([], [], act, n, 0)
            gid = f"g{position[out]}"
        else:
            gid = box[group.outputs[0]]
        group.outputs.append(out)
        group.linears.append(lin)
        group.n_params += len(params)
        box[out] = box[lin] = gid

    # Edges between what is drawn: a box stands for all its members, a leaf parameter folded into
    # a neuron is not drawn as an edge into it. Insertion-ordered dicts keep the output stable.
    edges: dict[tuple[str, str], None] = {}
    ids = {node: box.get(node, f"n{i}") for i, node in enumerate(order)}
    drawn_sources: set[Value] = set()
    for node in order:
        if not node._prev:
            continue
        member_of = box.get(node)
        if member_of is None:
            children: tuple[Value, ...] = node._prev
            target = ids[node] + "op"
        elif node._rule is not None and node._rule.name == "linear":
            n = len(node._prev) // 2
            children = node._prev[:n] + tuple(p for p in node._prev[n:] if p._prev)
            target = member_of
        else:
            continue  # an activation: its only input is its own linear node, inside the box
        for child in children:
            if ids[child] != target:
                edges[(ids[child], target)] = None
                drawn_sources.add(child)

    drawn = [
        node
        for node in order
        if node not in box and (node._prev or node is style.root or node in drawn_sources)
    ]
    count = len(drawn) + len(groups)
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLargeError(_too_large(count, max_nodes, collapsed=True))

    group_at = {box[g.outputs[0]]: g for g in groups.values()}
    emitted: set[str] = set()
    for node in order:
        nid = ids[node]
        if node in box:
            if nid not in emitted and node is group_at[nid].outputs[0]:
                emitted.add(nid)
                _draw_group(dot, nid, group_at[nid], style)
        elif node._prev or node is style.root or node in drawn_sources:
            _draw_value(dot, nid, node, style)
    labels: dict[tuple[str, str], str] = {}
    if edge_labels:
        for node in order:
            if node._prev and node not in box:
                for child, text in zip(node._prev, _edge_label(node, style)):
                    labels.setdefault((ids[child], ids[node] + "op"), text)
    for tail, head in edges:
        text = labels.get((tail, head), "")
        if text:
            dot.edge(tail, head, label=text)
        else:
            dot.edge(tail, head)


def _draw_group(dot: Any, gid: str, group: _Group, style: _Style) -> None:
    f = style.fmt
    act = group.activation
    formula = f"{act}(w·x + b)" if act else "w·x + b"
    outs = group.outputs
    if len(outs) == 1:
        title = f"neuron  {formula}"
        values = [f"data {format_number(outs[0].data, f)}"]
        if style.show_grad:
            values.append(f"grad {format_number(outs[0].grad, f)}")
    else:
        title = f"layer  {len(outs)} × {formula}"
        data = [v.data for v in outs]
        values = [f"data {format_number(min(data), f)} … {format_number(max(data), f)}"]
        if style.show_grad:
            grads = [v.grad for v in outs]
            values.append(f"grad {format_number(min(grads), f)} … {format_number(max(grads), f)}")
    sizes = f"{group.n_inputs} inputs, {group.n_params} params"
    fields = [_escape(title), _escape(sizes), *values]
    attrs: dict[str, str] = {}
    if style.color == "role":
        attrs = {"style": "filled,rounded", "fillcolor": _ROLE_FILL["group"]}
        if style.root in outs:
            attrs["fillcolor"] = _ROLE_FILL["output"]
    elif style.color == "grad" and len(outs) == 1:
        attrs = {"style": "filled", "fillcolor": _grad_fill(outs[0].grad, style.largest_grad)}
    if style.root in outs:
        attrs["penwidth"] = "2"
    dot.node(gid, label=_record(fields, style.rankdir), shape="record", **attrs)


# --------------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------------


def save_diagram(
    graph: Value | Any,
    path: str | Path,
    **draw_options: Any,
) -> Path:
    """Write a diagram to ``path``; the extension picks the format (.svg .png .pdf .dot .gv).

    ``graph`` is a Value (drawn with ``draw_dot(graph, **draw_options)``) or a Digraph from
    ``draw_dot``. ``.dot``/``.gv`` write the DOT source and need no Graphviz program; the image
    formats run ``dot`` and raise :class:`GraphvizNotFoundError` with install instructions if it
    is missing. Returns the path written.
    """
    target = Path(path)
    ext = target.suffix.lower().lstrip(".")
    if ext not in IMAGE_FORMATS + SOURCE_FORMATS:
        raise ValueError(
            f"save_diagram: cannot tell the format of {str(target)!r} from its extension; "
            f"use one of {', '.join('.' + e for e in IMAGE_FORMATS + SOURCE_FORMATS)}"
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
