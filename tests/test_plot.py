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


def linear_model(a, b, c):
    """One linear neuron: score = a·x1 + b·x2 + c."""
    model = MLP(2, [1], seed=0)
    neuron = model.layers[0].neurons[0]
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = a, b, c
    return model


def test_grid_scores_equal_the_scalar_forward_pass():
    from autograd.plot import decision_grid

    X, _ = data.moons(20, noise=0.1, seed=0)
    for model in (MLP(2, [8, 8, 1], seed=1), MLP(2, [8, 3], activation="tanh", seed=2)):
        xx, yy, scores = decision_grid(model, X, resolution=7)
        for (x1, x2), s in zip(zip(xx.ravel(), yy.ravel()), scores):
            out = model([x1, x2])
            want = [out.data] if model.nout == 1 else [o.data for o in out]
            np.testing.assert_allclose(np.atleast_1d(s), want, rtol=0, atol=1e-12)


def test_grid_of_a_model_that_is_not_an_mlp():
    from autograd.nn import Layer
    from autograd.plot import decision_grid

    layer = Layer(2, 3, nonlin=False, seed=0)  # callable like a model, scored point by point
    xx, yy, scores = decision_grid(layer, np.array([[0.0, 0.0], [1.0, 1.0]]), resolution=3)
    point = [xx[1, 2], yy[1, 2]]
    assert scores[5].tolist() == [o.data for o in layer(point)]


def test_binary_boundary_is_the_contour_line_of_score_zero():
    from autograd.plot import plot_decision_boundary

    # score = x1 - 2·x2 + 0.5: the boundary is the straight line x2 = (x1 + 0.5) / 2
    model = linear_model(1.0, -2.0, 0.5)
    X = np.array([[-2.0, -2.0], [2.0, 2.0]])
    fig = plot_decision_boundary(model, X, np.array([0, 1]))
    ax = fig.axes[0]
    (line,) = [
        c
        for c in ax.collections
        if type(c).__name__ == "QuadContourSet" and c.levels[0] == 0 and not c.filled
    ]
    vertices = np.vstack(line.allsegs[0])
    assert len(vertices) > 100  # a fine grid: many short segments...
    np.testing.assert_allclose(vertices[:, 1], (vertices[:, 0] + 0.5) / 2, atol=1e-9)  # ...exact


def test_k_class_boundaries_lie_where_two_scores_tie():
    from autograd.plot import plot_decision_boundary

    model = three_class_model()
    X = np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 4.0]])
    fig = plot_decision_boundary(model, X, np.array([1, 0, 2]), resolution=200, margin=0.5)
    lines = [
        c for c in fig.axes[0].collections if type(c).__name__ == "QuadContourSet" and not c.filled
    ]
    vertices = np.vstack([seg for c in lines for seg in c.allsegs[0]])
    x1, x2 = vertices[:, 0], vertices[:, 1]
    top2 = np.sort(np.c_[x1, -x1, x2 - 2], axis=1)[:, -2:]
    gap = top2[:, 1] - top2[:, 0]  # 0 exactly on a boundary between two classes
    spacing = 5.0 / 199  # the grid step: only cells where the leading class changes interpolate
    assert np.median(gap) < 1e-9
    assert gap.max() < spacing


def test_test_points_are_drawn_as_rings_and_named_in_the_legend():
    from matplotlib.colors import to_rgba

    from autograd.plot import _COLOURS, plot_decision_boundary

    X, y = data.moons(40, noise=0.1, seed=0)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, 0.25, 0)
    fig = plot_decision_boundary(
        MLP(2, [4, 1], seed=0), X_train, y_train, X_test=X_test, y_test=y_test
    )
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "boundary",
        "class 0, train",
        "class 1, train",
        "class 0, test",
        "class 1, test",
    ]
    scatters = {c.get_label(): c for c in ax.collections if c.get_label().startswith("class")}
    for cls in (0, 1):
        train, test = scatters[f"class {cls}, train"], scatters[f"class {cls}, test"]
        assert sorted(map(tuple, train.get_offsets())) == sorted(
            map(tuple, X_train[y_train == cls])
        )
        assert sorted(map(tuple, test.get_offsets())) == sorted(map(tuple, X_test[y_test == cls]))
        assert tuple(train.get_facecolor()[0]) == to_rgba(_COLOURS[cls])  # filled in the colour
        assert tuple(test.get_facecolor()[0]) == to_rgba("white")  # a ring: white inside,
        assert tuple(test.get_edgecolor()[0]) == to_rgba(_COLOURS[cls])  # the colour around
    with pytest.raises(ValueError, match="pass both X_test and y_test, or neither"):
        plot_decision_boundary(MLP(2, [1]), X_train, y_train, X_test=X_test)


def test_figures_are_print_sized_with_readable_text(tmp_path):
    from matplotlib.image import imread

    from autograd.plot import plot_decision_boundary, plot_history

    X, y = data.moons(30, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    history = fit(model, X, y, steps=2)
    for fig, path in [
        (plot_decision_boundary(model, X, y, tmp_path / "b.png"), tmp_path / "b.png"),
        (plot_history(history, tmp_path / "h.png"), tmp_path / "h.png"),
    ]:
        height, width = imread(path).shape[:2]
        assert width >= 800, path.name
        texts = [t for ax in fig.axes for t in ax.get_xticklabels()]
        if fig.axes[0].get_legend() is not None:
            texts += fig.axes[0].get_legend().get_texts()
        smallest = min(t.get_fontsize() for t in texts) * fig.dpi / 72  # points -> pixels
        assert smallest >= 14, (path.name, smallest)


def test_cli_plot_draws_the_held_out_points_apart(tmp_path, monkeypatch):
    import autograd.plot
    from autograd.cli import main

    seen = {}
    real = autograd.plot.plot_decision_boundary

    def spy(model, X, y, path=None, **kwargs):
        seen.update(X=X, X_test=kwargs.get("X_test"))
        return real(model, X, y, path, **kwargs)

    monkeypatch.setattr(autograd.plot, "plot_decision_boundary", spy)
    monkeypatch.chdir(tmp_path)
    args = ["train", "--n", "40", "--steps", "1", "--quiet", "--test-fraction", "0.25"]
    assert main([*args, "--plot", "b.png"]) == 0
    assert (tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"
    assert len(seen["X"]) == 30 and len(seen["X_test"]) == 10
    assert not set(map(tuple, seen["X"])) & set(map(tuple, seen["X_test"]))
