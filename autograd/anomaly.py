"""Anomaly mode: find the op where a nan or an infinity first appears, and where you wrote it.

Inside ``with detect_anomaly():`` (see ``engine.detect_anomaly``) every node made remembers the
line of your code that made it, and

* an op whose result is nan or ±inf raises :class:`AnomalyError` at once, naming the op, its
  inputs' values and that line;
* ``backward()`` checks every gradient it computes: the first node whose chain-rule step gives
  one of its inputs a nan or ±inf gradient raises, naming the op, its inputs, its upstream
  gradient and the line that made it.

Like ``torch.autograd.detect_anomaly`` it is for debugging: recording the line costs a look at the
call stack per node, so it is only done while the mode is on (nodes made outside it have no line).
This module knows nodes only through ``_prev``, ``_op``, ``data`` and ``grad``.
"""

from __future__ import annotations

import math
import sys
import weakref
from pathlib import Path
from typing import Any

__all__ = ["AnomalyError", "check_backward", "check_forward", "record"]

_PACKAGE = str(Path(__file__).resolve().parent)

#: node -> "file:line: source" of the user's code that made it (only nodes made in anomaly mode)
_ORIGINS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


class AnomalyError(ArithmeticError):
    """Raised in anomaly mode where a value or a gradient first becomes nan or infinite."""


_ENGINE = tuple(
    str(Path(_PACKAGE, name)) for name in ("engine.py", "_compact.py", "rules.py", "anomaly.py")
)


def record(node: Any) -> None:
    """Remember where ``node`` was made: the innermost line of your code on the call stack, or,
    when the package itself is running (``python -m autograd train``), its innermost line above
    the engine (e.g. the neuron that made it)."""
    frame: Any = sys._getframe(1)
    fallback = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE):
            if not filename.startswith("<frozen"):  # not Python's own runpy
                break
        elif fallback is None and not filename.startswith(_ENGINE):
            fallback = frame
        frame = frame.f_back
    frame = frame or fallback
    if frame is None:
        return
    import linecache  # (only in anomaly mode)

    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    source = linecache.getline(filename, lineno).strip()
    _ORIGINS[node] = f"{filename}:{lineno}" + (f": {source}" if source else "")


def origin(node: Any) -> str:
    return _ORIGINS.get(node, "(made outside detect_anomaly(), so its line is unknown)")


def _op(node: Any) -> str:
    return node._op or "a hand-built op"


_SHOWN = 6  # inputs listed by value; a neuron's 33 are summarised


def _inputs(node: Any) -> str:
    values = [repr(child.data) for child in node._prev]
    if len(values) > _SHOWN:
        values = [*values[: _SHOWN - 1], f"… {len(values) - _SHOWN + 1} more"]
    return ", ".join(values) or "none"


def check_forward(node: Any) -> None:
    """Raise if ``node``'s value is nan or infinite."""
    if not math.isfinite(node.data):
        raise AnomalyError(
            f"detect_anomaly: {_op(node)!r} gave {node.data!r} from the inputs "
            f"({_inputs(node)}); it was made at {origin(node)}"
        )


def check_backward(node: Any, before: list[float]) -> None:
    """Raise if ``node``'s chain-rule step made an input's gradient nan or infinite
    (``before``: the inputs' ``.grad`` before the step)."""
    for i, (child, old) in enumerate(zip(node._prev, before)):
        if not math.isfinite(child.grad) and math.isfinite(old):
            raise AnomalyError(
                f"detect_anomaly: the backward of {_op(node)!r} gave its input {i + 1} the "
                f"gradient {child.grad!r} (inputs: {_inputs(node)}; upstream gradient "
                f"{node.grad!r}); it was made at {origin(node)}"
            )
