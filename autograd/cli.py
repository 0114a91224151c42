"""The command line: ``python -m autograd COMMAND ...`` (also installed as ``autograd``).

Commands:
    walkthrough   the lecture's worked example f = (x + y) * z, backpropagated step by step
    draw          parse an expression, run backward, and draw its graph (or print it as text)
    train         train a small MLP on a toy 2-D dataset and plot the decision boundary
    check         grade a Value class you wrote yourself against this engine

Bad usage (unknown flags, a malformed expression, a file that cannot be read) prints a one-line
message and exits with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
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
    _add_check(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # Bad flags exit with code 2 and a usage message; unknown ones are reported by the command's
    # own parser, so the usage shown is that command's.
    args, extra = parser.parse_known_args(argv)
    if extra:
        _command_parser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        code: int = args.run(args)
    except CLIError as err:
        print(f"{parser.prog} {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. `... --text | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


def _command_parser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub: argparse.ArgumentParser = action.choices[command]
            return sub
    return parser


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
    print("by about -4h; df/dz = q = 3, so nudging z up by h moves f by about +3h.")
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
    p.add_argument(
        "--fmt",
        default=None,
        help="number format spec, e.g. .4f (default: shortest exact-looking; .4g for --text)",
    )
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
    fmt: str | None = args.fmt or (".4g" if args.text else None)
    try:
        format(1.0, fmt or "g")
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

_TRAIN_EPILOG = """\
The defaults are the micrograd demo: 100 moons points (noise 0.1), MLP(2, [16, 16, 1]) with ReLU,
hinge loss + 1e-4 * L2, SGD with lr 1.0 decayed linearly to 0.1, 100 full-batch steps, seed 1337.

example:
  python -m autograd train --dataset moons --hidden 16 16 --steps 100 --seed 1337 \\
      --plot out/moons.png --curves out/moons_loss.png --save out/model.json
"""


class _TrainInt:
    """argparse type: an integer >= minimum (a bad value gives the usage message, exit 2)."""

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum

    def __call__(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < self.minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {self.minimum}, got {value}")
        return value


class _TrainFloat:
    """argparse type: a finite number >= minimum (> if strict) and < maximum if given."""

    def __init__(self, minimum: float, maximum: float | None = None, strict: bool = False) -> None:
        self.minimum, self.maximum, self.strict = minimum, maximum, strict

    def __call__(self, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        lo, hi = self.minimum, self.maximum
        too_low = value <= lo if self.strict else value < lo
        finite = value - value == 0  # false for inf and nan
        if not finite or too_low or (hi is not None and value >= hi):
            low = f"> {lo:g}" if self.strict else f">= {lo:g}"
            high = f" and < {hi:g}" if hi is not None else ""
            raise argparse.ArgumentTypeError(f"expected a number {low}{high}, got {text!r}")
        return value


def _add_train(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .data import DATASETS
    from .nn import ACTIVATIONS, INITS
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
        "--n", type=_TrainInt(2), default=100, metavar="N", help="number of points (default: 100)"
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
        choices=["sgd", "adam", "adamw"],
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
        choices=["linear", "step", "cosine", "constant"],
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
        type=int,
        default=1337,
        help="seed for the data, the initial weights and the minibatches (default: 1337)",
    )
    o = p.add_argument_group("output")
    o.add_argument(
        "--plot",
        metavar="PNG",
        help="write the decision boundary picture here (held-out points drawn as rings)",
    )
    o.add_argument("--curves", metavar="PNG", help="write the loss/accuracy curves here")
    o.add_argument("--save", metavar="MODEL.json", help="save the trained model as JSON here")
    o.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_train)


def _run_train(args: argparse.Namespace) -> int:
    import os
    import time

    from .data import MULTICLASS, load, train_test_split
    from .nn import MLP
    from .optim import (
        SGD,
        Adam,
        AdamW,
        ConstantLR,
        CosineAnnealingLR,
        LinearLR,
        LRScheduler,
        Optimizer,
        StepLR,
    )
    from .serialize import load_model, save_model
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
    X, y = load(args.dataset, args.n, args.noise, seed=args.seed, classes=classes)
    if args.test_fraction > 0:
        X_train, X_test, y_train, y_test = train_test_split(X, y, args.test_fraction, args.seed)
    else:
        X_train, X_test, y_train, y_test = X, X[:0], y, y[:0]
    nout = 1 if classes == 2 else classes

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
    per_epoch = -(-len(y_train) // (args.batch_size or len(y_train)))
    total = steps if args.epochs is None else args.epochs * per_epoch
    params = model.parameters()
    optimizer: Optimizer
    if args.optimizer == "sgd":
        optimizer = SGD(
            params, lr=args.lr or 1.0, momentum=args.momentum, weight_decay=args.weight_decay or 0.0
        )
    else:
        if args.momentum:
            raise CLIError("--momentum is for sgd; adam keeps its own (betas 0.9, 0.999)")
        kind = Adam if args.optimizer == "adam" else AdamW
        wd = args.weight_decay if args.weight_decay is not None else kind(params).weight_decay
        optimizer = kind(params, lr=args.lr or 0.01, weight_decay=wd)
    scheduler: LRScheduler
    horizon = max(total or 1, 1)
    if args.schedule == "linear":
        scheduler = LinearLR(optimizer, 1.0, args.final_factor, horizon)
    elif args.schedule == "cosine":
        scheduler = CosineAnnealingLR(optimizer, horizon, optimizer.lr * args.final_factor)
    elif args.schedule == "step":
        scheduler = StepLR(optimizer, max(horizon // 3, 1), 0.1)
    else:
        scheduler = ConstantLR(optimizer)

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
            )
        except ValueError as err:
            raise CLIError(str(err)) from None
    seconds = time.perf_counter() - start

    written = []
    try:
        for path in (args.save, args.plot, args.curves):
            if path and os.path.dirname(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
        if args.save:
            save_model(model, args.save)
            written.append(args.save)
        if args.plot or args.curves:
            from .plot import plot_decision_boundary, plot_history

            if args.plot:
                title = f"{args.dataset}: {model.nin}-{'-'.join(map(str, model.nouts))} MLP"
                plot_decision_boundary(
                    model, X_train, y_train, args.plot, X_test=X_test, y_test=y_test, title=title
                )
                written.append(args.plot)
            if args.curves:
                if history is None:
                    raise CLIError("--curves needs at least one training step")
                plot_history(history, args.curves)
                written.append(args.curves)
    except OSError as err:
        raise CLIError(f"cannot write {err.filename!r}: {err.strerror or err}") from None
    except ImportError as err:
        raise CLIError(str(err)) from None

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
