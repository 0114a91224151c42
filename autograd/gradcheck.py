"""Check analytic gradients against numerical ones (central finite differences).

``gradcheck(fn, inputs)`` is how you convince yourself that a derivative is right: it nudges each
input by ``±eps``, measures how much ``fn`` moves, and compares that slope with what ``grad()``
computed from the op table::

    (f(x + eps) - f(x - eps)) / (2 eps)  ~=  df/dx        (error O(eps^2))

``gradgradcheck`` does the same one level up: it checks the derivatives of the gradient itself, as
built by ``grad(..., create_graph=True)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engine import Value, grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """An analytic gradient disagreed with its finite-difference estimate."""


Fn = Callable[..., Value]


def _as_floats(inputs: Sequence[float | Value] | float | Value) -> list[float]:
    items = inputs if isinstance(inputs, Sequence) else [inputs]
    out = []
    for i, x in enumerate(items):
        if isinstance(x, Value):
            out.append(x.data)
        elif isinstance(x, (int, float)):
            out.append(float(x))
        else:
            raise TypeError(
                f"gradcheck: inputs[{i}] must be a number or a Value, got {type(x).__name__}: {x!r}"
            )
    return out


def _check_output(fn: Fn, out: object) -> Value:
    if not isinstance(out, Value):
        name = getattr(fn, "__name__", repr(fn))
        raise TypeError(f"gradcheck: {name}(...) must return a Value, got {type(out).__name__}")
    return out


def _numeric(fn: Fn, point: list[float], i: int, eps: float) -> float:
    """Central difference of fn along input i at point.

    The graph is recorded (not ``no_grad``) because ``gradgradcheck`` differentiates inside ``fn``.
    """
    hi = point.copy()
    lo = point.copy()
    hi[i] += eps
    lo[i] -= eps
    f_hi = _check_output(fn, fn(*[Value(x) for x in hi])).data
    f_lo = _check_output(fn, fn(*[Value(x) for x in lo])).data
    return (f_hi - f_lo) / (2.0 * eps)


def _compare(
    fn: Fn,
    point: list[float],
    analytic: Sequence[float],
    eps: float,
    atol: float,
    rtol: float,
    what: str,
) -> None:
    for i, a in enumerate(analytic):
        n = _numeric(fn, point, i, eps)
        if not abs(a - n) <= atol + rtol * abs(n):
            raise GradcheckError(
                f"{what}: mismatch for input {i} at {point}: analytic {a!r}, numerical {n!r} "
                f"(difference {abs(a - n):.3g} > atol + rtol*|numerical| = "
                f"{atol + rtol * abs(n):.3g})"
            )


def gradcheck(
    fn: Fn,
    inputs: Sequence[float | Value] | float | Value,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if ``grad(fn(*inputs), inputs)`` matches central differences, input by input.

    ``fn`` takes one Value per input and returns a Value. On a mismatch it raises
    :class:`GradcheckError` naming the input, the analytic and the numerical value (or returns
    False with ``raise_exception=False``). The tolerances are PyTorch's defaults for float64.
    """
    point = _as_floats(inputs)
    xs = [Value(x) for x in point]
    analytic = grad(_check_output(fn, fn(*xs)), xs, allow_unused=True)
    try:
        _compare(
            fn, point, [0.0 if a is None else a for a in analytic], eps, atol, rtol, "gradcheck"
        )
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(
    fn: Fn,
    inputs: Sequence[float | Value] | float | Value,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Like :func:`gradcheck`, one order up: checks every second derivative d2f/dxi dxj.

    For each input i, the gradient component df/dxi is built with ``create_graph=True`` and its own
    gradient is compared with central differences of df/dxi.
    """
    point = _as_floats(inputs)
    n = len(point)
    for i in range(n):

        def dfi(*xs: Value, i: int = i) -> Value:
            (g,) = grad(_check_output(fn, fn(*xs)), [xs[i]], create_graph=True, allow_unused=True)
            return Value(0.0) if g is None else g

        xs = [Value(x) for x in point]
        second = grad(dfi(*xs), xs, allow_unused=True)
        try:
            _compare(
                dfi,
                point,
                [0.0 if a is None else a for a in second],
                eps,
                atol,
                rtol,
                f"gradgradcheck (derivative of df/dx{i})",
            )
        except GradcheckError:
            if raise_exception:
                raise
            return False
    return True
