"""Loss functions: how wrong the model is, as one Value to call ``backward()`` on.

The lecture's objective is L(W) = 1/N Σᵢ Lᵢ(f(xᵢ, W), yᵢ) + λ R(W): the average of a per-example
loss plus a regulariser. Each data loss below returns that average over a batch; add
``l2(params, lam)`` for the λR(W) term. Sums are ``Value.sum`` (one node, not a chain of n ``+``).

Numerical stability. ``exp(1000)`` overflows, so the softmax and the sigmoid cross-entropy are
computed with the log-sum-exp trick: for any constant m,

    log Σⱼ exp(zⱼ) = m + log Σⱼ exp(zⱼ - m).

Choosing m = max zⱼ makes every exponent ≤ 0 (no overflow) and one of them exactly 0 (the sum is
≥ 1, so no log(0)). m is taken as a plain number (a constant, no gradient): the identity holds for
every m, so the gradient is unchanged, and gradients still flow through the zⱼ - m terms. The
binary cross-entropy on a logit z uses the same trick, since log(1 + eᶻ) = logsumexp(0, z).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence

from .engine import Value

__all__ = [
    "binary_cross_entropy",
    "cross_entropy",
    "hinge",
    "l2",
    "logsumexp",
    "mse",
]

Number = int | float
Operand = Value | int | float


def _check_batch(outputs: Sequence[object], targets: Sequence[object], what: str) -> None:
    if len(outputs) != len(targets):
        raise ValueError(f"{what}: got {len(outputs)} outputs but {len(targets)} targets")
    if not len(outputs):
        raise ValueError(f"{what}: expected at least one example, got an empty batch")


def _value(v: Operand) -> Value:
    return v if isinstance(v, Value) else Value(v)


def logsumexp(values: Sequence[Operand]) -> Value:
    """log Σⱼ exp(zⱼ), overflow-free (see the module docstring).  d/dzᵢ = softmax(z)ᵢ."""
    zs = [_value(v) for v in values]
    if not zs:
        raise ValueError("logsumexp: expected at least one value, got an empty sequence")
    m = max(z.data for z in zs)  # a constant: shifts every exponent to <= 0
    return Value.sum([(z - m).exp() for z in zs]).log() + m


def mse(outputs: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """Mean squared error: 1/N Σᵢ (outᵢ - yᵢ)².  d/d outᵢ = 2 (outᵢ - yᵢ) / N.

    A target may be a Value too; the gradient then reaches it as well (d/dyᵢ = -2 (outᵢ - yᵢ) / N),
    as in PyTorch.
    """
    _check_batch(outputs, targets, "mse")
    n = len(outputs)
    return Value.sum([(_value(o) - t) ** 2 for o, t in zip(outputs, targets)]) / n


def hinge(scores: Sequence[Operand], labels: Sequence[Number]) -> Value:
    """SVM max-margin loss, as in the micrograd demo: 1/N Σᵢ max(0, 1 - yᵢ·sᵢ), labels yᵢ = ±1.

    A point costs nothing once it is on the right side with a margin of at least 1 (yᵢ·sᵢ ≥ 1);
    otherwise the loss pushes its score towards its label, d/dsᵢ = -yᵢ / N.
    """
    _check_batch(scores, labels, "hinge")
    for y in labels:
        if y not in (-1, 1):
            raise ValueError(f"hinge: labels must be -1 or +1, got {y!r}")
    n = len(scores)
    return Value.sum([(1 + -float(y) * _value(s)).relu() for s, y in zip(scores, labels)]) / n


def binary_cross_entropy(logits: Sequence[Operand], labels: Sequence[Number]) -> Value:
    """Binary cross-entropy on logits (``BCEWithLogitsLoss``), labels yᵢ in {0, 1}.

    With p = sigmoid(z): -[y log p + (1 - y) log(1 - p)] = log(1 + eᶻ) - y·z, written so it never
    takes the log of 0 or the exp of a large number: log(1 + eᶻ) = logsumexp(0, z).
    d/dz = sigmoid(z) - y.
    """
    _check_batch(logits, labels, "binary_cross_entropy")
    terms = []
    for z, y in zip(logits, labels):
        if y not in (0, 1):
            raise ValueError(f"binary_cross_entropy: labels must be 0 or 1, got {y!r}")
        zv = _value(z)
        terms.append(logsumexp([0.0, zv]) - float(y) * zv if y else logsumexp([0.0, zv]))
    return Value.sum(terms) / len(terms)


def cross_entropy(logits: Sequence[Sequence[Operand]], labels: Sequence[int]) -> Value:
    """Softmax cross-entropy for k classes: 1/N Σᵢ [logsumexp(zᵢ) - zᵢ,yᵢ], labels in 0..k-1.

    This is -log softmax(zᵢ)[yᵢ], the negative log-probability of the right class.
    d/dzᵢⱼ = (softmax(zᵢ)ⱼ - [j = yᵢ]) / N.
    """
    _check_batch(logits, labels, "cross_entropy")
    terms = []
    for z, y in zip(logits, labels):
        if isinstance(z, (Value, int, float)):
            raise TypeError(
                "cross_entropy: each example needs a list of k logits, got a single "
                f"{type(z).__name__}; for one logit per example use binary_cross_entropy"
            )
        try:
            k = operator.index(y)  # ints and numpy ints, not floats (bools are refused below)
        except TypeError:
            k = -1
        if isinstance(y, bool) or not 0 <= k < len(z):
            raise ValueError(f"cross_entropy: label must be an int in 0..{len(z) - 1}, got {y!r}")
        terms.append(logsumexp(z) - _value(z[k]))
    return Value.sum(terms) / len(terms)


def l2(params: Iterable[Value], lam: float) -> Value:
    """L2 regularisation λ·Σ w²: penalises large weights (weight decay).  d/dw = 2λw.

    Σ w² is built as ONE node, ``Value.linear(w, w)`` (the dot product of w with itself), instead
    of n squares and a sum: each wᵢ appears as both input and weight, so backward adds wᵢ twice,
    which is exactly d(wᵢ²)/dwᵢ = 2wᵢ.
    """
    ws = list(params)
    if not ws:
        raise ValueError("l2: expected at least one parameter, got none")
    return lam * Value.linear(ws, ws, Value(0.0))
