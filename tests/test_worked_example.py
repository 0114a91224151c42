"""The lecture's worked example: f(x, y, z) = (x + y) * z at x = -2, y = 5, z = -4.

Hand-derived: q = x + y = 3, f = q * z = -12; df/dz = q = 3, df/dq = z = -4,
df/dx = df/dq * dq/dx = -4 * 1 = -4, df/dy = -4.
"""

from worked_example import worked_example as build


def test_forward_values():
    *_, q, f = build()
    assert q.data == 3.0
    assert f.data == -12.0


def test_backward_gives_the_hand_derived_gradients():
    x, y, z, q, f = build()
    f.backward()
    assert f.grad == 1.0
    assert z.grad == 3.0
    assert q.grad == -4.0
    assert x.grad == -4.0
    assert y.grad == -4.0


def test_manual_backward_node_by_node():
    x, y, z, q, f = build()
    f.grad = 1.0
    f._backward()  # df/dq = z, df/dz = q
    assert (q.grad, z.grad) == (-4.0, 3.0)
    assert (x.grad, y.grad) == (0.0, 0.0)  # nothing has reached the leaves yet
    q._backward()  # dq/dx = dq/dy = 1
    assert (x.grad, y.grad) == (-4.0, -4.0)
    # leaves have nothing to push
    x._backward()
    assert x.grad == -4.0


def test_each_backward_call_pushes_exactly_once():
    x, y, z, q, f = build()
    f.grad = 1.0
    f._backward()
    f._backward()
    assert q.grad == -8.0
    assert z.grad == 6.0


def test_micrograd_internals():
    x, y, z, q, f = build()
    assert f._prev == (q, z)
    assert q._prev == (x, y)
    assert (f._op, q._op, x._op) == ("*", "+", "")
    assert x._prev == ()
