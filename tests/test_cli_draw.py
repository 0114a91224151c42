"""``python -m autograd walkthrough`` and ``python -m autograd draw``, run in a subprocess.

The worked example f = (x + y) * z at x = -2, y = 5, z = -4: f = -12, df/dx = df/dy = -4,
df/dz = 3 (hand-derived).
"""

import html
import os
import re
import subprocess
import sys

import pytest
from needs_dot import needs_dot

EXAMPLE = ["q = x + y; f = q * z", "x=-2", "y=5", "z=-4"]


def run(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "autograd", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_walkthrough_prints_the_worked_example_step_by_step():
    result = run("walkthrough")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "q = x + y = 3" in out and "f = q * z = -12" in out  # the forward pass
    rows = [re.split(r"\s{2,}", line.strip()) for line in out.splitlines()]
    assert ["1", "f = q * z", "df/df = 1", "q", "df/dq = -4", "1 × -4 = -4", "-4"] in rows
    assert ["z", "df/dz = 3", "1 × 3 = 3", "3"] in rows
    assert ["2", "q = x + y", "df/dq = -4", "x", "dq/dx = 1", "-4 × 1 = -4", "-4"] in rows
    assert ["y", "dq/dy = 1", "-4 × 1 = -4", "-4"] in rows
    assert "f = q * z   data -12   grad 1" in out  # the tree


@needs_dot
def test_draw_writes_an_svg_with_the_values(tmp_path):
    target = tmp_path / "graph.svg"
    result = run("draw", *EXAMPLE, "-o", str(target))
    assert result.returncode == 0, result.stderr
    texts = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", target.read_text())}
    assert {"data -12", "grad -4", "grad 3", "q", "f"} <= texts


@needs_dot
def test_draw_png_with_options(tmp_path):
    target = tmp_path / "graph.png"
    args = ["--rankdir", "TB", "--edge-labels", "--color", "grad", "--fmt", ".2f"]
    result = run("draw", *EXAMPLE, "-o", str(target), *args)
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"\x89PNG")
    source = run("draw", *EXAMPLE, *args).stdout  # the same options, as DOT source
    assert "rankdir=TB" in source
    assert "data -12.00" in source and "data -12.0000" not in source
    # the edge from x into '+' carries df/dq × dq/dx = -4 × 1
    assert 'label="∂q/∂x = 1.00\\n-4.00 × 1.00 = -4.00"' in source


def test_draw_dot_file_and_stdout_give_the_same_source(tmp_path):
    target = tmp_path / "graph.dot"
    assert run("draw", *EXAMPLE, "-o", str(target)).returncode == 0
    printed = run("draw", *EXAMPLE)
    assert printed.returncode == 0
    assert printed.stdout == target.read_text()
    assert "data -12 " in printed.stdout and "grad 3 " in printed.stdout


def test_draw_without_grad_shows_data_only():
    result = run("draw", "x * y", "x=3", "y=4", "--no-grad")
    assert result.returncode == 0
    assert "data 12 " in result.stdout and "grad" not in result.stdout


def test_draw_text_prints_the_tree_and_the_steps():
    result = run("draw", *EXAMPLE, "--text")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "f = q * z   data -12   grad 1"
    assert "gradients of the inputs: df/dx = -4,  df/dy = -4,  df/dz = 3" in lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["(x + y *", "x=1", "y=2"], "invalid syntax"),
        (["x * w", "x=1"], "unknown name 'w'"),
        (["__import__('os').getcwd()"], "not a known function"),
        (["x", "x=abc"], "must be a number"),
        (["log(x)", "x=-1"], "log: expected a positive number"),
        (["x", "x=1", "-o", "graph.bmp3"], "extension"),
        (["x", "x=1", "--fmt", "%%"], "not a number format"),
        (["x", "x=1", "-o", "no/such/dir/g.dot"], "cannot write"),
    ],
)
def test_user_errors_give_one_line_and_exit_code_2(tmp_path, args, message):
    result = run("draw", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("python -m autograd draw: error:")
    assert message in lines[0]


def test_missing_dot_program_is_one_line_with_install_hints(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no dot here; python is called by full path
    result = run("draw", *EXAMPLE, "-o", str(tmp_path / "g.png"), env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "apt-get install graphviz" in lines[0] and "brew install graphviz" in lines[0]
    assert not (tmp_path / "g.png").exists()
    # DOT source still works without the program
    assert run("draw", *EXAMPLE, "-o", str(tmp_path / "g.gv"), env=env).returncode == 0
