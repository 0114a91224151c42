"""Training: the micrograd demo reaches 100%, stated bars on circles, xor and a 3-class spiral,
minibatches and epochs, evaluation without a graph, progress output, and the plots."""

import math
import os
import re
import sys
import threading
import time
import types

import numpy as np
import pytest

from autograd import Value, data, is_grad_enabled
from autograd.nn import MLP
from autograd.optim import SGD, Adam, LinearLR, StepLR
from autograd.train import History, accuracy, batch_loss, fit, predict, predict_scores


def values(*xs):
    return [Value(x) for x in xs]


def micrograd_demo():
    """micrograd's demo: 100 moons points, MLP(2, [16, 16, 1]), hinge + 1e-4 L2, SGD 1.0 -> 0.1."""
    X, y = data.moons(100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], seed=1337)
    opt = SGD(model.parameters(), lr=1.0)
    sched = LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=100)
    return X, y, model, opt, sched


@pytest.mark.slow
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
@pytest.mark.slow
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


def test_mse_targets_are_plus_minus_one_for_one_output_and_one_hot_for_k():
    # one output: labels 0/1 become targets -1/+1, ((0.5 - 1)^2 + (-0.2 + 1)^2 + (0.1 + 1)^2) / 3
    one = batch_loss(values(0.5, -0.2, 0.1), [1, 0, 0], "mse", [], 0.0)
    assert one.data == pytest.approx((0.25 + 0.64 + 1.21) / 3, rel=1e-14)
    # three outputs: labels 2 and 0 become [0, 0, 1] and [1, 0, 0]; the mean over all 6 numbers
    k = batch_loss([values(0.5, -0.2, 0.1), values(1.0, 0.0, 0.3)], [2, 0], "mse", [], 0.0)
    assert k.data == pytest.approx((0.25 + 0.04 + 0.81 + 0.0 + 0.0 + 0.09) / 6, rel=1e-14)


def test_a_k_output_model_learns_with_the_mse_loss():
    X, y = data.blobs(60, noise=0.3, seed=0, classes=3)
    model = MLP(2, [8, 3], seed=0)
    h = fit(model, X, y, loss="mse", optimizer=Adam(model.parameters(), lr=0.05), steps=60)
    assert h.loss[-1] < 0.5 * h.loss[0]
    assert accuracy(model, X, y) >= 0.95


def test_batch_loss_adds_alpha_times_the_sum_of_squared_weights():
    w = values(0.5, -2.0)
    plain = batch_loss(values(0.3), [1], "hinge", w, 0.0)
    assert plain.data == pytest.approx(0.7)  # max(0, 1 - 0.3)
    with_l2 = batch_loss(values(0.3), [1], "hinge", w, 0.1)
    assert with_l2.data == pytest.approx(0.7 + 0.1 * (0.25 + 4.0))


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


@pytest.fixture
def no_tqdm_monitor(monkeypatch):
    """Bars that lock only this process, and no monitor thread. tqdm's default lock is shared with
    every process forked after it was made (the mutation runner forks one per mutant); one that
    exits while holding it would leave all the others waiting for it for ever."""
    from tqdm import tqdm
    from tqdm.auto import tqdm as auto_tqdm

    for cls in (tqdm, auto_tqdm):
        monkeypatch.setattr(cls, "_lock", threading.RLock(), raising=False)
        monkeypatch.setattr(cls, "monitor_interval", 0)


@pytest.mark.usefixtures("no_tqdm_monitor")
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


# -- the loop's bookkeeping and its checks ---------------------------------------------------------


def test_default_optimizer_is_sgd_with_rate_one_tenth():
    # fit without an optimizer equals fit with SGD(lr=0.1), step for step
    X, y = data.xor(12, seed=0)
    a, b = MLP(2, [3, 1], seed=2), MLP(2, [3, 1], seed=2)
    ha = fit(a, X, y, steps=3)
    hb = fit(b, X, y, steps=3, optimizer=SGD(b.parameters(), lr=0.1), loss="hinge")
    assert ha.loss == hb.loss and ha.lr == [0.1] * 3
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_auto_loss_is_hinge_for_one_output_and_cross_entropy_for_k():
    X, y = data.blobs(9, seed=0, classes=3)
    for nout, explicit, labels in ((1, "hinge", y % 2), (3, "cross_entropy", y)):
        h1 = fit(MLP(2, [nout], seed=0), X, labels, steps=2)
        h2 = fit(MLP(2, [nout], seed=0), X, labels, steps=2, loss=explicit)
        assert h1.loss == h2.loss


def test_history_records_each_step_and_the_time_it_took():
    X, y = data.xor(8, seed=0)
    opt = SGD(MLP(2, [1], seed=0).parameters(), lr=0.5)
    start = time.perf_counter()
    h = fit(MLP(2, [1], seed=0), X, y, steps=4, optimizer=opt, scheduler=StepLR(opt, 2, 0.5))
    assert h.seconds <= time.perf_counter() - start
    assert h.steps == 4 == len(h.accuracy)
    assert h.lr == [0.5, 0.5, 0.25, 0.25]  # the rate each step used, before the schedule moves it
    assert h.seconds > 0.0
    assert History().steps == 0


def test_full_batch_accuracy_is_measured_before_the_update():
    # one step on 4 points: the batch accuracy is that of the untrained model on all 4 points
    X, y = data.xor(4, seed=3)
    model = MLP(2, [2, 1], seed=1)
    before = accuracy(model, X, y)
    h = fit(model, X, y, steps=1)
    assert h.accuracy == [before]


def test_k_class_batch_accuracy_is_the_argmax():
    X, y = data.blobs(6, seed=0, classes=3)
    model = MLP(2, [3], seed=8)
    before = accuracy(model, X, y)
    assert fit(model, X, y, steps=1).accuracy == [before]
    assert 0 < before < 1  # a guess that is neither all right nor all wrong


def test_epochs_cover_every_point_once_and_count_steps():
    X, y = data.xor(10, seed=0)
    h = fit(MLP(2, [1], seed=0), X, y, epochs=2, batch_size=4, seed=1)
    assert h.steps == 2 * 3  # batches of 4, 4, 2
    # one epoch of batch_size = n is a full-batch step
    full = fit(MLP(2, [1], seed=0), X, y, steps=1)
    # (the same points, shuffled: the sum may differ in its last bit)
    one = fit(MLP(2, [1], seed=0), X, y, epochs=1, batch_size=10).loss
    assert one == pytest.approx(full.loss, rel=1e-14)
    one = fit(MLP(2, [1], seed=0), X, y, epochs=1).loss  # no batch_size: all points
    assert one == pytest.approx(full.loss, rel=1e-14)


@pytest.mark.usefixtures("no_tqdm_monitor")
def test_progress_bar_counts_the_steps(capsys):
    X, y = data.xor(10, seed=0)
    fit(MLP(2, [1], seed=0), X, y, epochs=2, batch_size=4, progress=True)
    err = capsys.readouterr().err
    assert err.startswith("\rtrain: ") and "6/6" in err and "step/s" in err
    assert re.search(r"\bacc=\d+%", err) and re.search(r"\bloss=\d\.\d{4}\b", err)


@pytest.mark.usefixtures("no_tqdm_monitor")
def test_progress_bar_shows_by_default_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    X, y = data.xor(10, seed=0)
    fit(MLP(2, [1], seed=0), X, y, steps=2)
    assert "2/2" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "^fit: steps must be >= 1, got 0$"),
        ({"steps": None}, "^fit: steps must be >= 1, got None$"),
        ({"epochs": 0}, "^fit: epochs must be >= 1, got 0$"),
        ({"batch_size": 0}, "^fit: batch_size must be >= 1, got 0$"),
        ({"loss": "bce", "model": MLP(2, [3])}, "^bce is a binary loss .* this one has 3$"),
        ({"loss": "hinge", "model": MLP(2, [2])}, "^hinge is a binary loss .* this one has 2$"),
        ({"loss": "l1"}, "^unknown loss 'l1'; choose one of auto, hinge, bce, cross_entropy, mse$"),
        ({"loss": "cross_entropy"}, r"^cross_entropy needs one output per class \(k >= 2\)"),
        ({"y": [0, 1, 2, 1]}, "^fit: a one-output model is binary, but y has labels up to 2$"),
        ({"y": [0, 1, 3, 1], "model": MLP(2, [3])}, "^fit: y has labels up to 3 but the model"),
        (
            {"y": [0, 1, 2, 1], "model": MLP(2, [2])},
            "^fit: y has labels up to 2 but the model has 2",
        ),
        ({"y": [0, 1, 1]}, r"^expected y of shape \(4,\) to match X, got shape \(3,\)$"),
        ({"y": [0, 1, -1, 1]}, "^expected y to hold class numbers 0, 1, ..., k-1$"),
        ({"y": [0.0, 1.0, 1.0, 0.0]}, "^expected y to hold class numbers"),
        ({"X": [0.1, 0.2, 0.3, 0.4]}, r"^expected X of shape \(n, features\), got shape \(4,\)$"),
    ],
)
def test_fit_refuses_bad_arguments_with_a_message(kwargs, message):
    args = {"model": MLP(2, [1]), "X": np.zeros((4, 2)), "y": [0, 1, 1, 0], **kwargs}
    with pytest.raises(ValueError, match=message):
        fit(args.pop("model"), args.pop("X"), args.pop("y"), **args)


def test_an_empty_dataset_is_refused():
    with pytest.raises(ValueError, match=r"^fit: the dataset is empty$"):
        fit(MLP(2, [1]), np.zeros((0, 2)), np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match=r"^accuracy: no examples$"):
        accuracy(MLP(2, [1]), np.zeros((0, 2)), [])


def test_predict_scores_and_classes_by_hand():
    # one linear output, weights (1, -1), bias 0: score x1 - x2
    model = MLP(2, [1], seed=0)
    (neuron,) = model.layers[0].neurons
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 1.0, -1.0, 0.0
    X = [[2.0, 1.0], [0.0, 3.0], [1.0, 1.0]]
    assert predict_scores(model, X).tolist() == [1.0, -3.0, 0.0]
    assert predict(model, X).tolist() == [1, 0, 0]  # a score of exactly 0 is class 0
    assert predict(model, X).dtype == np.int64
    assert accuracy(model, X, [1, 0, 1]) == pytest.approx(2 / 3)
    k = MLP(2, [2], seed=0)
    for neuron, (w1, w2) in zip(k.layers[0].neurons, [(1.0, 0.0), (0.0, 1.0)]):
        neuron.w[0].data, neuron.w[1].data, neuron.b.data = w1, w2, 0.0
    assert predict_scores(k, [[3.0, 1.0]]).tolist() == [[3.0, 1.0]]
    assert predict(k, X).tolist() == [0, 1, 0]  # a tie goes to the first class, like argmax


def test_batch_loss_bce_and_cross_entropy_by_hand():
    # bce on logits 0 and 2, labels 0 and 1: (log(1 + e^0) + log(1 + e^-2)) / 2
    bce = batch_loss(values(0.0, 2.0), [0, 1], "bce", [], 0.0)
    assert bce.data == pytest.approx((math.log(2) + math.log(1 + math.exp(-2))) / 2, rel=1e-14)
    # softmax of logits (0, log 2) gives class 1 the probability 2/3: the loss is log(3/2)
    ce = batch_loss([values(0.0, math.log(2))], [1], "cross_entropy", [], 0.0)
    assert ce.data == pytest.approx(math.log(1.5), rel=1e-14)


def test_a_score_of_exactly_zero_counts_as_class_0_in_the_batch_accuracy():
    model = MLP(2, [1], seed=0)
    (neuron,) = model.layers[0].neurons
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 1.0, -1.0, 0.0
    X = np.array([[1.0, 1.0], [2.0, 1.0]])  # scores 0 and 1
    assert fit(model, X, [1, 1], steps=1, optimizer=SGD(model.parameters(), lr=0.0)).accuracy == [
        0.5
    ]


def test_default_steps_seed_and_batch_of_one():
    X, y = data.xor(10, seed=0)
    assert fit(MLP(2, [1], seed=0), X, y, optimizer=SGD([Value(0.0)], lr=0.0)).steps == 100
    runs = [
        fit(MLP(2, [1], seed=0), X, y, steps=3, batch_size=1, **kw).loss for kw in ({}, {"seed": 0})
    ]
    assert runs[0] == runs[1]
    runs = [
        fit(MLP(2, [1], seed=0), X, y, epochs=2, batch_size=3, **kw).loss
        for kw in ({}, {"seed": 0})
    ]
    assert runs[0] == runs[1]
    other = fit(MLP(2, [1], seed=0), X, y, epochs=2, batch_size=3, seed=1).loss
    assert other != runs[0]  # another seed, another order of batches


def test_fit_drops_each_step_graph_before_the_collector_is_back_on():
    """A step's graph (thousands of nodes) must be freed inside ``gc_paused()``: alive when the
    collector is switched back on, the next allocation would make it scan the whole graph."""
    import gc

    X, y = data.moons(n=60, noise=0.1, seed=3)
    model = MLP(2, [8, 8, 1], seed=3)
    fit(model, X, y, steps=1, progress=False)  # warm up: imports and caches
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(count)
    try:
        fit(model, X, y, steps=5, progress=False)
    finally:
        gc.callbacks.remove(count)
    assert collections == []


def test_training_inputs_are_named_like_a_model_calls_numbers():
    # fit() turns each row into Values itself; they carry the names a model call gives plain
    # numbers (x1, x2), so a diagram or explain() of a training loss names the inputs.
    from autograd.engine import topological_order
    from autograd.explain import node_names
    from autograd.train import _scores

    model = MLP(2, [3, 1], seed=0)
    (out,) = _scores(model, [[0.5, -1.0]])
    leaves = [v for v in topological_order(out) if not v._prev and not v.label.startswith("L")]
    assert [(v.label, v.data) for v in leaves] == [("x1", 0.5), ("x2", -1.0)]
    names = node_names(topological_order(model([0.5, -1.0])))
    assert sorted(n for n in names.values() if n.startswith("x")) == ["x1", "x2"]


class _Stderr:
    """A stderr that is not a terminal (or, with ``isatty=None``, cannot say)."""

    def __init__(self, isatty: bool | None) -> None:
        if isatty is not None:
            self.isatty = lambda: isatty

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _fake_ipython(shell: object) -> types.ModuleType:
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(
    ("isatty", "ipython", "ipykernel", "watching"),
    [
        (True, None, False, True),  # a terminal
        (False, None, False, False),  # a pipe, a log file, CI
        (None, None, False, False),  # a stream without isatty()
        (False, types.SimpleNamespace(kernel=object()), True, True),  # a Jupyter kernel
        (False, types.SimpleNamespace(kernel=None), True, False),  # a kernel module, no kernel
        (False, types.SimpleNamespace(), True, False),  # the terminal IPython shell
        (False, None, True, False),  # ipykernel imported, but IPython's shell is None
        (False, types.SimpleNamespace(kernel=object()), False, False),  # no ipykernel
    ],
)
def test_the_progress_bar_shows_by_default_on_a_terminal_or_in_a_notebook(
    monkeypatch, isatty, ipython, ipykernel, watching
):
    from autograd.train import _someone_watching

    monkeypatch.setattr(sys, "stderr", _Stderr(isatty))
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    if ipython is not None or ipykernel:
        monkeypatch.setitem(sys.modules, "IPython", _fake_ipython(ipython))
    if ipykernel:
        monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    assert _someone_watching() is watching


def test_the_callback_runs_after_every_step_with_the_step_number_and_the_history():
    # step k (from 0) has updated the model when the callback sees it: the history holds k + 1
    # entries, and the weights are already those after step k
    X, y = [[0.0, 1.0], [1.0, 0.0]], [0, 1]
    model = MLP(2, [2, 1], seed=0)
    seen = []

    def record(step, history):
        seen.append((step, history, history.steps, [p.data for p in model.parameters()]))

    history = fit(model, X, y, steps=3, callback=record)
    assert [(step, steps) for step, _, steps, _ in seen] == [(0, 1), (1, 2), (2, 3)]
    assert all(h is history for _, h, _, _ in seen)
    assert seen[-1][3] == [p.data for p in model.parameters()]
    assert seen[0][3] != seen[1][3] != seen[2][3]


def _diverging_run(**options):
    """One input 1.0, label 1, hinge loss, SGD at lr 1e308 on MLP(1, [1]) (score w·x + b, b = 0).

    Step 1: the score w0 < 1 is inside the margin, loss 1 - w0, dL/dw = dL/db = -1, so w and b
    jump to about 1e308. Step 2: the score w + b overflows to inf, far past the margin: loss 0."""
    model = MLP(1, [1], seed=0)
    w0 = model.parameters()[0].data
    opt = SGD(model.parameters(), lr=1e308)
    history = fit(model, [[1.0]], [1], loss="hinge", optimizer=opt, steps=3, **options)
    return w0, history


def test_fit_lets_an_overflow_through_by_default_and_names_it_with_detect_anomaly():
    from autograd import AnomalyError

    w0, history = _diverging_run()
    assert 0 < w0 < 1
    assert history.loss == [pytest.approx(1 - w0), 0.0, 0.0]
    with pytest.raises(AnomalyError, match=r"'linear' gave inf from the inputs \(1\.0, 1e\+308"):
        _diverging_run(detect_anomaly=True)


def test_full_batch_training_is_the_same_whatever_the_seed():
    # without batch_size every step uses every point, in order: nothing is drawn at random, so
    # the seed changes nothing, down to the last bit of every loss and weight
    X, y = data.moons(30, seed=0)

    def run(seed):
        model = MLP(2, [4, 1], seed=0)
        history = fit(model, X, y, steps=3, seed=seed)
        return history.loss, history.accuracy, [p.data for p in model.parameters()]

    assert run(0) == run(1) == run(None)


def test_fractions_and_decimals_in_x_are_taken_as_the_floats_they_are():
    # X holds numbers of any kind numpy turns into float64, not only Python and numpy floats
    from decimal import Decimal
    from fractions import Fraction

    model = MLP(2, [3, 1], seed=0)
    as_floats = predict_scores(model, [[0.5, -1.5], [2.0, 0.25]])
    other = [[Fraction(1, 2), Decimal("-1.5")], [Fraction(2), Decimal("0.25")]]
    assert predict_scores(model, other).tolist() == as_floats.tolist()
    history = fit(MLP(2, [3, 1], seed=0), other, [0, 1], steps=2)
    floats = fit(MLP(2, [3, 1], seed=0), [[0.5, -1.5], [2.0, 0.25]], [0, 1], steps=2)
    assert history.loss == floats.loss


@pytest.mark.usefixtures("no_tqdm_monitor")
def test_the_finished_bar_stays_on_screen_also_inside_an_outer_bar(capsys):
    # a sweep over runs with its own bar: the bar of each run is drawn one line below the
    # outer one, and when the run ends it stays there, showing the full count
    from tqdm.auto import tqdm

    X, y = [[0.0, 1.0], [1.0, 0.0]], [0, 1]
    outer = tqdm(total=2, desc="sweep")
    try:
        fit(MLP(2, [2, 1], seed=0), X, y, steps=3, progress=True)
    finally:
        outer.close()
    err = capsys.readouterr().err
    assert re.search(r"\rtrain: 100%\|[^|]+\| 3/3 ", err)


@pytest.mark.usefixtures("no_tqdm_monitor")
def test_the_bar_is_redrawn_at_tqdms_pace_not_at_every_step(capsys):
    # tqdm draws a bar at most every 0.1 s (its mininterval) as it is updated, plus once when it
    # opens and once when it closes; a run of fast steps writes a few lines, not one per step
    X, y = [[0.0, 1.0], [1.0, 0.0]], [0, 1]
    history = fit(MLP(2, [2, 1], seed=0), X, y, steps=60, progress=True)
    draws = capsys.readouterr().err.count("\rtrain:")
    assert 2 <= draws <= 3 + history.seconds / 0.1


def test_fit_hides_only_tqdms_notice_that_ipywidgets_is_missing(monkeypatch, tmp_path):
    # In Jupyter without ipywidgets, tqdm.auto warns "IProgress not found" and uses its text bar,
    # which Jupyter shows well: fit keeps that notice out of the notebook. Any other warning
    # while tqdm loads (here one from an old ipywidgets on import) still reaches the user.
    import warnings

    import tqdm.auto  # noqa: F401 (put back after the test as it was)

    loaded = set(sys.modules)
    for name in ("tqdm.auto", "tqdm.autonotebook", "tqdm.notebook"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    for name in [k for k in os.environ if k == "QT_API" or k.startswith("SPYDER")]:
        monkeypatch.delenv(name)  # tqdm takes those for a Qt console, which gets the text bar
    monkeypatch.setitem(sys.modules, "IPython", _fake_ipython(object()))
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", types.ModuleType("ipykernel.zmqshell"))
    monkeypatch.delitem(sys.modules, "ipywidgets", raising=False)
    (tmp_path / "ipywidgets.py").write_text(
        "import warnings\nwarnings.warn('this ipywidgets is too old', DeprecationWarning)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    X, y = [[0.0, 1.0], [1.0, 0.0]], [0, 1]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit(MLP(2, [2, 1], seed=0), X, y, steps=1, progress=True)
    finally:
        for name in {"ipywidgets", "tqdm.notebook"} - loaded:
            sys.modules.pop(name, None)
    messages = [str(w.message) for w in caught]
    assert "this ipywidgets is too old" in messages
    assert not [m for m in messages if "IProgress" in m]
