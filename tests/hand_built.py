"""An op written by hand, micrograd style, outside the op table."""

from autograd import Value


def square_by_hand(x: Value) -> Value:
    """x², as a learner adds an op to micrograd: the node with its children, then a
    ``_backward`` closure that adds d(x²)/dx · out.grad = 2x · out.grad to x."""
    out = Value(x.data**2, (x,), "square")

    def _backward() -> None:
        x.grad += 2.0 * x.data * out.grad

    out._backward = _backward
    return out
