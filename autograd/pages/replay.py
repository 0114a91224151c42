"""The training replay: watch the decision boundary form, step by step, like the ConvNetJS demo.

Record a run by handing a :class:`TrainingReplay` to ``fit`` as its callback, then save the page::

    replay = TrainingReplay(model, X, y)
    history = fit(model, X, y, steps=100, callback=replay)
    replay.save("run.html")        # or show `replay` in a notebook

During training the recorder keeps only copies of the parameters (a list of floats) at a few
steps: every step at first, and whenever it holds more than twice ``frames`` copies it drops every
other one, so memory stays bounded however long the run. The decision boundaries are computed
when the page is built, with ``autograd.export.to_numpy`` on each kept copy, which keeps training
itself as fast as without a recorder.

The page: the boundary over the data for up to ``frames`` sampled steps, with a slider, ← → and a
play button; the loss and accuracy curves with a marker at the shown step; the run's settings and
final numbers. Each frame is two things drawn on a canvas:

* the boundary line, where the score is 0 (one output) or the two highest scores tie (k outputs),
  found on a fine ``fine × fine`` grid (300 × 300 by default) by marching squares
  (``contour.py``) and stored as polylines with rounded coordinates. Only the fine points near
  where the coarse grid below changes class are evaluated: a few percent of them;
* the coloured regions: a small grid of class numbers and confidences, which the browser scales up
  with smooth (bilinear) interpolation under the line.

So the line is as smooth as ``plot_decision_boundary``'s, and a 50-frame page stays a few hundred
kilobytes.
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..export import to_numpy
from ..nn import MLP
from ..plot import _COLOURS, _margins, decision_grid
from ..train import History, accuracy
from ._page import asset, document, json_block, notebook_frame, write_page
from .contour import simplify, zero_lines

__all__ = ["TrainingReplay"]

_CURVE_POINTS = 400  # the curves are thinned to about this many points


class TrainingReplay:
    """Records a training run (pass it to ``fit(..., callback=...)``) and builds its replay page.

    Args:
        model: the model being trained (its parameters are copied at the sampled steps).
        X, y: the data drawn under the boundary (usually the training data).
        frames: at most this many boundary pictures (evenly spread, first and last included).
        resolution: the coloured regions are a ``resolution × resolution`` grid of predictions.
        fine: the boundary line is found on a ``fine × fine`` grid of scores.
        settings: the run's settings to show on the page, e.g. ``{"optimizer": "sgd"}``.
        title: the page's heading.

    ``settings`` and ``results`` are plain dicts: add entries (a test accuracy, say) before saving.
    """

    def __init__(
        self,
        model: MLP,
        X: Any,
        y: Any,
        *,
        frames: int = 50,
        resolution: int = 64,
        fine: int = 300,
        settings: Mapping[str, object] | None = None,
        title: str = "Training replay",
    ) -> None:
        if not isinstance(frames, int) or frames < 2:
            raise ValueError(f"TrainingReplay: frames must be an int >= 2, got {frames!r}")
        if not isinstance(resolution, int) or resolution < 2:
            raise ValueError(f"TrainingReplay: resolution must be an int >= 2, got {resolution!r}")
        if not isinstance(fine, int) or fine < 2:
            raise ValueError(f"TrainingReplay: fine must be an int >= 2, got {fine!r}")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2 or not len(X):
            raise ValueError(
                f"TrainingReplay: the replay draws 2-D data; expected X of shape (n, 2), got "
                f"{X.shape}"
            )
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"TrainingReplay: expected y of shape ({len(X)},), got {y.shape}")
        self.model = model
        self.X = X
        self.y = y
        self.frames = frames
        self.resolution = resolution
        self.fine = fine
        self.settings: dict[str, object] = dict(settings or {})
        self.results: dict[str, object] = {}
        self.title = title
        self.history: History | None = None
        self._params = model.parameters()
        self._stride = 1
        #: (number of updates done, parameter values then); the model as it is before training first
        self._kept: list[tuple[int, list[float]]] = [(0, [p.data for p in self._params])]

    def __call__(self, step: int, history: History) -> None:
        """``fit``'s callback: called after step ``step`` (0-based) has updated the model."""
        self.history = history
        done = step + 1
        if done % self._stride:
            return
        self._kept.append((done, [p.data for p in self._params]))
        if len(self._kept) > 2 * self.frames:
            self._stride *= 2
            self._kept = [k for k in self._kept if k[0] % self._stride == 0]

    # -- the page ------------------------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """Everything the page shows, as plain JSON-ready data (computed now, from the model)."""
        history = self.history
        steps = history.steps if history is not None else 0
        kept = list(self._kept)
        final = [p.data for p in self._params]
        if kept[-1][0] != steps or kept[-1][1] != final:
            kept.append((steps, final))
        chosen = sorted(set(np.linspace(0, len(kept) - 1, self.frames).round().astype(int)))
        frames = []
        lo = hi = None
        try:
            for i in chosen:
                done, values = kept[i]
                for p, v in zip(self._params, values):
                    p.data = v
                xx, yy, scores = decision_grid(self.model, self.X, resolution=self.resolution)
                lo, hi = (xx[0, 0], yy[0, 0]), (xx[0, -1], yy[-1, 0])
                # The page scales each coarse value up to a square centred on its point, so the
                # canvas reaches half a coarse step beyond the grid; so does the fine grid.
                hx, hy = (xx[0, 1] - xx[0, 0]) / 2, (yy[1, 0] - yy[0, 0]) / 2
                fx = np.linspace(lo[0] - hx, hi[0] + hx, self.fine)
                fy = np.linspace(lo[1] - hy, hi[1] + hy, self.fine)
                fine = _fine_scores(
                    to_numpy(self.model), fx, fy, xx[0], yy[:, 0], np.asarray(scores)
                )
                frames.append(
                    {
                        "step": int(done),
                        "grid": _encode(np.asarray(scores)),
                        "lines": _boundary(fx, fy, fine),
                    }
                )
        finally:
            for p, v in zip(self._params, final):
                p.data = v
        assert lo is not None and hi is not None
        results = {
            "steps": steps,
            "accuracy on the data shown": f"{accuracy(self.model, self.X, self.y):.1%}",
        }
        if history is not None and steps:
            results["final batch loss"] = f"{history.loss[-1]:.6g}"
            results["final batch accuracy"] = f"{history.accuracy[-1]:.1%}"
            results["training time"] = f"{history.seconds:.2f} s"
        results.update({str(k): str(v) for k, v in self.results.items()})
        thin = max(1, -(-steps // _CURVE_POINTS))
        return {
            "title": self.title,
            "resolution": self.resolution,
            "extent": [float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])],
            "classes": max(int(self.y.max()) + 1, 2),
            "colours": _COLOURS,
            "points": [[round(float(a), 4), round(float(b), 4)] for a, b in self.X],
            "labels": [int(c) for c in self.y],
            "frames": frames,
            "curves": {
                "step": list(range(0, steps, thin)),
                "loss": [_finite(v) for v in (history.loss[::thin] if history else [])],
                "accuracy": [round(v, 4) for v in (history.accuracy[::thin] if history else [])],
            },
            "settings": {str(k): str(v) for k, v in self.settings.items()},
            "results": results,
        }

    def html(self) -> str:
        """The whole page, as a string."""
        data = self.data()
        body = (
            '<div class="replay">\n'
            f"<h1>{html.escape(self.title)}</h1>\n"
            '<div class="main"><div class="left">'
            '<canvas class="boundary" width="440" height="440" '
            'aria-label="decision boundary"></canvas>\n'
            '<div class="bar"><button type="button" class="prev" title="previous frame (←)">◀'
            '</button><button type="button" class="play" title="play / pause (space)">▶ Play'
            '</button><button type="button" class="next" title="next frame (→)">▶</button>'
            f'<input type="range" class="slider" min="0" max="{len(data["frames"]) - 1}" '
            'value="0" aria-label="frame"></div>'
            '<p class="frame-info"></p></div>\n'
            '<div class="right"><svg class="curve loss" viewBox="0 0 420 170"></svg>'
            '<svg class="curve accuracy" viewBox="0 0 420 170"></svg>'
            '<div class="tables"><table class="settings"><caption>settings</caption></table>'
            '<table class="results"><caption>final numbers</caption></table></div></div>'
            "</div>\n"
            f"{json_block(data)}\n</div>"
        )
        return document(
            self.title, asset("replay.css"), body, asset("controls.js") + asset("replay.js")
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (an ``.html`` file) and return the path."""
        return write_page(self.html(), path)

    def _repr_html_(self) -> str:
        return notebook_frame(self.html(), 760, self.title)

    def __repr__(self) -> str:
        steps = self.history.steps if self.history is not None else 0
        return f"<autograd training replay: {steps} steps recorded; .save('run.html') writes it>"


def _finite(x: float) -> float | None:
    """A loss for the page's JSON (which has no inf or nan): None where it is not finite."""
    return round(x, 6) if np.isfinite(x) else None


def _fine_scores(
    f: Any,
    x: np.ndarray[Any, Any],
    y: np.ndarray[Any, Any],
    cx: np.ndarray[Any, Any],
    cy: np.ndarray[Any, Any],
    coarse: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """The scores on the fine grid ``x`` × ``y``, computed by ``f`` only where the line can be.

    ``coarse`` holds the scores on the n × n grid ``cx`` × ``cy`` (row by row). Far from where its
    predicted class changes, the fine grid takes the score of the nearest coarse point (the class
    there is the same, so no line is found there); in the coarse cells where the class changes, and
    the cells around them, every fine point is evaluated. The boundary fills a few percent of the
    picture, so this is many times less work than evaluating all ``len(x) × len(y)`` points.
    """
    n = len(cx)
    classes = (coarse > 0 if coarse.ndim == 1 else np.argmax(coarse, axis=1)).reshape(n, n)
    corners = np.stack([classes[:-1, :-1], classes[:-1, 1:], classes[1:, :-1], classes[1:, 1:]])
    changes = np.pad(corners.min(axis=0) != corners.max(axis=0), 1)
    near = np.zeros((n - 1, n - 1), dtype=bool)  # a changing cell or one of its 8 neighbours
    for di in range(3):
        for dj in range(3):
            near |= changes[di : di + n - 1, dj : dj + n - 1]
    # Where each fine point lies on the coarse grid (in coarse steps), its cell and nearest point.
    at_x = np.clip((x - cx[0]) / (cx[1] - cx[0]), 0, n - 1)
    at_y = np.clip((y - cy[0]) / (cy[1] - cy[0]), 0, n - 1)
    cell_x, cell_y = np.minimum(at_x.astype(int), n - 2), np.minimum(at_y.astype(int), n - 2)
    nearest = coarse.reshape(n, n, -1)[
        np.rint(at_y).astype(int)[:, None], np.rint(at_x).astype(int)
    ]
    scores: np.ndarray[Any, Any] = nearest.reshape(len(y) * len(x), -1).copy()
    todo = near[cell_y[:, None], cell_x[None, :]].ravel()
    if todo.any():
        xx, yy = np.meshgrid(x, y)
        points = np.c_[xx.ravel()[todo], yy.ravel()[todo]]
        scores[todo] = np.asarray(f(points)).reshape(len(points), -1)
    return scores[:, 0] if coarse.ndim == 1 else scores


def _boundary(
    x: np.ndarray[Any, Any], y: np.ndarray[Any, Any], scores: np.ndarray[Any, Any]
) -> list[list[float]]:
    """The decision boundary on the grid ``x`` × ``y`` as polylines, each flat: x0, y0, x1, y1...

    One output: the line score = 0. k outputs: for each class c, the edge of its region, where c's
    score ties the best other score (``plot._margins``), as ``plot_decision_boundary`` draws it. A
    boundary between two classes is then stored twice, once from each side: keeping only one of
    them breaks the line wherever a third class nearly ties along it. The lines are simplified to
    within a tenth of a grid step and their coordinates rounded to a twentieth of one, far below
    what the page's pixels show.
    """
    shape = (len(y), len(x))
    step = min(x[1] - x[0], y[1] - y[0])
    decimals = max(0, int(np.ceil(-np.log10(step / 20))))
    if scores.ndim == 1:
        lines = zero_lines(x, y, scores.reshape(shape))
    else:
        margins = _margins(scores)
        lines = []
        for c in range(scores.shape[1]):
            lines += zero_lines(x, y, margins[:, c].reshape(shape))
    return [
        [round(float(v), decimals) for v in simplify(line, step / 10).ravel()]
        for line in lines
        if len(line) > 1
    ]


def _encode(scores: np.ndarray[Any, Any]) -> str:
    """One frame: the predicted class of every grid cell, then the confidence (0-255), base64.

    One output: class 1 where the score is > 0, confidence tanh(|score|). k outputs: the argmax
    class, confidence from the softmax probability of that class (1/k -> 0, certain -> 255).
    """
    if scores.ndim == 1:
        classes = (scores > 0).astype(np.uint8)
        strength = np.tanh(np.abs(scores))
    else:
        z = scores - scores.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        classes = np.argmax(scores, axis=1).astype(np.uint8)
        k = scores.shape[1]
        strength = (p.max(axis=1) - 1 / k) / (1 - 1 / k)
    level = np.nan_to_num(np.clip(strength, 0, 1) * 255).round().astype(np.uint8)
    return base64.b64encode(classes.tobytes() + level.tobytes()).decode("ascii")
