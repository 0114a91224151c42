"""Re-run the lessons and save them with clean, deterministic outputs: ``make notebooks``.

Each notebook is executed top to bottom in a fresh ``python3`` kernel (nbclient), then written back
with only what a reader needs: cell ids kept, no execution timings or other metadata, consecutive
stream outputs merged, and no ``text/plain`` fallback that contains a memory address (``<... at
0x7f...>``, which would change the file on every run). Saving from Jupyter puts such things back;
run this instead before committing a notebook. ``tests/test_notebooks.py`` checks the result.

    python notebooks/build.py                       # every notebook
    python notebooks/build.py 03_training_an_mlp_on_moons.ipynb
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python", "pygments_lexer": "ipython3"},
}


def _merge_streams(outputs: list[Any]) -> list[Any]:
    merged: list[Any] = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and out.output_type == "stream"
            and last.output_type == "stream"
            and last.name == out.name
        ):
            last.text += out.text
        else:
            merged.append(out)
    return merged


def build(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    start = time.perf_counter()
    NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(HERE)}}
    ).execute()
    for cell in nb.cells:
        cell.metadata = {}
        if cell.cell_type != "code":
            continue
        cell.outputs = _merge_streams(cell.outputs)
        for out in cell.outputs:
            if out.output_type == "error":
                raise SystemExit(f"{path.name}: {out.ename}: {out.evalue}\nin cell:\n{cell.source}")
            if "metadata" in out:
                out.metadata = {}
            data = out.get("data", {})
            if len(data) > 1 and ADDRESS.search(str(data.get("text/plain", ""))):
                del data["text/plain"]
    nb.metadata = METADATA
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")


def main(names: list[str]) -> int:
    paths = [HERE / n for n in names] if names else sorted(HERE.glob("[0-9]*.ipynb"))
    for path in paths:
        if not path.exists():
            print(f"build.py: no such notebook: {path}", file=sys.stderr)
            return 2
        build(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
