"""The line where a field on a grid is zero, as polylines: marching squares in numpy.

A model's decision boundary is where its score is 0. Evaluate the score on a grid of points, and
look at every edge between two neighbouring points: where the sign changes, the boundary crosses
that edge, at the point found by linear interpolation (``t = z0 / (z0 - z1)`` of the way along).
In each grid cell the boundary enters through one edge and leaves through another, so each cell
with crossings holds one segment (or two, in the rare "saddle" cell whose diagonal corners share a
sign: the mean of its four corners decides which pairs of edges belong together). Segments that
share an edge crossing are then joined into polylines: open ones end at the grid's border,
closed ones come back to their first point.

This is what matplotlib's ``contour`` computes for one level; it is written out here so the pages
need numpy only (matplotlib is the optional ``plot`` extra).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["simplify", "zero_lines"]

Array = npt.NDArray[np.float64]


def zero_lines(x: Any, y: Any, z: Any) -> list[Array]:
    """The level ``z = 0`` of ``z[i, j]`` (the value at ``(x[j], y[i])``), as polylines.

    ``x`` (length nx) and ``y`` (length ny) are increasing grid coordinates and ``z`` has shape
    ``(ny, nx)``, like ``np.meshgrid(x, y)`` gives. Points with ``z > 0`` are inside; the rest
    (``nan`` too) are outside. Returns a list of arrays of shape ``(m, 2)`` (x, y rows); a closed
    line repeats its first point at the end.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"zero_lines: expected z of shape (ny, nx), got shape {z.shape}")
    ny, nx = z.shape
    if x.shape != (nx,) or y.shape != (ny,):
        raise ValueError(
            f"zero_lines: expected x of length {nx} and y of length {ny} for z of shape "
            f"{z.shape}, got {x.shape} and {y.shape}"
        )
    z = np.nan_to_num(z)
    inside = z > 0
    # Crossings on the horizontal edges (i, j)-(i, j+1) and the vertical edges (i, j)-(i+1, j).
    h_cross = inside[:, :-1] != inside[:, 1:]
    v_cross = inside[:-1, :] != inside[1:, :]
    n_h = ny * (nx - 1)  # vertical edge ids come after the horizontal ones

    i, j = np.nonzero(h_cross)  # the row and column of each crossed edge's first point
    a, b = z[i, j], z[i, j + 1]
    t = a / (a - b)
    h_points = np.c_[x[j] + t * (x[j + 1] - x[j]), y[i]]
    h_ids = i * (nx - 1) + j
    i, j = np.nonzero(v_cross)
    a, b = z[i, j], z[i + 1, j]
    t = a / (a - b)
    v_points = np.c_[x[j], y[i] + t * (y[i + 1] - y[i])]
    v_ids = n_h + i * nx + j

    ids = np.r_[h_ids, v_ids].tolist()
    points = dict(zip(ids, np.r_[h_points, v_points].tolist()))

    # The cells that have crossings, with their four edges: bottom, right, top, left.
    cells = h_cross[:-1, :] | h_cross[1:, :] | v_cross[:, :-1] | v_cross[:, 1:]
    neighbours: dict[int, list[int]] = {}
    rows, columns = np.nonzero(cells)
    for i, j in zip(rows.tolist(), columns.tolist()):
        bottom, top = i * (nx - 1) + j, (i + 1) * (nx - 1) + j
        left, right = n_h + i * nx + j, n_h + i * nx + j + 1
        crossed = [e for e in (bottom, right, top, left) if e in points]
        if len(crossed) == 2:
            pairs = [(crossed[0], crossed[1])]
        else:  # a saddle: all four edges crossed
            centre_inside = z[i : i + 2, j : j + 2].mean() > 0
            if centre_inside == inside[i, j]:  # bottom-left joined to top-right: cut off the others
                pairs = [(bottom, right), (top, left)]
            else:
                pairs = [(left, bottom), (right, top)]
        for one, other in pairs:
            neighbours.setdefault(one, []).append(other)
            neighbours.setdefault(other, []).append(one)

    # Join: every crossing has one or two neighbours. Start at the ends of open lines first.
    lines: list[Array] = []
    seen: set[int] = set()
    starts = [e for e, n in neighbours.items() if len(n) == 1] + list(neighbours)
    for start in starts:
        if start in seen:
            continue
        path = [start]
        seen.add(start)
        previous, current = -1, start
        while True:
            following = [e for e in neighbours[current] if e != previous and e not in seen]
            if not following:
                if len(path) > 2 and start in neighbours[current]:
                    path.append(start)  # a closed line
                break
            previous, current = current, following[0]
            path.append(current)
            seen.add(current)
        lines.append(np.array([points[e] for e in path], dtype=np.float64))
    return lines


def simplify(line: Array, tolerance: float) -> Array:
    """``line`` with the points dropped that lie within ``tolerance`` of the line through their
    neighbours that are kept (Douglas-Peucker): the shape is the same to within ``tolerance``, the
    ends stay, and every point that stays is one of the original points.

    A smooth boundary traced on a fine grid has a point in every cell it crosses; most of them lie
    on a straight stretch, and dropping them makes the replay page several times smaller.
    """
    n = len(line)
    if n < 3:
        return line
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = line[first], line[last]
        inner = line[first + 1 : last]
        d = b - a
        length = float(np.hypot(d[0], d[1]))
        if length == 0:  # a closed line: distances to its start point
            dist = np.hypot(*(inner - a).T)
        else:
            dist = np.abs(d[0] * (inner[:, 1] - a[1]) - d[1] * (inner[:, 0] - a[0])) / length
        worst = int(np.argmax(dist))
        if dist[worst] > tolerance:
            middle = first + 1 + worst
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    return line[keep]
