"""Ink over-split into pieces, and the runs of pieces worth reading as one digit.

The pieces are the ink's strokes: its skeleton is split into edges at junctions, every ink cell
goes to the nearest edge, and the edges are ordered by their middle from left to right, so
neighbours that overlap or touch come apart along their own strokes, which a cut from top to
bottom would cross; an edge too wide for one digit (a stroke running on into a touching
neighbour) is cut where least-ink paths from top to bottom cross it (reading/cuts.py). Where the
skeleton has too many edges (a scribble), those paths cut all the ink instead, at a cost per
stroke cut. When the client sends the strokes in the order drawn, they are the pieces instead
(drawn_pieces): a number is written digit after digit, so where neighbours overlap the order of
the strokes tells whose ink is whose, which no cut can.
"""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from skimage.morphology import skeletonize

from reading.cuts import SPACING, cut_paths, cut_pieces, stroke_width
from reading.segment import (
    MAX_DIGITS,
    Candidate,
    Labelled,
    TooManyDigits,
    crop_cells,
    group_parts,
    label_ink,
    part_of,
)
from reading.trace import skeleton_edges

MAX_RUN = 6  # pieces between cut paths one digit may be made of
MAX_EDGES = 30  # skeleton edges worth ordering; a scribble's ink is cut by paths instead
MAX_EDGES_PER_DIGIT = 14  # skeleton edges (or strokes) in one digit: bounds the work, 30 x 14 runs
SPUR = 0.08  # of a digit's height: shorter skeleton branches to a loose end are thinning noise
WIDE_EDGE = 0.7  # of a digit's height: a wider edge runs on into a neighbour, cut by paths
LINK = 0.06  # of a digit's height: shorter links between two junctions are a joint's knot
MAX_WIDTH = 1.3  # of a digit's height: wider runs are not one digit
MAX_STROKE_CELLS = 100_000  # samples along all drawn strokes: a number's strokes need thousands
STROKE_COST = 0.6  # log probability per stroke a cut goes through: cutting ink needs a reason


@dataclass
class Readings:
    """Every way worth trying to read a drawing's ink as digits, before the classifier.

    runs[k] = (i, j): pieces i+1..j read as one digit, with its box on the grid and its
    candidate (ink and box in the drawing's pixels); boundary[k - 1]: the cost of reading
    piece k and k + 1 as different digits; height: a digit's height on the grid.
    """

    runs: list[tuple[int, int]]
    boxes: dict[tuple[int, int], tuple[int, int, int, int]]
    candidates: list[Candidate]
    boundary: np.ndarray
    height: int
    pieces: np.ndarray  # piece number of each grid cell (0: no ink)
    drawing: Labelled  # the drawing the grid comes from
    origin: tuple[int, int]  # the grid's first cell (row, column) in the drawing's grid
    drawn: bool = False  # pieces are the strokes as drawn (drawn_pieces), not left to right


def possible_readings(
    ink: np.ndarray, max_digits: int = MAX_DIGITS, strokes: list[np.ndarray] | None = None
) -> Readings:
    """Over-cut the ink (by the strokes as drawn, if given) and list the runs of pieces worth
    reading as one digit: Readings."""
    drawing = label_ink(ink, max_digits)
    # Pieces apart in their columns are surely different digits: too many costs nothing.
    columns = len(group_parts([part_of(drawing, i) for i in drawing.kept]))
    if columns > max_digits:
        raise TooManyDigits(
            f"The drawing splits into {columns} digits; at most {max_digits} are read at once."
        )
    kept = np.isin(drawing.labels, drawing.kept + 1)
    rows, cols = np.flatnonzero(kept.any(axis=1)), np.flatnonzero(kept.any(axis=0))
    gy0, gx0 = rows[0], cols[0]
    grid = kept[gy0 : rows[-1] + 1, gx0 : cols[-1] + 1]
    height = drawing.tallest
    pieces, boundary = None, None
    if strokes:
        pieces, boundary = drawn_pieces(grid, strokes, drawing.step, (gy0, gx0), height)
    drawn = pieces is not None
    if not drawn:
        pieces, boundary = stroke_pieces(grid, height)
    longest = MAX_EDGES_PER_DIGIT
    if pieces is None:  # a scribble: cut from top to bottom
        paths, crossed = cut_paths(grid, max(1, round(SPACING * height)))
        pieces, boundary = cut_pieces(grid, paths, STROKE_COST * crossed / stroke_width(grid))
        longest = MAX_RUN
    assert boundary is not None  # set with the pieces
    runs, boxes = _runs(pieces, height, longest)
    candidates = []
    for i, j in runs:
        x0, y0, x1, y1 = boxes[(i, j)]
        mine = (pieces[y0:y1, x0:x1] > i) & (pieces[y0:y1, x0:x1] <= j)
        candidates.append(crop_cells(drawing, mine, gy0 + y0, gx0 + x0))
    return Readings(runs, boxes, candidates, boundary, height, pieces, drawing, (gy0, gx0), drawn)


def drawn_pieces(
    grid: np.ndarray, strokes: list[np.ndarray], step: int, origin: tuple[int, int], height: float
) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """Piece number of each ink cell of a boolean grid: the stroke drawn nearest it, numbered in
    the order drawn (strokes that own no ink left out), and boundary costs (none); (None, None)
    when no stroke falls on the grid, they are far too long, or they make more than MAX_EDGES
    pieces (the same bound on the work as for a skeleton's edges). A stroke wider than any digit
    (MAX_WIDTH times `height`, a digit's height on the grid) is split along its skeleton.

    People write a number digit after digit, so the strokes of one digit are drawn one after
    another even where its ink overlaps a neighbour's, which no cut of the ink alone can undo.
    strokes: (n, 2) arrays of x, y in the drawing's pixels; origin: the grid's first cell.
    """
    drawn = np.full(grid.shape, -1, dtype=np.int64)
    budget = MAX_STROKE_CELLS
    for k, points in enumerate(strokes):
        cells = _stroke_cells(points, step, origin, grid.shape, budget)
        if cells is None:  # strokes that long are no number: read the ink alone
            return None, None
        drawn[cells] = k
        budget -= cells[0].size
    if (drawn < 0).all():
        return None, None
    # Every ink cell belongs to the stroke drawn nearest it (the later one where two cross).
    nearest = ndimage.distance_transform_edt(drawn < 0, return_distances=False, return_indices=True)
    owner = drawn[nearest[0][grid], nearest[1][grid]]
    used, inverse = np.unique(owner, return_inverse=True)
    if used.size > MAX_EDGES:
        return None, None
    piece = np.zeros(grid.shape, dtype=np.int32)
    piece[grid] = inverse + 1
    cols = np.nonzero(grid)[1]
    left = np.full(used.size, grid.shape[1])
    right = np.zeros(used.size, dtype=np.int64)
    np.minimum.at(left, inverse, cols)
    np.maximum.at(right, inverse, cols + 1)
    wide = right - left > MAX_WIDTH * height
    if not wide.any():
        return piece, np.zeros(used.size - 1)
    # A stroke wider than any digit may be digits written without lifting the pen (or a wide
    # scribble): it is split along its own skeleton as ink alone is, its parts left to right.
    ordered, count = np.zeros_like(piece), 0
    for k in range(used.size):
        mine = piece == k + 1
        parts = stroke_pieces(mine, height)[0] if wide[k] else None
        parts = mine.astype(np.int32) if parts is None else parts
        ordered[mine] = parts[mine] + count
        count += int(parts.max())
    if count > MAX_EDGES:
        return None, None
    return ordered, np.zeros(count - 1)


def _stroke_cells(
    points: np.ndarray, step: int, origin: tuple[int, int], shape: tuple[int, ...], budget: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """The grid cells (rows, cols) a polyline in the drawing's pixels passes through, sampled
    every half cell along each segment; cells off the grid left out. None when that takes
    more than `budget` samples."""
    cells = np.asarray(points, dtype=np.float64) / step - np.array([origin[1], origin[0]])
    cells = np.clip(cells, -1.0, np.array([shape[1], shape[0]], dtype=np.float64))
    if len(cells) > 1:
        starts, moves = cells[:-1], np.diff(cells, axis=0)
        counts = np.ceil(2 * np.hypot(*moves.T)).astype(np.int64) + 1  # both ends included
        if counts.sum() > budget:
            return None
        segment = np.repeat(np.arange(len(starts)), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        at = (np.arange(counts.sum()) - first) / np.repeat(np.maximum(counts - 1, 1), counts)
        cells = starts[segment] + at[:, None] * moves[segment]
    cols, rows = np.floor(cells).astype(np.int64).T
    on = (rows >= 0) & (rows < shape[0]) & (cols >= 0) & (cols < shape[1])
    return rows[on], cols[on]


def stroke_pieces(
    grid: np.ndarray, height: float
) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
    """Piece number of each cell of a boolean grid (1, 2, ... by the middle of its stroke, left
    to right; 0 = no ink) and the cost of reading piece k and k + 1 as different digits
    (boundary[k - 1], none here); (None, None) when the skeleton has no edge or more than
    MAX_EDGES."""
    skeleton = skeletonize(np.pad(grid, 1))[1:-1, 1:-1] & grid
    edges = skeleton_edges(skeleton, max(2.0, SPUR * height), max(2.0, LINK * height))
    if not edges or len(edges) > MAX_EDGES:
        return None, None
    edge_of = np.full(grid.shape, -1, dtype=np.int64)
    for k, edge in enumerate(edges):
        edge_of[tuple(np.array(edge).T)] = k
    # Every ink cell belongs to the edge of its nearest skeleton cell.
    nearest = ndimage.distance_transform_edt(
        edge_of < 0, return_distances=False, return_indices=True
    )
    owner = np.full(grid.shape, -1, dtype=np.int64)
    owner[grid] = edge_of[nearest[0][grid], nearest[1][grid]]
    spans = np.array([np.ptp([c for _, c in edge]) for edge in edges])
    wide = np.flatnonzero(spans > WIDE_EDGE * height)
    if wide.size:  # a stroke running on from one digit into the next: cut it where paths do
        paths, crossed = cut_paths(grid, max(1, round(SPACING * height)))
        slices, _ = cut_pieces(grid, paths, crossed)
        count = len(edges)
        for long_edge in wide:
            cells = owner == long_edge
            for part in np.unique(slices[cells])[1:]:
                owner[cells & (slices == part)] = count
                count += 1
    # A piece's place is the middle of its stretch of skeleton (of its ink if it has none).
    middles = _middles(owner, edge_of >= 0)
    bare = np.isnan(middles)
    middles[bare] = _middles(owner, grid)[bare]
    rank = np.empty(middles.size, dtype=np.int64)
    rank[np.argsort(middles, kind="stable")] = np.arange(middles.size)
    piece = np.zeros(grid.shape, dtype=np.int64)
    piece[grid] = rank[owner[grid]] + 1
    used, inverse = np.unique(piece[grid], return_inverse=True)
    piece[grid] = inverse + 1  # numbered again without the ranks of edges that hold no ink
    # Splitting at a junction is free: a cost for it read fewer numbers (docs/experiments/).
    boundary = np.zeros(max(0, used.size - 1))
    return piece.astype(np.int32), boundary


def _middles(owner: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Mean column of the cells `where` of each owner number (NaN for an owner with none)."""
    ys, xs = np.nonzero(where)
    on = owner[ys, xs]
    counts = np.bincount(on, minlength=owner.max() + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(on, weights=xs, minlength=counts.size) / counts


def _runs(
    pieces: np.ndarray, height: int, longest: int
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], tuple[int, int, int, int]]]:
    """Runs (i, j) of pieces i+1..j worth reading as one digit, and each run's box on the grid."""
    n = int(pieces.max())
    ys, xs = np.nonzero(pieces)
    labels = pieces[ys, xs] - 1
    box = np.empty((n, 4), dtype=np.int64)  # x0, y0, x1, y1 of each piece
    for k, values, start, reduce in (
        (0, xs, np.iinfo(np.int64).max, np.minimum),
        (1, ys, np.iinfo(np.int64).max, np.minimum),
        (2, xs + 1, 0, np.maximum),
        (3, ys + 1, 0, np.maximum),
    ):
        box[:, k] = start
        reduce.at(box[:, k], labels, values)
    runs, boxes = [], {}
    for i in range(n):
        for j in range(i + 1, min(n, i + longest) + 1):
            x0, y0 = box[i:j, :2].min(axis=0)
            x1, y1 = box[i:j, 2:].max(axis=0)
            if j > i + 1 and x1 - x0 > MAX_WIDTH * height:
                break  # a single piece is always a run, so a reading always exists
            runs.append((i, j))
            boxes[(i, j)] = (int(x0), int(y0), int(x1), int(y1))
    if (0, n) not in boxes:  # all the ink as one digit, however wide: what /api/predict reads
        runs.append((0, n))
        boxes[(0, n)] = (
            int(box[:, 0].min()),
            int(box[:, 1].min()),
            int(box[:, 2].max()),
            int(box[:, 3].max()),
        )
    return runs, boxes
