"""gradcheck and gradgradcheck: they accept correct derivatives and catch wrong ones, naming the
input, the analytic and the numerical value."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from autograd import GradcheckError, Value, gradcheck, gradgradcheck

CORRECT_FUNCTIONS: list[tuple[str, Callable[..., Value], list[float]]] = [
    ("tanh(xy)+x^2", lambda x, y: (x * y).tanh() + x**2, [0.8, -0.6]),
    ("x^y/(1+y^2)", lambda x, y: x**y / (1.0 + y * y), [1.3, 0.7]),
    ("sigmoid(sin x) log y", lambda x, y: x.sin().sigmoid() * y.log(), [0.4, 2.0]),
    ("linear", lambda a, b, c: Value.linear([a, b], [b, c], a).exp(), [0.1, -0.2, 0.3]),
    ("one input", lambda x: 2.0**x - x.sqrt(), [1.2]),
]


@pytest.mark.parametrize(
    ("fn", "point"), [c[1:] for c in CORRECT_FUNCTIONS], ids=[c[0] for c in CORRECT_FUNCTIONS]
)
def test_gradcheck_and_gradgradcheck_accept_correct_functions(fn, point) -> None:
    assert gradcheck(fn, point) is True
    assert gradgradcheck(fn, point) is True


def _half_hidden(x: Value, y: Value) -> Value:
    """f(x, y) = x * y^2, but the second factor of y is detached.

    The forward is x y^2, so the true df/dy is 2xy; the graph only sees y once, so the analytic
    df/dy is x y: a real, honest mismatch on input 1 (df/dx = y^2 is still right).
    """
    return x * y * y.detach()


def test_gradcheck_names_input_analytic_and_numeric_values() -> None:
    x0, y0 = 1.5, 2.0
    with pytest.raises(GradcheckError) as info:
        gradcheck(_half_hidden, [x0, y0])
    message = str(info.value)
    assert "input 1" in message
    analytic, numeric = x0 * y0, 2.0 * x0 * y0  # 3.0 and 6.0
    assert repr(analytic) in message
    numbers = [float(s) for s in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", message)]
    assert any(abs(n - numeric) < 1e-6 for n in numbers), message
    assert "analytic" in message and "numeric" in message


def test_gradcheck_without_raising_returns_false() -> None:
    assert gradcheck(_half_hidden, [1.5, 2.0], raise_exception=False) is False


def test_gradcheck_accepts_values_as_inputs() -> None:
    assert gradcheck(lambda x: x * x, [Value(3.0)]) is True


def test_gradcheck_passes_where_the_wrong_input_is_not_checked() -> None:
    # df/dx of _half_hidden is right, so a check with y held constant passes
    assert gradcheck(lambda x: _half_hidden(x, Value(2.0)), [1.5]) is True


def _first_derivative_hidden(x: Value) -> Value:
    """f = x * stop(x): the analytic df/dx is the detached copy of x, a constant leaf.

    Its value x changes with x (slope 1), but its graph does not reach x (analytic slope 0): the
    second-order check must catch this.
    """
    return x * x.detach()


def test_gradgradcheck_catches_a_wrong_second_derivative() -> None:
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(_first_derivative_hidden, [1.25])
    message = str(info.value)
    assert "input 0" in message
    assert "analytic 0.0" in message
    # the numerical slope of the first derivative (x itself) is 1
    numbers = [float(s) for s in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", message)]
    assert any(abs(n - 1.0) < 1e-6 for n in numbers), message
    assert gradgradcheck(_first_derivative_hidden, [1.25], raise_exception=False) is False


def test_gradcheck_refuses_functions_that_do_not_return_a_value() -> None:
    with pytest.raises(
        TypeError, match=r"gradcheck: <lambda>\(...\) must return a Value, got float"
    ):
        gradcheck(lambda x: 3.0, [1.0])  # type: ignore[arg-type, return-value]


def test_gradcheck_refuses_non_numeric_inputs() -> None:
    with pytest.raises(
        TypeError, match=r"gradcheck: inputs\[0\] must be a number or a Value, got str"
    ):
        gradcheck(lambda x: x, ["1.0"])  # type: ignore[list-item]
