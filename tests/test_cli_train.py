"""``python -m autograd train`` end to end, in a subprocess."""

import json
import subprocess
import sys

import pytest


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "autograd", "train", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_main_job_reaches_100_percent_and_writes_its_files(tmp_path):
    r = run(
        "--dataset", "moons", "--hidden", "16", "16", "--steps", "100", "--seed", "1337",
        "--plot", "out/boundary.png", "--curves", "out/loss.png", "--save", "model.json",
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "train accuracy  100.0%" in r.stdout
    assert "final loss" in r.stdout and "ms/step" in r.stdout
    assert "wrote           model.json, out/boundary.png, out/loss.png" in r.stdout
    for name in ("out/boundary.png", "out/loss.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    saved = json.loads((tmp_path / "model.json").read_text())
    assert saved["nouts"] == [16, 16, 1]
    assert r.stderr == ""  # not a terminal: no progress bar

    # the saved model, loaded back and only evaluated, still classifies every point
    r = run("--load", "model.json", "--steps", "0", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "train accuracy  100.0%" in r.stdout


def test_k_class_training_with_adam_minibatches_and_a_test_split(tmp_path):
    r = run(
        "--dataset", "blobs", "--classes", "3", "--n", "60", "--noise", "0.3", "--hidden", "6",
        "--optimizer", "adam", "--schedule", "cosine", "--epochs", "3", "--batch-size", "16",
        "--test-fraction", "0.25", "--seed", "0", "--save", "m.json",
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "cross_entropy loss" in r.stdout
    assert "test accuracy" in r.stdout and "(15 points)" in r.stdout
    assert json.loads((tmp_path / "m.json").read_text())["nouts"] == [6, 3]


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        (["--dataset", "moon"], "invalid choice: 'moon'"),
        (["--steps", "-1"], "argument --steps: expected an integer >= 0, got -1"),
        (["--lr", "0"], "argument --lr: expected a number > 0"),
        (["--noise", "nan"], "argument --noise: expected a number >= 0"),
        (["--hidden", "16", "x"], "argument --hidden: expected an integer, got 'x'"),
        (["--steps", "5", "--epochs", "2"], "not allowed with argument"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_flags_give_one_line_and_exit_code_2(tmp_path, flags, complaint):
    r = run(*flags, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("python -m autograd train: error: ")
    assert r.stderr.endswith("(see python -m autograd train --help)\n")
    assert len(r.stderr.splitlines()) == 1
    assert complaint in r.stderr
    assert "Traceback" not in r.stderr


def test_corrupt_model_file_gives_a_one_line_error(tmp_path):
    (tmp_path / "bad.json").write_text('{"format": "autograd-mlp", "version": 1, "nin": 2')
    r = run("--load", "bad.json", "--steps", "0", cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("python -m autograd train: error: model file 'bad.json'")
    assert "is not valid JSON" in lines[0]


def test_mismatched_model_and_missing_file_are_one_line_errors(tmp_path):
    r = run("--hidden", "3", "--steps", "1", "--save", "m.json", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run("--load", "m.json", "--dataset", "spiral", "--steps", "0", cwd=tmp_path)
    assert r.returncode == 2
    assert "1 outputs; spiral needs 2 inputs and 3 output(s)" in r.stderr
    r = run("--load", "missing.json", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "python -m autograd train: error: cannot read 'missing.json': No such file or directory"
    )


def test_help_documents_every_flag(tmp_path):
    r = run("--help", cwd=tmp_path)
    assert r.returncode == 0
    for flag in (
        "--dataset", "--n", "--noise", "--classes", "--test-fraction", "--hidden", "--activation",
        "--init", "--load", "--loss", "--alpha", "--optimizer", "--lr", "--momentum",
        "--weight-decay", "--schedule", "--final-factor", "--steps", "--epochs", "--batch-size",
        "--seed", "--plot", "--curves", "--save", "--quiet",
    ):  # fmt: skip
        assert flag in r.stdout
    assert "micrograd demo" in r.stdout
