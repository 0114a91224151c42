"""Benchmark autograd against micrograd 0.1.0, plain Python floats and numpy, in one run.

    make bench                       # sets up benchmarks/.venv (micrograd from PyPI) and runs this
    python benchmarks/run.py --quick # fewer repetitions, smaller graphs

Prints medians over repetitions and, above all, RATIOS measured side by side in the same run, so
the numbers carry over between machines better than absolute times do:

1. micrograd's demo training step (same data, same initial weights, same loss and schedule), with
   the losses of every implementation side by side (they must agree to ~1e-9);
2. building and backpropagating a long chain (x = x*1.0001 + 0.5, N = 10^3 ... 10^6 steps,
   of which N = 250,000 is a chain of 10^6 nodes) and a wide sum
   of products, in nodes per second;
3. memory per node (tracemalloc) and the peak RSS of the training run;
4. the deepest chain each engine can backpropagate.

Every implementation's training steps, and every slow or deep measurement, run in child processes
(``--child ...``), so that one engine's memory, garbage, recursion limit or crash cannot affect
another's numbers.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import demo_step  # noqa: E402
import graphs  # noqa: E402

SEED = 1337


def engine(name: str) -> Any:
    if name == "micrograd":
        from micrograd.engine import Value as MicrogradValue

        return MicrogradValue
    from autograd import Value

    return Value


def moons() -> tuple[Any, Any]:
    from autograd.data import moons as make_moons

    X, y = make_moons(n=100, noise=0.1, seed=SEED)
    return X, 2 * y - 1  # labels 0/1 -> -1/+1, as the demo's hinge loss wants


# --------------------------------------------------------------------------------------------------
# Child processes: one measurement each, printed as JSON on stdout.
# --------------------------------------------------------------------------------------------------


def child(kind: str, name: str, n: int) -> dict[str, Any]:
    # micrograd's topological sort is recursive: raise the limit far enough for these graphs
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * n + 10_000))
    if kind in ("chain", "chain-gc-paused"):
        t_build, t_back, g = graphs.build_and_backward(engine(name), n, kind != "chain")
        return {"build": t_build, "backward": t_back, "grad": g}
    if kind in ("wide", "wide-nary"):
        return graphs.wide_build_and_backward(engine(name), n, kind == "wide-nary")
    if kind == "depth":
        # at Python's default recursion limit
        sys.setrecursionlimit(1000)
        try:
            _, _, g = graphs.build_and_backward(engine(name), n)
        except RecursionError:
            return {"ok": False}
        return {"ok": abs(g - graphs.chain_gradient(n)) < 1e-9 * abs(g)}
    if kind == "steps":  # run under valgrind by bench_instructions: a warm-up step, then n steps
        X, y = moons()
        step = demo_step.IMPLEMENTATIONS[name](X, y, demo_step.initial_weights(SEED))
        for k in range(n + 1):
            step(k)
        return {}
    if kind == "rss":
        X, y = moons()
        step = demo_step.IMPLEMENTATIONS[name](X, y, demo_step.initial_weights(SEED))
        for k in range(n):
            step(k)
        return {"max_rss_kb": peak_rss_kb()}
    raise SystemExit(f"unknown child measurement {kind!r}")


def train_worker(name: str) -> None:
    """Child process: one implementation of the demo step, run ``n`` steps at a time.

    Reads a number n per line on stdin, runs the next n steps and answers with one JSON line of
    their times and losses. Each implementation lives in its own process so that, in particular,
    micrograd's cyclic garbage is collected during micrograd's steps, not during someone else's.
    """
    X, y = moons()
    step = demo_step.IMPLEMENTATIONS[name](X, y, demo_step.initial_weights(SEED))
    k = 0
    for line in sys.stdin:
        times, losses = [], []
        for _ in range(int(line)):
            t0 = time.perf_counter()
            losses.append(step(k))
            times.append(time.perf_counter() - t0)
            k += 1
        print(json.dumps({"times": times, "losses": losses}), flush=True)


def peak_rss_kb() -> float:
    """Peak resident memory of this process. /proc's VmHWM where there is one: ru_maxrss can
    report the parent's peak in a child started by fork + exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_child(kind: str, name: str, n: int, timeout: float = 1800) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__)), "--child", kind, name, str(n)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "crashed"}
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


# --------------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
    print()


def runs_of(reps: int) -> str:
    return "One run" if reps == 1 else f"Medians over {reps} interleaved runs"


def fmt_time(s: float) -> str:
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


# --------------------------------------------------------------------------------------------------
# 1. Training step
# --------------------------------------------------------------------------------------------------


def bench_training(reps: int, per_rep: dict[str, int]) -> dict[str, float]:
    """Median step time of each implementation, measured in ``reps`` interleaved rounds.

    Each implementation runs in a process of its own (``train_worker``). Each round runs every
    implementation's next ``per_rep[name]`` steps in turn, so that a slow spell of the machine
    falls on all of them alike rather than on one.
    """
    print("## 1. micrograd's demo training step (moons, MLP(2, [16, 16, 1]), hinge + L2, SGD)\n")
    names = list(demo_step.IMPLEMENTATIONS)
    workers = {
        name: subprocess.Popen(
            [sys.executable, str(Path(__file__)), "--child", "train", name, "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in names
    }
    times: dict[str, list[float]] = {name: [] for name in names}
    trace: dict[str, list[float]] = {name: [] for name in names}
    try:
        for _ in range(reps):
            for name, worker in workers.items():
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.write(f"{per_rep[name]}\n")
                worker.stdin.flush()
                answer = worker.stdout.readline()
                if not answer:
                    raise SystemExit(f"the {name!r} worker stopped (see its error above)")
                result = json.loads(answer)
                times[name] += result["times"]
                trace[name] += result["losses"]
    finally:
        for worker in workers.values():
            if worker.stdin is not None:
                worker.stdin.close()
            worker.wait()
    medians = {name: statistics.median(t) for name, t in times.items()}
    compare_steps = min(len(t) for t in trace.values())
    losses = {name: t[:compare_steps] for name, t in trace.items()}
    print(
        "Same data, initial weights, loss and schedule for all, each in its own process; medians\n"
        f"over {reps} interleaved rounds. 'demo code' is micrograd's notebook with only the\n"
        "import changed; 'as fit() runs it' uses Value.sum and pauses the cyclic GC during the\n"
        "step, like autograd.train.fit.\n"
    )
    ref = losses["micrograd 0.1.0"]
    mg, plain, vec = (
        medians[k] for k in ("micrograd 0.1.0", "plain Python floats", "numpy (vectorised)")
    )
    rows = []
    for name, t in medians.items():
        diff = max(abs(a - b) for a, b in zip(losses[name], ref))
        rows.append(
            [
                name,
                str(len(times[name])),
                fmt_time(t),
                f"{mg / t:.1f}x",
                f"{t / plain:.2f}x",
                f"{t / vec:.0f}x",
                f"{losses[name][-1]:.12f}",
                f"{diff:.1e}",
            ]
        )
    table(
        [
            "implementation",
            "steps",
            "median step",
            "speed-up vs micrograd",
            "time / plain Python",
            "time / numpy",
            f"loss at step {compare_steps}",
            "max |Δloss| vs micrograd",
        ],
        rows,
    )
    return medians


# --------------------------------------------------------------------------------------------------
# 2-4. Graph workloads, memory, depth
# --------------------------------------------------------------------------------------------------


def bench_chains(sizes: list[int], reps: int) -> None:
    print("## 2a. Long chain x = x*1.0001 + 0.5: build + backward (4 nodes per step)\n")
    print(
        f"{runs_of(reps)}, each in a fresh process. micrograd's recursion\n"
        "limit is raised far enough to finish. The last columns build and backpropagate inside\n"
        "`autograd.gc_paused()`, as `fit()` runs a training step."
    )
    if reps > 1:
        print(
            "A speed-up is the ratio of the medians; in brackets, the lowest and the highest\n"
            "ratio between the runs of one round."
        )
    print()
    engines = {
        "micrograd": ("chain", "micrograd"),
        "autograd": ("chain", "autograd"),
        "autograd, GC paused": ("chain-gc-paused", "autograd"),
    }
    rows = []
    for n in sizes:
        times: dict[str, list[float]] = {name: [] for name in engines}
        errors: dict[str, str] = {}
        expected = graphs.chain_gradient(n)
        for _ in range(reps):
            for name, (kind, engine_name) in engines.items():
                r = run_child(kind, engine_name, n)
                if "error" in r:
                    errors[name] = r["error"]
                elif abs(r["grad"] - expected) > 1e-9 * expected:
                    errors[name] = f"WRONG gradient {r['grad']!r}, expected {expected!r}"
                else:
                    times[name].append(r["build"] + r["backward"])
        cells = [f"{n:,}", f"{graphs.chain_nodes(n):,}"]
        totals = {}
        for name in engines:
            if name in errors:
                cells.append(f"failed: {errors[name][:40]}")
                continue
            totals[name] = statistics.median(times[name])
            cells.append(
                f"{fmt_time(totals[name])} ({graphs.chain_nodes(n) / totals[name] / 1e6:.2f} M/s)"
            )
        for name in ("autograd", "autograd, GC paused"):
            cells.append(speed_up(times["micrograd"], times[name], "micrograd" in errors))
        rows.append(cells)
    table(
        [
            "N",
            "nodes",
            "micrograd (nodes/s)",
            "autograd (nodes/s)",
            "autograd, GC paused",
            "speed-up",
            "speed-up, GC paused",
        ],
        rows,
    )


def speed_up(slow: list[float], fast: list[float], failed: bool) -> str:
    """'median(slow) / median(fast)', and the range of the rounds' ratios if there are several.

    Round k's runs of the two engines ran one after the other, so their ratio is the least
    affected by the machine's speed changing between rounds.
    """
    if failed or not slow or len(slow) != len(fast):
        return "n/a"
    cell = f"{statistics.median(slow) / statistics.median(fast):.1f}x"
    if len(slow) > 1:
        ratios = [s / f for s, f in zip(slow, fast)]
        cell += f" ({min(ratios):.1f}-{max(ratios):.1f})"
    return cell


def bench_wide(n: int, reps: int) -> None:
    print(f"## 2b. Wide sum of products, sum(a_i * b_i) over {n:,} pairs: build + backward\n")
    print(f"{runs_of(reps)}, each in a fresh process.\n")
    engines = {
        "micrograd, sum()": ("wide", "micrograd"),
        "autograd, sum()": ("wide", "autograd"),
        "autograd, Value.sum()": ("wide-nary", "autograd"),
    }
    results: dict[str, list[dict[str, Any]]] = {label: [] for label in engines}
    for _ in range(reps):
        for label, (kind, name) in engines.items():
            results[label].append(run_child(kind, name, n))
    rows = []
    times = {}
    for label, runs in results.items():
        failed = [r for r in runs if "error" in r]
        if failed:
            rows.append([label, f"failed: {failed[0]['error'][:60]}", "", "", ""])
            continue
        build = statistics.median(r["build"] for r in runs)
        backward = statistics.median(r["backward"] for r in runs)
        times[label] = statistics.median(r["build"] + r["backward"] for r in runs)
        nodes = runs[0]["nodes"]
        rows.append(
            [
                label,
                f"{int(nodes):,}",
                fmt_time(build),
                fmt_time(backward),
                f"{nodes / times[label] / 1e6:.2f} M/s",
            ]
        )
    for row in rows:
        row.append(
            f"{times.get('micrograd, sum()', float('nan')) / times.get(row[0], float('nan')):.1f}x"
        )
    table(["engine", "nodes", "build", "backward", "nodes/s", "speed-up vs micrograd"], rows)


def bench_memory(train_steps: int) -> None:
    print("## 3. Memory\n")
    X, y = moons()
    weights = demo_step.initial_weights(SEED)
    graphs_to_measure = {
        "chain, 400,001 nodes": lambda V, mod: graphs.chain(V, 100_000)[1],
        "wide sum of products, 20,000 pairs": lambda V, mod: graphs.wide(V, 20_000)[1],
        "demo training loss graph": lambda V, mod: demo_step.demo_loss(
            V,
            mod.MLP(2, [16, 16, 1]),
            X.tolist(),
            y.tolist(),
            idiomatic=mod.__name__ == "autograd.nn",
        ),
    }
    rows = []
    for label, build in graphs_to_measure.items():
        per_node = {}
        for name in ("micrograd", "autograd"):
            mod = __import__(f"{name}.nn", fromlist=["MLP"])
            per_node[name] = graphs.bytes_per_node(functools.partial(build, engine(name), mod))
        rows.append(
            [
                f"{label} (tracemalloc, bytes per node)",
                f"{per_node['micrograd']:.0f}",
                f"{per_node['autograd']:.0f}",
                f"{per_node['autograd'] / per_node['micrograd']:.2f}",
            ]
        )
    rss = {
        name: run_child("rss", impl, train_steps).get("max_rss_kb", float("nan"))
        for name, impl in (
            ("micrograd", "micrograd 0.1.0"),
            ("autograd", "autograd (as fit() runs it)"),
        )
    }
    rows.append(
        [
            f"peak RSS of {train_steps} training steps (MiB)",
            f"{rss['micrograd'] / 1024:.0f}",
            f"{rss['autograd'] / 1024:.0f}",
            f"{rss['autograd'] / rss['micrograd']:.2f}",
        ]
    )
    del weights
    table(["measurement", "micrograd", "autograd", "autograd / micrograd"], rows)


def bench_instructions(extra_steps: int) -> None:
    """The training step's cost in CPU instructions (valgrind), which machine noise cannot move.

    Each implementation runs once with a warm-up step plus 1 step and once with a warm-up step plus
    ``1 + extra_steps`` steps; the difference divided by ``extra_steps`` is one step's instructions,
    free of start-up and set-up costs.
    """
    print("## 1b. The training step in CPU instructions (valgrind --tool=callgrind)\n")
    counts = {}
    for name in demo_step.IMPLEMENTATIONS:
        runs = []
        for n in (1, 1 + extra_steps):
            cmd = [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                sys.executable,
                str(Path(__file__)),
                "--child",
                "steps",
                name,
                str(n),
            ]
            # numpy's BLAS threads would add a varying count of their own
            env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
            proc = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
            runs.append(int(proc.stderr.split("Collected : ")[1].split()[0]))
        counts[name] = (runs[1] - runs[0]) / extra_steps
    plain = counts["plain Python floats"]
    print(
        "Instructions are not time: micrograd's step runs far fewer instructions per second than\n"
        "the others, because its 66,000-node graphs (and the cyclic GC scanning them) do not fit\n"
        "in the CPU caches, so section 1 is the measure of the speed-up over micrograd. Between\n"
        "the others, this is the noise-free version of 'time / plain Python'.\n"
    )
    table(
        ["implementation", "instructions per step", "instructions / plain Python"],
        [[name, f"{c / 1e6:,.1f} M", f"{c / plain:.2f}x"] for name, c in counts.items()],
    )


def bench_depth(autograd_max: int) -> None:
    print("## 4. Deepest chain that backpropagates (Python's default recursion limit)\n")
    deepest = 0
    n = 50
    while n <= 5000:
        if not run_child("depth", "micrograd", n).get("ok"):
            break
        deepest = n
        n += 50
    ours = run_child("depth", "autograd", autograd_max)
    table(
        ["engine", "deepest chain (steps of x*1.0001 + 0.5)"],
        [
            ["micrograd", f"{deepest:,} (RecursionError at {n:,})"],
            [
                "autograd",
                f">= {autograd_max:,} (largest tried{'' if ours.get('ok') else ': FAILED'})",
            ],
        ],
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer steps and smaller graphs")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count a training step's CPU instructions with valgrind (3 more minutes)",
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "ENGINE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, name, n = args.child
        if kind == "train":
            train_worker(name)
            return 0
        print(json.dumps(child(kind, name, int(n))))
        return 0

    quick = args.quick
    print(
        f"# autograd benchmark: Python {platform.python_version()}, {platform.machine()}, "
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs\n"
    )
    per_rep = {name: 4 for name in demo_step.IMPLEMENTATIONS}
    per_rep["micrograd 0.1.0"] = 1
    per_rep["numpy (vectorised)"] = 40
    bench_training(3 if quick else 6, per_rep)
    if args.instructions:
        if shutil.which("valgrind") is None:
            parser.error("--instructions needs valgrind (apt-get install valgrind)")
        bench_instructions(2)
    sizes = [1_000, 10_000, 100_000] if quick else [1_000, 10_000, 100_000, 250_000, 1_000_000]
    bench_chains(sizes, 1 if quick else 5)
    bench_wide(20_000 if quick else 100_000, 1 if quick else 3)
    bench_memory(3 if quick else 10)
    bench_depth(sizes[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
