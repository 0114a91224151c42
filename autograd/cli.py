"""The command line: ``python -m autograd COMMAND ...`` (also installed as ``autograd``).

Commands:
    walkthrough   the lecture's worked example f = (x + y) * z, backpropagated step by step
    draw          parse an expression, run backward, and draw its graph (or print it as text)
    train         train a small MLP on a toy 2-D dataset and plot the decision boundary

Bad usage (unknown flags, a malformed expression, a file that cannot be read) prints a one-line
message and exits with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["CLIError", "build_parser", "main"]


class CLIError(Exception):
    """A problem with what the user asked for; reported as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograd",
        description="A scalar autograd engine for learning backprop.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_walkthrough(sub)
    _add_draw(sub)
    _add_train(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with code 2 and a usage message on bad flags
    try:
        code: int = args.run(args)
    except CLIError as err:
        print(f"{parser.prog} {args.command}: error: {err}", file=sys.stderr)
        return 2
    return code


# Each section below owns one command: its flags (_add_*) and what it runs (_run_*).


# --- walkthrough -------------------------------------------------------------------------------


def _add_walkthrough(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("walkthrough", help="the worked example f = (x + y) * z, step by step")
    p.add_argument("--fmt", default=".4g", help="number format spec, e.g. .4g (default) or .2f")
    p.set_defaults(run=_run_walkthrough)


def _run_walkthrough(args: argparse.Namespace) -> int:
    """The lecture's example: forward pass, backward pass node by node, the finished graph."""
    from .engine import Value, topological_order
    from .explain import describe, explain, node_names, print_tree

    fmt: str = args.fmt
    try:
        format(1.0, fmt)
    except ValueError:
        raise CLIError(f"--fmt {fmt!r} is not a number format (try .4g or .2f)") from None
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    names = node_names(topological_order(f))

    print("The worked example: f(x, y, z) = (x + y) · z  at  x = -2, y = 5, z = -4")
    print()
    print("Forward pass, inputs to output (each node computes its value from its inputs):")
    for node in topological_order(f):
        if node._prev:
            print(f"  {describe(node, names)} = {format(node.data, fmt)}")
    print()
    print("Backward pass, one node at a time, from the output back to the inputs.")
    print("At each node: child.grad += upstream × local, where upstream = df/d(node)")
    print("and local = d(node)/d(child) (the chain rule).")
    print()
    explain(f, fmt=fmt)
    print()
    print("The graph with every value and gradient:")
    print_tree(f, fmt=fmt)
    print()
    print("Reading it: df/dx = df/dq · dq/dx = (-4) · 1 = -4. Nudge x up by a small h and f moves")
    print("by about -4h; z's gradient is q = 3, so f grows with z at three times the rate.")
    print()
    print('Draw it: python -m autograd draw "q = x + y; f = q * z" x=-2 y=5 z=-4 -o graph.svg')
    return 0


# --- draw --------------------------------------------------------------------------------------


def _add_draw(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "draw",
        help="draw the graph of an expression with its values and gradients",
        description=(
            "Evaluate EXPR with the given inputs, run backward(), and draw the graph. EXPR uses "
            "numbers, the inputs, + - * / ** and exp log tanh sigmoid relu leaky_relu sqrt abs "
            "sin cos; 'name = expr' statements separated by ';' name intermediate nodes. "
            "Without -o the DOT source is printed."
        ),
        epilog='example: python -m autograd draw "q = x + y; f = q * z" x=-2 y=5 z=-4 -o f.svg',
    )
    p.add_argument("expression", metavar="EXPR", help='e.g. "(x + y) * z" or "tanh(w*x + b)"')
    p.add_argument("values", metavar="NAME=NUMBER", nargs="*", help="the inputs, e.g. x=-2 y=5")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the diagram to FILE; the extension picks the format: .svg .png .pdf .dot .gv",
    )
    p.add_argument(
        "--text",
        action="store_true",
        help="print the graph as a text tree and the backward pass step by step instead",
    )
    p.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR", help="layout")
    p.add_argument("--no-grad", action="store_true", help="do not run backward(); show data only")
    p.add_argument(
        "--edge-labels",
        action="store_true",
        help="label each edge with the local derivative and upstream × local",
    )
    p.add_argument(
        "--color",
        choices=("role", "grad", "none"),
        default="role",
        help="fill by role (inputs, output), by gradient sign and size, or not at all",
    )
    p.add_argument("--fmt", default=None, help="number format spec (default .4f; .4g for --text)")
    p.set_defaults(run=_run_draw)


def _run_draw(args: argparse.Namespace) -> int:
    """Parse the expression safely (autograd.expr, never eval), backprop, then draw or print."""
    from .explain import explain, print_tree
    from .expr import ExpressionError, evaluate, parse_assignment

    try:
        variables = dict(parse_assignment(v) for v in args.values)
        root = evaluate(args.expression, variables)
    except ExpressionError as err:
        raise CLIError(str(err)) from None
    show_grad = not args.no_grad
    if show_grad:
        root.backward()
    fmt: str = args.fmt or (".4g" if args.text else ".4f")
    try:
        format(1.0, fmt)
    except ValueError:
        raise CLIError(f"--fmt {fmt!r} is not a number format (try .4f or .4g)") from None

    if args.text:
        print_tree(root, fmt=fmt, show_grad=show_grad)
        if show_grad:
            print()
            explain(root, fmt=fmt)
        return 0

    from .viz import GraphvizNotFoundError, draw_dot, save_diagram

    try:
        dot = draw_dot(
            root,
            rankdir=args.rankdir,
            show_grad=show_grad,
            fmt=fmt,
            color=args.color,
            edge_labels=args.edge_labels,
        )
        if args.output is None:
            print(dot.source, end="")
            return 0
        path = save_diagram(dot, args.output)
    except (GraphvizNotFoundError, ImportError, ValueError, RuntimeError) as err:
        raise CLIError(" ".join(str(err).split())) from None
    except OSError as err:
        raise CLIError(f"cannot write {args.output!r}: {err.strerror or err}") from None
    print(f"wrote {path}")
    return 0


# --- train -------------------------------------------------------------------------------------


def _add_train(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("train", help="train an MLP on a toy 2-D dataset")
    p.set_defaults(run=_run_train)


def _run_train(args: argparse.Namespace) -> int:
    raise NotImplementedError
