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
    p.set_defaults(run=_run_walkthrough)


def _run_walkthrough(args: argparse.Namespace) -> int:
    raise NotImplementedError


# --- draw --------------------------------------------------------------------------------------


def _add_draw(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("draw", help="draw the graph of an expression with its values and gradients")
    p.set_defaults(run=_run_draw)


def _run_draw(args: argparse.Namespace) -> int:
    raise NotImplementedError


# --- train -------------------------------------------------------------------------------------


def _add_train(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("train", help="train an MLP on a toy 2-D dataset")
    p.set_defaults(run=_run_train)


def _run_train(args: argparse.Namespace) -> int:
    raise NotImplementedError
