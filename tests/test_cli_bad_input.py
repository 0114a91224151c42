"""Bad input on the command line: one line on stderr and exit code 2, never a traceback or a hang.

Each case runs the real command in a subprocess (with Python's warnings shown, ``-W default``),
so a stray warning line, a traceback or a MemoryError would be seen. The timeout per case is
generous: it only stops a hang, it is not a speed test.
"""

import json
import subprocess
import sys

import pytest

from autograd import cli
from autograd.engine import Value
from autograd.nn import MLP
from autograd.serialize import model_to_dict

TIMEOUT = 120  # seconds; a hang (or minutes of allocating before a MemoryError) fails the case


def run(args, cwd):
    return subprocess.run(
        [sys.executable, "-W", "default", "-m", "autograd", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def model_file(cwd, name, change):
    d = model_to_dict(MLP(2, [3, 1], seed=0))
    change(d)
    (cwd / name).write_text(json.dumps(d))
    return name


def set_activation(d):
    d["activation"] = []


def set_huge_weight(d):
    d["layers"][0]["weights"][0][0] = int("7" * 401)


# (arguments, what the one line must say); every case must exit with code 2
CASES = [
    # --fmt: a memory bomb, fill characters that break the DOT, nonsense
    (["draw", "x", "x=1", "--fmt", "500000000.2f"], "the width 500000000 is too large"),
    (["draw", "x", "x=1", "--fmt", ".100000f"], "the precision 100000 is too large"),
    (["draw", "x", "x=1", "--fmt", "\\<7.2f"], "the fill character '\\\\' is not allowed"),
    (["draw", "x", "x=1", "--fmt", "|>9.2f"], "the fill character '|' is not allowed"),
    (["draw", "x", "x=1", "--fmt", "\x1b^9.2f"], "the fill character '\\x1b' is not allowed"),
    (["draw", "x", "x=1", "--text", "--fmt", "%%"], "is not a number format"),
    (["walkthrough", "--fmt", "99999999.1f"], "the width 99999999 is too large"),
    # expressions and their inputs
    (["draw", "1if x else x", "x=1"], "'1 if x else x' is not allowed; use only numbers"),
    (["draw", '"\\d"', "x=1"], "'\\\\d' is not allowed; only numbers are"),
    (["draw", "(" * 500 + "x" + ")" * 500, "x=1"], "too many nested parentheses"),
    (["draw", "x" * 10_001, "x=1"], "at most 10000"),
    (["draw", "log(x)", "x=-1"], "log"),
    (["draw", "exp(x)", "x=1000"], "exp"),
    (["draw", "x", "x=nan"], "must be a finite number"),
    (["draw", "x", "x=1e400"], "must be a finite number"),
    (["draw", "x + y", "x=1"], "unknown name 'y'"),
    (["draw", "x", "x=1", "-o", "graph.xyz"], "cannot tell the format of 'graph.xyz'"),
    (["draw", "x", "x=1", "-o", "no/such/dir/g.dot"], "cannot write 'no/such/dir/g.dot'"),
    # train: sizes and ranges
    (["train", "--n", "2", "--test-fraction", "0.9"], "no points are left to train on"),
    (["train", "--dataset", "spiral", "--classes", "50", "--n", "10"], "fewer than one point"),
    (["train", "--seed", "-1"], "argument --seed: expected an integer from 0 to 4,294,967,295"),
    (["train", "--seed", "4294967296"], "argument --seed"),
    (["train", "--hidden", "3000", "3000"], "9,015,001 parameters"),
    (["train", "--hidden", "1" * 5000], "argument --hidden: expected an integer, got '111"),
    (["train", "--dataset", "blobs", "--classes", "10000000"], "the limit is 250,000 parameters"),
    (["train", "--n", "100000000"], "argument --n: expected an integer from 2 to 1,000,000"),
    (["train", "--n", "1000000", "--steps", "1"], "use --batch-size 30,303 or smaller"),
    (["train", "--lr", "1e300", "--steps", "3", "--save", "nan.json"], "training diverged"),
    (["train", "--steps", "1", "--save", "."], "cannot write '.': Is a directory"),
    # train --load: endless, missing, malformed files
    (["train", "--load", "/dev/zero"], "larger than 16 MB"),
    (["train", "--load", "/dev/urandom"], "larger than 16 MB"),
    (["train", "--load", "missing.json"], "cannot read 'missing.json'"),
    (["train", "--load", "."], "cannot read '.'"),
    (["train", "--load", ("act.json", set_activation)], "unknown activation []"),
    (["train", "--load", ("big.json", set_huge_weight)], "an integer of 401 digits"),
    # the command line itself
    ([], "the following arguments are required: COMMAND"),
    (["train", "--bogus"], "unrecognized arguments: --bogus"),
]


@pytest.mark.parametrize(
    ("args", "message"), CASES, ids=[" ".join(map(str, a))[:50] for a, _ in CASES]
)
def test_bad_input_gives_one_line_and_exit_code_2(tmp_path, args, message):
    args = [model_file(tmp_path, *a) if isinstance(a, tuple) else a for a in args]
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run(args, tmp_path)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "Warning" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("python -m autograd")
    assert message in lines[0]
    assert r.stdout == ""
    # nothing is written, not even a temporary file
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_expression_may_start_with_a_minus_sign(tmp_path):
    r = run(["draw", "-x", "x=1.5", "--text"], tmp_path)
    assert r.returncode == 0, r.stderr
    # f = -x at x = 1.5: f = -1.5 and df/dx = -1
    assert r.stdout.splitlines()[0] == "f = -x   data -1.5   grad 1"
    assert r.stdout.splitlines()[1] == "└── x   data 1.5   grad -1"
    r = run(["draw", "-2*x", "x=3", "-o", "g.dot", "--fmt", ".4f"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "data -6.0000" in (tmp_path / "g.dot").read_text()
    # flags before the expression still work, and -o keeps its meaning
    r = run(["draw", "--fmt", ".1f", "-ofile.dot", "-x*x", "x=2"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "data -4.0" in (tmp_path / "file.dot").read_text()


def test_a_well_formed_fmt_still_works(tmp_path):
    r = run(["draw", "x*y", "x=2", "y=-3", "--text", "--fmt", "*>+9.3f"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "f = x * y   data ***-6.000   grad ***+1.000"


@pytest.mark.parametrize(
    "backward",
    [
        "raise",  # the engine's backward overflows (OverflowError from float arithmetic)
        "-inf",  # the engine's backward gives PyTorch's answer, -inf
    ],
)
def test_draw_of_a_derivative_beyond_float_range_never_tracebacks(monkeypatch, capsys, backward):
    """d/dx x**-0.5 = -0.5 x**-1.5, which is -5e449 at x = 1e-300: beyond float range."""

    def overflowing(self, gradient=1.0):
        if backward == "raise":
            raise OverflowError(34, "Numerical result out of range")
        self.grad = 1.0
        for child in self._prev:
            child.grad = float("-inf")

    monkeypatch.setattr(Value, "backward", overflowing)
    code = cli.main(["draw", "x**-0.5", "x=1e-300"])
    out, err = capsys.readouterr()
    if backward == "raise":
        assert code == 2
        assert err == (
            "python -m autograd draw: error: cannot compute the gradients: a derivative is too "
            "large for a float (--no-grad draws the values alone)\n"
        )
    else:
        assert code == 0, err
        assert "grad -inf" in out  # the DOT source, printed


@pytest.mark.parametrize("view", [["--text"], [], ["--edge-labels"]])
def test_draw_of_x_to_the_minus_half_at_1e_minus_300_with_the_real_engine(tmp_path, view):
    """Whatever the engine gives there (PyTorch: -inf), the command never shows a traceback."""
    r = run(["draw", "x**-0.5", "x=1e-300", *view], tmp_path)
    assert "Traceback" not in r.stderr
    if r.returncode == 0:
        assert "-inf" in r.stdout
    else:
        assert r.returncode == 2
        assert r.stdout == ""
        assert len(r.stderr.splitlines()) == 1


def test_a_failing_render_leaves_the_previous_diagram_and_no_temporary_file(
    tmp_path, monkeypatch, capsys
):
    from autograd import viz

    target = tmp_path / "g.svg"
    target.write_text("<svg>the previous diagram</svg>")

    def dot_fails(dot, format):
        raise RuntimeError("Graphviz 'dot' failed: out of memory")

    monkeypatch.setattr(viz, "render_bytes", dot_fails)
    code = cli.main(["draw", "x * 2", "x=1", "-o", str(target)])
    assert code == 2
    assert capsys.readouterr().err == (
        "python -m autograd draw: error: Graphviz 'dot' failed: out of memory\n"
    )
    assert target.read_text() == "<svg>the previous diagram</svg>"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]
