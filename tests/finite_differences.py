"""The independent truth for a derivative: the slope of the function itself, measured."""

from collections.abc import Callable


def central_difference(f: Callable[[float], float], a: float) -> float:
    """f'(a) ~ (f(a + h) - f(a - h)) / 2h, with h = 1e-6 relative to a (absolute near 0):
    its error is O(h^2) from the curvature plus O(eps / h) from rounding, about 1e-9 here."""
    h = 1e-6 * max(1.0, abs(a))
    return (f(a + h) - f(a - h)) / (2 * h)
