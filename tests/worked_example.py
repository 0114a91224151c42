"""The lecture's worked example for the tests: f(x, y, z) = (x + y) * z at x = -2, y = 5, z = -4.

Hand-derived: q = x + y = 3, f = q * z = -12; df/dz = q = 3, df/dq = z = -4,
df/dx = df/dq * dq/dx = -4 * 1 = -4, df/dy = -4.
"""

from autograd import Value


def worked_example(*, backward: bool = False) -> tuple[Value, Value, Value, Value, Value]:
    """``x, y, z, q, f``, every node labelled; with ``backward=True`` after ``f.backward()``."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    if backward:
        f.backward()
    return x, y, z, q, f
