"""The HTML pages in a real browser: Debian's chromium, driven by Playwright, from file://.

Each test opens a page the way a person does, presses keys and reads back the text on screen.
Any console error, uncaught exception, or request that is not file: or data: fails the test.
Without chromium (or Playwright) the tests skip with the reason, except under CI=true, where a
missing browser is a failure. ``make screenshots`` runs them with AUTOGRAD_SCREENSHOTS set, and
each test leaves a picture of its page there.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograd import Value, explore, grad
from autograd.nn import MLP
from autograd.pages import TrainingReplay
from autograd.train import fit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("AUTOGRAD_SCREENSHOTS")


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is not installed (sudo apt-get install chromium)")
    if shutil.which("dot") is None:
        _missing("the Graphviz 'dot' program is not installed (the explorer draws with it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page opened from file://, recording every problem the browser reports."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.problems: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 760})
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        self.page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(("file:", "data:", "about:"))
                else self.problems.append(f"request: {r.url}")
            ),
        )
        self.page.goto(path.resolve().as_uri())

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def boxes(self, frame: Any = None) -> dict[str, dict[str, float | None]]:
        """Every Value box on the diagram: name -> {'data': number or None, 'grad': ...}."""
        texts = (frame or self.page).evaluate(
            """() => [...document.querySelectorAll('svg g.node')].map(
                   g => [...g.querySelectorAll('text')].map(t => t.textContent))"""
        )
        out: dict[str, dict[str, float | None]] = {}
        for lines in texts:
            fields = {}
            for line in lines[1:]:
                m = re.match(r"(data|grad) (\S+)$", line)
                if m:
                    fields[m.group(1)] = None if m.group(2) == "?" else float(m.group(2))
            if fields:
                out[lines[0]] = fields
        return out

    def panel(self) -> str:
        return str(self.page.inner_text(".panel"))

    def counter(self) -> str:
        return str(self.page.inner_text(".counter"))

    def picture(self, name: str, width: int, height: int) -> None:
        """Save the top of the page as it is now (only when AUTOGRAD_SCREENSHOTS is set)."""
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            clip = {"x": 0, "y": 0, "width": width, "height": height}
            self.page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), clip=clip)

    def finish(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
        self.page.close()
        assert self.problems == []


def _close(a: float | None, b: float) -> bool:
    # The page writes 4 significant digits.
    return a is not None and math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-9)


def _step_through(
    page: Page, data: dict[str, float], grads: dict[str, float], inputs: dict[str, list[str]]
) -> list[dict[str, dict[str, float | None]]]:
    """Press → through every step, checking each number shown; return the state after each."""
    states = [page.boxes()]
    assert all(f["data"] is None and f["grad"] is None for f in states[0].values())
    total = int(page.counter().split("/")[1].split()[0])
    for k in range(1, total + 1):
        page.press("ArrowRight")
        assert page.counter().startswith(f"step {k} / {total}")
        state = page.boxes()
        before = states[-1]
        for name, fields in state.items():
            if fields["data"] is not None:
                assert _close(fields["data"], data[name]), (k, name, fields)
                # a value appears only once all the values it is computed from are shown
                assert all(state[i]["data"] is not None for i in inputs.get(name, []))
            if fields["grad"] is not None and name in grads:
                assert state[name]["data"] is not None or not inputs.get(name)
        shown_now = [n for n in state if state[n]["data"] is not None]
        shown_before = [n for n in before if before[n]["data"] is not None]
        if len(shown_now) != len(shown_before):
            assert len(shown_now) == len(shown_before) + 1  # forward: one node per step
        states.append(state)
    final = states[-1]
    for name, value in grads.items():
        assert _close(final[name]["grad"], value), (name, final[name])
    page.press("ArrowRight")  # at the end, → stays
    assert page.counter().startswith(f"step {total} / {total}")
    return states


def _worked_example() -> Value:
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def test_worked_example_steps_forward_and_back(browser: Any, tmp_path: Path) -> None:
    path = explore(_worked_example()).save(tmp_path / "worked.html")
    page = Page(browser, path)
    data = {"x": -2, "y": 5, "z": -4, "q": 3, "f": -12}
    grads = {"f": 1, "q": -4, "z": 3, "x": -4, "y": -4}  # df/dq = z, df/dz = q, dq/dx = dq/dy = 1
    states = _step_through(page, data, grads, {"q": ["x", "y"], "f": ["q", "z"]})
    # The seed, then f's step gives q and z their gradients, then q's step gives x and y theirs.
    assert [s["f"]["grad"] for s in states[5:8]] == [None, 1, 1]
    assert states[7]["q"]["grad"] == -4 and states[7]["x"]["grad"] is None
    page.press("ArrowLeft")
    assert "df/dq = df/df · ∂f/∂q = 1 · z = 1 · (-4) = -4" in page.panel()
    page.picture("explorer_readme", width=1280, height=272)  # docs/images/explorer.png
    back = page.boxes()
    assert back["x"]["grad"] is None and back["y"]["grad"] is None and back["q"]["grad"] == -4
    page.press("ArrowRight")
    assert "df/dx = df/dq · ∂q/∂x = -4 · 1 = -4" in page.panel()
    page.press("Home")
    assert all(f["data"] is None for f in page.boxes().values())
    page.press(" ")  # play: the steps advance by themselves, until space pauses them
    page.page.wait_for_function(
        "() => /^step [2-8] /.test(document.querySelector('.counter').textContent)",
        timeout=15_000,
    )
    page.press(" ")
    paused = page.counter()
    page.page.wait_for_timeout(1500)
    assert page.counter() == paused and page.page.inner_text(".play") == "▶ Play"
    page.press("End")
    page.finish("explorer_worked_example")


def _neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1w1"
    x2w2 = x2 * w2
    x2w2.label = "x2w2"
    s = x1w1 + x2w2
    s.label = "x1w1x2w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def test_the_lecture_neuron(browser: Any, tmp_path: Path) -> None:
    path = explore(_neuron()).save(tmp_path / "neuron.html")
    page = Page(browser, path)
    b = 6.8813735870195432
    data = {"x1": 2, "x2": 0, "w1": -3, "w2": 1, "b": b, "x1w1": -6, "x2w2": 0}
    data.update({"x1w1x2w2": -6, "n": b - 6, "o": math.tanh(b - 6)})
    assert math.isclose(data["o"], 0.7071, abs_tol=1e-4)
    # do/dn = 1 - o² = 0.5, passed unchanged through the two sums, then times the other factor.
    grads = {"o": 1, "n": 0.5, "b": 0.5, "x1w1x2w2": 0.5, "x1w1": 0.5, "x2w2": 0.5}
    grads.update({"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0})
    inputs = {"x1w1": ["x1", "w1"], "x2w2": ["x2", "w2"], "x1w1x2w2": ["x1w1", "x2w2"]}
    inputs.update({"n": ["x1w1x2w2", "b"], "o": ["n"]})
    states = _step_through(page, data, grads, inputs)
    page.press("End")
    assert _close(page.boxes()["w1"]["grad"], 1.0)
    # Back to the tanh step: the local derivative as the lecture writes it.
    seed = next(i for i, s in enumerate(states) if s["o"]["grad"] is not None)
    page.press("Home")
    for _ in range(seed + 1):
        page.press("ArrowRight")
    assert "do/dn = do/do · ∂o/∂n = 1 · (1 - o²) = 1 · 0.5 = 0.5" in page.panel()
    page.finish("explorer_neuron")


def test_a_reused_node_collects_its_gradients(browser: Any, tmp_path: Path) -> None:
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b * a
    c.label = "c"  # c = 2a², dc/da = 4a = 12: 6 from c = b·a directly, 3 + 3 through b = a + a
    page = Page(browser, explore(c).save(tmp_path / "reused.html"))
    page.press("End")
    assert _close(page.boxes()["a"]["grad"], 12.0)
    assert "dc/da += dc/db · ∂b/∂a = 3 · 1 = 3, so dc/da = 6 + 3 = 9" in page.panel()
    assert "so dc/da = 9 + 3 = 12" in page.panel()
    page.press("ArrowLeft")  # c's step: a has only its direct share so far
    assert _close(page.boxes()["a"]["grad"], 6.0) and _close(page.boxes()["b"]["grad"], 3.0)
    page.finish("explorer_reused_node")


def test_a_second_derivatives_graph(browser: Any, tmp_path: Path) -> None:
    x = Value(3.0, label="x")
    (g,) = grad(x**3, x, create_graph=True)  # g = 3x² = 27, and dg/dx = 6x = 18
    g.label = "g"
    page = Page(browser, explore(g).save(tmp_path / "second.html"))
    page.press("End")
    boxes = page.boxes()
    assert _close(boxes["g"]["data"], 27.0) and _close(boxes["x"]["grad"], 18.0)
    page.finish("explorer_second_derivative")


def test_an_mlp_output_collapsed_to_neurons(browser: Any, tmp_path: Path) -> None:
    model = MLP(2, [8, 8, 1], seed=0)
    out = model([Value(0.5, label="x1"), Value(-1.0, label="x2")])
    page = Page(browser, explore(out, collapse="neuron").save(tmp_path / "mlp.html"))
    page.press("End")
    texts = page.page.evaluate(
        "() => [...document.querySelectorAll('svg g.node text')].map(t => t.textContent)"
    )
    # Every box shows its numbers at the end, and the output's matches the model's.
    assert not [t for t in texts if t.endswith("?")]
    assert f"data {out.data:.4g}" in texts
    page.finish("explorer_mlp_collapsed")


def test_two_explorers_in_one_notebook_do_not_mix(browser: Any, tmp_path: Path) -> None:
    # What a notebook shows for two cells, each displaying an explorer.
    html = explore(_worked_example())._repr_html_() + explore(_neuron())._repr_html_()
    path = tmp_path / "notebook.html"
    path.write_text(f"<!DOCTYPE html><html><body>{html}</body></html>", encoding="utf-8")
    page = Page(browser, path)
    first, second = page.page.frames[1], page.page.frames[2]
    page.page.locator("iframe").nth(1).click(position={"x": 5, "y": 5})
    for _ in range(3):
        page.press("ArrowRight")
    assert first.inner_text(".counter").startswith("step 0 /")
    assert second.inner_text(".counter").startswith("step 3 /")
    assert page.boxes(second)["x1w1"]["data"] == -6 and page.boxes(first)["x"]["data"] is None
    page.finish("explorer_two_in_a_notebook")


def test_the_training_replay(browser: Any, tmp_path: Path) -> None:
    from autograd.data import moons

    X, y = moons(60, noise=0.1, seed=1)
    model = MLP(2, [8, 8, 1], seed=1)
    replay = TrainingReplay(model, X, y, frames=12, resolution=30, settings={"lr": 0.5})
    from autograd.optim import SGD

    history = fit(model, X, y, steps=40, optimizer=SGD(model.parameters(), lr=0.5), callback=replay)
    page = Page(browser, replay.save(tmp_path / "run.html"))

    def picture() -> str:
        return str(page.page.evaluate("() => document.querySelector('canvas').toDataURL()"))

    def marker() -> str:
        return str(page.page.evaluate("() => document.querySelector('.marker').getAttribute('x1')"))

    def line_pixels() -> set[tuple[int, int]]:
        # The boundary is the only black on the canvas (the dots' outlines are #111827).
        return {
            (int(a), int(b))
            for a, b in page.page.evaluate(
                """() => {
                    const c = document.createElement('canvas');  // a copy: read back once
                    const shown = document.querySelector('canvas');
                    c.width = shown.width;
                    c.height = shown.height;
                    const ctx = c.getContext('2d');
                    ctx.drawImage(shown, 0, 0);
                    const d = ctx.getImageData(0, 0, c.width, c.height).data;
                    const out = [];
                    for (let i = 0; i < d.length; i += 4)
                        if (d[i] < 12 && d[i + 1] < 12 && d[i + 2] < 12)
                            out.push([(i / 4) % c.width, Math.floor(i / 4 / c.width)]);
                    return out;
                }"""
            )
        }

    slider = page.page.locator(".slider")
    seen = []
    lines = []
    for i in (0, 5, 11):
        slider.fill(str(i))
        seen.append((picture(), marker(), page.page.inner_text(".frame-info")))
        lines.append(line_pixels())
    assert len(lines[1]) > 200 and len(lines[2]) > 200, "the boundary line is not drawn"
    assert lines[1] != lines[2], "the boundary line does not change with the slider"
    # The last frame's line runs where the trained model's score changes sign: within 3 pixels
    # of every black pixel there are points of both classes (canvas pixel -> plane as the page
    # maps it: the n x n field's values sit at the centres of its scaled-up pixels).
    from autograd.export import to_numpy

    data = replay.data()
    x0, y0, x1, y1 = data["extent"]
    n, size = data["resolution"], 440
    around = np.array([(dx, dy) for dx in range(-3, 4) for dy in range(-3, 4)], dtype=float)
    pixels = np.array(sorted(lines[2]), dtype=float)[:, None, :] + 0.5 + around[None]
    a = x0 + (pixels[..., 0] - size / (2 * n)) / (size - size / n) * (x1 - x0)
    b = y0 + (size - pixels[..., 1] - size / (2 * n)) / (size - size / n) * (y1 - y0)
    signs = to_numpy(model)(np.c_[a.ravel(), b.ravel()]).reshape(a.shape) > 0
    assert np.all(signs.any(axis=1) & ~signs.all(axis=1)), "a black pixel away from the boundary"
    assert len({s[0] for s in seen}) == 3, "the boundary does not change with the slider"
    assert len({s[1] for s in seen}) == 3, "the marker does not move with the slider"
    assert seen[0][2].startswith("frame 1 / 12 · after 0 of 40 steps")
    assert seen[2][2].startswith("frame 12 / 12 · after 40 of 40 steps")
    loss0 = float(re.search(r"batch loss (\S+)", seen[0][2]).group(1))  # type: ignore[union-attr]
    assert math.isclose(loss0, history.loss[0], rel_tol=1e-3)
    page.press("ArrowLeft")
    assert page.page.inner_text(".frame-info").startswith("frame 11 / 12")
    assert picture() not in (seen[2][0],)
    results = page.page.inner_text("table.results")
    assert f"{history.loss[-1]:.6g}" in results and "lr\t0.5" in page.page.inner_text("table")
    page.finish("training_replay")


def test_a_missing_browser_skips_only_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no chromium; CI must run the browser tests"):
        _missing("no chromium")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        _missing("no chromium")
