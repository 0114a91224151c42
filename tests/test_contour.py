"""Marching squares (autograd/pages/contour.py) against level sets known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from autograd.pages.contour import simplify, zero_lines


def _grid(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(x, y)


def _on_border(p: np.ndarray, x: np.ndarray, y: np.ndarray) -> bool:
    return bool(np.isclose(p[0], [x[0], x[-1]]).any() or np.isclose(p[1], [y[0], y[-1]]).any())


def test_a_circle_is_one_closed_line_on_the_circle() -> None:
    x = np.linspace(-2, 2, 301)
    y = np.linspace(-1.5, 2.5, 241)
    xx, yy = _grid(x, y)
    lines = zero_lines(x, y, 1 - xx**2 - yy**2)
    assert len(lines) == 1
    line = lines[0]
    assert np.array_equal(line[0], line[-1])  # closed
    step = x[1] - x[0]
    assert np.abs(np.hypot(line[:, 0], line[:, 1]) - 1).max() < step**2
    # The points go round in order: the polygon's area is the disc's (shoelace formula).
    area = 0.5 * abs(np.sum(line[:-1, 0] * line[1:, 1] - line[1:, 0] * line[:-1, 1]))
    assert area == pytest.approx(np.pi, rel=1e-3)
    # A crossing of every grid edge the circle crosses, and no more.
    crossings = np.count_nonzero(np.diff(xx**2 + yy**2 < 1, axis=0))
    crossings += np.count_nonzero(np.diff(xx**2 + yy**2 < 1, axis=1))
    assert len(line) - 1 == crossings


def test_a_straight_line_is_exact_and_runs_border_to_border() -> None:
    x = np.linspace(-1, 1, 40)
    y = np.linspace(-1, 1, 30)
    xx, yy = _grid(x, y)
    (line,) = zero_lines(x, y, yy - 0.3 * xx - 0.1)
    assert np.abs(line[:, 1] - 0.3 * line[:, 0] - 0.1).max() < 1e-12
    assert _on_border(line[0], x, y) and _on_border(line[-1], x, y)
    assert line[0, 0] == pytest.approx(-1) and line[-1, 0] == pytest.approx(1)  # in order
    assert np.all(np.diff(line[:, 0]) > 0)


@pytest.mark.parametrize("c", [0.05, -0.05, 0.0])
def test_hyperbolas_and_crossing_lines(c: float) -> None:
    # z = xy - c is linear along every grid edge, so the crossings are exact. With c = 0 the
    # middle cell is a saddle (its diagonal corners share a sign): two lines, not a tangle.
    x = np.linspace(-1, 1, 20)  # 0 is not a grid point
    xx, yy = _grid(x, x)
    lines = zero_lines(x, x, xx * yy - c)
    assert len(lines) == 2
    for line in lines:
        assert np.abs(line[:, 0] * line[:, 1] - c).max() < 1e-12
        assert _on_border(line[0], x, x) and _on_border(line[-1], x, x)
        assert np.all(np.hypot(*np.diff(line, axis=0).T) <= np.hypot(x[1] - x[0], x[1] - x[0]))


def test_nothing_to_draw_and_bad_shapes() -> None:
    x = np.linspace(0, 1, 5)
    assert zero_lines(x, x, np.ones((5, 5))) == []
    assert zero_lines(x, x, -np.ones((5, 5))) == []
    with pytest.raises(ValueError, match=r"zero_lines: expected x of length 4 and y of length 5"):
        zero_lines(x, x, np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"expected z of shape \(ny, nx\), got shape \(5,\)"):
        zero_lines(x, x, np.ones(5))


def _distance_to_polyline(p: np.ndarray, line: np.ndarray) -> float:
    a, b = line[:-1], line[1:]
    d = b - a
    t = np.clip(
        np.einsum("ij,ij->i", p - a, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-300), 0, 1
    )
    return float(np.hypot(*(a + t[:, None] * d - p).T).min())


def test_simplify_keeps_the_shape_within_the_tolerance() -> None:
    t = np.linspace(0, 2 * np.pi, 400)
    line = np.c_[np.cos(t) + 0.01 * np.sin(37 * t), np.sin(2 * t)]
    for tolerance in (0.001, 0.02):
        short = simplify(line, tolerance)
        assert len(short) < len(line)
        assert np.array_equal(short[0], line[0]) and np.array_equal(short[-1], line[-1])
        assert all((line == p).all(axis=1).any() for p in short)  # only original points
        assert max(_distance_to_polyline(p, short) for p in line) <= tolerance
    assert len(simplify(line, 0.02)) < len(simplify(line, 0.001))
    straight = np.c_[np.linspace(0, 1, 50), np.linspace(0, 2, 50)]
    assert np.array_equal(simplify(straight, 1e-9), straight[[0, -1]])
