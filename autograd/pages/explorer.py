"""The explorer: step through the forward and the backward pass on the diagram itself.

``explore(root)`` draws the graph with :func:`autograd.draw_dot` (the same picture), then plays the
two passes one node at a time:

* the forward pass, in topological order: each Value's data appears when it is computed;
* the backward pass, from the output back: the seed ``df/df = 1``, then at each node its upstream
  gradient, the local derivative on each incoming edge, upstream × local, and each input's gradient
  after the addition, so a node used twice visibly collects two contributions.

The numbers come from :func:`autograd.explain.backprop_steps`, the records ``explain()`` prints,
and the local derivatives are written with the nodes' names by evaluating the op table's own
partials on symbols (:mod:`autograd.pages.symbolic`): ``df/dq = df/df · ∂f/∂q = 1 · z = -4``.

The page is one HTML file (SVG, data, script and style inline, no network). In Jupyter,
JupyterLab and VS Code the returned :class:`Explorer` shows itself inline; ``.save("f.html")``
writes the page, as do ``save_diagram(root, "f.html")`` and ``python -m autograd draw ... -o
f.html``.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..engine import Value, topological_order
from ..explain import (
    BackpropStep,
    backprop_steps,
    check_number_format,
    describe,
    format_number,
    node_names,
)
from ..viz import GraphTooLargeError, draw_dot, render_bytes
from ._page import asset, document, json_block, notebook_frame, write_page
from .symbolic import local_symbols

__all__ = ["Explorer", "explore"]

_SHOWN_INPUTS = 6  # a forward step lists at most this many input values
_SIDE_BY_SIDE_PT = 825  # a diagram wider than this (1100 px) gets the side panel below it


class Explorer:
    """A step-by-step page for the graph of ``root``; see :func:`explore`."""

    def __init__(
        self,
        root: Value,
        *,
        fmt: str | None = None,
        collapse: str | None = None,
        max_nodes: int | None = 500,
        rankdir: str = "LR",
        edge_labels: bool = True,
        color: str = "role",
        params: Iterable[Value] | None = None,
        title: str | None = None,
    ) -> None:
        if not isinstance(root, Value):
            raise TypeError(
                f"explore: expected a Value as root, got {type(root).__name__}: {root!r}"
            )
        check_number_format(fmt, "explore")
        self.root = root
        self.fmt = fmt
        order = topological_order(root)
        names = node_names(order)
        self.title = title or f"Backprop through {names[root]}"
        saved = [node.grad for node in order]
        try:
            records = list(backprop_steps(root))  # leaves every .grad as backward() would
            dot = draw_dot(
                root,
                rankdir=rankdir,
                fmt=fmt,
                edge_labels=edge_labels,
                color=color,
                params=params,
                legend=False,  # the page's first step says what the boxes and ovals are
                collapse=collapse,
                max_nodes=max_nodes,
            )
            svg = render_bytes(dot, "svg").decode("utf-8")
        except GraphTooLargeError as err:
            # draw_dot's advice, worded for this call: its options work here the same way.
            raise GraphTooLargeError(str(err).replace("draw_dot", "explore")) from None
        finally:
            for node, g in zip(order, saved):  # the caller's gradients, untouched
                node.grad = g
        self.svg = _inline_svg(svg)
        drawn = _drawn_boxes(self.svg)
        self.steps: list[dict[str, Any]] = _steps(order, names, records, drawn, fmt, collapse)

    # -- output --------------------------------------------------------------------------------

    def html(self) -> str:
        """The whole page, as a string."""
        body = (
            '<div class="explorer">\n'
            '<div class="bar">'
            '<button type="button" class="prev" title="previous step (←)">◀ Previous</button>'
            '<button type="button" class="play" title="play / pause (space)">▶ Play</button>'
            '<button type="button" class="next" title="next step (→)">Next ▶</button>'
            f'<input type="range" class="slider" min="0" max="{len(self.steps) - 1}" value="0" '
            'aria-label="step">'
            '<span class="counter"></span></div>\n'
            f'<div class="main{" stacked" if self._wide() else ""}">'
            f'<div class="diagram">{self.svg}</div>\n'
            '<aside class="panel"><h2 class="step-title"></h2><div class="step-text"></div>'
            '<p class="hint">← → step · space plays · drag the slider</p></aside></div>\n'
            f"{json_block({'steps': self.steps})}\n</div>"
        )
        return document(
            self.title, asset("explorer.css"), body, asset("controls.js") + asset("explorer.js")
        )

    def _wide(self) -> bool:
        """Is the diagram too wide to share a screen's width with the side panel?

        Then the panel goes below it, and the diagram is shrunk less (a neuron drawn left to
        right is about 1700pt wide).
        """
        match = re.search(r"max-width: ([\d.]+)pt", self.svg)
        return match is not None and float(match.group(1)) > _SIDE_BY_SIDE_PT

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (an ``.html`` file) and return the path."""
        return write_page(self.html(), path)

    def _repr_html_(self) -> str:
        match = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', self.svg)
        height = float(match.group(2)) * 4 / 3 if match else 400.0
        # In a notebook's width the side panel wraps below the diagram: room for both.
        return notebook_frame(self.html(), int(min(height, 560)) + 330, self.title)

    def __repr__(self) -> str:
        return f"<autograd explorer: {len(self.steps) - 1} steps; .save('f.html') writes the page>"


def explore(root: Value, **options: Any) -> Explorer:
    """A page that steps through the forward and backward pass of ``root`` on its diagram.

    Returns an :class:`Explorer`: Jupyter, JupyterLab and VS Code show it inline (click it, then
    ← →, space to play); ``.save("f.html")`` writes it as one self-contained HTML file. The
    gradients of the graph are left as they were (the page runs its own backward pass).

    Options: ``fmt`` (number format; by default ``draw_dot``'s shortest exact-looking form),
    ``collapse`` (``'neuron'`` or ``'layer'``: one box per neuron or layer, as in ``draw_dot``),
    ``max_nodes`` (500; a bigger graph raises ``GraphTooLargeError`` with ``draw_dot``'s advice),
    ``rankdir``, ``edge_labels`` (the chain rule on each edge, shown once its step is reached),
    ``color`` and ``params`` (as in ``draw_dot``; ``color='grad'`` fills every box by its final
    gradient from the first step on) and ``title``.
    """
    return Explorer(root, **options)


# --------------------------------------------------------------------------------------------------
# The SVG
# --------------------------------------------------------------------------------------------------


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG file made into an element that scales to the page's width."""
    svg = svg[svg.index("<svg") :]
    match = re.match(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if match:
        width = match.group(1)
        svg = svg.replace(match.group(0), f'<svg width="100%" style="max-width: {width}pt"', 1)
    # Graphviz numbers its elements (id="node3"); the page finds a box by its DOT name instead
    # (data-id="n2", from the <title>), and no id is left that a second page could clash with.
    svg = _NODE_ID.sub(r'<g class="node" data-id="\2">\1', svg)
    return re.sub(r' id="[^"]*"', "", svg)


_NODE_ID = re.compile(r'<g id="node\d+" class="node">(\s*<title>([^<]*)</title>)')
_BOX = re.compile(r'<g class="node" data-id="([ng]\d+)">(.*?)</g>', re.S)
_TEXT = re.compile(r"<text[^>]*>([^<]*)</text>")


def _drawn_boxes(svg: str) -> dict[str, list[str]]:
    """The id of every Value box and collapsed box in the SVG, with the lines of text it shows."""
    return {
        m.group(1): [html.unescape(t) for t in _TEXT.findall(m.group(2))]
        for m in _BOX.finditer(svg)
    }


# --------------------------------------------------------------------------------------------------
# The steps
# --------------------------------------------------------------------------------------------------


def _steps(
    order: list[Value],
    names: dict[Value, str],
    records: list[BackpropStep],
    drawn: dict[str, list[str]],
    fmt: str | None,
    collapse: str | None,
) -> list[dict[str, Any]]:
    """Every step of the page: a start, the forward pass, then the backward pass.

    A step names the boxes and edges to highlight (``focus``, ``edges``), the texts it changes in
    the boxes (``set``: box id, ``'data'`` or ``'grad'``, the new text, or None for the drawn
    one), the edge labels it reveals (``reveal``), and what the side panel says.
    """

    def num(x: float) -> str:
        return format_number(x, fmt)

    ids = {node: f"n{i}" for i, node in enumerate(order)}
    root = order[-1]
    # A collapsed box is called by the first word of its caption (``L1.N3``), as the diagram does.
    box_name = {i: lines[0].split(" ")[0] for i, lines in drawn.items() if i[0] == "g" and lines}
    out = box_name.get(f"g{len(order) - 1}", names[root]) if ids[root] not in drawn else names[root]
    steps: list[dict[str, Any]] = [
        _step(
            "start",
            "The graph, before anything is computed",
            [
                f"Each box is a Value: its name, its data and its gradient d{out}/d(box). "
                "Each oval is the op that computed the box to its right.",
                "→ runs the forward pass one node at a time, then the backward pass.",
            ],
        )
    ]
    total_fwd = sum(1 for i in range(len(order)) if f"n{i}" in drawn or f"g{i}" in drawn)

    # The forward pass: every box in topological order.
    for i, node in enumerate(order):
        nid, gid = f"n{i}", f"g{i}"
        head = f"Forward {len(steps)}/{total_fwd}: "
        if nid in drawn:
            edges = _in_edges(node, ids, drawn)
            if not node._prev:
                lines = [f"{names[node]} is a leaf: its value is given, not computed from others."]
            else:
                shown = [f"{names[c]} = {num(c.data)}" for c in dict.fromkeys(node._prev)]
                if len(shown) > _SHOWN_INPUTS:
                    shown = [*shown[: _SHOWN_INPUTS - 1], f"… ({len(shown)} inputs)"]
                lines = [describe(node, names), "with " + ", ".join(shown)]
            lines.append(f"{names[node]} = {num(node.data)}")
            steps.append(
                _step(
                    "forward",
                    f"{head}{names[node]} = {num(node.data)}",
                    lines,
                    focus=[nid],
                    edges=edges,
                    set_=[[nid, "data", f"data {num(node.data)}"]],
                )
            )
        elif gid in drawn:
            caption = drawn[gid][0] if drawn[gid] else gid
            one = collapse == "neuron"
            steps.append(
                _step(
                    "forward",
                    f"{head}the box {caption}",
                    [
                        f"This box stands for a whole {'neuron' if one else 'layer of neurons'}: "
                        "the weighted sum of the inputs plus a bias, through the activation.",
                        f"its output {box_name.get(gid, names[node])} = {num(node.data)}"
                        if one
                        else "its outputs are shown in the box (smallest … largest)",
                    ],
                    focus=[gid],
                    edges=[["*", gid]],  # every edge into the box
                    set_=[[gid, "data", None]],
                )
            )

    # The backward pass: the seed, then every box that passes a gradient on, output first.
    seed = records[0]
    rid = ids[root] if ids[root] in drawn else f"g{len(order) - 1}"
    d_out = f"d{out}/d{out}"
    steps.append(
        _step(
            "backward",
            f"Backward: the seed {d_out} = {num(seed.upstream)}",
            [
                f"The backward pass starts at the output: {d_out} = {num(seed.upstream)} "
                f"(a change in {out} changes {out} by the same amount).",
                "Every gradient below is d" + out + "/d(node): how much " + out + " moves when "
                "that node moves a little.",
            ],
            focus=[rid],
            set_=[[rid, "grad", f"grad {num(seed.upstream)}" if rid.startswith("n") else None]],
        )
    )
    by_node = {r.node: r for r in records[1:]}
    position = {node: i for i, node in enumerate(order)}
    for node in reversed(order):
        i = position[node]
        nid, gid = f"n{i}", f"g{i}"
        if nid in drawn and node in by_node:
            steps.append(_backward_step(by_node[node], out, names, ids, drawn, num))
        elif gid in drawn and gid != rid and node in by_node:
            steps.append(
                _step(
                    "backward",
                    f"Backward: through the box {drawn[gid][0] if drawn[gid] else gid}",
                    [
                        "The chain rule runs through every neuron in the box: each weight "
                        "gets upstream × its input, each input upstream × its weight.",
                        f"d{out}/d{box_name.get(gid, names[node])} = {num(by_node[node].upstream)}"
                        if collapse == "neuron"
                        else "the gradients of its outputs are shown in the box",
                    ],
                    focus=[gid],
                    edges=[["*", gid]],  # every edge into the box
                    set_=[[gid, "grad", None]],
                )
            )
        elif node in by_node:
            # Inside a collapsed box: the box's step shows what it passes to boxes outside it.
            for u in by_node[node].updates:
                if ids[u.child] in drawn:
                    steps[-1]["set"].append([ids[u.child], "grad", f"grad {num(u.grad_after)}"])
    n_back = sum(1 for s in steps if s["phase"] == "backward")
    k = 0
    for s in steps:
        if s["phase"] == "backward":
            k += 1
            s["title"] = f"Backward {k}/{n_back}: " + s["title"].removeprefix("Backward: ")
    return steps


def _backward_step(
    record: BackpropStep,
    out: str,
    names: dict[Value, str],
    ids: dict[Value, str],
    drawn: dict[str, list[str]],
    num: Any,
) -> dict[str, Any]:
    """One node of the backward pass: the chain rule on each of its incoming edges."""
    node = record.node
    name = record.name
    nid = ids[node]
    symbols = local_symbols(node, names)
    up = num(record.upstream)
    lines = [
        f"{record.expression}. Its gradient is complete: d{out}/d{name} = {up}.",
        "Each input gets upstream × local derivative (the chain rule):",
    ]
    set_: list[list[Any]] = []
    reveal: list[list[str]] = []
    for j, u in enumerate(record.updates):
        cid = ids[u.child]
        local = "?" if u.local is None else num(u.local)
        sym = symbols[j] if symbols is not None else local
        # bracketed after the '·': a sum or difference (1 - o²), or a leading minus (-1, -y/t6)
        shown = f"({sym})" if " " in sym or sym.startswith("-") else sym
        d_child = f"d{out}/d{u.name}"
        chain = f"d{out}/d{name} · ∂{name}/∂{u.name}"
        value = f"{up} · {shown}"
        if sym != local:
            value += f" = {up} · {_paren(local)}"
        if u.local is None:
            text = f"{d_child} += {num(u.contribution)} (from a hand-written _backward)"
            if u.grad_before != 0:
                text += f", so {d_child} = {num(u.grad_before)} + {_paren(num(u.contribution))}"
                text += f" = {num(u.grad_after)}"
            lines.append(text)
        elif u.grad_before != 0:
            lines.append(
                f"{d_child} += {chain} = {value} = {num(u.contribution)}, "
                f"so {d_child} = {num(u.grad_before)} + {_paren(num(u.contribution))} "
                f"= {num(u.grad_after)} ({u.name} is used more than once: the gradients add up)"
            )
        else:
            lines.append(f"{d_child} = {chain} = {value} = {num(u.contribution)}")
        if cid in drawn:
            set_.append([cid, "grad", f"grad {num(u.grad_after)}"])
        reveal.append([cid, nid + "op"])
    edges = [[t, h] for t, h in reveal if t in drawn] + [[nid + "op", nid]]
    return _step(
        "backward",
        f"Backward: {name} = {record.expression.split(' = ', 1)[-1]}",
        lines,
        focus=[nid],
        edges=edges,
        set_=set_,
        reveal=reveal,
    )


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def _in_edges(node: Value, ids: dict[Value, str], drawn: dict[str, list[str]]) -> list[list[str]]:
    nid = ids[node]
    if not node._prev:
        return []
    edges = [[ids[c], nid + "op"] for c in dict.fromkeys(node._prev) if ids[c] in drawn]
    return [*edges, [nid + "op", nid]]


def _step(
    phase: str,
    title: str,
    lines: list[str],
    *,
    focus: list[str] | None = None,
    edges: list[list[str]] | None = None,
    set_: list[list[Any]] | None = None,
    reveal: list[list[str]] | None = None,
) -> dict[str, Any]:
    return {
        "phase": phase,
        "title": title,
        "lines": lines,
        "focus": focus or [],
        "edges": edges or [],
        "set": set_ or [],
        "reveal": reveal or [],
    }
