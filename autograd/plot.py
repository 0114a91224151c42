"""Pictures of training: the decision boundary over the data, and the loss/accuracy curves.

Needs matplotlib (``pip install "scalar-autograd[plot]"``). The figures are built on
``matplotlib.figure.Figure`` with the Agg canvas, never pyplot's global state, so they work on a
server with no display, in threads, and in notebooks (return the Figure and it is shown).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from .engine import no_grad
from .train import History, predict_scores

__all__ = ["decision_grid", "plot_decision_boundary", "plot_history"]

# Colour-blind-safe colours (Okabe-Ito), one per class.
_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            "plotting needs matplotlib: pip install 'scalar-autograd[plot]' "
            "(or pip install matplotlib)"
        ) from None
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)  # attaches itself to fig: savefig works with no display
    return fig


def _save(fig: Any, path: str | os.PathLike[str] | None) -> None:
    if path is not None:
        parent = os.path.dirname(os.fspath(path))
        if parent:
            os.makedirs(parent, exist_ok=True)
        fig.savefig(path)


def decision_grid(
    model: Callable[..., Any], X: Any, *, resolution: int = 120, margin: float = 0.5
) -> tuple[Any, Any, Any]:
    """The model's scores on a ``resolution × resolution`` grid covering X plus ``margin``.

    Returns ``xx, yy, scores``: the grid coordinates (``meshgrid`` arrays) and the scores, shape
    ``(resolution², )`` for one output or ``(resolution², k)``, row by row like ``xx.ravel()``.
    Evaluated under ``no_grad()``: tens of thousands of forward passes, and no graph is needed.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or not len(X):
        raise ValueError(f"decision_grid: expected X of shape (n, 2), got {X.shape}")
    if resolution < 2:
        raise ValueError(f"decision_grid: resolution must be >= 2, got {resolution}")
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    with no_grad():
        scores = predict_scores(model, np.c_[xx.ravel(), yy.ravel()])
    return xx, yy, scores


def plot_decision_boundary(
    model: Callable[..., Any],
    X: Any,
    y: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    resolution: int = 120,
    margin: float = 0.5,
    title: str | None = None,
    ax: Any = None,
) -> Any:
    """Colour the plane by the class the model predicts, and draw the data points on top.

    The model is evaluated (under ``no_grad()``) on a ``resolution × resolution`` grid spanning the
    data plus ``margin``. A one-output model predicts class 1 where its score is > 0: the boundary
    is the contour score = 0. A k-output model predicts the argmax class. Returns the Figure and,
    given ``path``, saves it (PNG, SVG or PDF by the extension). Pass ``ax`` (a matplotlib Axes)
    to draw into your own figure instead, e.g. several models side by side.
    """
    if ax is None:
        fig = _figure(5.5, 5.0)  # first: a missing matplotlib is reported before any work
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    xx, yy, scores = decision_grid(model, X, resolution=resolution, margin=margin)
    binary = scores.ndim == 1
    k = max(int(y.max()) + 1 if y.size else 2, 2 if binary else scores.shape[1])
    zz = (scores > 0).astype(int) if binary else np.argmax(scores, axis=1)

    from matplotlib.colors import ListedColormap

    cmap = ListedColormap([_COLOURS[c % len(_COLOURS)] for c in range(k)])
    ax.contourf(xx, yy, zz.reshape(xx.shape), levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.3)
    if binary:
        ax.contour(xx, yy, scores.reshape(xx.shape), levels=[0.0], colors="k", linewidths=1.0)
    for c in range(k):
        mask = y == c
        ax.scatter(
            X[mask, 0],
            X[mask, 1],
            s=22,
            color=_COLOURS[c % len(_COLOURS)],
            edgecolors="k",
            linewidths=0.5,
            label=f"class {c}",
        )
    ax.set_xlim(xx[0, 0], xx[0, -1])
    ax.set_ylim(yy[0, 0], yy[-1, 0])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    if title:
        ax.set_title(title)
    _save(fig, path)
    return fig


def plot_history(
    history: History, path: str | os.PathLike[str] | None = None, *, title: str | None = None
) -> Any:
    """Loss (left) and training accuracy (right) against the step number. Returns the Figure."""
    if not history.loss:
        raise ValueError("plot_history: the history is empty (no steps were taken)")
    steps = np.arange(len(history.loss))
    fig = _figure(9.0, 3.6)
    ax_loss, ax_acc = fig.subplots(1, 2)
    ax_loss.plot(steps, history.loss, color=_COLOURS[0])
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    if min(history.loss) > 0 and max(history.loss) / min(history.loss) > 50:
        ax_loss.set_yscale("log")  # losses often fall by orders of magnitude
    ax_loss.set_title("training loss")
    ax_loss.grid(alpha=0.3)
    ax_acc.plot(steps, 100 * np.asarray(history.accuracy), color=_COLOURS[1])
    ax_acc.set_xlabel("step")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_ylim(0, 102)
    ax_acc.set_title("training accuracy (batch)")
    ax_acc.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    _save(fig, path)
    return fig
