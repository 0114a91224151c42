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
import numpy.typing as npt

from .engine import no_grad
from .export import to_numpy
from .nn import MLP
from .train import History, predict_scores

__all__ = ["DPI", "decision_grid", "plot_decision_boundary", "plot_history"]

# Colour-blind-safe colours (Okabe-Ito), one per class.
_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


# Print quality: at 150 dots per inch a 6.4-inch figure is 960 pixels wide, and 10-point text is
# about 21 pixels high.
DPI = 150


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            "plotting needs matplotlib: pip install 'scalar-autograd[plot]' "
            "(or pip install matplotlib)"
        ) from None
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # attaches itself to fig: savefig works with no display
    return fig


def _save(fig: Any, path: str | os.PathLike[str] | None) -> None:
    if path is not None:
        parent = os.path.dirname(os.fspath(path))
        if parent:
            os.makedirs(parent, exist_ok=True)
        fig.savefig(path)


def _points(X: Any, name: str) -> npt.NDArray[np.float64]:
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2 or not len(arr):
        raise ValueError(f"{name}: expected points of shape (n, 2), got shape {arr.shape}")
    return arr


def decision_grid(
    model: Callable[..., Any], X: Any, *, resolution: int = 300, margin: float = 0.5
) -> tuple[Any, Any, Any]:
    """The model's scores on a ``resolution × resolution`` grid covering X plus ``margin``.

    Returns ``xx, yy, scores``: the grid coordinates (``meshgrid`` arrays) and the scores, shape
    ``(resolution², )`` for one output or ``(resolution², k)``, row by row like ``xx.ravel()``.

    An ``MLP`` is evaluated through ``autograd.export.to_numpy``: one matrix product per layer
    for the whole grid, which makes a fine 300 × 300 grid take milliseconds. Any other callable
    model is called point by point under ``no_grad()`` (slow: use a coarser grid).
    """
    X = _points(X, "decision_grid")
    if resolution < 2:
        raise ValueError(f"decision_grid: resolution must be >= 2, got {resolution}")
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.c_[xx.ravel(), yy.ravel()]
    if isinstance(model, MLP):
        scores = to_numpy(model)(grid)
    else:
        with no_grad():
            scores = predict_scores(model, grid)
    return xx, yy, scores


def _margins(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """For k-class scores, column c is s_c - max over j != c of s_j: positive exactly where the
    model predicts class c, and 0 on the boundary. A smooth function of the point, so its zero
    contour is a smooth line where the argmax would give a staircase of grid cells."""
    top2 = np.sort(scores, axis=1)[:, -2:]  # the second largest and the largest score per point
    best_other = np.where(scores == top2[:, 1:], top2[:, :1], top2[:, 1:])
    return scores - best_other


def plot_decision_boundary(
    model: Callable[..., Any],
    X: Any,
    y: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    X_test: Any = None,
    y_test: Any = None,
    resolution: int = 300,
    margin: float = 0.5,
    title: str | None = None,
    ax: Any = None,
) -> Any:
    """Colour the plane by the class the model predicts, and draw the data points on top.

    The model is evaluated on a ``resolution × resolution`` grid spanning the data plus
    ``margin`` (see ``decision_grid``). A one-output model predicts class 1 where its score is > 0:
    the boundary is the contour line score = 0. A k-output model predicts the argmax class: the
    boundary between classes a and b is where their scores are equal.

    ``X, y`` are drawn as filled dots. Points held out from training (``X_test``, ``y_test``) are
    drawn as rings in their class colour, and the legend says which is which. Returns the Figure
    and, given ``path``, saves it (PNG, SVG or PDF by the extension). Pass ``ax`` (a matplotlib
    Axes) to draw into your own figure instead, e.g. several models side by side.
    """
    if ax is None:
        fig = _figure(6.4, 5.6)  # first: a missing matplotlib is reported before any work
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    X = _points(X, "plot_decision_boundary")
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"plot_decision_boundary: expected y of shape ({len(X)},), got {y.shape}")
    if (X_test is None) != (y_test is None):
        raise ValueError("plot_decision_boundary: pass both X_test and y_test, or neither")
    has_test = X_test is not None and len(X_test) > 0
    X_test = _points(X_test, "plot_decision_boundary(X_test)") if has_test else X[:0]
    y_test = np.asarray(y_test) if has_test else y[:0]
    if y_test.shape != (len(X_test),):
        raise ValueError(
            f"plot_decision_boundary: expected y_test of shape ({len(X_test)},), got {y_test.shape}"
        )
    everything = np.vstack([X, X_test])
    xx, yy, scores = decision_grid(model, everything, resolution=resolution, margin=margin)
    binary = scores.ndim == 1
    labels = np.concatenate([y, y_test])
    k = max(int(labels.max()) + 1 if labels.size else 2, 2 if binary else scores.shape[1])

    def colour(c: int) -> str:
        return _COLOURS[c % len(_COLOURS)]

    # One column per class: positive where that class is predicted, 0 on its boundary.
    regions = np.c_[-scores, scores] if binary else _margins(scores)
    boundary = False
    for c in range(regions.shape[1]):
        zz = regions[:, c].reshape(xx.shape)
        low, top = float(zz.min()), float(zz.max())
        if top > 0:
            ax.contourf(xx, yy, zz, levels=[0.0, top + 1.0], colors=[colour(c)], alpha=0.3)
        if low < 0 < top and (c > 0 or not binary):  # a binary boundary is drawn once
            ax.contour(xx, yy, zz, levels=[0.0], colors="k", linewidths=1.2)
            boundary = True
    if boundary:  # the lines' legend entry
        ax.plot([], [], color="k", linewidth=1.2, label="boundary")

    for c in range(k):
        mask = y == c
        if mask.any() or not has_test:
            ax.scatter(
                X[mask, 0],
                X[mask, 1],
                s=30,
                color=colour(c),
                edgecolors="k",
                linewidths=0.6,
                label=f"class {c}, train" if has_test else f"class {c}",
            )
    for c in range(k):
        mask = y_test == c
        if mask.any():
            ax.scatter(
                X_test[mask, 0],
                X_test[mask, 1],
                s=36,
                facecolors="white",
                edgecolors=colour(c),
                linewidths=1.8,
                label=f"class {c}, test",
            )
    ax.set_xlim(xx[0, 0], xx[0, -1])
    ax.set_ylim(yy[0, 0], yy[-1, 0])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", framealpha=0.85)
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
    fig = _figure(9.0, 3.6)  # 1350 x 540 pixels
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
