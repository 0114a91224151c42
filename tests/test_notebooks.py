"""The lessons in notebooks/ run top to bottom, and the committed copies have their outputs saved.

Each notebook is executed in memory with nbclient (on a copy: the committed file is never
rewritten). The notebooks contain their own ``assert`` lines (lesson 1 checks the lecture's numbers,
lesson 5 compares the engine's gradients with hand-written numpy backprop), so a wrong engine makes
a cell fail here, and the failure shows that cell's source and the error.

The re-run must also print what the committed copy shows: the text each cell printed is compared,
number by number, with the saved output (to within one unit of the last printed digit, so a last
digit that rounds the other way on another machine is not a failure; timings are left out). A
change in the engine that moves a lesson's numbers, or a notebook saved without re-running it,
fails here.

The committed files are checked as they are: every code cell executed, no error outputs, and no
embedded output so large that the notebook stops reading well on GitHub.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
MAX_OUTPUT_BYTES = 200_000  # one embedded image or text output
# A default repr such as "<graphviz.graphs.Digraph at 0x7f...>" changes on every run.
MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
# A printed number: 3, -0.0987, 5.57e-02, .5 (not the digits inside a word such as x1 or L1).
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# A duration ("1.2 s", "35 ms") or a speed ratio ("(51x)"): they change from run to run, so they
# are not compared (nor the padding before them, which depends on their width).
TIMING = re.compile(r"\s*(?:\d+(?:\.\d+)?\s*(?:s|ms|µs|us|seconds?|min)\b|\(\d+(?:\.\d+)?x\))")
CELL_TIMEOUT = 120  # seconds; each notebook takes a few seconds to ~15 s on two cores


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def _read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


def _output_size(output: Any) -> int:
    """Size in bytes of what an output embeds (decoded for base64 images)."""
    if output.get("output_type") == "stream":
        return len(str(output.get("text", "")).encode())
    size = 0
    for mime, value in output.get("data", {}).items():
        text = value if isinstance(value, str) else json.dumps(value)
        size += len(base64.b64decode(text)) if mime.startswith("image/png") else len(text.encode())
    return size


def _printed(cell: Any) -> str:
    """Everything a code cell printed to stdout and stderr, in order, timings blanked out."""
    text = "".join(str(o.get("text", "")) for o in cell.outputs if o.output_type == "stream")
    return TIMING.sub(" <time>", text)


def _same_printed_numbers(saved: str, rerun: str) -> str | None:
    """None when the two texts agree (the words exactly, each number to within one unit of its
    last printed digit); otherwise a description of the first difference."""
    if NUMBER.sub("#", saved) != NUMBER.sub("#", rerun):
        return f"the printed text changed:\n--- saved\n{saved}\n--- re-run\n{rerun}"
    for a, b in zip(NUMBER.findall(saved), NUMBER.findall(rerun)):
        x, y = Decimal(a), Decimal(b)
        unit = Decimal(1).scaleb(max(x.as_tuple().exponent, y.as_tuple().exponent))
        if abs(x - y) > unit:
            return f"{a} was saved, the re-run printed {b}:\n--- re-run\n{rerun}"
    return None


@pytest.mark.parametrize(
    ("saved", "rerun", "agree"),
    [
        ("loss 0.0987  accuracy 97%", "loss 0.0987  accuracy 97%", True),
        ("loss 0.0987", "loss 0.0988", True),  # the last digit rounded the other way
        ("loss 0.0987", "loss 0.0989", False),
        ("loss 5.57e-02", "loss 5.58e-02", True),
        ("loss 5.57e-02", "loss 5.57e-03", False),
        ("at a = -0.219", "at a = +0.219", False),
        ("accuracy 97%", "accuracy 95%", False),
        ("layer L1 of 337 parameters", "layer L2 of 337 parameters", False),
        ("step 10 took 1.5 s", "step 10 took 2.25 s", True),  # timings are not compared
        ("engine   9.5 ms, torch 0.19 ms (51x)", "engine  12.0 ms, torch 0.63 ms (19x)", True),
        ("3 classes", "3 classes, 2 more", False),
    ],
)
def test_printed_numbers_are_compared_to_the_last_digit(
    saved: str, rerun: str, agree: bool
) -> None:
    difference = _same_printed_numbers(TIMING.sub(" <time>", saved), TIMING.sub(" <time>", rerun))
    assert (difference is None) == agree, difference


def test_the_lessons_are_there() -> None:
    # One notebook per lesson, numbered in lesson order, and the index lists each of them.
    assert [p.name[:3] for p in NOTEBOOKS] == [
        "01_",
        "02_",
        "03_",
        "04_",
        "05_",
        "06_",
        "07_",
        "08_",
    ]
    index = (NOTEBOOKS_DIR / "README.md").read_text(encoding="utf-8")
    readme = (NOTEBOOKS_DIR.parent / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert path.name in index, f"notebooks/README.md does not list {path.name}"
        assert path.name in readme, f"README.md does not list {path.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_committed_notebook_has_its_outputs_saved(path: Path) -> None:
    nb = _read(path)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells, f"{path.name} has no code"
    counts = []
    for number, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{path.name}, cell {number}:\n{cell.source}"
        assert cell.execution_count is not None, f"never executed: {where}"
        counts.append(cell.execution_count)
        for output in cell.outputs:
            assert output.output_type != "error", f"saved with an error: {where}"
            size = _output_size(output)
            assert size <= MAX_OUTPUT_BYTES, f"an output of {size} bytes is too large: {where}"
            text = str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
            assert not MEMORY_ADDRESS.search(text), f"a memory address is saved: {where}"
        assert "execution" not in cell.metadata, f"timing metadata saved: {where}"
    # Executed top to bottom in one fresh kernel: 1, 2, 3, ...
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: run out of order {counts}"
    assert any(c.outputs for c in code_cells), f"{path.name} shows no output at all"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    original = path.read_bytes()
    nb = copy.deepcopy(_read(path))
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        # The message holds the failing cell's source and the traceback (without colour codes).
        message = ANSI_COLOUR.sub("", str(error))
        pytest.fail(f"{path.name} failed:\n{message}", pytrace=False)
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"{path.name}, cell {number} errored:\n{cell.source}"
    for number, (saved, rerun) in enumerate(zip(_read(path).cells, nb.cells)):
        if saved.cell_type == "code":
            difference = _same_printed_numbers(_printed(saved), _printed(rerun))
            assert difference is None, f"{path.name}, cell {number}:\n{saved.source}\n{difference}"
    assert path.read_bytes() == original, f"running {path.name} rewrote the committed file"
