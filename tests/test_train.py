"""Training: the micrograd demo reaches 100%, stated bars on circles, xor and a 3-class spiral,
minibatches and epochs, evaluation without a graph, progress output, and the plots."""

import sys

import numpy as np
import pytest

from autograd import Value, data, is_grad_enabled
from autograd.nn import MLP
from autograd.optim import SGD, Adam, LinearLR
from autograd.train import History, accuracy, fit, predict, predict_scores


def micrograd_demo():
    """micrograd's demo: 100 moons points, MLP(2, [16, 16, 1]), hinge + 1e-4 L2, SGD 1.0 -> 0.1."""
    X, y = data.moons(100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    opt = SGD(model.parameters(), lr=1.0)
    sched = LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=100)
    return X, y, model, opt, sched


def test_micrograd_demo_reaches_100_percent_training_accuracy():
    X, y, model, opt, sched = micrograd_demo()
    history = fit(model, X, y, loss="hinge", optimizer=opt, scheduler=sched, steps=100, alpha=1e-4)
    assert accuracy(model, X, y) == 1.0
    assert history.steps == 100
    assert history.loss[-1] < 0.05 < history.loss[0]
    assert history.lr[:3] == pytest.approx([1.0, 0.991, 0.982])  # lr = 1.0 - 0.9 k / 100


def test_fit_matches_the_demo_loop_written_out_by_hand():
    # The demo's own code, step by step, with plain engine operations (no autograd.losses).
    X, y, model, opt, sched = micrograd_demo()
    ref = MLP(2, [16, 16, 1], seed=1337)
    history = fit(model, X, y, loss="hinge", optimizer=opt, scheduler=sched, steps=4, alpha=1e-4)
    ys = y * 2 - 1
    for k in range(4):
        scores = [ref([Value(a), Value(b)]) for a, b in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in ref.parameters())
        total = data_loss + reg_loss
        acc = np.mean([(yi > 0) == (si.data > 0) for yi, si in zip(ys, scores)])
        assert history.loss[k] == pytest.approx(total.data, rel=1e-12)
        assert history.accuracy[k] == acc
        ref.zero_grad()
        total.backward()
        for p in ref.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
    assert [p.data for p in model.parameters()] == pytest.approx(
        [p.data for p in ref.parameters()], rel=1e-9
    )


# Stated bars: each dataset, with a fixed seed, reaches the bar within the step budget.
@pytest.mark.parametrize(
    ("name", "n", "noise", "hidden", "loss", "steps", "bar"),
    [
        ("circles", 80, 0.05, [8, 8], "hinge", 100, 1.00),
        ("xor", 80, 0.0, [8, 8], "bce", 150, 0.97),
        ("spiral", 90, 0.1, [12, 12], "cross_entropy", 120, 0.95),
    ],
)
def test_training_reaches_the_stated_bar(name, n, noise, hidden, loss, steps, bar):
    X, y = data.load(name, n, noise, seed=0)
    k = int(y.max()) + 1
    model = MLP(2, [*hidden, 1 if k == 2 else k], seed=0)
    opt = Adam(model.parameters(), lr=0.05)
    fit(model, X, y, loss=loss, optimizer=opt, steps=steps, seed=0)
    assert accuracy(model, X, y) >= bar


def test_minibatch_steps_and_epochs():
    X, y = data.moons(40, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    h = fit(model, X, y, steps=7, batch_size=8, seed=0)
    assert h.steps == 7 and len(h.accuracy) == len(h.lr) == 7
    # accuracy of a batch of 8 is a multiple of 1/8
    assert all((a * 8) == pytest.approx(round(a * 8)) for a in h.accuracy)
    h = fit(model, X, y, epochs=3, batch_size=16, seed=0)
    assert h.steps == 3 * 3  # 40 points in batches of 16: 16, 16, 8
    assert all(0.0 <= a <= 1.0 for a in h.accuracy)


def test_minibatches_are_reproducible_from_the_seed():
    X, y = data.moons(40, noise=0.1, seed=0)
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 1], seed=0)
        runs.append(fit(model, X, y, steps=5, batch_size=8, seed=3).loss)
    assert runs[0] == runs[1]


def test_full_batch_training_lowers_the_mse_and_bce_losses():
    X, y = data.simple(40, seed=0)
    for loss in ("mse", "bce"):
        model = MLP(2, [4, 1], seed=0)
        h = fit(model, X, y, loss=loss, optimizer=Adam(model.parameters(), lr=0.05), steps=40)
        assert h.loss[-1] < h.loss[0]


def test_evaluation_builds_no_graph():
    model = MLP(2, [3, 1], seed=0)
    modes = []

    def spy(x):
        modes.append(is_grad_enabled())
        return model(x)

    X = np.array([[0.1, 0.2], [0.3, -0.4]])
    scores = predict_scores(spy, X)
    assert modes == [False, False]
    assert scores.shape == (2,)
    assert predict(spy, X).tolist() == [int(s > 0) for s in scores]


def test_k_class_predictions_are_the_argmax():
    model = MLP(2, [3], seed=0)  # three linear outputs
    X = np.array([[0.5, -1.0], [2.0, 1.0]])
    scores = predict_scores(model, X)
    assert scores.shape == (2, 3)
    assert predict(model, X).tolist() == [int(np.argmax(r)) for r in scores]


def test_progress_bar_is_silent_when_asked_and_off_a_terminal(capsys):
    X, y = data.moons(10, noise=0.1, seed=0)
    fit(MLP(2, [2, 1], seed=0), X, y, steps=2)  # pytest's stderr is not a TTY
    fit(MLP(2, [2, 1], seed=0), X, y, steps=2, progress=False)
    assert capsys.readouterr().err == ""
    fit(MLP(2, [2, 1], seed=0), X, y, steps=2, progress=True)
    err = capsys.readouterr().err
    assert "loss=" in err and "acc=" in err


def test_fit_refuses_mismatched_labels_and_losses():
    X, y = data.spiral(30, seed=0, classes=3)
    with pytest.raises(ValueError, match="one-output model is binary"):
        fit(MLP(2, [3, 1]), X, y, steps=1)
    with pytest.raises(ValueError, match="hinge is a binary loss"):
        fit(MLP(2, [3, 3]), X, y, loss="hinge", steps=1)
    with pytest.raises(ValueError, match="the model takes 3 inputs, X has 2 columns"):
        fit(MLP(3, [1]), X, y, steps=1)
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        fit(MLP(2, [3]), X, y, loss="l1", steps=1)


# -- plots -----------------------------------------------------------------------------------------


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
