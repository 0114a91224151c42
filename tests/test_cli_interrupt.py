"""Ctrl-C on the command line: one line, exit code 130, and no file half-written or lost.

The command runs in a subprocess that says "ready" once ``autograd.cli`` is imported (a Ctrl-C
during Python's own start-up is Python's business), then gets a real SIGINT.
"""

import random
import signal
import subprocess
import sys
import textwrap
import time

from autograd.nn import MLP
from autograd.serialize import save_model

RUN_MAIN = textwrap.dedent(
    """
    import signal
    import sys
    from autograd.cli import main
    # Ctrl-C raises KeyboardInterrupt, as in a terminal, even when the tests run in a background
    # job (whose children start with SIGINT ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print("ready", flush=True)
    sys.exit(main(sys.argv[1:]))
    """
)


def start(tmp_path, *args):
    script = tmp_path / "run_main.py"
    script.write_text(RUN_MAIN)
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline() == "ready\n"
    return proc


def test_ctrl_c_during_training_stops_with_one_line_and_code_130(tmp_path):
    proc = start(
        tmp_path,
        "train", "--steps", "1000000", "--quiet", "--save", "out/model.json", "--plot", "b.png",
    )  # fmt: skip
    time.sleep(2.0)  # well inside the million steps
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err == "python -m autograd: interrupted\n"
    assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run_main.py"]  # nothing written


def test_ctrl_c_while_a_model_is_saved_over_itself_never_damages_it(tmp_path):
    """``train --load big.json --steps 0 --save big.json`` rewrites the same bytes; interrupted
    at any moment, the file must still be exactly those bytes (in-place writes lost it 2 in 8)."""
    big = tmp_path / "big.json"
    save_model(MLP(2, [300, 300, 1], seed=0), big)  # 2.3 MB
    original = big.read_bytes()
    rng = random.Random(1)
    codes = set()
    for _ in range(6):
        proc = start(tmp_path, "train", "--load", "big.json", "--steps", "0", "--save", "big.json")
        time.sleep(rng.uniform(0.0, 3.0))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        codes.add(proc.returncode)
        assert proc.returncode in (0, 130), err
        if proc.returncode == 130:
            assert err == "python -m autograd: interrupted\n"
        assert big.read_bytes() == original
        assert sorted(p.name for p in tmp_path.iterdir()) == ["big.json", "run_main.py"]
    assert 130 in codes  # at least one run was really interrupted
