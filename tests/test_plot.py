"""Pictures of training: decision boundaries (binary and k classes), loss curves, and the
message when matplotlib is missing."""

import sys

import numpy as np
import pytest

from autograd import data
from autograd.nn import MLP
from autograd.train import History, fit


def test_decision_boundary_and_curves_are_written_as_png(tmp_path):
    from autograd.plot import plot_decision_boundary, plot_history

    X, y = data.moons(30, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    h = fit(model, X, y, steps=3)
    fig = plot_decision_boundary(model, X, y, tmp_path / "b.png", resolution=20)
    assert (tmp_path / "b.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (ax,) = fig.axes
    assert len(ax.collections) >= 2  # filled regions and the points of each class
    fig = plot_history(h, tmp_path / "sub" / "c.png")
    assert (tmp_path / "sub" / "c.png").exists()
    assert [a.get_ylabel() for a in fig.axes] == ["loss", "accuracy (%)"]
    with pytest.raises(ValueError, match="history is empty"):
        plot_history(History())


def three_class_model():
    """Hand-set linear scores: z0 = x1, z1 = -x1, z2 = x2 - 2, so the argmax is class 0 right of
    the x2 axis and class 1 left of it, except class 2 where x2 - 2 beats |x1|."""
    model = MLP(2, [3], seed=0)
    for neuron, (w, b) in zip(model.layers[0].neurons, [((1, 0), 0), ((-1, 0), 0), ((0, 1), -2)]):
        neuron.w[0].data, neuron.w[1].data = w
        neuron.b.data = b
    return model


def test_decision_grid_scores_every_grid_point():
    from autograd.plot import decision_grid

    X = np.array([[-1.0, -1.0], [1.0, 1.0]])
    xx, yy, scores = decision_grid(three_class_model(), X, resolution=5, margin=0.0)
    assert xx[0].tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    cls = np.argmax(scores, axis=1).reshape(xx.shape)
    x1 = xx
    assert (cls[x1 > 0] == 0).all() and (cls[x1 < 0] == 1).all()  # x2 - 2 < |x1| on this grid


def test_k_class_boundary_colours_regions_by_argmax(tmp_path):
    from matplotlib.colors import to_rgb

    from autograd.plot import _COLOURS, plot_decision_boundary

    X = np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 4.0]])
    y = np.array([1, 0, 2])
    fig = plot_decision_boundary(three_class_model(), X, y, resolution=60, margin=0.5)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255.0
    ax = fig.axes[0]
    height = pixels.shape[0]

    def colour_at(x1, x2):
        px, py = ax.transData.transform((x1, x2))
        return pixels[int(height - py), int(px)]

    def tint(c):  # the region fill: the class colour at alpha 0.3 over white
        return 0.3 * np.array(to_rgb(_COLOURS[c])) + 0.7

    # (probe point, the class whose score is largest there)
    for point, cls in [((1.5, 0.0), 0), ((-1.5, 0.0), 1), ((0.0, 3.8), 2)]:
        seen = colour_at(*point)
        distances = [np.abs(seen - tint(c)).sum() for c in range(3)]
        assert int(np.argmin(distances)) == cls, (point, seen)


def test_missing_matplotlib_names_the_plot_extra(monkeypatch):
    from autograd.plot import plot_decision_boundary

    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)  # makes "import matplotlib..." fail
    with pytest.raises(ImportError, match=r"scalar-autograd\[plot\]"):
        plot_decision_boundary(MLP(2, [1]), np.zeros((2, 2)), np.array([0, 1]))


def test_boundary_draws_into_a_given_axes_side_by_side():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from autograd.plot import plot_decision_boundary

    X = np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 4.0]])
    y = np.array([1, 0, 2])
    fig = Figure(figsize=(8, 4))
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    returned = plot_decision_boundary(three_class_model(), X, y, resolution=20, ax=right, title="R")
    assert returned is fig
    assert len(fig.axes) == 2  # no new axes was added
    assert not left.collections and right.collections  # only the given axes was drawn on
    assert right.get_title() == "R"
    # the scatter holds exactly the data points, one collection per class
    offsets = np.vstack([c.get_offsets() for c in right.collections[-3:]])
    assert sorted(map(tuple, offsets)) == sorted(map(tuple, X))
