"""Anomaly mode names the op, its inputs and the line where a nan or an inf first appears; and a
Value computed under no_grad() refuses backward() with the reason."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from autograd import AnomalyError, Value, data, detect_anomaly, is_grad_enabled, no_grad
from autograd.anomaly import _ORIGINS
from autograd.nn import MLP
from autograd.optim import SGD
from autograd.train import fit


def _line_of(marker: str) -> int:
    """The line number of this file that contains ``marker`` (once)."""
    with open(__file__) as f:
        (number,) = [i for i, line in enumerate(f, 1) if marker in line and "_line_of" not in line]
    return number


def test_an_op_giving_inf_raises_with_its_inputs_and_the_users_line() -> None:
    with detect_anomaly():
        x = Value(1e308)
        with pytest.raises(AnomalyError) as err:
            x * 10.0  # overflow here
    message = str(err.value)
    assert "'*' gave inf from the inputs (1e+308, 10.0)" in message
    assert f"test_anomaly.py:{_line_of('# overflow here')}: x * 10.0" in message


def test_nan_from_a_nan_input_is_named_at_the_first_op() -> None:
    with (
        detect_anomaly(),
        pytest.raises(AnomalyError, match=r"'relu' gave nan from the inputs \(nan\)"),
    ):
        Value(math.nan).relu()


def test_a_gradient_becoming_inf_in_backward_names_the_op_and_the_line() -> None:
    with detect_anomaly():
        x = Value(0.0)
        y = (x * 2.0).sqrt()  # slope inf at 0
        with pytest.raises(AnomalyError) as err:
            y.backward()
    message = str(err.value)
    assert "the backward of 'sqrt' gave its input 1 the gradient inf" in message
    assert "(inputs: 0.0; upstream gradient 1.0)" in message
    assert f"test_anomaly.py:{_line_of('# slope inf at 0')}:" in message


def test_outside_anomaly_mode_nothing_is_checked_or_recorded() -> None:
    before = len(_ORIGINS)
    y = Value(1e308) * 10.0
    assert y.data == math.inf and len(_ORIGINS) == before
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_anomaly_mode_gives_the_same_gradients_when_all_is_finite() -> None:
    def run(anomaly: bool) -> list[float]:
        x, w = Value(0.7), Value(-1.3)
        f = ((x * w).tanh() + (x * 3.0).relu() * w - 2.0 / w) ** 2
        f.backward()
        return [x.grad, w.grad]

    plain = run(False)
    with detect_anomaly():
        assert run(True) == plain


def test_detect_anomaly_inside_no_grad_records_no_graph() -> None:
    with no_grad(), detect_anomaly():
        assert not is_grad_enabled()
        y = Value(2.0) * 3.0
    assert y._prev == ()


def test_backward_of_a_value_computed_under_no_grad_raises() -> None:
    x = Value(3.0)
    with no_grad():
        y = x * x
    with pytest.raises(
        RuntimeError, match=r"was computed inside no_grad\(\), which records no graph"
    ):
        y.backward()
    assert x.grad == 0.0
    # a leaf of your own, or a detached copy, still seeds itself (micrograd, PyTorch leaves)
    leaf = Value(1.0)
    leaf.backward()
    assert leaf.grad == 1.0


def test_fit_with_detect_anomaly_stops_a_diverging_run() -> None:
    X, y = data.moons(n=20, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    opt = SGD(model.parameters(), lr=1e300)
    with pytest.raises(AnomalyError, match="detect_anomaly: "):
        fit(model, X, y, optimizer=opt, steps=5, progress=False, detect_anomaly=True)


def test_fit_with_detect_anomaly_trains_exactly_as_without() -> None:
    X, y = data.moons(n=20, noise=0.1, seed=0)
    histories = []
    for anomaly in (False, True):
        model = MLP(2, [4, 1], seed=0)
        h = fit(model, X, y, steps=4, progress=False, detect_anomaly=anomaly)
        histories.append((h.loss, [p.data for p in model.parameters()]))
    assert histories[0] == histories[1]


def test_train_detect_anomaly_on_the_command_line() -> None:
    cmd = [sys.executable, "-m", "autograd", "train", "--lr", "1e300", "--steps", "3"]
    proc = subprocess.run([*cmd, "--detect-anomaly", "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "detect_anomaly: 'linear' gave inf" in lines[0]
    assert "autograd/nn.py:" in lines[0] and "Traceback" not in proc.stderr
