"""The training loop: ``fit`` a model to a 2-D dataset; evaluate it with ``predict``, ``accuracy``.

One step of (minibatch) gradient descent on L(W) = 1/N Σᵢ Lᵢ(f(xᵢ, W), yᵢ) + λ Σ w²:

1. forward: score every example of the batch, average the per-example losses, add the L2 term;
2. ``zero_grad()`` then ``loss.backward()``: dL/dw for every weight;
3. ``optimizer.step()``: move every weight a little against its gradient;
4. ``scheduler.step()``: adjust the learning rate for the next step.

Labels come as class numbers 0..k-1 (what ``autograd.data`` makes); ``fit`` converts them to what
each loss wants (``-1/+1`` for the hinge loss). A model with one output is a binary classifier
(class 1 when its score is > 0); with k outputs, the predicted class is the argmax.

Evaluation runs under ``no_grad()``: no graph is recorded, which is much faster and keeps memory
flat, because only the numbers are needed.
"""

from __future__ import annotations

import contextlib
import html
import math
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from . import losses
from .data import iterate_minibatches, sample_training_data
from .engine import Value, gc_paused, no_grad
from .engine import detect_anomaly as engine_detect_anomaly
from .nn import MLP
from .optim import SGD, LRScheduler, Optimizer

__all__ = ["LOSSES", "History", "accuracy", "batch_loss", "fit", "predict", "predict_scores"]

#: loss names accepted by ``fit`` (``'auto'``: hinge for one output, cross_entropy for k outputs).
LOSSES = ("auto", "hinge", "bce", "cross_entropy", "mse")


@dataclass(repr=False)
class History:
    """What happened during ``fit``: one entry per optimizer step.

    ``loss[k]`` and ``accuracy[k]`` are measured on the batch of step k, by the forward pass of that
    step (before its update), exactly as the micrograd demo prints them. ``lr[k]`` is the rate
    step k used. Printed, it sums itself up in one line; in Jupyter it adds two small curves.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def steps(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(no steps)"
        return (
            f"History({_count(self.steps, 'step')} in {self.seconds:.2f} s, final loss "
            f"{self.loss[-1]:.4g}, final accuracy {self.accuracy[-1]:.0%})"
        )

    def _repr_html_(self) -> str:
        """Jupyter's view: the final numbers and the loss and accuracy curves as tiny inline SVGs
        (no matplotlib needed; ``autograd.plot.plot_history`` draws the full-size plot)."""
        if not self.loss:
            return "<code>History(no steps)</code>"
        return (
            '<div style="font-family: sans-serif; font-size: 13px; line-height: 1.6">'
            f"<b>History</b>: {_count(self.steps, 'step')} in {self.seconds:.2f} s &middot; "
            f"final loss <b>{self.loss[-1]:.4g}</b> &middot; "
            f"final accuracy <b>{self.accuracy[-1]:.0%}</b><br>"
            f"{_sparkline(self.loss, 'loss', '#2563eb', '{:.3g}')} &nbsp; "
            f"{_sparkline(self.accuracy, 'accuracy', '#16a34a', '{:.0%}')}</div>"
        )


def _sparkline(values: Sequence[float], name: str, colour: str, fmt: str) -> str:
    """A 200×44 SVG of ``values`` over the steps (at most 200 points), first and last labelled."""
    width, height, top, bottom = 200, 44, 4, 30
    every = max(1, -(-len(values) // width))
    points = [(i, v) for i, v in enumerate(values) if i % every == 0 or i == len(values) - 1]
    finite = [v for _, v in points if math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    span = (high - low) or 1.0
    last = max(len(values) - 1, 1)
    xy = " ".join(
        f"{i * width / last:.1f},{bottom - (v - low) / span * (bottom - top):.1f}"
        for i, v in points
        if math.isfinite(v)
    )
    label = f"{name} {fmt.format(values[0])} → {fmt.format(values[-1])}"
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(label)}" style="vertical-align: middle">'
        f'<polyline points="{xy}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        f'<text x="0" y="{height - 2}" font-size="11" fill="#374151">{html.escape(label)}</text>'
        "</svg>"
    )


def _rows(X: Any) -> list[list[float]]:
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"expected X of shape (n, features), got shape {arr.shape}")
    return arr.tolist()  # type: ignore[no-any-return]


def _labels(y: Any, n: int) -> list[int]:
    arr = np.asarray(y)
    if arr.shape != (n,):
        raise ValueError(f"expected y of shape ({n},) to match X, got shape {arr.shape}")
    if arr.size and (not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0):
        raise ValueError("expected y to hold class numbers 0, 1, ..., k-1")
    return [int(v) for v in arr]


def resolve_loss(loss: str, nout: int) -> str:
    """The loss name to use for a model with ``nout`` outputs; checks the pair makes sense."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    if loss == "auto":
        return "hinge" if nout == 1 else "cross_entropy"
    if nout == 1 and loss == "cross_entropy":
        raise ValueError("cross_entropy needs one output per class (k >= 2); use bce or hinge")
    if nout > 1 and loss in ("hinge", "bce"):
        raise ValueError(
            f"{loss} is a binary loss for a model with one output, this one has {nout}"
        )
    return loss


def _scores(model: Callable[[list[Value]], Any], rows: Sequence[Sequence[float]]) -> list[Any]:
    """The model's output for every row; the floats become Values once per example.

    The inputs are labelled ``x1, x2, ...`` as a model call labels plain numbers, so diagrams and
    ``explain()`` of a training loss name them the same way."""
    if not rows:
        return []
    names = [f"x{i + 1}" for i in range(len(rows[0]))]
    return [model([Value(a, label=n) for a, n in zip(row, names)]) for row in rows]


def _correct(outputs: Sequence[Any], ys: Sequence[int]) -> int:
    if outputs and isinstance(outputs[0], Value):
        return sum((o.data > 0) == (y == 1) for o, y in zip(outputs, ys))
    return sum(_argmax([v.data for v in o]) == y for o, y in zip(outputs, ys))


def _argmax(xs: list[float]) -> int:
    return max(range(len(xs)), key=xs.__getitem__)


def batch_loss(
    outputs: Sequence[Any], ys: Sequence[int], loss: str, params: Sequence[Value], alpha: float
) -> Value:
    """Mean data loss of the batch plus ``alpha · Σ w²`` (skipped when alpha is 0)."""
    if loss == "hinge":
        data_loss = losses.hinge(outputs, [2 * y - 1 for y in ys])
    elif loss == "bce":
        data_loss = losses.binary_cross_entropy(outputs, ys)
    elif loss == "cross_entropy":
        data_loss = losses.cross_entropy(outputs, ys)
    elif isinstance(outputs[0], Value):  # mse, one output: targets -1/+1 like the hinge loss
        data_loss = losses.mse(outputs, [2.0 * y - 1 for y in ys])
    else:  # mse, k outputs: one-hot targets
        k = len(outputs[0])
        flat = [o for out in outputs for o in out]
        data_loss = losses.mse(flat, [float(j == y) for y in ys for j in range(k)])
    return data_loss + losses.l2(params, alpha) if alpha else data_loss


def fit(
    model: MLP,
    X: Any,
    y: Any,
    *,
    loss: str = "auto",
    optimizer: Optimizer | None = None,
    scheduler: LRScheduler | None = None,
    steps: int | None = 100,
    epochs: int | None = None,
    batch_size: int | None = None,
    alpha: float = 0.0,
    seed: int | None = 0,
    progress: bool | None = None,
    callback: Callable[[int, History], object] | None = None,
    detect_anomaly: bool = False,
) -> History:
    """Train ``model`` on ``(X, y)`` and return the :class:`History`.

    * ``steps``: number of optimizer steps; each uses a fresh random minibatch of ``batch_size``
      points (``sample_training_data``), or all points when ``batch_size`` is None (full batch).
    * ``epochs`` (instead of ``steps``): passes over the data, each shuffled and cut into
      minibatches, so every point is used once per epoch.
    * ``loss``: ``'hinge'``, ``'bce'``, ``'cross_entropy'``, ``'mse'`` or ``'auto'``; ``alpha`` the
      L2 strength λ. ``optimizer`` defaults to ``SGD(model.parameters(), lr=0.1)``.
    * ``seed`` makes the minibatch sequence reproducible.
    * ``progress``: show a tqdm bar with loss and accuracy (``tqdm.auto``: a widget in Jupyter
      when ipywidgets is installed, else text). By default it shows when someone is watching:
      when stderr is a terminal, or in a Jupyter kernel. Logs, pipes and tests stay clean;
      ``progress=False`` turns it off everywhere, ``True`` on everywhere.
    * ``callback(step, history)`` runs after every step (``step`` counts from 0) has updated the
      model, e.g. an ``autograd.pages.TrainingReplay`` recording the run for its replay page.
    * ``detect_anomaly``: run every step inside ``autograd.detect_anomaly()``, so the first nan or
      infinity in a value or a gradient raises ``AnomalyError`` naming the op, its inputs and the
      line that made it (slower; for finding why a run diverges).
    """
    rows = _rows(X)
    ys = _labels(y, len(rows))
    if not rows:
        raise ValueError("fit: the dataset is empty")
    if len(rows[0]) != model.nin:
        raise ValueError(f"fit: the model takes {model.nin} inputs, X has {len(rows[0])} columns")
    name = resolve_loss(loss, model.nout)
    top = max(ys)
    if model.nout == 1 and top > 1:
        raise ValueError(f"fit: a one-output model is binary, but y has labels up to {top}")
    if model.nout > 1 and top >= model.nout:
        raise ValueError(f"fit: y has labels up to {top} but the model has {model.nout} outputs")
    if epochs is not None:
        if epochs < 1:
            raise ValueError(f"fit: epochs must be >= 1, got {epochs}")
    elif steps is None or steps < 1:
        raise ValueError(f"fit: steps must be >= 1, got {steps}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"fit: batch_size must be >= 1, got {batch_size}")

    params = model.parameters()
    opt = optimizer if optimizer is not None else SGD(params, lr=0.1)
    rng = np.random.RandomState(seed)
    index = np.arange(len(rows))
    size = batch_size or len(rows)

    def batches() -> Any:
        if epochs is not None:
            for _ in range(epochs):
                for _, batch in iterate_minibatches(index, index, size, rng):
                    yield batch
        else:
            for _ in range(steps or 0):
                yield (
                    index
                    if batch_size is None
                    else sample_training_data((index, index), size, rng)[0]
                )

    total = epochs * -(-len(rows) // size) if epochs is not None else steps
    show = _someone_watching() if progress is None else progress
    bar: Any = None
    if show:
        with warnings.catch_warnings():
            # In Jupyter without ipywidgets, tqdm.auto warns and falls back to the text bar,
            # which Jupyter shows well: the fallback is fine, the warning is only noise.
            warnings.filterwarnings("ignore", message=".*IProgress not found")
            from tqdm.auto import tqdm

        bar = tqdm(total=total, desc="train", unit="step", leave=True)

    anomaly_mode = engine_detect_anomaly if detect_anomaly else contextlib.nullcontext
    history = History()
    start = time.perf_counter()
    try:
        for chosen in batches():
            # The graph has no cycles, so pausing the cyclic GC for the step only saves time. The
            # step's graph is dropped inside the block: alive after it, the first allocations
            # with the collector back on would make it scan every node once more.
            with gc_paused(), anomaly_mode():
                batch_rows = [rows[i] for i in chosen]
                batch_ys = [ys[i] for i in chosen]
                outputs = _scores(model, batch_rows)
                total_loss = batch_loss(outputs, batch_ys, name, params, alpha)
                acc = _correct(outputs, batch_ys) / len(batch_ys)
                opt.zero_grad()
                total_loss.backward()
                opt.step()
                loss_value = total_loss.data
                del outputs, total_loss
            history.loss.append(loss_value)
            history.accuracy.append(acc)
            history.lr.append(opt.lr)
            if scheduler is not None:
                scheduler.step()
            if callback is not None:
                callback(history.steps - 1, history)
            if bar is not None:
                bar.set_postfix(loss=f"{loss_value:.4f}", acc=f"{acc:.0%}", refresh=False)
                bar.update()
    finally:
        if bar is not None:
            bar.close()
    history.seconds = time.perf_counter() - start
    return history


def _count(n: int, noun: str) -> str:
    """``'1 step'``, ``'2 steps'``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _someone_watching() -> bool:
    """True when stderr is a terminal, or inside a Jupyter kernel (where stderr is a pipe to the
    notebook page). Detected from modules already imported: nothing is imported to find out."""
    isatty = getattr(sys.stderr, "isatty", None)
    if isatty is not None and isatty():
        return True
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    shell = ipython.get_ipython()
    return getattr(shell, "kernel", None) is not None


@no_grad()
def predict_scores(model: Callable[[list[Value]], Any], X: Any) -> npt.NDArray[np.float64]:
    """The model's raw outputs for every row of X, shape (n,) for one output or (n, k)."""
    outputs = _scores(model, _rows(X))
    if outputs and isinstance(outputs[0], Value):
        return np.array([o.data for o in outputs])
    return np.array([[o.data for o in out] for out in outputs]).reshape(len(outputs), -1)


def predict(model: Callable[[list[Value]], Any], X: Any) -> npt.NDArray[np.int64]:
    """The predicted class of every row: score > 0 for one output, else the argmax."""
    scores = predict_scores(model, X)
    if scores.ndim == 1:
        return (scores > 0).astype(np.int64)
    return np.asarray(np.argmax(scores, axis=1), dtype=np.int64)


def accuracy(model: Callable[[list[Value]], Any], X: Any, y: Any) -> float:
    """Fraction of rows whose predicted class equals the label."""
    labels = np.asarray(y)
    if len(labels) == 0:
        raise ValueError("accuracy: no examples")
    return float(np.mean(predict(model, X) == labels))
