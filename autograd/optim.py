"""Optimizers and learning-rate schedules, with PyTorch's update rules and names.

An optimizer holds a list of parameters (Values) and, on ``step()``, moves each one against its
gradient. ``zero_grad()`` clears the gradients before the next ``backward()`` (they accumulate).
The training loop is always::

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for k in range(steps):
        loss = ...                 # forward
        opt.zero_grad()
        loss.backward()            # fills p.grad
        opt.step()                 # p.data -= lr * (something built from p.grad)

Below, g is ``p.grad``, t counts steps from 1, and every update matches ``torch.optim`` with the
same hyper-parameters (the tests replay the first steps by hand).

Schedules change ``opt.lr`` as training goes on, PyTorch-style: make one with the optimizer, call
``scheduler.step()`` after each ``opt.step()``. Each schedule is also a plain function of the step
number, ``scheduler.lr_at(k)``, which is what it sets ``opt.lr`` to before step k (counting from 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .engine import Value

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "SGD",
    "Adam",
    "AdamW",
    "ConstantLR",
    "CosineAnnealingLR",
    "LRScheduler",
    "LinearLR",
    "Optimizer",
    "StepLR",
    "make_optimizer",
    "make_scheduler",
]


def _check_hyper(name: str, value: float, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}: {value!r}")
    if not math.isfinite(value) or value < low or (high is not None and value >= high):
        bound = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return float(value)


class Optimizer:
    """Base class: keeps the parameter list, the learning rate ``lr`` and a step counter."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(
                    f"{type(self).__name__}: parameter {i} must be a Value, "
                    f"got {type(p).__name__}: {p!r}"
                )
        self.lr = _check_hyper(f"{type(self).__name__}(lr)", lr)
        self.t = 0  # number of steps taken

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g}, params={len(self.params)})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, dampening, Nesterov and weight decay.

    Per parameter, exactly as ``torch.optim.SGD``::

        g ← g + weight_decay · p                         (L2 penalty folded into the gradient)
        b ← g                 on the first step           (momentum buffer, if momentum ≠ 0)
        b ← momentum · b + (1 - dampening) · g   afterwards
        g ← g + momentum · b  if nesterov, else g ← b
        p ← p - lr · g

    With ``momentum=0`` this is micrograd's ``p.data -= lr * p.grad``.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check_hyper("SGD(momentum)", momentum)
        self.dampening = _check_hyper("SGD(dampening)", dampening)
        self.weight_decay = _check_hyper("SGD(weight_decay)", weight_decay)
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening = 0")
        self.nesterov = nesterov
        self.buffers: list[float] | None = None

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if mu == 0:
            for p in self.params:
                p.data -= lr * (p.grad + wd * p.data if wd else p.grad)
            self.t += 1
            return
        first = self.buffers is None
        if first:
            self.buffers = [0.0] * len(self.params)
        bufs = self.buffers
        assert bufs is not None
        keep = 1.0 - self.dampening
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            b = g if first else mu * bufs[i] + keep * g
            bufs[i] = b
            p.data -= lr * (g + mu * b if self.nesterov else b)
        self.t += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), as ``torch.optim.Adam``. Per parameter, at step t = 1, 2, ...::

        g  ← g + weight_decay · p                (classic L2; see AdamW for the decoupled form)
        m  ← β₁ m + (1 - β₁) g                   (running mean of gradients, "momentum")
        v  ← β₂ v + (1 - β₂) g²                  (running mean of squared gradients)
        m̂ = m / (1 - β₁ᵗ),  v̂ = v / (1 - β₂ᵗ)   (bias correction: m and v start at 0)
        p  ← p - lr · m̂ / (√v̂ + eps)

    Dividing by √v̂ gives every parameter its own step size, about ``lr`` whatever the gradient's
    scale.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        name = type(self).__name__
        b1 = _check_hyper(f"{name}(betas[0])", betas[0], 0.0, 1.0)
        b2 = _check_hyper(f"{name}(betas[1])", betas[1], 0.0, 1.0)
        self.betas = (b1, b2)
        self.eps = _check_hyper(f"{name}(eps)", eps)
        self.weight_decay = _check_hyper(f"{name}(weight_decay)", weight_decay)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _l2_in_gradient(self) -> float:
        return self.weight_decay

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        lr, eps, t = self.lr, self.eps, self.t
        wd = self._l2_in_gradient()
        c1 = 1.0 - b1**t
        c2 = 1.0 - b2**t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            m[i] = mi = b1 * m[i] + (1.0 - b1) * g
            v[i] = vi = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= lr * (mi / c1) / (math.sqrt(vi / c2) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), as ``torch.optim.AdamW``::

        p ← p · (1 - lr · weight_decay)          first, shrink the weight directly
        then the Adam update with the raw gradient g

    In Adam, an L2 term in the gradient gets divided by √v̂ like everything else, so weights with
    large gradients are barely regularised; AdamW's decay is the same for every weight.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    def _l2_in_gradient(self) -> float:
        return 0.0

    def step(self) -> None:
        shrink = 1.0 - self.lr * self.weight_decay
        if shrink != 1.0:
            for p in self.params:
                p.data *= shrink
        super().step()


# --------------------------------------------------------------------------------------------------
# Learning-rate schedules
# --------------------------------------------------------------------------------------------------


class LRScheduler:
    """Base class. Sets ``optimizer.lr = lr_at(k)`` for the step k about to be taken.

    On creation it records ``base_lr = optimizer.lr`` and sets ``lr_at(0)``; each ``step()``
    advances k by one and sets ``lr_at(k)``. Subclasses only define ``lr_at``.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_step = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, k: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        self.last_step += 1
        self.optimizer.lr = self.lr_at(self.last_step)

    def get_last_lr(self) -> float:
        """The learning rate currently set on the optimizer."""
        return self.optimizer.lr

    def __call__(self, k: int) -> float:
        """The schedule as a plain function of the step number: same as ``lr_at(k)``."""
        return self.lr_at(k)


class ConstantLR(LRScheduler):
    """No schedule: lr_k = base_lr."""

    def lr_at(self, k: int) -> float:
        return self.base_lr


class LinearLR(LRScheduler):
    """Linear change from ``start_factor · base_lr`` to ``end_factor · base_lr`` over
    ``total_iters`` steps, then constant (``torch.optim.lr_scheduler.LinearLR``)::

        lr_k = base_lr · (start + (end - start) · min(k, T) / T)

    The micrograd demo's ``lr = 1.0 - 0.9 * k / 100`` is ``LinearLR(SGD(params, lr=1.0),
    start_factor=1.0, end_factor=0.1, total_iters=100)``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0,
        end_factor: float = 0.1,
        total_iters: int = 100,
    ) -> None:
        if total_iters < 1:
            raise ValueError(f"LinearLR(total_iters) must be >= 1, got {total_iters}")
        self.start_factor = _check_hyper("LinearLR(start_factor)", start_factor)
        self.end_factor = _check_hyper("LinearLR(end_factor)", end_factor)
        self.total_iters = total_iters
        super().__init__(optimizer)

    def lr_at(self, k: int) -> float:
        frac = min(k, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * frac)


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` steps.

    lr_k = base_lr · γ^⌊k / step_size⌋
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if step_size < 1:
            raise ValueError(f"StepLR(step_size) must be >= 1, got {step_size}")
        self.step_size = step_size
        self.gamma = _check_hyper("StepLR(gamma)", gamma)
        super().__init__(optimizer)

    def lr_at(self, k: int) -> float:
        return self.base_lr * self.gamma ** (k // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from base_lr down to ``eta_min`` over ``T_max`` steps, then ``eta_min``::

        lr_k = eta_min + (base_lr - eta_min) · (1 + cos(π · min(k, T_max) / T_max)) / 2

    (the closed form of ``torch.optim.lr_scheduler.CosineAnnealingLR``, without restarts).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        if T_max < 1:
            raise ValueError(f"CosineAnnealingLR(T_max) must be >= 1, got {T_max}")
        self.T_max = T_max
        self.eta_min = _check_hyper("CosineAnnealingLR(eta_min)", eta_min)
        super().__init__(optimizer)

    def lr_at(self, k: int) -> float:
        k = min(k, self.T_max)
        cos = (1.0 + math.cos(math.pi * k / self.T_max)) / 2.0
        return self.eta_min + (self.base_lr - self.eta_min) * cos


# --------------------------------------------------------------------------------------------------
# By name: what `python -m autograd train --optimizer ... --schedule ...` builds (notebooks too).
# --------------------------------------------------------------------------------------------------

OPTIMIZERS = ("sgd", "adam", "adamw")  #: the names make_optimizer takes
SCHEDULES = ("linear", "step", "cosine", "constant")  #: the names make_scheduler takes


def make_optimizer(
    name: str,
    params: Iterable[Value],
    *,
    lr: float | None = None,
    momentum: float = 0.0,
    weight_decay: float | None = None,
) -> Optimizer:
    """The optimizer called ``name`` over ``params``, with the command line's defaults.

    ``sgd``: lr 1.0 (micrograd's demo), weight decay 0; ``adam`` and ``adamw``: lr 0.01 and their
    own default weight decay (0 and 0.01). ``momentum`` is SGD's only: Adam keeps its own.
    """
    params = list(params)
    if name == "sgd":
        return SGD(params, lr=1.0 if lr is None else lr, momentum=momentum,
                   weight_decay=weight_decay or 0.0)  # fmt: skip
    if name in ("adam", "adamw"):
        if momentum:
            raise ValueError(
                f"make_optimizer: momentum is for sgd; {name} keeps its own (betas 0.9, 0.999)"
            )
        kind = Adam if name == "adam" else AdamW
        wd = kind(params).weight_decay if weight_decay is None else weight_decay
        return kind(params, lr=0.01 if lr is None else lr, weight_decay=wd)
    raise ValueError(
        f"make_optimizer: unknown optimizer {name!r}; expected one of {', '.join(OPTIMIZERS)}"
    )


def make_scheduler(
    name: str, optimizer: Optimizer, steps: int, *, final_factor: float = 0.1
) -> LRScheduler:
    """The schedule called ``name`` over a run of ``steps`` steps, as the command line sets it:

    ``linear`` from lr to lr·final_factor (micrograd's), ``cosine`` down to lr·final_factor,
    ``step`` (×0.1 every third of the run), ``constant``.
    """
    horizon = max(steps, 1)
    if name == "linear":
        return LinearLR(optimizer, 1.0, final_factor, horizon)
    if name == "cosine":
        return CosineAnnealingLR(optimizer, horizon, optimizer.lr * final_factor)
    if name == "step":
        return StepLR(optimizer, max(horizon // 3, 1), 0.1)
    if name == "constant":
        return ConstantLR(optimizer)
    raise ValueError(
        f"make_scheduler: unknown schedule {name!r}; expected one of {', '.join(SCHEDULES)}"
    )
