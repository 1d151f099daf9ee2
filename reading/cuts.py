"""Cutting ink from top to bottom along least-ink paths, where no stroke separates it.

A dynamic programme finds the cheapest path (ink cells crossed) through each column of a few
rows; the paths through its local minima cut the ink into pieces left to right. The reader
cuts a scribble's ink this way, and a stroke that runs on from one digit into the next.
"""

import itertools

import numpy as np

from reading.segment import MAX_DIGITS

BAND, LEAN = 3, 2  # a cut path leans at most LEAN columns per BAND rows (slanted writing)
SHIFT_COST = 0.05  # in ink cells: among equal paths, the straighter one
SPACING = 0.15  # of a digit's height: nearer cut candidates keep only the cheaper
MAX_CUTS = 3 * MAX_DIGITS  # cut candidates kept at most (the cheapest): bounds the work


def cut_paths(grid: np.ndarray, spacing: int) -> tuple[np.ndarray, np.ndarray]:
    """Least-ink paths from top to bottom of a boolean grid: (x per row (n, H), ink crossed (n,)).

    Through each local minimum of the cheapest path through each column of a few rows (a
    forward and a backward pass of a dynamic programme); the cheapest of paths nearer than
    `spacing` columns on average wins, and at most MAX_CUTS are kept.
    """
    height, width = grid.shape
    bands = -(-height // BAND)
    padded = np.zeros((bands * BAND, width), dtype=np.float32)
    padded[:height] = grid
    cost = padded.reshape(bands, BAND, width).sum(axis=1)
    down, came_down = _sweep(cost)
    up, came_up = _sweep(cost[::-1])
    paths: list[np.ndarray] = []
    crossed: list[float] = []
    for band in {bands // 3, bands // 2, (2 * bands) // 3}:
        through = down[band] + up[bands - 1 - band] - cost[band]
        # Not at the very edges: a path there cuts off nothing worth reading.
        starts = _minima(through, max(1, spacing // 2))
        starts = starts[(starts >= spacing // 2) & (starts < width - spacing // 2)]
        xs = np.empty((starts.size, bands), dtype=np.int64)
        xs[:, band] = starts
        for b in range(band, 0, -1):  # back up along the forward pass's choices
            xs[:, b - 1] = xs[:, b] + came_down[b, xs[:, b]]
        for b in range(band, bands - 1):  # and down along the backward pass's
            xs[:, b + 1] = xs[:, b] + came_up[bands - 1 - b, xs[:, b]]
        paths += list(xs)
        crossed += list(through[starts])
    kept: list[int] = []
    for k in np.argsort(crossed, kind="stable"):
        if len(kept) < MAX_CUTS and all(
            np.abs(paths[k] - paths[m]).mean() >= spacing for m in kept
        ):
            kept.append(k)
    kept.sort(key=lambda k: paths[k].mean())
    xs = np.array([paths[k] for k in kept], dtype=np.int64).reshape(len(kept), bands)
    return np.repeat(xs, BAND, axis=1)[:, :height], np.array([crossed[k] for k in kept])


def _sweep(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cheapest path cost from the first row to each cell, and the column step it came by."""
    bands, width = cost.shape
    total = np.empty_like(cost)
    came = np.zeros(cost.shape, dtype=np.int8)
    total[0] = cost[0]
    steps = np.arange(-LEAN, LEAN + 1)
    penalty = SHIFT_COST * np.abs(steps).astype(cost.dtype)
    above = np.full(width + 2 * LEAN, np.inf, dtype=cost.dtype)  # the row above, padded
    # options[x, k]: arriving at x from column x + steps[k] of the row above (a view, no copy)
    window = np.lib.stride_tricks.sliding_window_view(above, len(steps))
    columns = np.arange(width)
    for b in range(1, bands):  # rows depend on each other; each row is one vector step
        above[LEAN : LEAN + width] = total[b - 1]
        options = window + penalty
        best = options.argmin(axis=1)
        total[b] = options[columns, best] + cost[b]
        came[b] = steps[best]
    return total, came


def _minima(values: np.ndarray, spacing: int) -> np.ndarray:
    """Columns where values is lowest within +-spacing (the middle of a flat stretch)."""
    padded = np.pad(values, spacing, constant_values=np.inf)
    lowest = np.lib.stride_tricks.sliding_window_view(padded, 2 * spacing + 1).min(axis=1)
    at = np.flatnonzero(values <= lowest + 1e-4)
    if at.size == 0:
        return at
    # A flat gap gives a stretch of neighbouring minima: keep its middle.
    stretches = np.split(at, np.flatnonzero(np.diff(at) > 1) + 1)
    return np.array([s[len(s) // 2] for s in stretches], dtype=np.int64)


def stroke_width(grid: np.ndarray) -> float:
    """The pen's width in grid cells: the median length of the ink's runs, across rows or
    down columns, whichever is shorter (runs along a stroke are long)."""
    medians = []
    for cells in (grid, grid.T):
        edges = np.diff(np.pad(cells.astype(np.int8), ((0, 0), (1, 1))), axis=1)
        medians.append(np.median(np.nonzero(edges == -1)[1] - np.nonzero(edges == 1)[1]))
    return max(1.0, float(min(medians)))


def cut_pieces(
    grid: np.ndarray, paths: np.ndarray, strokes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Piece number (1, 2, ... left to right; 0 = no ink) of each cell, and the cost of the
    strokes cut between piece k and k + 1 (boundary[k - 1], `strokes` per path)."""
    ys, xs = np.nonzero(grid)
    piece = (xs[None, :] >= paths[:, ys]).sum(axis=0)  # paths to the left of each cell
    used, piece = np.unique(piece, return_inverse=True)
    # Between two neighbouring pieces lie the paths from the left one's up to the right one's.
    boundary = np.array([strokes[a:b].min() for a, b in itertools.pairwise(used)])
    pieces = np.zeros(grid.shape, dtype=np.int32)
    pieces[ys, xs] = piece + 1
    return pieces, boundary
