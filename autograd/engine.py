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
only when you set an attribute of your own on it); nodes are stored compactly and walked by a
fused fast path, all of it fenced off in ``_compact.py``, whose docstring tells how; and the graph
walks are loops over explicit stacks, never recursion, so a chain of a million nodes is fine. A
node holds no reference back to its parents, so a graph is freed by plain reference counting the
moment the last reference to its output goes: no reference cycles.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import numbers
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar, Union

from . import anomaly
from ._compact import (
    FOLDED,
    NO_GRAD,
    backward_pass,
    backward_pass_checked,
    float_partials,
    operands,
    prev,
    push_order,
    push_partials,
)
from .rules import RULES, FloatMath, Rule, on_register, op_label

__all__ = [
    "Value",
    "detect_anomaly",
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
_RELU = RULES["relu"]
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
    return _grad_enabled.get() is not False


# Anomaly mode shares the grad-mode variable, so that making a node asks one question, not two:
# True records the graph, False (no_grad) does not, _ANOMALY records it and checks every value.
class _AnomalyMode:
    """The grad mode "record the graph, and check every value". Falsy, so that the hot path's
    one test, ``if not _is_enabled()``, sends both it and no_grad's False to the slow path."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "anomaly mode"


_ANOMALY: Any = _AnomalyMode()


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside it, the first nan or infinity raises ``anomaly.AnomalyError`` naming the op, its
    inputs and the line of your code that made the node: at once for a value, in ``backward()``
    for a gradient (like ``torch.autograd.detect_anomaly``; see ``anomaly.py``). It is slower:
    use it to find a problem, not to train. (An ``enable_grad()`` block inside it runs unchecked.)
    """
    token = _grad_enabled.set(False if _grad_enabled.get() is False else _ANOMALY)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


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
        "_param",
        "__weakref__",
        "__dict__",
    )

    data: float
    grad: float
    label: str
    # How a node is stored (``_inputs``, ``_rule``, ``_param``) is the business of _compact.py,
    # whose docstring describes it: a learner reads ``_prev`` instead.
    _inputs: Any
    _op: str
    _rule: Rule | None
    _param: Any

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
        self._rule = None  # a node built by hand: its derivative is the _backward you assign
        self._param = None

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
        if rule is None:
            custom = self._param  # a node built by hand: the function assigned to it, if any
            return custom if custom is not None else _no_op
        return lambda: push_partials(self, rule)

    @_backward.setter
    def _backward(self, fn: Callable[[], None]) -> None:
        if not callable(fn):
            raise TypeError(f"_backward must be callable, got {type(fn).__name__}")
        self._rule = None  # the assigned function now defines this node's derivative
        self._param = fn

    # -- micrograd's _prev -----------------------------------------------------------------------

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The inputs this value was computed from, in order (micrograd's ``_prev``, as a tuple).

        How a node stores them is an optimisation a learner can skip (see ``_compact.py``): a
        node with one input keeps it without a tuple, and ``x * 2.0`` keeps the number 2.0 in the
        node instead of a constant Value. The first time anyone reads ``_prev`` of such a node,
        the number becomes the constant leaf ``Value(2.0)`` that micrograd makes (with the
        gradient backward() gave it), so diagrams and walks see exactly micrograd's graph.
        """
        return prev(self, _leaf)

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
    # A plain number on either side is kept in the node (a folded rule, see _compact.py) and
    # shows up in _prev, diagrams and walks as a constant leaf, as in micrograd. An unsupported
    # operand returns NotImplemented, and Python raises "unsupported operand type(s) for +: ...".

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

    # -- functions: one method per rule of the table with a ``method`` name ---------------------
    # They are made from the table (``_install_method`` below), so an op added to ``rules.py``
    # becomes a method by itself. These declarations only tell type checkers about them; a test
    # (tests/test_op_table.py) checks that they match the table, name and parameters.

    if TYPE_CHECKING:

        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def leaky_relu(self, slope: float = 0.01) -> Value: ...
        def sqrt(self) -> Value: ...
        def abs(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...
        def __abs__(self) -> Value: ...

    def relu(self) -> Value:
        """max(0, x).  d/dx relu(x) = 1 if x > 0 else 0.

        The one function written out rather than made from the table (its rule, the forward
        and the derivatives, is still the table's): half of an MLP's nodes are relu, and a call
        of the forward and of ``_node`` would cost 5% of a training step. So it inlines both.
        """
        x = self.data
        out = 0.0 if x <= 0 else x  # relu(nan) is nan, as rules._f_relu
        if not _is_enabled():  # no_grad or anomaly mode
            return _node(out, self, _RELU)
        # _node() written out (keep the two in step; tests/test_engine.py compares them)
        v: Value = _new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        v._inputs = self
        v._rule = _RELU
        v._op = "relu"
        v._param = None
        return v

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
        if self._rule is NO_GRAD:
            raise RuntimeError(
                f"backward: {self!r} was computed inside no_grad(), which records no graph, so "
                "there is nothing to differentiate; compute it outside no_grad() to get gradients"
            )
        with gc_paused():
            if _is_enabled() is _ANOMALY:
                backward_pass_checked(self, seed, anomaly.check_backward)
            else:
                backward_pass(self, seed)

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


def _node(data: float, inputs: Any, rule: Rule, param: Any = None, op: str | None = None) -> Value:
    """Make the result of an op: the engine's one constructor of nodes (``relu`` and
    ``Value.linear`` write it out for speed; ``tests/test_engine.py`` compares them).

    ``inputs``, ``rule`` and ``param`` are stored as ``_compact.py`` describes; ``op`` is the name
    shown (the rule's symbol by default). Inside ``no_grad()`` the result is a leaf (``_leaf``).
    """
    if not _is_enabled():  # no_grad(), or anomaly mode (falsy too, see _AnomalyMode)
        return _node_unusual(data, inputs, rule, param, op)
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._inputs = inputs
    v._rule = rule
    v._param = param
    v._op = rule.symbol if op is None else op
    return v


def _node_unusual(data: float, inputs: Any, rule: Rule, param: Any, op: str | None) -> Value:
    """``_node`` inside ``no_grad()`` (a leaf that remembers it) or in anomaly mode (the node,
    the line of your code that made it, and the check of its value)."""
    if _is_enabled() is False:
        v = _leaf(data)
        v._rule = NO_GRAD
        return v
    with enable_grad():
        v = _node(data, inputs, rule, param, op)
    anomaly.record(v)
    anomaly.check_forward(v)
    return v


def _leaf(data: float) -> Value:
    """A leaf made by the engine: a constant, a detached copy, an op's result under no_grad."""
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._inputs = ()
    v._rule = None
    v._param = None
    v._op = ""
    return v


def _linear(xs: tuple[Any, ...], wb: tuple[Any, ...]) -> Value:
    """``Value.linear`` for the inputs ``xs`` and ``wb`` = the weights followed by the bias.

    The node keeps the two tuples as they are, ``xs`` in ``_inputs`` and ``wb`` in ``_param``, with
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
    if not _is_enabled():  # no_grad or anomaly mode
        return _node(data, xs, _LINEAR, wb)
    # _node() written out, as in relu: a call here would cost 2-3% of a training step
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._inputs = xs
    v._rule = _LINEAR
    v._op = "linear"
    v._param = wb
    return v


class ValueMath:
    """The maths namespace ``m`` for partials evaluated on Values (``grad(create_graph=True)``).

    The same names as ``rules.FloatMath``, building graph nodes instead of floats. ``div`` and
    ``pow`` make the ordinary ``/`` and ``**`` nodes, but with the IEEE value where the operator
    would raise (``0.5 / 0`` is inf): a derivative may be infinite where the function is fine,
    and the gradient graph must then hold the same inf that the float paths compute.
    """

    # exp, log, tanh, ...: the Value methods made from the table, added by _install_method

    @staticmethod
    def div(a: Operand, b: Operand) -> Any:
        if isinstance(b, Value):
            if isinstance(a, Value):
                return _node(FloatMath.div(a.data, b.data), (a, b), _DIV)
            return _node(FloatMath.div(a, b.data), b, _DIV_CX, float(a))
        if isinstance(a, Value):
            return _node(FloatMath.div(a.data, b), a, _DIV_XC, float(b))
        return FloatMath.div(a, b)

    @staticmethod
    def pow(a: Operand, k: Operand) -> Any:
        if isinstance(k, Value):
            if isinstance(a, Value):
                return _node(FloatMath.pow(a.data, k.data), (a, k), _POW)
            c = float(a)
            return _node(FloatMath.pow(c, k.data), k, _RPOW_CONST, c, op_label(_RPOW_CONST, c))
        if isinstance(a, Value):
            c = float(k)
            return _node(FloatMath.pow(a.data, c), a, _POW_CONST, c, op_label(_POW_CONST, c))
        return FloatMath.pow(a, k)


def _install_method(rule: Rule) -> None:
    """Make (or, once the rule is unregistered, remove) the Value method of a rule of the table,
    and its name in ``ValueMath``: ``x.tanh()`` is ``_node(tanh's forward(x.data), x, rule)``."""
    name = rule.method
    if name is None or rule.arity != 1:
        return
    written = Value.__dict__.get(name)
    if written is not None and not getattr(written, "from_table", False):
        setattr(ValueMath, name, staticmethod(written))  # relu: written out for speed
        return
    if RULES.get(rule.name) is not rule:  # unregistered
        for owner in (Value, ValueMath):
            if name in owner.__dict__:
                delattr(owner, name)
        return
    forward = rule.forward
    method: Callable[..., Value]
    if not rule.params:

        def method(self: Value) -> Value:
            return _node(forward(self.data), self, rule)

    elif len(rule.params) == 1:
        ((pname, default),) = rule.params
        what = f"{name}({pname})"

        def method(self: Value, param: float = default) -> Value:
            c = _check_number(param, what)
            return _node(forward(self.data, c), self, rule, c)

        # name the parameter as the table does (x.leaky_relu(slope=0.1)): rename the local
        code = method.__code__
        method.__code__ = code.replace(co_varnames=("self", pname, *code.co_varnames[2:]))
    else:
        raise ValueError(f"{rule.name}: a method takes at most one number parameter")
    method.from_table = True  # type: ignore[attr-defined]
    method.__name__ = name
    method.__qualname__ = f"Value.{name}"
    method.__doc__ = f"{rule.doc}.  {rule.formula}."
    setattr(Value, name, method)
    if not rule.params:
        setattr(ValueMath, name, staticmethod(method))


on_register(_install_method)
Value.__abs__ = Value.abs  # type: ignore[method-assign]


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


def local_grads(node: Value) -> tuple[float, ...]:
    """d(node)/d(child) for each child in ``node._prev``, as floats, read from the op table.

    Leaves have none (an empty tuple). The diagrams and the step-by-step explainer use this.
    Where nothing flows back (``relu`` at x <= 0, ``x ** 0``; see ``local_derivatives``) it is 0.
    """
    return tuple(0.0 if d is None else d for d in local_derivatives(node))


def local_derivatives(node: Value) -> tuple[float | None, ...]:
    """Like :func:`local_grads`, but ``None`` where no gradient flows back at all.

    That is where the op is constant in that input (``relu`` at x <= 0, ``x ** 0``, ``0 ** y`` for
    y >= 0): the chain rule adds nothing there, whatever the upstream gradient, even inf or nan
    (as PyTorch's backward does). Every other local derivative d is multiplied as IEEE floats do,
    upstream * d, so 0 * inf is nan.
    """
    inputs = node._prev  # first: a folded constant becomes a leaf, and the node's rule changes
    rule = node._rule
    if not inputs:
        return ()
    if rule is None:
        if inputs:
            raise TypeError(
                f"local_grads: node {node!r} (op {node._op!r}) was built by hand with a custom "
                "_backward; its local derivatives are not in the op table"
            )
        return ()
    return tuple(None if d is None else float(d) for d in float_partials(node, rule, inputs))


# --------------------------------------------------------------------------------------------------
# Graph walks. All iterative: an explicit stack instead of recursion, so depth is unlimited.
# --------------------------------------------------------------------------------------------------


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
        # a Value seed without create_graph: its number (the result is floats, as in PyTorch)
        seeds = [
            (g if create_graph else g.data)
            if isinstance(g, Value)
            else _check_number(g, "grad(grad_outputs)")
            for g in raw
        ]

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
            inputs = node._prev
            if g is None or not inputs:
                continue
            rule = node._rule
            if rule is None:
                raise TypeError(
                    f"grad: node {node!r} (op {node._op!r}) has a hand-written _backward, which "
                    "only backward() can run; build it from Value operations to use grad()"
                )
            if create_graph:
                # partials on Values: the gradient is itself a differentiable graph
                partials = rule.partials(ValueMath, node, *operands(node, inputs))
            else:
                partials = float_partials(node, rule, inputs)
            for i in push_order(node, len(inputs)):  # the order every path adds the terms in
                child, d = inputs[i], partials[i]
                if d is None:  # nothing flows back (see local_derivatives)
                    if child not in adjoint:
                        adjoint[child] = 0.0
                    continue
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
    """total + term; a float sum starts from 0.0, as a .grad does (so -0.0 + 0.0 is 0.0 in both)."""
    if total is None:
        return 0.0 + term if term.__class__ is float else term
    return total + term
