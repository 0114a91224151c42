"""autograd: a scalar automatic-differentiation engine for learning how neural networks train.

>>> from autograd import Value
>>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
>>> f = (x + y) * z
>>> f.backward()
>>> x.grad, y.grad, z.grad
(-4.0, -4.0, 3.0)
"""

from .anomaly import AnomalyError
from .check import check_engine
from .engine import (
    Value,
    detect_anomaly,
    enable_grad,
    gc_paused,
    grad,
    is_grad_enabled,
    no_grad,
)
from .explain import backprop_steps, explain, print_tree, text_tree
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

# The diagram functions and the explorer page import the graphviz package only when called, so
# these imports stay light.
from .network import draw_network
from .pages import explore
from .viz import draw_dot, save_diagram

__all__ = [
    "AnomalyError",
    "GradcheckError",
    "Value",
    "backprop_steps",
    "check_engine",
    "detect_anomaly",
    "draw_dot",
    "draw_network",
    "enable_grad",
    "explain",
    "explore",
    "gc_paused",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "print_tree",
    "save_diagram",
    "text_tree",
]

__version__ = "0.1.0"
