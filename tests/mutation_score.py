"""Print the mutation score of ``make mutation`` from mutmut's results in ``mutants/``.

    python tests/mutation_score.py serialize losses train optim data rules engine

For each module: how many mutants mutmut made, how many the tests killed (a test failed or the
mutant ran past its time limit), how many survived, and how many of the survivors the README's
development section lists as equivalent (the same behaviour written differently, so no test can
tell them apart). The score is killed / (all - equivalent). The survivors that are not listed are
printed by name: each needs a new test or an entry in that list, with the reason.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {1, 3, 24, -24, 36, 152, 255}  # mutmut's exit codes for "a test failed" and "timed out"
SURVIVED = {0, 5, 33}  # no test failed, or no selected test reaches the mutated function
# In a README table row, an equivalent mutant's name, or a range of them:
# | `autograd.optim.x_step__mutmut_3`, `autograd.rules.x__folded__mutmut_1..57` | the reason |
EQUIVALENT = re.compile(r"`(autograd\.[\w.ǁ]+__mutmut_)(\d+)(?:\.\.(\d+))?`")


def equivalents() -> set[str]:
    names = set()
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            for stem, first, last in EQUIVALENT.findall(line):
                names.update(f"{stem}{k}" for k in range(int(first), int(last or first) + 1))
    return names


def main(modules: list[str]) -> int:
    known = equivalents()
    rows, unexplained = [], []
    for module in modules:
        meta = ROOT / "mutants" / "autograd" / f"{module}.py.meta"
        if not meta.exists():
            print(f"{module}: no results (run make mutation first)")
            return 1
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        killed = sum(c in KILLED for c in codes.values())
        survivors = sorted(k for k, c in codes.items() if c in SURVIVED)
        other = len(codes) - killed - len(survivors)
        equivalent = [k for k in survivors if k in known]
        unexplained += [k for k in survivors if k not in known]
        scored = len(codes) - len(equivalent)
        score = killed / scored if scored else 1.0
        rows.append((module, len(codes), killed, len(survivors), len(equivalent), other, score))
    print(
        f"{'module':10s} {'mutants':>7s} {'killed':>7s} {'survived':>8s} {'equiv.':>6s} "
        f"{'other':>5s} {'score':>7s}"
    )
    for module, n, killed, survived, equivalent, other, score in rows:
        print(
            f"{module:10s} {n:7d} {killed:7d} {survived:8d} {equivalent:6d} {other:5d} {score:7.2%}"
        )
    total = [sum(r[i] for r in rows) for i in range(1, 6)]
    scored = total[0] - total[3]
    print(
        f"{'all':10s} {total[0]:7d} {total[1]:7d} {total[2]:8d} {total[3]:6d} {total[4]:5d} "
        f"{total[1] / scored if scored else 1.0:7.2%}"
    )
    if unexplained:
        print("\nsurvivors neither killed nor listed as equivalent:")
        print("\n".join(f"  {name}" for name in unexplained))
    return 0


if __name__ == "__main__":
    sys.exit(
        main(
            sys.argv[1:]
            or ["serialize", "losses", "train", "optim", "data", "rules", "engine", "_compact"]
        )
    )
