"""Turn a typed expression such as ``"(x + y) * z"`` into a graph of Values, safely.

The command line (``python -m autograd draw``) takes formulas from the user. Handing them to
``eval`` would run any Python at all, so instead the text is parsed with the ``ast`` module and
the tree is walked by hand, allowing only

* numbers, and names bound to Values (``x=-2`` on the command line),
* the operators ``+ - * / **`` and unary ``-`` / ``+``,
* calls of the functions in :data:`FUNCTIONS`, each mapped to a ``Value`` method,
* assignments ``name = expression`` separated by ``;`` or new lines, which name intermediate
  results in the diagram: ``"q = x + y; f = q * z"``. The last statement is the output.

Anything else (attributes, subscripts, comparisons, lambdas, strings, ...) is refused with an
:class:`ExpressionError` whose message is one line.
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .engine import Value
from .rules import functions

__all__ = ["FUNCTIONS", "ExpressionError", "allowed", "evaluate", "parse_assignment"]

MAX_LENGTH = 10_000  #: longer expressions are refused (they would only be typos or abuse)


class ExpressionError(ValueError):
    """The expression cannot be evaluated; the message is one line saying why."""


def _as_value(x: Any) -> Value:
    return x if isinstance(x, Value) else Value(x)


class _Functions(Mapping[str, tuple[Callable[..., Value], tuple[int, int]]]):
    """name -> (function, (least, most) arguments): the op table's functions (every rule with a
    Value method, see ``rules.functions()``), read from the table at each use."""

    def __getitem__(self, name: str) -> tuple[Callable[..., Value], tuple[int, int]]:
        rule = functions()[name]
        return _function(name, [p for p, _ in rule.params]), (1, 1 + len(rule.params))

    def __iter__(self) -> Iterator[str]:
        return iter(functions())

    def __len__(self) -> int:
        return len(functions())


def _function(name: str, params: list[str]) -> Callable[..., Value]:
    def call(x: Any, *numbers: Any) -> Value:
        for p, value in zip(params, numbers):
            if isinstance(value, Value):
                raise ExpressionError(f"{name}: the {p} must be a number, not a variable")
        method: Callable[..., Value] = getattr(_as_value(x), name)
        return method(*numbers)

    return call


#: name -> (function, number of arguments it takes: (min, max)), made from the op table
FUNCTIONS: Mapping[str, tuple[Callable[..., Value], tuple[int, int]]] = _Functions()


def allowed() -> str:
    """What an expression may use, in words (for error messages and the CLI's help)."""
    return "numbers, variable names, + - * / ** and the functions " + ", ".join(FUNCTIONS)


_BINARY: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", lambda a, b: a + b),
    ast.Sub: ("-", lambda a, b: a - b),
    ast.Mult: ("*", lambda a, b: a * b),
    ast.Div: ("/", lambda a, b: a / b),
    ast.Pow: ("**", lambda a, b: a**b),
}


def parse_assignment(text: str) -> tuple[str, float]:
    """``"x=-2"`` -> ``("x", -2.0)``: one input of the expression, as typed on the command line."""
    name, sep, number = text.partition("=")
    name, number = name.strip(), number.strip()
    if not sep or not name:
        raise ExpressionError(f"expected a variable as name=number (like x=-2), got {text!r}")
    if not name.isidentifier():
        raise ExpressionError(f"{name!r} is not a valid variable name (in {text!r})")
    if name in FUNCTIONS:
        raise ExpressionError(f"{name!r} is a function name; choose another variable name")
    try:
        value = float(number)
    except ValueError:
        raise ExpressionError(f"the value of {name} must be a number, got {number!r}") from None
    if not math.isfinite(value):
        raise ExpressionError(f"the value of {name} must be a finite number, got {number!r}")
    return name, value


def evaluate(text: str, variables: Mapping[str, Value | float]) -> Value:
    """Evaluate ``text`` with ``variables`` bound to Values, returning the output Value.

    Plain numbers in ``variables`` become labelled leaves. Assigned names label their result
    (``"q = x + y; f = q * z"`` gives nodes labelled q and f). An unlabelled output is labelled
    ``f`` (or ``out`` if ``f`` is taken). Errors, including domain errors such as ``log(-1)``,
    raise :class:`ExpressionError` with a one-line message.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; at most {MAX_LENGTH}"
        )
    scope: dict[str, Value | float] = {}
    for name, v in variables.items():
        scope[name] = v if isinstance(v, Value) else Value(v, label=name)
    try:
        tree = _parse(text.strip())
    except SyntaxError as err:
        where = f" at column {err.offset}" if err.offset else ""
        shown = text.strip()
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        detail = "" if (err.msg or "").startswith("invalid syntax") else f" ({err.msg})"
        raise ExpressionError(f"invalid syntax{where}{detail}: {shown!r}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("the expression cannot be parsed (too deeply nested?)") from None
    if not tree.body:
        raise ExpressionError("the expression is empty")
    result: Value | float = 0.0
    last_name = ""
    try:
        for stmt in tree.body:
            result, last_name = _statement(stmt, scope)
    except RecursionError:
        raise ExpressionError("the expression is too deeply nested") from None
    except (ArithmeticError, ValueError) as err:
        if isinstance(err, ExpressionError):
            raise
        raise ExpressionError(f"cannot evaluate: {_one_line(err)}") from None
    out = result if isinstance(result, Value) else Value(result)
    if not out.label:
        out.label = last_name or next(n for n in ("f", "out", "result") if n not in scope)
    return out


def _parse(text: str) -> ast.Module:
    """``ast.parse``, without the warnings Python prints for dubious source it still accepts.

    ``1if x else x`` ("invalid decimal literal": a number run into a keyword) and ``"\\d"`` (an
    invalid escape) are parsed with a ``SyntaxWarning`` line on standard error, which would
    appear before the one-line error such an expression gets anyway: each is a keyword construct
    or a string, and the whitelist refuses both. So those warnings are ignored here. (They are
    not turned into errors: the warning filters are process-wide, and for the moment of the parse
    an error filter would make the same warnings raise in every other thread too.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(text, mode="exec")


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _statement(stmt: ast.stmt, scope: dict[str, Value | float]) -> tuple[Value | float, str]:
    if isinstance(stmt, ast.Expr):
        return _eval(stmt.value, scope), ""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if not isinstance(target, ast.Name):
            raise ExpressionError("only a plain name can be assigned to, as in q = x + y")
        name = target.id
        if name in FUNCTIONS:
            raise ExpressionError(f"{name!r} is a function name and cannot be assigned to")
        value = _eval(stmt.value, scope)
        if isinstance(value, Value):
            if value.label:  # a bare alias (r = x) must not rename x: give r its own node
                value = value + 0.0
            value.label = name
        scope[name] = value
        return value, name
    raise ExpressionError(
        f"{type(stmt).__name__} statements are not allowed; write expressions with {allowed()}, "
        "optionally as name = expression; name = expression"
    )


def _eval(node: ast.expr, scope: dict[str, Value | float]) -> Value | float:
    """Evaluate one expression node, allowing only the whitelisted forms."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
        raise ExpressionError(f"{node.value!r} is not allowed; only numbers are")
    if isinstance(node, ast.Name):
        if node.id in scope:
            return scope[node.id]
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: call it, as in {node.id}(x)")
        known = ", ".join(sorted(scope)) or "none"
        raise ExpressionError(
            f"unknown name {node.id!r} (defined: {known}); give it a value, like {node.id}=1.5"
        )
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        symbol, apply = _BINARY[type(node.op)]
        left, right = _eval(node.left, scope), _eval(node.right, scope)
        result = apply(left, right)
        if isinstance(result, complex):  # Python's float power: (-8.0) ** 0.5 is complex
            raise ExpressionError(f"{left!r} {symbol} {right!r} is not a real number")
        return result  # type: ignore[no-any-return]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _eval(node.operand, scope)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        return _call(node, scope)
    raise ExpressionError(f"{_show(node)} is not allowed; use only {allowed()}")


def _call(node: ast.Call, scope: dict[str, Value | float]) -> Value:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise ExpressionError(
            f"{_show(node.func)} is not a known function; known: {', '.join(FUNCTIONS)}"
        )
    name = node.func.id
    if node.keywords:
        raise ExpressionError(f"{name}() takes no keyword arguments")
    fn, (least, most) = FUNCTIONS[name]
    if not least <= len(node.args) <= most:
        wanted = str(least) if least == most else f"{least} or {most}"
        raise ExpressionError(f"{name}() takes {wanted} argument(s), got {len(node.args)}")
    args = [_eval(a, scope) for a in node.args]
    return fn(*args)


def _show(node: ast.AST) -> str:
    try:
        return repr(ast.unparse(node))
    except Exception:
        return type(node).__name__
