"""The scalar autograd engine: ``Value``, graph walks, ``backward()``, ``grad()``, ``no_grad()``.

A ``Value`` wraps one float. Every arithmetic operation on Values returns a new Value that remembers
its inputs (``_prev``) and which rule of the op table made it (``_rule``, see ``rules.py``), so the
expression you wrote becomes a graph. ``backward()`` walks that graph from the output back to the
inputs in reverse topological order and applies the chain rule at every node::

    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> q = x + y
    >>> f = q * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)

Why it is fast (a learner can skip this): a node holds no closure, only a pointer to its rule in the
shared table; ``__slots__`` keeps its fields out of a per-object dict (a Value gets a dict
only when you set an attribute of your own on it); a node with one input (``x.tanh()``, and
``x * 2.0``, which keeps the 2.0 in the node) is one object with no tuple, which also spares
Python's garbage collector most of its scanning (see ``Value._prev``); and the graph walks are loops
over explicit stacks, never recursion, so a chain of a million nodes is fine. A node holds no
reference back to its parents, so a graph is freed by plain reference counting the moment the last
reference to its output goes: no reference cycles.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import numbers
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar, Union

from .rules import FOLDED, RULES, FloatMath, Rule, op_label

__all__ = [
    "Value",
    "enable_grad",
    "gc_paused",
    "grad",
    "is_grad_enabled",
    "local_grads",
    "no_grad",
    "topological_order",
]

Number = int | float
Operand = Union["Value", int, float]

_ADD = RULES["add"]
_SUB = RULES["sub"]
_MUL = RULES["mul"]
_DIV = RULES["div"]
_NEG = RULES["neg"]
_POW = RULES["pow"]
_POW_CONST = RULES["pow_const"]
_RPOW_CONST = RULES["rpow_const"]
_LINEAR = RULES["linear"]
_EXP, _LOG, _TANH, _SIGMOID = RULES["exp"], RULES["log"], RULES["tanh"], RULES["sigmoid"]
_RELU, _LEAKY_RELU, _SQRT, _ABS = RULES["relu"], RULES["leaky_relu"], RULES["sqrt"], RULES["abs"]
_SIN, _COS = RULES["sin"], RULES["cos"]
# x op c and c op x for a plain number c (see Value._prev)
_ADD_XC, _ADD_CX = FOLDED["add(x, c)"], FOLDED["add(c, x)"]
_SUB_XC, _SUB_CX = FOLDED["sub(x, c)"], FOLDED["sub(c, x)"]
_MUL_XC, _MUL_CX = FOLDED["mul(x, c)"], FOLDED["mul(c, x)"]
_DIV_XC, _DIV_CX = FOLDED["div(x, c)"], FOLDED["div(c, x)"]

# --------------------------------------------------------------------------------------------------
# Grad mode: inside ``with no_grad():`` operations compute values but record no graph.
# A ContextVar (not a global) so that threads and asyncio tasks each have their own setting.
# --------------------------------------------------------------------------------------------------

_grad_enabled: ContextVar[bool] = ContextVar("autograd_grad_enabled", default=True)
_is_enabled = _grad_enabled.get


def is_grad_enabled() -> bool:
    """True unless inside a ``no_grad()`` block."""
    return _grad_enabled.get()


F = TypeVar("F", bound=Callable[..., Any])


class _GradMode:
    """Shared body of ``no_grad`` and ``enable_grad``: a context manager and a decorator."""

    _enabled: bool

    def __init__(self) -> None:
        # One stack of ContextVar tokens per thread, so that even a single shared instance can be
        # entered by several threads at once.
        self._local = threading.local()

    def __enter__(self) -> None:
        tokens = self._local.__dict__.setdefault("tokens", [])
        tokens.append(_grad_enabled.set(self._enabled))

    def __exit__(self, *exc: object) -> None:
        _grad_enabled.reset(self._local.tokens.pop())

    def __call__(self, fn: F) -> F:
        """Decorate ``fn`` so that its body runs in this mode, as ``torch.no_grad()`` does.

        A generator function's body runs in the mode each time it is resumed, and the caller's
        mode is back while it is suspended at a ``yield``: only the generator's own work is
        covered. An ``async def`` runs in the mode throughout, in its own task only: the mode
        is a ContextVar, and each asyncio task has its own. Async generators are refused.
        """
        import inspect

        mode = self.__class__
        name = getattr(fn, "__qualname__", repr(fn))
        if inspect.isasyncgenfunction(fn):
            raise TypeError(
                f"{mode.__name__}() cannot decorate the async generator function {name}: write "
                f"'with {mode.__name__}():' inside its body instead"
            )
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def generator(*args: Any, **kwargs: Any) -> Any:
                return _run_generator_in(mode, fn(*args, **kwargs))

            return generator  # type: ignore[return-value]
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def coroutine(*args: Any, **kwargs: Any) -> Any:
                with mode():
                    return await fn(*args, **kwargs)

            return coroutine  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _run_generator_in(
    mode: type[_GradMode], gen: Generator[Any, Any, Any]
) -> Generator[Any, Any, Any]:
    """Drive ``gen`` step by step, each step inside ``mode()`` (PyTorch's ``_wrap_generator``).

    Whatever the caller sends, throws or closes is passed on, so the wrapped generator behaves
    as the original one does; only the grad mode around each of its steps differs.
    """
    try:
        with mode():
            response = gen.send(None)
        while True:
            try:
                request = yield response
            except GeneratorExit:
                with mode():
                    gen.close()
                raise
            except BaseException as err:
                with mode():
                    response = gen.throw(err)
            else:
                with mode():
                    response = gen.send(request)
    except StopIteration as stop:
        return stop.value


class no_grad(_GradMode):
    """Context manager (and decorator) in which operations build no graph, like ``torch.no_grad``.

    Results inside are plain leaves: use it for evaluation, parameter updates and plotting, where
    gradients are not needed and recording the graph would only cost time and memory.
    """

    _enabled = False


class enable_grad(_GradMode):
    """Context manager (and decorator) that turns graph recording back on inside ``no_grad``."""

    _enabled = True


# --------------------------------------------------------------------------------------------------
# Value
# --------------------------------------------------------------------------------------------------


def _check_number(data: object, what: str) -> float:
    """Return ``data`` as a float, or raise TypeError naming what was given and what is accepted."""
    if isinstance(data, (int, float)):  # bool is an int; numpy.float64 is a float
        return float(data)
    if isinstance(data, Value):
        raise TypeError(f"{what}: got a Value; use its .data, or .detach() for a graph-free copy")
    if not isinstance(data, (str, bytes, complex)) and hasattr(data, "dtype"):
        # numpy scalars and size-1 arrays
        size = getattr(data, "size", 1)
        if size != 1:
            raise TypeError(
                f"{what}: expected a single number, got an array of size {size}; "
                "make one Value per element, e.g. [Value(x) for x in array.flat]"
            )
        item = data.item()  # type: ignore[attr-defined]
        if isinstance(item, (int, float)):
            return float(item)
    elif isinstance(data, numbers.Real):  # e.g. fractions.Fraction
        return float(data)
    raise TypeError(
        f"{what}: expected a real number (int, float, bool or numpy scalar), "
        f"got {type(data).__name__}: {data!r}"
    )


class Value:
    """One number in a computational graph, with the gradient of an output with respect to it.

    ``Value(data, label="x")`` makes a leaf. Arithmetic (``+ - * / **``, unary ``-``) and the
    methods below make new Values whose ``_prev`` are their inputs. Plain numbers mix freely on
    either side.

    Attributes:
        data: the number (always a float).
        grad: d(output)/d(this value), filled in by ``output.backward()``; starts at 0.0.
        label: a name for diagrams and printouts (optional, settable at any time).
        _prev: the inputs this value was computed from, in order (empty for a leaf).
        _op: the short name of the op that made it (``'+'``, ``'*'``, ``'tanh'``; ``''``: a leaf).

    Attributes of your own are welcome (``p.m = 0.0`` for Adam's state, ``v._vis_color``), as on
    micrograd's Value. ``float(v)``, and with it ``math.exp(v)`` and friends, is refused with a
    TypeError: the result would fall out of the graph; use ``v.exp()`` etc., or ``v.data``.

    The signature ``Value(data, _children=(), _op='', label='')`` is micrograd's, so micrograd
    code that builds its own op (passing children, then assigning ``out._backward = fn``) works
    unchanged.
    """

    # ``__dict__`` last: attributes of your own (``p.m = 0.0`` for an optimizer's state,
    # ``v._vis_color``) work as on any object; the dict exists only on Values that have one.
    __slots__ = (
        "data",
        "grad",
        "label",
        "_inputs",
        "_op",
        "_rule",
        "_aux",
        "__weakref__",
        "__dict__",
    )

    data: float
    grad: float
    label: str
    _inputs: Any  # see _prev: a tuple of Values, or the one input Value of a one-input op
    _op: str
    _rule: Rule | None
    _aux: Any

    def __init__(
        self,
        data: float,
        _children: Iterable[Any] = (),
        _op: str = "",
        label: str = "",
    ) -> None:
        if isinstance(_children, str):
            raise TypeError(
                f"Value({data!r}, {_children!r}): the second argument is the tuple of children; "
                f"pass the name by keyword: Value({data!r}, label={_children!r})"
            )
        self.data = _check_number(data, "Value()")
        self.grad = 0.0
        if not isinstance(label, str):  # caught here, not as an AttributeError in a diagram later
            raise TypeError(
                f"Value({self.data!r}, label={label!r}): the label must be a str, got "
                f"{type(label).__name__}; e.g. label={str(label)!r}"
            )
        self.label = label
        children = tuple(_children)
        for child in children:
            if not isinstance(child, Value):
                raise TypeError(
                    f"Value(): every child must be a Value, got {type(child).__name__}: {child!r}"
                )
        self._inputs = children
        self._op = _op
        self._rule = (
            None  # a node built by hand: its derivative comes from the _backward you assign
        )
        self._aux = None

    # -- micrograd's per-node backward ----------------------------------------------------------

    @property
    def _backward(self) -> Callable[[], None]:
        """Push this node's ``.grad`` into its children's ``.grad`` once (one chain-rule step).

        After ``out.grad = 1.0``, calling ``out._backward()`` adds ``out.grad * d(out)/d(child)`` to
        each child's ``.grad``, exactly as micrograd's closures do. ``backward()`` does this for
        every node in reverse topological order.
        """
        self._prev  # noqa: B018 -- a folded constant becomes a leaf that can receive its gradient
        rule = self._rule
        if rule is not None:
            return lambda: _push_grad(self, rule)
        custom = self._aux
        return custom if custom is not None else _no_op

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        if not callable(fn):
            raise TypeError(f"_backward must be callable, got {type(fn).__name__}")
        self._rule = None  # the assigned function now defines this node's derivative
        self._aux = fn

    # -- micrograd's _prev -----------------------------------------------------------------------

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The inputs this value was computed from, in order (micrograd's ``_prev``, as a tuple).

        How a node stores them is an optimisation (a learner can skip this). A node with one Value
        input keeps that Value in ``_inputs`` with no tuple around it, and ``x * 2.0`` keeps the
        number 2.0 in the node (``_aux``) instead of making a constant Value: a chain of such ops
        then costs half the objects, and Python's garbage collector has half as many to scan. The
        first time anyone looks, this turns the number into the constant leaf ``Value(2.0)`` that
        micrograd makes, so diagrams and walks see exactly micrograd's graph.
        """
        inputs = self._inputs
        if inputs.__class__ is tuple:
            if self._rule is _LINEAR:  # the weights and bias are in _aux, see _linear
                return (*inputs, *self._aux)
            return inputs
        rule = self._rule
        if rule is None or rule.base is None:
            return (inputs,)
        return _unfold(self, rule)

    # -- printing --------------------------------------------------------------------------------

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def __float__(self) -> float:
        """Refused: ``math.exp(v)``, ``math.sqrt(v)``, ``float(v)`` would take the number out of
        the graph, and no gradient would flow back through it. micrograd refuses them too."""
        raise TypeError(
            f"float() of a Value is refused, so that math.exp(v), math.sqrt(v), ... cannot "
            f"silently drop it from the graph: use the Value's own methods (v.exp(), v.log(), "
            f"v.tanh(), v.sqrt(), v ** 0.5, ...) to stay in the graph, or v.data for the plain "
            f"number (here {self.data!r})"
        )

    # -- comparisons look at .data; == and hash stay identity-based (Values live in sets/dicts) ---

    def __lt__(self, other: Operand) -> bool:
        return self.data < _data_of(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data_of(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data_of(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data_of(other)

    # -- arithmetic ------------------------------------------------------------------------------
    # A plain number on either side is kept in the node (a FOLDED rule) and shows up in _prev,
    # diagrams and walks as a constant leaf, as in micrograd. An unsupported operand returns
    # NotImplemented, and Python raises its usual "unsupported operand type(s) for +: ...".

    def __add__(self, other: Operand) -> Value:
        if other.__class__ is float:  # the most common case first
            return _node(self.data + other, self, _ADD_XC, other)
        if isinstance(other, Value):
            return _node(self.data + other.data, (self, other), _ADD)
        c = _number_or_none(other)
        if c is None:
            return NotImplemented
        return _node(self.data + c, self, _ADD_XC, c)

    def __radd__(self, other: Number) -> Value:
        if other.__class__ is float:  # the most common case first
            return _node(other + self.data, self, _ADD_CX, other)
        c = _number_or_none(other)
        if c is None:
            return NotImplemented
        return _node(c + self.data, self, _ADD_CX, c)

    def __sub__(self, other: Operand) -> Value:
        if other.__class__ is float:  # the most common case first
            return _node(self.data - other, self, _SUB_XC, other)
        if isinstance(other, Value):
            return _node(self.data - other.data, (self, other), _SUB)
        c = _number_or_none(other)
        if c is None:
            return NotImplemented
        return _node(self.data - c, self, _SUB_XC, c)

    def __rsub__(self, other: Number) -> Value:
        if other.__class__ is float:  # the most common case first
            return _node(other - self.data, self, _SUB_CX, other)
        c = _number_or_none(other)
        if c is None:
            return NotImplemented
        return _node(c - self.data, self, _SUB_CX, c)

    def __mul__(self, other: Operand) -> Value:
        if other.__class__ is float:  # the most common case first
            return _node(self.data * other, self, _MUL_XC, other)
        if isinstance(other, Value):
            return _node(self.data * other.data, (self, other), _MUL)
        c = _number_or_none(other)
        if c is None:
            return NotImplemented
        return _node(self.data * c, self, _MUL_XC, c)

    def __rmul__(self, other: Number) -> Value:
        if other.__class__ is float:  # the most common case first
            return _node(other * self.data, self, _MUL_CX, other)
        c = _number_or_none(other)
        if c is None:
            return NotImplemented
        return _node(c * self.data, self, _MUL_CX, c)

    def __truediv__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(_DIV.forward(self.data, other.data), (self, other), _DIV)
        c = _number_or_none(other)
        if c is None:
            return NotImplemented
        return _node(_DIV.forward(self.data, c), self, _DIV_XC, c)

    def __rtruediv__(self, other: Number) -> Value:
        c = _number_or_none(other)
        if c is None:
            return NotImplemented
        return _node(_DIV.forward(c, self.data), self, _DIV_CX, c)

    def __neg__(self) -> Value:
        return _node(_NEG.forward(self.data), self, _NEG)

    def __pos__(self) -> Value:
        return self

    def __pow__(self, other: Operand) -> Value:
        """``x ** k`` with a number k (one input, op ``'**k'``), or ``x ** y`` with a Value y."""
        if isinstance(other, Value):
            return _node(_POW.forward(self.data, other.data), (self, other), _POW)
        k = _number_or_none(other)
        if k is None:
            return NotImplemented
        return _node(_POW_CONST.forward(self.data, k), self, _POW_CONST, k, op_label(_POW_CONST, k))

    def __rpow__(self, other: Number) -> Value:
        """``k ** x`` for a number k: one input, op ``'k**'``, d/dx = k**x * log(k)."""
        k = _number_or_none(other)
        if k is None:
            return NotImplemented
        return _node(
            _RPOW_CONST.forward(self.data, k), self, _RPOW_CONST, k, op_label(_RPOW_CONST, k)
        )

    # -- functions -------------------------------------------------------------------------------

    def exp(self) -> Value:
        """e ** x.  d/dx = exp(x)."""
        return _node(_EXP.forward(self.data), self, _EXP)

    def log(self) -> Value:
        """Natural logarithm, for x > 0.  d/dx = 1/x."""
        return _node(_LOG.forward(self.data), self, _LOG)

    def tanh(self) -> Value:
        """Hyperbolic tangent, in (-1, 1); never overflows.  d/dx = 1 - tanh(x)^2."""
        return _node(_TANH.forward(self.data), self, _TANH)

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x), in (0, 1); never overflows.  d/dx = s * (1 - s)."""
        return _node(_SIGMOID.forward(self.data), self, _SIGMOID)

    def relu(self) -> Value:
        """max(0, x).  d/dx = 1 for x > 0, else 0."""
        x = self.data
        out = x if x > 0 else 0.0
        if not _is_enabled():
            return _leaf(out)
        # _node() written out, as in _linear: half of an MLP's nodes are relu
        v: Value = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        v._inputs = self
        v._rule = _RELU
        v._op = "relu"
        v._aux = None
        return v

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x.  d/dx = 1 for x > 0, else slope."""
        s = _check_number(slope, "leaky_relu(slope)")
        return _node(_LEAKY_RELU.forward(self.data, s), self, _LEAKY_RELU, s)

    def sqrt(self) -> Value:
        """Square root, for x >= 0.  d/dx = 1 / (2 sqrt(x))."""
        return _node(_SQRT.forward(self.data), self, _SQRT)

    def abs(self) -> Value:
        """|x|.  d/dx = sign(x), taken as 0 at x = 0."""
        return _node(_ABS.forward(self.data), self, _ABS)

    __abs__ = abs

    def sin(self) -> Value:
        """sin(x).  d/dx = cos(x)."""
        return _node(_SIN.forward(self.data), self, _SIN)

    def cos(self) -> Value:
        """cos(x).  d/dx = -sin(x)."""
        return _node(_COS.forward(self.data), self, _COS)

    def pow(self, exponent: Operand) -> Value:
        """Same as ``self ** exponent``."""
        return self**exponent

    def div(self, other: Operand) -> Value:
        """Same as ``self / other``."""
        return self / other

    # -- n-ary nodes: one node however many inputs ---------------------------------------------

    @staticmethod
    def sum(values: Iterable[Operand]) -> Value:
        """x1 + x2 + ... + xn as ONE node with n children (``sum()`` would chain n-1 nodes)."""
        children = tuple(
            v if isinstance(v, Value) else _const_or_raise(v, "Value.sum") for v in values
        )
        if not children:
            raise ValueError("Value.sum: expected at least one value, got an empty sequence")
        return _node(_ADD.forward(*[c.data for c in children]), children, _ADD)

    @staticmethod
    def linear(inputs: Sequence[Operand], weights: Sequence[Operand], bias: Operand = 0.0) -> Value:
        """w1*x1 + ... + wn*xn + b as ONE node whose children are (x1..xn, w1..wn, b).

        This is a neuron's pre-activation; a neuron built on it is one node in the graph instead of
        2n, which makes MLP graphs far smaller and faster and draws each neuron as one box.
        d/dxi = wi, d/dwi = xi, d/db = 1. It needs at least one input (n >= 1).
        """
        xs = inputs if inputs.__class__ is tuple else tuple(inputs)
        return _linear(xs, (*weights, bias))

    # -- graph operations ------------------------------------------------------------------------

    def detach(self) -> Value:
        """A new leaf with the same data and no history: gradients do not flow through it."""
        return _leaf(self.data)

    def backward(self, gradient: float = 1.0) -> None:
        """Fill the ``.grad`` of every node this value depends on with d(self)/d(node).

        Like PyTorch, gradients ACCUMULATE in the leaves: a second ``backward()`` adds to their
        ``.grad``, which is what minibatch code relies on. Reset them first with ``zero_grad()``
        (on this value, for the whole graph, or on a model's parameters). The ``.grad`` of the
        intermediate nodes is recomputed from scratch on each call, so diagrams drawn afterwards
        show this pass's chain rule. ``gradient`` is the seed d(out)/d(self), 1.0 by default.
        """
        seed = _check_number(gradient, "backward(gradient)")
        with gc_paused():
            order = _zeroed_interior_order(self)
            self.grad += seed
            # The hot loop: one call per node, straight from the op table. The fused ops' local
            # derivatives are finite for finite data, so a node whose gradient is exactly 0 has
            # nothing to push (0 * finite = 0) and is skipped: in a ReLU net, dead units and
            # points the hinge loss already classifies correctly make about half the graph.
            for node in reversed(order):
                rule = node._rule
                if rule is not None:
                    back = rule.backward
                    if back is None:
                        _push_grad(node, rule)
                    elif node.grad != 0.0:
                        back(node)
                elif node._aux is not None:
                    node._aux()  # a micrograd-style node with a hand-written _backward

    def zero_grad(self) -> None:
        """Set ``.grad = 0.0`` on this value and on every value it depends on (for REPL use)."""
        for node in topological_order(self):
            node.grad = 0.0


class _GCPause:
    """The context manager behind :func:`gc_paused`: one per process, counting its users.

    The collector is process-wide, so pausing it must be too: a counter under a lock, where the
    first block in disables the collector and the last one out re-enables it, and only if it was
    on when the first came in. (Each block remembering ``gc.isenabled()`` for itself races: one
    thread's check and ``disable()`` can straddle another's ``enable()``, and then the collector
    stays off for good.)
    """

    __slots__ = ("_depth", "_lock", "_was_enabled")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._was_enabled:
                gc.enable()


_GC_PAUSE = _GCPause()


def gc_paused() -> contextlib.AbstractContextManager[None]:
    """Pause Python's cyclic garbage collector inside the block, for speed.

    Graphs here contain no reference cycles, so reference counting frees each one the moment it is
    dropped; the cyclic collector has nothing to find in them. But it does not know that: every
    ~700 new objects it scans the young ones, and as a graph of tens of thousands of nodes grows it
    keeps rescanning it (and, every few steps, every object in the process). That is more than half
    the time of building and backpropagating a chain of a million steps, and a few per cent of
    the micrograd demo's training step. ``backward()`` always runs inside this;
    ``train.fit`` wraps each training step in it. Blocks nest, also across threads: the
    collector is re-enabled when the last block open in the process exits, if it was on before
    the first (it is process-wide, so other threads run without it meanwhile).
    """
    return _GC_PAUSE


# --------------------------------------------------------------------------------------------------
# Construction helpers (the hot path of every operation).
# --------------------------------------------------------------------------------------------------

_new = object.__new__


def _node(data: float, inputs: Any, rule: Rule, aux: Any = None, op: str | None = None) -> Value:
    """Make the result node of an op; inside ``no_grad()`` it is a plain leaf (no graph kept).

    ``inputs`` is the one input Value of a one-input rule, else the tuple of input Values; ``aux``
    is the op's number (the k of ``x ** k``, the c of ``x * c``) if it has one.
    """
    if not _is_enabled():
        return _leaf(data)
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._inputs = inputs
    v._rule = rule
    v._op = rule.symbol if op is None else op
    v._aux = aux
    return v


def _leaf(data: float) -> Value:
    """A leaf made by the engine (a constant, a detached copy, a result under no_grad)."""
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._inputs = ()
    v._rule = None
    v._op = ""
    v._aux = None
    return v


def _linear(xs: tuple[Any, ...], wb: tuple[Any, ...]) -> Value:
    """``Value.linear`` for the inputs ``xs`` and ``wb`` = the weights followed by the bias.

    The node keeps the two tuples as they are, ``xs`` in ``_inputs`` and ``wb`` in ``_aux``, with
    no tuple of its own: the neurons of a layer all get the same ``xs``, and a neuron of
    ``autograd.nn`` passes the same ``wb`` every time (see ``Neuron._weights_and_bias``), so a
    linear node costs one object, and backward()'s walk looks through each tuple once.
    """
    n = len(xs)
    if n == 0:
        # (backward()'s walk takes a node without inputs for a leaf)
        raise ValueError(
            "Value.linear: expected at least one input and weight, got none "
            "(a neuron without inputs is just its bias)"
        )
    if len(wb) != n + 1:
        raise ValueError(
            f"Value.linear: got {n} inputs but {len(wb) - 1} weights; "
            "they must have the same length"
        )
    try:
        # Fast path, all Values. A number has no .data (AttributeError); a numpy scalar's .data
        # is a buffer, which does not multiply (TypeError). zip() stops at the last input, so the
        # bias at the end of wb is not taken for a weight.
        if wb[-1].__class__ is not Value:
            raise TypeError
        data = _LINEAR.forward(xs, wb, wb[-1])
    except (AttributeError, TypeError):
        # Numbers among the operands: make them constant leaves, as the binary ops do.
        xs, wb = (
            tuple(v if isinstance(v, Value) else _const_or_raise(v, "Value.linear") for v in vs)
            for vs in (xs, wb)
        )
        data = _LINEAR.forward(xs, wb, wb[-1])
    if not _is_enabled():
        return _leaf(data)
    # _node() written out: a function call here costs several per cent of a training step
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._inputs = xs
    v._rule = _LINEAR
    v._op = "linear"
    v._aux = wb
    return v


def _number_or_none(x: object) -> float | None:
    """``x`` as a float if it is a number (not a Value), else None."""
    if x.__class__ is float:
        return x
    if isinstance(x, Value):
        return None
    try:
        return _check_number(x, "")
    except TypeError:
        return None


def _const_or_raise(x: object, what: str) -> Value:
    return _leaf(_check_number(x, what))


def _data_of(x: Operand) -> float:
    return x.data if isinstance(x, Value) else _check_number(x, "comparison")


def _no_op() -> None:
    return None


def _operands(node: Value, children: Sequence[Any]) -> tuple[Any, ...]:
    """The arguments of a rule's partials: the inputs, then the op's constant ``_aux`` if any.

    (``linear`` keeps its weights and bias in ``_aux``, but they are among its inputs already.)
    """
    aux = node._aux
    return tuple(children) if aux is None or node._rule is _LINEAR else (*children, aux)


def local_grads(node: Value) -> tuple[float, ...]:
    """d(node)/d(child) for each child in ``node._prev``, as floats, read from the op table.

    Leaves have none (an empty tuple). The diagrams and the step-by-step explainer use this.
    """
    prev = node._prev  # first: a folded constant becomes a leaf, and the node's rule changes
    rule = node._rule
    if rule is None:
        if prev:
            raise TypeError(
                f"local_grads: node {node!r} (op {node._op!r}) was built by hand with a custom "
                "_backward; its local derivatives are not in the op table"
            )
        return ()
    return tuple(float(d) for d in _float_partials(node, rule, prev))


def _float_partials(node: Value, rule: Rule, inputs: Sequence[Value]) -> tuple[Any, ...]:
    """``rule``'s partials for ``node`` on floats, one per input (``rule`` and ``inputs`` read
    together: reading ``node._prev`` can change the rule of a node with a folded constant)."""
    args = _operands(node, [c.data for c in inputs])
    return rule.partials(FloatMath, node.data, *args)


def _push_grad(node: Value, rule: Rule) -> None:
    """One chain-rule step for ``node``: input.grad += node.grad * d(node)/d(input).

    The slow path of backward(), for rules with no fused backward; never a folded constant.
    """
    inputs = node._prev
    g = node.grad
    for child, d in zip(inputs, _float_partials(node, rule, inputs)):
        child.grad += g * d


def _unfold(node: Value, rule: Rule) -> tuple[Value, ...]:
    """Give a node that folded its constant (``x * 2.0``) micrograd's form: ``x * Value(2.0)``.

    The constant becomes a leaf holding the gradient backward() would have given it,
    ``node.grad * d(node)/d(constant)`` (from the last backward pass: a real leaf would add up
    several passes, but nobody could have read this one before it existed), and the node changes
    to the two-input rule, so from now on it is exactly the node micrograd would have built.
    """
    base = rule.base
    assert base is not None
    constant = _leaf(node._aux)
    x: Value = node._inputs
    inputs = (x, constant) if rule.const_at == 1 else (constant, x)
    g = node.grad
    if g.__class__ is float and g != 0.0:  # not during a walk, and not 0 * inf = nan
        d = base.partials(FloatMath, node.data, inputs[0].data, inputs[1].data)[rule.const_at]
        constant.grad = g * d
    node._inputs = inputs
    node._rule = base
    node._aux = None
    return inputs


# --------------------------------------------------------------------------------------------------
# Graph walks. All iterative: an explicit stack instead of recursion, so depth is unlimited.
# --------------------------------------------------------------------------------------------------


# Two markers for _zeroed_interior_order: float objects no user code holds, so they can sit in
# the .grad slot and be recognised by identity.
_EXPANDED: float = float("nan")  # its inputs are being walked
_DONE: float = float("nan")  # it is in the order


def _zeroed_interior_order(root: Value) -> list[Value]:
    """The non-leaf nodes reachable from ``root``, each after all of its inputs, with .grad = 0.

    Leaves are left out: they have no inputs to push gradients to, and an MLP's weights and data
    are most of its leaves, so skipping them saves most of the walk. This is the hottest loop of
    backward(), so it keeps its bookkeeping in the nodes' ``.grad`` (which backward() resets to 0
    anyway) instead of a set, and reads ``_inputs`` (see ``Value._prev``) so that it never makes a
    tuple. It is a depth-first walk on an explicit stack: a node is pushed, and popped once to
    push its inputs (marked ``_EXPANDED``) and once more, after all of them, to be emitted
    (``_DONE``); a run of one-input nodes (a chain) is followed down without the first push and
    pop. Inputs are pushed last-first, so they are walked first-first: the same order as
    ``topological_order``, and so the same floating-point sums in backward().
    """
    if not root._inputs:
        return []
    order: list[Value] = []
    stack = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    walked_xs: tuple[Value, ...] = ()
    leaves_only: set[int] = set()  # ids of weight tuples that hold only leaves
    try:
        while stack:
            node = pop()
            mark = node.grad
            if mark is _EXPANDED:  # back after all its inputs
                node.grad = _DONE
                emit(node)
                continue
            if mark is _DONE:  # a node reached twice is skipped the second time
                continue
            while True:  # expand it; down a run of one-input nodes without using the stack
                node.grad = _EXPANDED
                push(node)
                inputs = node._inputs
                if inputs.__class__ is tuple:
                    if node._rule is _LINEAR:  # weights and bias in _aux, see _linear
                        wb = node._aux
                        if id(wb) not in leaves_only:
                            # A neuron passes the same tuple of weights every time: once it is
                            # known to hold only leaves (leaves stay leaves), skip it.
                            all_leaves = True
                            for child in reversed(wb):
                                if child._inputs:
                                    all_leaves = False
                                    if child.grad is not _DONE:
                                        push(child)
                            if all_leaves:
                                leaves_only.add(id(wb))
                        if inputs is walked_xs:
                            # Another neuron of the layer pushed these inputs, and all of them
                            # are done by now (anything else would mean a cycle): skip them.
                            break
                        walked_xs = inputs
                    for child in reversed(inputs):
                        if child._inputs and child.grad is not _DONE:
                            push(child)
                    break
                if not inputs._inputs or inputs.grad is _DONE:
                    break
                node = inputs
    finally:
        for node in order:
            node.grad = 0.0
        for node in stack:  # only if interrupted
            if node.grad is _EXPANDED:
                node.grad = 0.0
    return order


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, leaves included, each listed after all of its inputs.

    The order is deterministic: it follows ``_prev`` left to right, depth first.
    """
    order: list[Value] = []
    seen = {root}
    stack: list[tuple[Value, Iterator[Value]]] = [(root, iter(root._prev))]
    push = stack.append
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                seen.add(child)
                push((child, iter(child._prev)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


# --------------------------------------------------------------------------------------------------
# grad(): the functional form, like torch.autograd.grad.
# --------------------------------------------------------------------------------------------------


def grad(
    outputs: Value | Sequence[Value],
    inputs: Value | Sequence[Value],
    grad_outputs: float | Value | Sequence[float | Value] | None = None,
    *,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching any ``.grad``.

    Like ``torch.autograd.grad`` it returns a tuple with one entry per input: floats by default,
    or Values with ``create_graph=True``. Those Values are themselves graphs built from the op
    table's derivative formulas, so you can differentiate them again (second and higher
    derivatives) or draw them::

        >>> x = Value(2.0)
        >>> (dy,) = grad(x**3, x, create_graph=True)   # 3x^2 = 12
        >>> (d2y,) = grad(dy, x)                       # 6x  = 12
        >>> dy.data, d2y
        (12.0, 12.0)

    ``grad_outputs`` seeds d(loss)/d(output) for each output (1.0 by default). An input the
    outputs do not depend on is an error unless ``allow_unused=True``, which gives ``None`` for it.
    """
    outs = _as_value_list(outputs, "outputs")
    ins = _as_value_list(inputs, "inputs")
    for what, seq in (("outputs", outs), ("inputs", ins)):
        for i, v in enumerate(seq):
            if not isinstance(v, Value):
                raise TypeError(f"grad: {what}[{i}] must be a Value, got {type(v).__name__}: {v!r}")
    if grad_outputs is None:
        seeds: list[Any] = [1.0] * len(outs)
    else:
        raw = [grad_outputs] if not isinstance(grad_outputs, Sequence) else list(grad_outputs)
        if len(raw) != len(outs):
            raise ValueError(f"grad: got {len(raw)} grad_outputs for {len(outs)} outputs")
        seeds = [g if isinstance(g, Value) else _check_number(g, "grad(grad_outputs)") for g in raw]

    adjoint: dict[Value, Any] = {}
    for out, seed in zip(outs, seeds):
        adjoint[out] = _accumulate(adjoint.get(out), seed)

    # One topological order over the union of the outputs' graphs.
    order: list[Value] = []
    seen: set[Value] = set()
    for out in outs:
        for node in topological_order(out):
            if node not in seen:
                seen.add(node)
                order.append(node)

    grad_enabled = enable_grad() if create_graph else no_grad()
    with grad_enabled:
        for node in reversed(order):
            g = adjoint.get(node)
            if g is None or not node._prev:
                continue
            rule = node._rule
            if rule is None:
                raise TypeError(
                    f"grad: node {node!r} (op {node._op!r}) has a hand-written _backward, which "
                    "only backward() can run; build it from Value operations to use grad()"
                )
            if create_graph:
                # partials on Values (m = Value): the gradient is itself a differentiable graph
                partials = rule.partials(Value, node, *_operands(node, node._prev))
            else:
                partials = _float_partials(node, rule, node._prev)
            for child, d in zip(node._prev, partials):
                adjoint[child] = _accumulate(adjoint.get(child), _times(g, d))

    # With create_graph, a gradient can be a node that was already there (d(x*y)/dx is y itself,
    # or a Value passed in grad_outputs): give each such one a new node of its own, a one-term
    # sum, so that labelling or changing a gradient never touches the graph it came from.
    existing = seen.union(s for s in seeds if isinstance(s, Value)) if create_graph else seen
    results: list[Any] = []
    for i, v in enumerate(ins):
        g = adjoint.get(v)
        if g is None:
            if not allow_unused:
                raise ValueError(
                    f"grad: inputs[{i}] ({v!r}) is not part of the graph of the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            results.append(None)
        elif create_graph:
            if not isinstance(g, Value):
                g = Value(float(g))
            elif g in existing:
                with enable_grad():
                    g = Value.sum((g,))
            existing.add(g)  # the same gradient asked for twice: two nodes
            results.append(g)
        else:
            results.append(float(g))
    return tuple(results)


def _as_value_list(x: object, what: str) -> list[Value]:
    if isinstance(x, Value):
        return [x]
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(
            f"grad: {what} must be a Value or a sequence of Values, got {type(x).__name__}: {x!r}"
        )
    return list(x)


def _times(g: Any, d: Any) -> Any:
    """g * d, skipping the multiplication by an exact 1.0 so higher-order graphs stay readable."""
    if d.__class__ is float and d == 1.0:
        return g
    if g.__class__ is float and g == 1.0:
        return d
    return g * d


def _accumulate(total: Any, term: Any) -> Any:
    return term if total is None else total + term
