"""How much faster the exported model is than the scalar forward pass, and how long a picture takes.

    .venv/bin/python benchmarks/export.py            # after make test (needs matplotlib; torch too)
    .venv/bin/python benchmarks/export.py --quick    # a 100 x 100 grid for the scalar pass

The README's model, MLP(2, [16, 16, 1]) (seed 1337), is evaluated on every point of a
200 x 200 grid (40,000 points), the job of a decision-boundary picture:

1. the scalar forward pass (``predict_scores``, under ``no_grad``: one graph of Values per point);
2. ``to_numpy(model)``: one matrix product per layer for the whole grid (the export itself timed
   apart); and, when PyTorch is installed, ``to_torch(model)`` in float64;
3. ``plot_decision_boundary`` at its default 300 x 300 grid, drawn and saved as PNG.

NumPy and PyTorch run on one thread (set before they are imported). Prints medians and the ratio
scalar / numpy measured in the same run, plus the largest difference between the two sets of
scores (it must be below 1e-12).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# One BLAS thread, like the scalar engine's one core: on a shared machine, BLAS threads waiting
# for a busy core made the matrix products up to ten times slower and the ratio meaningless.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from autograd import data
from autograd.export import to_numpy
from autograd.nn import MLP
from autograd.train import predict_scores


def median_seconds(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 100 x 100 grid, fewer repeats")
    args = parser.parse_args(argv)
    side = 100 if args.quick else 200
    model = MLP(2, [16, 16, 1], seed=1337)
    xs = np.linspace(-2.0, 3.0, side)
    xx, yy = np.meshgrid(xs, xs)
    grid = np.c_[xx.ravel(), yy.ravel()]
    print(f"MLP(2, [16, 16, 1]) on a {side} x {side} grid ({len(grid):,} points)")

    scalar_s, scalar = median_seconds(lambda: predict_scores(model, grid), 1 if side > 100 else 3)
    export_s, f = median_seconds(lambda: to_numpy(model), 50)
    numpy_s, fast = median_seconds(lambda: f(grid), 50)
    diff = float(np.max(np.abs(fast - scalar)))
    rows = [
        ("scalar forward (predict_scores)", scalar_s),
        ("to_numpy(model) (the export)", export_s),
        ("to_numpy: f(grid)", numpy_s),
    ]
    try:
        import torch

        from autograd.export import to_torch

        module = to_torch(model)
        tgrid = torch.from_numpy(grid)
        with torch.no_grad():
            torch_s, _ = median_seconds(lambda: module(tgrid), 50)
        rows.append(("to_torch: module(grid), float64", torch_s))
    except ImportError:
        pass
    for name, seconds in rows:
        print(f"  {name:34s} {1000 * seconds:10.2f} ms   scalar / this: {scalar_s / seconds:9.1f}x")
    print(f"  max |numpy - scalar| = {diff:.1e}")
    ratio = scalar_s / numpy_s
    print(f"speed-up of to_numpy over the scalar forward: {ratio:.0f}x (goal: >= 50x)")

    from autograd.plot import plot_decision_boundary

    X, y = data.moons(100, noise=0.1, seed=1337)

    plot_decision_boundary(model, X, y)  # the first call imports matplotlib
    build_s, fig = median_seconds(lambda: plot_decision_boundary(model, X, y), 5)
    save_s, _ = median_seconds(lambda: fig.savefig(io.BytesIO(), format="png"), 5)
    print(
        f"plot_decision_boundary (300 x 300 grid): {build_s:.2f} s to build the figure "
        f"(grid, contours, points), {save_s:.2f} s to lay it out and save it as PNG"
    )
    return 0 if ratio >= 50 and diff < 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main())
