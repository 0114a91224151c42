"""micrograd's demo training step, written four ways that compute the same numbers.

The demo (micrograd's ``demo.ipynb``): 100 two-moons points with labels ±1, MLP(2, [16, 16, 1]) with
ReLU hidden layers, loss = mean(relu(1 - y·score)) + 1e-4·Σp², SGD with lr = 1.0 - 0.9·k/100.

* ``micrograd``       -- micrograd 0.1.0, the demo's own code.
* ``autograd``        -- the same demo code with only the import changed (``sum()`` chains and all).
* ``autograd_idiom``  -- the same code with autograd's one-node ``Value.sum`` for the two sums,
                         run as ``autograd.train.fit`` runs a step (inside ``gc_paused()``).
* ``plain``           -- the same maths written by hand on Python floats: forward, backward, update.
* ``numpy``           -- the same maths vectorised with numpy.

Every implementation starts from the same weights and data, takes one step per call of
``step(k)`` and returns the loss it computed before updating, so the runner can check that they
agree (to ~1e-9: only the order of floating-point additions differs).
"""

from __future__ import annotations

import contextlib
import itertools
import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

ALPHA = 1e-4
SIZES = (2, 16, 16, 1)
Weights = list[list[tuple[list[float], float]]]  # layer -> neuron -> (w, b)


def initial_weights(seed: int) -> Weights:
    """micrograd's initialisation: w ~ U(-1, 1), b = 0, drawn layer by layer, neuron by neuron."""
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1, 1) for _ in range(nin)], 0.0) for _ in range(nout)]
        for nin, nout in itertools.pairwise(SIZES)
    ]


def lr_at(k: int) -> float:
    return 1.0 - 0.9 * k / 100


Step = Callable[[int], float]


def _load_into(params: Sequence[Any], weights: Weights) -> None:
    flat = [x for layer in weights for w, b in layer for x in (*w, b)]
    if len(flat) != len(params):
        raise RuntimeError(f"parameter count mismatch: {len(params)} vs {len(flat)}")
    for p, x in zip(params, flat):
        p.data = x


def demo_loss(
    Value: Any, model: Any, Xl: list[list[float]], yl: list[float], idiomatic: bool
) -> Any:
    """The demo notebook's loss(): hinge loss + L2, as a graph.

    ``idiomatic=False`` is the notebook's code verbatim (built-in ``sum()``: a chain of '+' nodes);
    ``idiomatic=True`` uses autograd's one-node ``Value.sum``.
    """
    inputs = [list(map(Value, xrow)) for xrow in Xl]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yl, scores)]
    if idiomatic:
        data_loss = Value.sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * Value.sum([p * p for p in model.parameters()])
    else:
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def _engine_step(
    module: str, X: np.ndarray, y: np.ndarray, weights: Weights, idiomatic: bool
) -> Step:
    """One SGD step of the demo on micrograd or autograd (same code, only the import differs).

    The idiomatic autograd step also runs inside ``gc_paused()``, as ``autograd.train.fit`` does.
    """
    engine = __import__(f"{module}.engine", fromlist=["Value"])
    nn = __import__(f"{module}.nn", fromlist=["MLP"])
    model = nn.MLP(2, [16, 16, 1])
    params = model.parameters()
    _load_into(params, weights)
    Xl, yl = X.tolist(), y.tolist()

    pause = engine.gc_paused if idiomatic else contextlib.nullcontext

    def step(k: int) -> float:
        with pause():
            total_loss = demo_loss(engine.Value, model, Xl, yl, idiomatic)
            model.zero_grad()
            total_loss.backward()
            learning_rate = lr_at(k)
            for p in params:
                p.data -= learning_rate * p.grad
            loss = float(total_loss.data)
            del total_loss  # inside the block, as fit() does: no collection scans the old graph
        return loss

    return step


def micrograd_step(X: np.ndarray, y: np.ndarray, weights: Weights) -> Step:
    return _engine_step("micrograd", X, y, weights, idiomatic=False)


def autograd_step(X: np.ndarray, y: np.ndarray, weights: Weights) -> Step:
    return _engine_step("autograd", X, y, weights, idiomatic=False)


def autograd_idiom_step(X: np.ndarray, y: np.ndarray, weights: Weights) -> Step:
    return _engine_step("autograd", X, y, weights, idiomatic=True)


def plain_step(X: np.ndarray, y: np.ndarray, weights: Weights) -> Step:
    """Forward, backward and update by hand on floats: the speed limit for pure Python."""
    W = [[list(w) for w, _ in layer] for layer in weights]
    B = [[b for _, b in layer] for layer in weights]
    Xl, yl = X.tolist(), y.tolist()
    n = len(Xl)

    def step(k: int) -> float:
        gW = [[[0.0] * len(w) for w in layer] for layer in W]
        gB = [[0.0] * len(layer) for layer in B]
        data_loss = 0.0
        for x, yi in zip(Xl, yl):
            # forward, keeping each layer's input and pre-activation for the backward pass
            acts = [x]
            pre = []
            h = x
            for li in range(3):
                z = [sum([wi * hi for wi, hi in zip(w, h)], b) for w, b in zip(W[li], B[li])]
                pre.append(z)
                h = [v if v > 0 else 0.0 for v in z] if li < 2 else z
                acts.append(h)
            margin = 1.0 - yi * h[0]
            if margin <= 0:
                continue  # relu(margin) = 0: no loss and no gradient from this point
            data_loss += margin
            g = [-yi / n]  # d(loss)/d(score)
            for li in (2, 1, 0):
                if li < 2:
                    g = [gj if zj > 0 else 0.0 for gj, zj in zip(g, pre[li])]
                a = acts[li]
                gWl, gBl, Wl = gW[li], gB[li], W[li]
                for j, gj in enumerate(g):
                    if gj:
                        gBl[j] += gj
                        row = gWl[j]
                        for i, ai in enumerate(a):
                            row[i] += gj * ai
                if li:
                    g = [sum([gj * Wl[j][i] for j, gj in enumerate(g)]) for i in range(len(a))]
        reg = sum(p * p for layer in W for w in layer for p in w) + sum(
            b * b for layer in B for b in layer
        )
        total = data_loss / n + ALPHA * reg
        lr = lr_at(k)
        for li in range(3):
            for j in range(len(W[li])):
                w, gw = W[li][j], gW[li][j]
                for i in range(len(w)):
                    w[i] -= lr * (gw[i] + 2 * ALPHA * w[i])
                B[li][j] -= lr * (gB[li][j] + 2 * ALPHA * B[li][j])
        return total

    return step


def numpy_step(X: np.ndarray, y: np.ndarray, weights: Weights) -> Step:
    """The same maths on whole matrices: the speed limit for this model on a CPU."""
    Ws = [np.array([w for w, _ in layer]) for layer in weights]  # (nout, nin)
    Bs = [np.array([b for _, b in layer]) for layer in weights]
    Xa, ya = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n = len(Xa)

    def step(k: int) -> float:
        hs = [Xa]
        zs = []
        h = Xa
        for li in range(3):
            z = h @ Ws[li].T + Bs[li]
            zs.append(z)
            h = np.maximum(z, 0.0) if li < 2 else z
            hs.append(h)
        margins = 1.0 - ya * h[:, 0]
        reg = sum(float((W * W).sum()) + float((b * b).sum()) for W, b in zip(Ws, Bs))
        total = float(np.maximum(margins, 0.0).sum()) / n + ALPHA * reg
        g = np.where(margins > 0, -ya / n, 0.0)[:, None]
        lr = lr_at(k)
        for li in (2, 1, 0):
            if li < 2:
                g = g * (zs[li] > 0)
            gW = g.T @ hs[li]
            gb = g.sum(axis=0)
            g_prev = g @ Ws[li]
            Ws[li] -= lr * (gW + 2 * ALPHA * Ws[li])
            Bs[li] -= lr * (gb + 2 * ALPHA * Bs[li])
            g = g_prev
        return total

    return step


IMPLEMENTATIONS: dict[str, Callable[[np.ndarray, np.ndarray, Weights], Step]] = {
    "micrograd 0.1.0": micrograd_step,
    "autograd (demo code)": autograd_step,
    "autograd (as fit() runs it)": autograd_idiom_step,
    "plain Python floats": plain_step,
    "numpy (vectorised)": numpy_step,
}
