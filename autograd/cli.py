"""The command line: ``python -m autograd COMMAND ...`` (also installed as ``autograd``).

Commands:
    walkthrough   the lecture's worked example f = (x + y) * z, backpropagated step by step
    draw          parse an expression, run backward, and draw its graph (or print it as text)
    train         train a small MLP on a toy 2-D dataset and plot the decision boundary
    check         grade a Value class you wrote yourself against this engine

Bad usage (unknown flags, a malformed expression, a file that cannot be read, sizes beyond what
this pure-Python engine can hold in memory) prints a one-line message and exits with code 2, never
a traceback. Ctrl-C stops with one line and exit code 130. Files are written atomically (to a
temporary name, then renamed), so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import argparse
import inspect
import io
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, cast

__all__ = ["CLIError", "build_parser", "main"]

PROG = "python -m autograd"

#: the largest ``--n`` of ``train`` (numbers of points beyond it are typos or memory bombs)
MAX_POINTS = 1_000_000
#: the most points x neurons one training step may touch: each makes about 300 bytes of graph
MAX_STEP_SIZE = 1_000_000
#: bounds on the width and precision of a ``--fmt`` spec (``format(x, "500000000.2f")`` is 500 MB)
MAX_FMT_WIDTH = 100
MAX_FMT_PRECISION = 50


class CLIError(Exception):
    """A problem with what the user asked for; reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, but a bad flag is reported in one line (not the usage plus the error),
    like every other mistake: ``python -m autograd train: error: argument --seed: ...``."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A scalar autograd engine for learning backprop.",
    )
    # The commands' parsers are _Parsers too (one-line errors); to their builders, plain ones.
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )
    _add_walkthrough(sub)
    _add_draw(sub)
    _add_train(sub)
    _add_check(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        # Bad flags exit with code 2 and one line; unknown ones are reported by the command's
        # own parser, so the line names that command.
        args, extra = parser.parse_known_args(_expression_first(parser, argv))
        if extra:
            _command_parser(parser, args.command).error(
                f"unrecognized arguments: {' '.join(extra)}"
            )
        code: int = args.run(args)
    except CLIError as err:
        print(f"{PROG} {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C: one line, and the shell's code for "stopped by SIGINT" (128 + 2). Files being
        # written are temporary until complete (autograd._atomic), so nothing is left half-done.
        # On a terminal the ^C echo (or a progress bar) may hold the line: start a fresh one.
        lead = "\n" if sys.stderr.isatty() else ""
        print(f"{lead}{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `... --text | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


def _expression_first(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """Let ``draw``'s expression start with a minus sign: ``draw "-x" x=1``.

    argparse takes every word that starts with ``-`` for a flag. The first word after ``draw``
    that is not one of its flags (or a flag's value) is the expression, so such a word is
    marked as a positional argument by a leading space (which the expression parser ignores).
    Words starting with ``-o`` or ``-h`` keep their meaning as flags (``-ofile.svg`` is
    ``-o file.svg``); write such an expression with parentheses: ``"(-o)*2"``.
    """
    if not argv or argv[0] != "draw":
        return argv
    draw = _command_parser(parser, "draw")
    takes_value = {
        option
        for action in draw._actions
        if action.option_strings and action.nargs != 0
        for option in action.option_strings
    }
    out = list(argv)
    i = 1
    while i < len(out):
        word = out[i]
        if word == "--":
            break
        if word.startswith("--"):
            i += 2 if word in takes_value else 1
            continue
        if word.startswith("-") and len(word) > 1 and word[1] not in "oh":
            out[i] = " " + word  # the expression itself
            break
        if word.startswith("-") and len(word) > 1:
            i += 2 if word in takes_value else 1
            continue
        break  # the first positional word: the expression, not starting with "-"
    return out


def _command_parser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub: argparse.ArgumentParser = action.choices[command]
            return sub
    return parser


# Each section below owns one command: its flags (_add_*) and what it runs (_run_*).


# --- walkthrough -------------------------------------------------------------------------------


def _add_walkthrough(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .explain import explain

    default = _default(explain, "fmt")
    p = sub.add_parser("walkthrough", help="the worked example f = (x + y) * z, step by step")
    p.add_argument(
        "--fmt",
        type=_NumberFormat(),
        default=default,
        help=f"number format spec, e.g. {default} (default) or .2f",
    )
    p.set_defaults(run=_run_walkthrough)


def _default(fn: Callable[..., Any], name: str) -> Any:
    """The default of ``fn``'s parameter ``name``: the one place that default is written."""
    return inspect.signature(fn).parameters[name].default


class _NumberFormat:
    """argparse type: a format spec for floats (``.4f``, ``>10.3e``) that is safe to print.

    The width and precision are bounded (``500000000.2f`` would build a 500 MB string), and
    the fill character must be printable and mean nothing in a diagram's record labels
    (``\\<7.2f`` would end a label early and break the DOT).
    """

    _SPEC = re.compile(
        r"(?:(?P<fill>.)?[<>=^])?[-+ ]?z?#?0?(?P<width>\d+)?[,_]?(?:\.(?P<precision>\d+))?"
        r"[eEfFgGn%]?",
        re.DOTALL,
    )

    def __call__(self, text: str) -> str:
        from .explain import check_number_format

        try:
            check_number_format(text, "--fmt")
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a number format (try .4f or .4g)"
            ) from None
        spec = self._SPEC.fullmatch(text)
        if spec is None:  # pragma: no cover - check_number_format accepted it: Python's grammar
            raise argparse.ArgumentTypeError(f"{text!r} is not a number format (try .4f or .4g)")
        width, precision, fill = spec["width"], spec["precision"], spec["fill"]
        if width is not None and int(width) > MAX_FMT_WIDTH:
            raise argparse.ArgumentTypeError(
                f"{text!r}: the width {int(width)} is too large (at most {MAX_FMT_WIDTH})"
            )
        if precision is not None and int(precision) > MAX_FMT_PRECISION:
            raise argparse.ArgumentTypeError(
                f"{text!r}: the precision {int(precision)} is too large "
                f"(at most {MAX_FMT_PRECISION})"
            )
        if fill is not None and (not fill.isprintable() or fill in '\\{}|<>"'):
            raise argparse.ArgumentTypeError(
                f"{text!r}: the fill character {fill!r} is not allowed "
                '(use a printable character other than \\ { } | < > ")'
            )
        return text


def _run_walkthrough(args: argparse.Namespace) -> int:
    """The lecture's example: forward pass, backward pass node by node, the finished graph."""
    from .engine import Value, topological_order
    from .explain import describe, explain, node_names, print_tree

    fmt: str = args.fmt
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
    print("by about -4h; df/dz = q = 3, so nudging z up by h moves f by about +3h.")
    print()
    print('Draw it: python -m autograd draw "q = x + y; f = q * z" x=-2 y=5 z=-4 -o graph.svg')
    return 0


# --- draw --------------------------------------------------------------------------------------


def _add_draw(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .explain import text_tree
    from .expr import FUNCTIONS
    from .viz import COLORINGS, RANKDIRS, draw_dot

    dot_fmt = _default(draw_dot, "fmt") or "shortest exact-looking"
    text_fmt = _default(text_tree, "fmt") or "shortest exact-looking"

    p = sub.add_parser(
        "draw",
        help="draw the graph of an expression with its values and gradients",
        description=(
            "Evaluate EXPR with the given inputs, run backward(), and draw the graph. EXPR uses "
            f"numbers, the inputs, + - * / ** and {' '.join(FUNCTIONS)}; 'name = expr' "
            "statements separated by ';' name intermediate nodes. Without -o the DOT source is "
            "printed."
        ),
        epilog='example: python -m autograd draw "q = x + y; f = q * z" x=-2 y=5 z=-4 -o f.svg',
    )
    p.add_argument("expression", metavar="EXPR", help='e.g. "(x + y) * z" or "tanh(w*x + b)"')
    p.add_argument("values", metavar="NAME=NUMBER", nargs="*", help="the inputs, e.g. x=-2 y=5")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the diagram to FILE; the extension picks the format: .svg .png .pdf .dot .gv, "
        "or .html for a page that steps through the forward and backward pass",
    )
    p.add_argument(
        "--text",
        action="store_true",
        help="print the graph as a text tree and the backward pass step by step instead",
    )
    p.add_argument(
        "--rankdir",
        choices=RANKDIRS,
        default=_default(draw_dot, "rankdir"),
        help="layout: LR is left to right (default: %(default)s)",
    )
    p.add_argument("--no-grad", action="store_true", help="do not run backward(); show data only")
    p.add_argument(
        "--edge-labels",
        action="store_true",
        help="label each edge with the local derivative and upstream × local",
    )
    p.add_argument(
        "--color",
        choices=COLORINGS,
        default=_default(draw_dot, "color"),
        help="fill by role (inputs, output), by gradient sign and size, or not at all "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--fmt",
        type=_NumberFormat(),
        default=None,
        help=f"number format spec, e.g. .4f (default: {dot_fmt}; {text_fmt} for --text)",
    )
    p.set_defaults(run=_run_draw)


def _run_draw(args: argparse.Namespace) -> int:
    """Parse the expression safely (autograd.expr, never eval), backprop, then draw or print."""
    from .explain import explain, text_tree
    from .expr import ExpressionError, evaluate, parse_assignment

    try:
        variables = dict(parse_assignment(v) for v in args.values)
        root = evaluate(args.expression, variables)
    except ExpressionError as err:
        raise CLIError(str(err)) from None
    show_grad = not args.no_grad
    if show_grad:
        try:
            root.backward()
        except ArithmeticError as err:  # e.g. a derivative too large for a float
            raise CLIError(
                f"cannot compute the gradients: {_arithmetic(err)} "
                "(--no-grad draws the values alone)"
            ) from None
    # Without --fmt each view uses its own default (draw_dot's, text_tree's, explain's).
    fmt: dict[str, Any] = {} if args.fmt is None else {"fmt": args.fmt}
    page = args.output is not None and args.output.lower().endswith(".html")

    if args.text:
        # Both views are made before anything is printed, so an error leaves no half output.
        steps = io.StringIO()
        try:
            tree = text_tree(root, show_grad=show_grad, **fmt)
            if show_grad:
                explain(root, file=steps, **fmt)
        except ArithmeticError as err:
            raise CLIError(f"cannot show the backward pass: {_arithmetic(err)}") from None
        print(tree)
        if show_grad:
            print()
            print(steps.getvalue(), end="")
        return 0

    from ._atomic import replacing
    from .viz import (
        IMAGE_FORMATS,
        SOURCE_FORMATS,
        GraphvizNotFoundError,
        draw_dot,
        save_diagram,
    )

    try:
        if page:
            # The explorer page: it steps through both passes itself, so it ignores --no-grad.
            save_diagram(root, args.output, rankdir=args.rankdir, edge_labels=True, **fmt)
            print(f"wrote {args.output} (open it in a browser: → steps, space plays)")
            return 0
        dot = draw_dot(
            root,
            rankdir=args.rankdir,
            show_grad=show_grad,
            color=args.color,
            edge_labels=args.edge_labels,
            **fmt,
        )
        if args.output is None:
            print(dot.source, end="")
            return 0
        formats = IMAGE_FORMATS + SOURCE_FORMATS
        if os.path.splitext(args.output)[1].lower().lstrip(".") not in formats:
            raise CLIError(
                f"cannot tell the format of {args.output!r} from its extension; "
                f"use one of {', '.join('.' + e for e in formats)}"
            )
        with replacing(args.output) as tmp:
            save_diagram(dot, tmp)
    except (GraphvizNotFoundError, ImportError, ValueError, RuntimeError) as err:
        raise CLIError(" ".join(str(err).split())) from None
    except ArithmeticError as err:  # e.g. an edge label's local derivative beyond float range
        raise CLIError(f"cannot draw the graph: {_arithmetic(err)}") from None
    except OSError as err:
        raise CLIError(f"cannot write {args.output!r}: {err.strerror or err}") from None
    print(f"wrote {args.output}")
    return 0


def _arithmetic(err: ArithmeticError) -> str:
    """A float error in words: OverflowError's own text is ``(34, 'Numerical result ...')``."""
    if isinstance(err, OverflowError):
        return "a derivative is too large for a float"
    return " ".join(str(err).split()) or type(err).__name__


# --- train -------------------------------------------------------------------------------------

_TRAIN_EPILOG = """\
The defaults are the micrograd demo: 100 moons points (noise 0.1), MLP(2, [16, 16, 1]) with ReLU,
hinge loss + 1e-4 * L2, SGD with lr 1.0 decayed linearly to 0.1, 100 full-batch steps, seed 1337.

example:
  python -m autograd train --dataset moons --hidden 16 16 --steps 100 --seed 1337 \\
      --plot out/moons.png --curves out/moons_loss.png --save out/model.json
"""


class _TrainInt:
    """argparse type: an integer >= minimum and <= maximum if given (a bad value gives the usage
    message, exit 2)."""

    def __init__(self, minimum: int, maximum: int | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, text: str) -> int:
        shown = text if len(text) <= 40 else text[:37] + "..."
        try:
            value = int(text)
        except ValueError:  # also for more than 4300 digits
            raise argparse.ArgumentTypeError(f"expected an integer, got {shown!r}") from None
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            bound = f">= {self.minimum}"
            if self.maximum is not None:
                bound = f"from {self.minimum} to {self.maximum:,}"
            raise argparse.ArgumentTypeError(f"expected an integer {bound}, got {shown}")
        return value


class _TrainFloat:
    """argparse type: a finite number >= minimum (> if strict) and < maximum if given."""

    def __init__(self, minimum: float, maximum: float | None = None, strict: bool = False) -> None:
        self.minimum, self.maximum, self.strict = minimum, maximum, strict

    def __call__(self, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise argparse.ArgumentTypeError(f"expected a number, got {shown!r}") from None
        lo, hi = self.minimum, self.maximum
        too_low = value <= lo if self.strict else value < lo
        finite = value - value == 0  # false for inf and nan
        if not finite or too_low or (hi is not None and value >= hi):
            low = f"> {lo:g}" if self.strict else f">= {lo:g}"
            high = f" and < {hi:g}" if hi is not None else ""
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise argparse.ArgumentTypeError(f"expected a number {low}{high}, got {shown!r}")
        return value


def _add_train(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .data import DATASETS
    from .nn import ACTIVATIONS, INITS
    from .optim import OPTIMIZERS, SCHEDULES
    from .train import LOSSES

    p = sub.add_parser(
        "train",
        help="train an MLP on a toy 2-D dataset",
        description="Train a small MLP on a toy 2-D dataset, print a summary, and optionally "
        "plot the decision boundary and the loss curve and save the model as JSON.",
        epilog=_TRAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    d = p.add_argument_group("data")
    d.add_argument(
        "--dataset",
        choices=list(DATASETS),
        default="moons",
        help="which toy dataset (default: moons)",
    )
    d.add_argument(
        "--n",
        type=_TrainInt(2, MAX_POINTS),
        default=100,
        metavar="N",
        help="number of points (default: 100)",
    )
    d.add_argument(
        "--noise",
        type=_TrainFloat(0.0),
        default=0.1,
        help="standard deviation of the gaussian noise (default: 0.1)",
    )
    d.add_argument(
        "--classes",
        type=_TrainInt(2),
        default=None,
        metavar="K",
        help="number of classes for spiral and blobs (default: 3); the other datasets have 2",
    )
    d.add_argument(
        "--test-fraction",
        type=_TrainFloat(0.0, 1.0),
        default=0.0,
        metavar="F",
        help="hold out this fraction of the points to measure test accuracy "
        "(default: 0, train on all)",
    )
    m = p.add_argument_group("model")
    m.add_argument(
        "--hidden",
        type=_TrainInt(1),
        nargs="*",
        default=[16, 16],
        metavar="H",
        help="hidden layer sizes; the output layer is added (default: 16 16)",
    )
    m.add_argument(
        "--activation",
        choices=[a for a in ACTIVATIONS if a != "linear"],
        default="relu",
        help="hidden-layer nonlinearity (default: relu)",
    )
    m.add_argument(
        "--init",
        choices=list(INITS),
        default="uniform",
        help="weight initialisation: uniform is micrograd's U(-1, 1) (default)",
    )
    m.add_argument(
        "--load",
        metavar="MODEL.json",
        help="start from a model saved with --save (its architecture replaces "
        "--hidden, --activation and --init); with --steps 0 it is only evaluated",
    )
    t = p.add_argument_group("training")
    t.add_argument(
        "--loss",
        choices=list(LOSSES),
        default="auto",
        help="hinge, bce (binary cross-entropy), cross_entropy (k classes), mse; "
        "auto: hinge for 2 classes, cross_entropy for more (default: auto)",
    )
    t.add_argument(
        "--alpha",
        type=_TrainFloat(0.0),
        default=1e-4,
        help="L2 regularisation strength λ in λ·Σw² (default: 1e-4)",
    )
    t.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default="sgd",
        help="optimizer (default: sgd)",
    )
    t.add_argument(
        "--lr",
        type=_TrainFloat(0.0, strict=True),
        default=None,
        help="learning rate (default: 1.0 for sgd, 0.01 for adam and adamw)",
    )
    t.add_argument(
        "--momentum", type=_TrainFloat(0.0, 1.0), default=0.0, help="SGD momentum (default: 0)"
    )
    t.add_argument(
        "--weight-decay",
        type=_TrainFloat(0.0),
        default=None,
        help="optimizer weight decay (default: 0; 0.01 for adamw)",
    )
    t.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="linear",
        help="learning-rate schedule over the run: linear from lr to "
        "lr·final-factor (micrograd's), step (×0.1 every third of the run), "
        "cosine (down to lr·final-factor) or constant (default: linear)",
    )
    t.add_argument(
        "--final-factor",
        type=_TrainFloat(0.0),
        default=0.1,
        metavar="F",
        help="final lr as a fraction of --lr for linear and cosine (default: 0.1)",
    )
    length = t.add_mutually_exclusive_group()
    length.add_argument(
        "--steps", type=_TrainInt(0), default=None, help="number of optimizer steps (default: 100)"
    )
    length.add_argument(
        "--epochs",
        type=_TrainInt(1),
        default=None,
        help="passes over the data instead of --steps (use with --batch-size)",
    )
    t.add_argument(
        "--batch-size",
        type=_TrainInt(1),
        default=None,
        metavar="B",
        help="minibatch size (default: all points, full-batch)",
    )
    t.add_argument(
        "--seed",
        type=_TrainInt(0, 2**32 - 1),  # what numpy's RandomState accepts
        default=1337,
        help="seed for the data, the initial weights and the minibatches (default: 1337)",
    )
    t.add_argument(
        "--detect-anomaly",
        action="store_true",
        help="stop at the first nan or infinity in a value or a gradient, naming the op, its "
        "inputs and the line that made it (exit code 1; slower)",
    )
    o = p.add_argument_group("output")
    o.add_argument(
        "--plot",
        metavar="PNG",
        help="write the decision boundary picture here (held-out points drawn as rings)",
    )
    o.add_argument("--curves", metavar="PNG", help="write the loss/accuracy curves here")
    o.add_argument("--save", metavar="MODEL.json", help="save the trained model as JSON here")
    o.add_argument(
        "--report",
        metavar="HTML",
        help="write a replay page here: the boundary forming step by step, with the curves",
    )
    o.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_train)


def _run_train(args: argparse.Namespace) -> int:
    import math
    import time

    from ._atomic import replacing
    from .anomaly import AnomalyError
    from .data import MULTICLASS, load, train_test_split
    from .nn import MLP
    from .optim import make_optimizer, make_scheduler
    from .serialize import check_model_size, load_model, save_model
    from .train import accuracy, fit, resolve_loss

    if args.dataset in MULTICLASS:
        classes = 3 if args.classes is None else args.classes
    elif args.classes in (None, 2):
        classes = 2
    else:
        raise CLIError(
            f"--classes {args.classes}: the {args.dataset} dataset always has 2 classes; "
            f"--classes applies to {' and '.join(MULTICLASS)}"
        )
    nout = 1 if classes == 2 else classes
    if not args.load:  # check the size before building anything
        try:
            check_model_size(2, [*args.hidden, nout], "--hidden")
        except ValueError as err:
            raise CLIError(str(err)) from None
    try:
        X, y = load(args.dataset, args.n, args.noise, seed=args.seed, classes=classes)
    except ValueError as err:
        raise CLIError(f"{err} (--n {args.n}, --classes {classes})") from None
    if args.test_fraction > 0:
        X_train, X_test, y_train, y_test = train_test_split(X, y, args.test_fraction, args.seed)
        if not len(y_train):
            raise CLIError(
                f"--test-fraction {args.test_fraction:g} of --n {args.n} points holds out "
                f"all of them; no points are left to train on"
            )
    else:
        X_train, X_test, y_train, y_test = X, X[:0], y, y[:0]

    if args.load:
        try:
            model = load_model(args.load)
        except OSError as err:
            raise CLIError(f"cannot read {args.load!r}: {err.strerror or err}") from None
        except ValueError as err:
            raise CLIError(str(err)) from None
        if model.nin != 2 or model.nout != nout:
            raise CLIError(
                f"{args.load!r} is a model with {model.nin} inputs and {model.nout} outputs; "
                f"{args.dataset} needs 2 inputs and {nout} output(s)"
            )
    else:
        model = MLP(
            2, [*args.hidden, nout], activation=args.activation, init=args.init, seed=args.seed
        )
    try:
        loss = resolve_loss(args.loss, nout)
    except ValueError as err:
        raise CLIError(f"--loss {args.loss}: {err}") from None

    steps = 100 if args.steps is None and args.epochs is None else args.steps
    points_per_step = min(args.batch_size or len(y_train), len(y_train))
    if points_per_step * sum(model.nouts) > MAX_STEP_SIZE and (steps or args.epochs):
        raise CLIError(
            f"a step over {points_per_step:,} points with {sum(model.nouts):,} neurons would "
            f"build a graph of about {2 * points_per_step * sum(model.nouts):,} nodes, "
            f"more than fits in memory; use --batch-size "
            f"{max(MAX_STEP_SIZE // sum(model.nouts), 1):,} or smaller"
        )
    per_epoch = -(-len(y_train) // (args.batch_size or len(y_train)))
    total = steps if args.epochs is None else args.epochs * per_epoch
    params = model.parameters()
    if args.momentum and args.optimizer != "sgd":
        raise CLIError("--momentum is for sgd; adam keeps its own (betas 0.9, 0.999)")
    optimizer = make_optimizer(
        args.optimizer,
        params,
        lr=args.lr or None,
        momentum=args.momentum,
        weight_decay=args.weight_decay,
    )
    scheduler = make_scheduler(args.schedule, optimizer, total or 1, final_factor=args.final_factor)

    replay = None
    if args.report:
        from .pages import TrainingReplay

        settings = {
            name.replace("_", " "): " ".join(map(str, value)) if isinstance(value, list) else value
            for name, value in vars(args).items()
            if name not in ("run", "command", "plot", "curves", "save", "report", "quiet")
            and value is not None
            and (name != "classes" or args.dataset in MULTICLASS)
        }
        settings["loss"] = loss  # 'auto' resolved
        title = f"{args.dataset}: {model.nin}-{'-'.join(map(str, model.nouts))} MLP, {loss} loss"
        replay = TrainingReplay(model, X_train, y_train, settings=settings, title=title)

    start = time.perf_counter()
    history = None
    if total:
        try:
            history = fit(
                model,
                X_train,
                y_train,
                loss=loss,
                optimizer=optimizer,
                scheduler=scheduler,
                steps=steps,
                epochs=args.epochs,
                batch_size=args.batch_size,
                alpha=args.alpha,
                seed=args.seed,
                progress=False if args.quiet else None,
                callback=replay,
                detect_anomaly=args.detect_anomaly,
            )
        except ValueError as err:
            raise CLIError(str(err)) from None
        except AnomalyError as err:
            print(f"python -m autograd train: {err}", file=sys.stderr)
            return 1
    seconds = time.perf_counter() - start

    if args.curves and history is None:
        raise CLIError("--curves needs at least one training step")
    if args.save:
        diverged = next((n for n, p in model.named_parameters() if not math.isfinite(p.data)), "")
        if diverged:
            raise CLIError(
                f"training diverged (parameter {diverged} is not finite); {args.save!r} was not "
                "written: try a smaller --lr"
            )

    # Each file is written to a temporary name and renamed into place when complete.
    written: list[str] = []
    path = ""  # the file being written, for the error message
    try:
        for path in (args.save, args.plot, args.curves, args.report):
            if path and os.path.dirname(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
        if args.save:
            path = args.save
            save_model(model, path)
            written.append(path)
        if args.plot or args.curves:
            from .plot import plot_decision_boundary, plot_history

            if args.plot:
                path = args.plot
                title = f"{args.dataset}: {model.nin}-{'-'.join(map(str, model.nouts))} MLP"
                with replacing(path) as tmp:
                    plot_decision_boundary(
                        model, X_train, y_train, tmp, X_test=X_test, y_test=y_test, title=title
                    )
                written.append(path)
            if args.curves and history is not None:
                path = args.curves
                with replacing(path) as tmp:
                    plot_history(history, tmp)
                written.append(path)
        if replay is not None:
            path = args.report
            if len(y_test):
                replay.results["test accuracy"] = f"{accuracy(model, X_test, y_test):.1%}"
            replay.save(path)
            written.append(path)
    except OSError as err:
        raise CLIError(f"cannot write {path!r}: {err.strerror or err}") from None
    except (ImportError, ValueError) as err:
        raise CLIError(" ".join(str(err).split())) from None

    arch = f"MLP({model.nin}, {model.nouts})"
    if history is not None:
        print(
            f"trained {arch} on {args.dataset} ({len(y_train)} points): "
            f"{history.steps} steps of {args.optimizer}, {loss} loss"
            + (f" + {args.alpha:g}·L2" if args.alpha else "")
        )
        print(f"final loss      {history.loss[-1]:.6f}")
    else:
        print(f"evaluated {arch} on {args.dataset} ({len(y_train)} points), no training steps")
    print(f"train accuracy  {accuracy(model, X_train, y_train):.1%}")
    if len(y_test):
        print(f"test accuracy   {accuracy(model, X_test, y_test):.1%} ({len(y_test)} points)")
    if history is not None:
        print(f"time            {seconds:.2f} s ({1000 * seconds / history.steps:.1f} ms/step)")
    if written:
        print("wrote           " + ", ".join(written))
    return 0


# --- check -------------------------------------------------------------------------------------

_CHECK_EPILOG = """\
exit status: 0 when nothing is wrong (missing and limited are not errors), 1 when a check is
wrong, 2 when the file cannot be checked at all (no such file or class, it fails to import).

examples:
  python -m autograd check my_engine.py
  python -m autograd check my_engine.py:MyValue --timeout 30
"""


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="grade a Value class you wrote yourself against this engine",
        description="Import FILE in a child process and grade its Value class (and its MLP, if "
        "it has one) against autograd.Value: the same expressions built with both, every data "
        "and gradient compared, each mistake explained with the chain-rule step it should have "
        "taken.",
        epilog=_CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("target", metavar="FILE[:CLASS]", help="your engine file; CLASS is Value")
    p.add_argument(
        "--timeout",
        type=_TrainFloat(0.0, strict=True),
        default=10.0,
        metavar="SECONDS",
        help="time limit for importing the file and for each check (default: 10)",
    )
    p.set_defaults(run=_run_check)


def _run_check(args: argparse.Namespace) -> int:
    from .check import CheckError, check_file

    path, _, class_name = str(args.target).partition(":")
    if _ and not class_name.isidentifier():
        raise CLIError(f"{args.target!r}: expected FILE.py:ClassName after the colon")
    try:
        report = check_file(path, class_name or "Value", timeout=args.timeout)
    except CheckError as err:
        raise CLIError(str(err)) from None
    return report.exit_code
