"""Read a whole number by letting the classifiers choose how to split it: over-split, search.

The ink is over-split into pieces, and pieces are merged back by a dynamic programme over runs
of consecutive pieces, each run scored by the classifier (log of its top probability, all runs
in one batch), by the one-digit model if there is one, and by priors for runs too short or too
wide to be one digit. The pieces are the ink's strokes: its skeleton is split into edges at
junctions, every ink cell goes to the nearest edge, and the edges are ordered by their middle
from left to right, so neighbours that overlap or touch come apart along their own strokes,
which a cut from top to bottom would cross; an edge too wide for one digit (a stroke running
on into a touching neighbour) is cut where least-ink paths from top to bottom cross it. Where
the skeleton has too many edges (a scribble), those paths cut all the ink instead, at a cost
per stroke cut. A digit drawn in several strokes is a run of pieces like any other, and a
drawing of one digit is read whole unless cutting it is clearly better. With the number
model (model/sequence.py), which reads the whole line at once, each way of cutting also scores
the log probability it gives that reading; where it is much surer of a reading no cut gives
(overlapping digits whose strokes cross), the pieces are grouped around where it sees each
digit instead, and each group is read by the digit model and the number model together.
When the client sends the strokes in the order drawn, they are the pieces instead
(drawn_pieces): a number is written digit after digit, so where neighbours overlap the order
of the strokes tells whose ink is whose, which no cut can.
numpy, SciPy and scikit-image: the classifiers come in as functions.
"""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from skimage.morphology import skeletonize

from reading.ctc import BLANK, NOT_DIGIT, STRIDE, best_path, log_likelihood
from reading.preprocess import LINE_PAD, line_ink_width, normalize_ink, normalize_line
from reading.segment import (MAX_DIGITS, TooManyDigits, crop_cells, group_parts,
                           label_ink, part_of)
from reading.trace import skeleton_edges

BAND, LEAN = 3, 2  # a cut path leans at most LEAN columns per BAND rows (slanted writing)
SHIFT_COST = 0.05  # in ink cells: among equal paths, the straighter one
SPACING = 0.15  # of a digit's height: nearer cut candidates keep only the cheaper
MAX_CUTS = 3 * MAX_DIGITS  # cut candidates kept at most (the cheapest): bounds the work
MAX_RUN = 6  # pieces between cut paths one digit may be made of
MAX_EDGES = 30  # skeleton edges worth ordering; a scribble's ink is cut by paths instead
MAX_STROKES = 14  # skeleton edges one digit may be made of (bounds the work: 30 x 14 runs)
SPUR = 0.08  # of a digit's height: shorter skeleton branches to a loose end are thinning noise
WIDE_EDGE = 0.7  # of a digit's height: a wider edge runs on into a neighbour, cut by paths
LINK = 0.06  # of a digit's height: shorter links between two junctions are a joint's knot
MAX_WIDTH = 1.3  # of a digit's height: wider runs are not one digit
MAX_STROKE_CELLS = 100_000  # samples along all drawn strokes: a number's strokes need thousands
# Priors, in units of log probability.
DIGIT_COST = 0.0  # each digit read (no better value was found on numbers of seed 1)
STROKE_COST = 0.6  # each stroke a cut goes through: cutting through ink needs a reason
SHORT_BELOW, SHORT_COST = 0.55, 3.0  # a run lower than this share of a digit is a fragment
# For reading all the ink as one digit, so one digit is not cut lightly; not for ink wider
# than WHOLE_BELOW times its height, which is more often two digits touching.
WHOLE_BONUS, WHOLE_BELOW = 0.5, 0.9
WIDE_ABOVE, WIDE_COST = 0.6, 2.0  # a run wider than this share of its height
ONE_DIGIT_WEIGHT = 1.0  # times the log probability that a run is one whole digit
ONE_DIGIT_FLOOR = 0.02  # runs less likely than this to be one digit are not read at all
LINE_WEIGHT = 1.0  # times the number model's log probability of a partition's digits
# A group's probabilities: the digit model's times the number model's to this power. The
# groups are cut around where the number model sees digits, more crudely than the pieces, and
# the digit model can be sure of a wrong digit on such a cut: with 8 (against 2), seeds 1 and 2
# read 497 and 506 of their 560 numbers (491, 503); 4 and 6 read as many or fewer.
SEEN_POWER = 8.0
LINE_MARGIN = 4.0  # log probability by which the number model must prefer its own grouping
# The number model vouches for a digit only if its "?" stays below this in the digit's columns
# (and one each side); a doubted digit goes to the not-digit model. At 0.1, seed 1 reads as
# many numbers (0.02: fewer) and fewer non-digits among digits pass (seed 0: 48 -> 35 of 300).
DOUBT = 0.1


class LineReading:
    """What the number model reads in a line: (T, 12) column probabilities, or (M, T, 12) from
    M models trained alike (an ensemble). Each model's likeliest reading is a candidate; the
    text is the one the models find likeliest on average (a reading's likelihood is their
    mean log probability of it), and columns are those of a model that reads it, so that
    where each digit is seen matches the text."""

    def __init__(self, columns):
        self.members = columns if columns.ndim == 3 else columns[None]
        texts = [best_path(member) for member in self.members]
        k = 0  # the first model's, when all agree
        if len(set(texts)) > 1:
            scores = [self.likelihood(text) for text in texts]
            k = scores.index(max(scores))  # the first of the likeliest, on a tie
        self.text, self.columns = texts[k], self.members[k]

    def likelihood(self, text):
        """Mean over the models of log P(text | line)."""
        return float(np.mean([log_likelihood(member, text) for member in self.members]))


@dataclass
class Readings:
    """Every way worth trying to read a drawing's ink as digits, before the classifier.

    runs[k] = (i, j): pieces i+1..j read as one digit, with its box on the grid and its
    candidate (ink and box in the drawing's pixels); boundary[k - 1]: the cost of reading
    piece k and k + 1 as different digits; height: a digit's height on the grid.
    """

    runs: list
    boxes: dict
    candidates: list
    boundary: np.ndarray
    height: int
    pieces: np.ndarray  # piece number of each grid cell (0: no ink)
    drawing: object  # the Labelled drawing the grid comes from
    origin: tuple  # the grid's first cell (row, column) in the drawing's grid
    drawn: bool = False  # pieces are the strokes as drawn (drawn_pieces), not left to right


def read_digits(ink, classify, max_digits=MAX_DIGITS, one_digit=None, read_line=None,
                strokes=None):
    """Float ink map (H, W), ink = 1 -> Candidates left to right, with .x, .probabilities and
    .line_says (what the number model says of each in its line: _line_says).

    classify((n, 28, 28)) -> (n, 10) probabilities; one_digit((n, 28, 28)) -> (n,)
    probabilities that each piece is exactly one whole digit (model/onedigit.py), or None to
    judge by the classifier alone; read_line((32, W)) -> (T, 12) the number model's column
    probabilities (model/sequence.py), or (M, T, 12) those of each of M number models
    (LineReading), or None to choose without it; strokes: the strokes in the order drawn,
    each an (n, 2) array of x, y in the drawing's pixels, or None (drawn_pieces). Raises
    EmptyDrawing when there is no ink, TooManyDigits when the drawing holds more than
    max_digits (or is a scribble).
    """
    readings = possible_readings(ink, max_digits, strokes)
    candidates, runs, boxes = readings.candidates, readings.runs, readings.boxes
    inputs = np.stack([normalize_ink(c.ink) for c in candidates])
    probabilities = np.full((len(runs), 10), 0.1, dtype=np.float32)
    # The digit model reads only the runs the one-digit model does not rule out (and every
    # single piece, so that a reading always exists): it costs several times more per run.
    asked = np.ones(len(runs), dtype=bool)
    one = None
    if one_digit is not None:
        one = one_digit(inputs)
        asked = (one >= ONE_DIGIT_FLOOR) | np.array([j == i + 1 for i, j in runs])
    probabilities[asked] = classify(inputs[asked])
    scores = _scores(probabilities, runs, boxes, readings.height)
    if one is not None:
        scores += ONE_DIGIT_WEIGHT * np.log(np.maximum(one, 1e-6))
        scores[~asked] = -np.inf
    whole = (0, len(readings.boundary) + 1)  # all the ink as one digit: always a run (_runs)
    if _aspect(boxes[whole], readings.height) <= WHOLE_BELOW:
        scores[runs.index(whole)] += WHOLE_BONUS
    chosen = _best_partition(runs, scores, readings.boundary)
    found, xs, answers = [candidates[k] for k in chosen], inputs[chosen], probabilities[chosen]
    says = [None] * len(found)
    if read_line is not None:
        line = LineReading(read_line(normalize_line(candidates[runs.index(whole)].ink)))
        found, xs, answers = _follow_line(line, (found, xs, answers, _partition_score(
            chosen, runs, scores, readings.boundary)), readings, inputs, probabilities, scores,
            classify)
        says = _line_says(line.columns, found, answers, candidates[runs.index(whole)].box)
    if readings.drawn:  # pieces in the order drawn: the digits are given left to right
        order = np.argsort([c.box[0] + c.box[2] / 2 for c in found], kind="stable")
        found, xs, answers = [found[k] for k in order], xs[order], answers[order]
        says = [says[k] for k in order]
    if len(found) > max_digits:
        raise TooManyDigits(f"The drawing splits into {len(found)} digits; "
                            f"at most {max_digits} are read at once.")
    for candidate, x, answer, said in zip(found, xs, answers, says):
        candidate.x, candidate.probabilities, candidate.line_says = x, answer, said
    return found


def possible_readings(ink, max_digits=MAX_DIGITS, strokes=None):
    """Over-cut the ink (by the strokes as drawn, if given) and list the runs of pieces worth
    reading as one digit: Readings."""
    drawing = label_ink(ink, max_digits)
    # Pieces apart in their columns are surely different digits: too many costs nothing.
    columns = len(group_parts([part_of(drawing, i) for i in drawing.kept]))
    if columns > max_digits:
        raise TooManyDigits(f"The drawing splits into {columns} digits; "
                            f"at most {max_digits} are read at once.")
    kept = np.isin(drawing.labels, drawing.kept + 1)
    rows, cols = np.flatnonzero(kept.any(axis=1)), np.flatnonzero(kept.any(axis=0))
    gy0, gx0 = rows[0], cols[0]
    grid = kept[gy0 : rows[-1] + 1, gx0 : cols[-1] + 1]
    height = drawing.tallest
    pieces = None
    if strokes:
        pieces, boundary = drawn_pieces(grid, strokes, drawing.step, (gy0, gx0), height)
    drawn = pieces is not None
    if not drawn:
        pieces, boundary = stroke_pieces(grid, height)
    longest = MAX_STROKES
    if pieces is None:  # a scribble: cut from top to bottom
        paths, crossed = cut_paths(grid, max(1, round(SPACING * height)))
        pieces, boundary = _pieces(grid, paths, STROKE_COST * crossed / _stroke_width(grid))
        longest = MAX_RUN
    runs, boxes = _runs(pieces, height, longest)
    candidates = []
    for i, j in runs:
        x0, y0, x1, y1 = boxes[(i, j)]
        mine = (pieces[y0:y1, x0:x1] > i) & (pieces[y0:y1, x0:x1] <= j)
        candidates.append(crop_cells(drawing, mine, gy0 + y0, gx0 + x0))
    return Readings(runs, boxes, candidates, boundary, height, pieces, drawing, (gy0, gx0),
                    drawn)


def drawn_pieces(grid, strokes, step, origin, height):
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
    nearest = ndimage.distance_transform_edt(drawn < 0, return_distances=False,
                                             return_indices=True)
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


def _stroke_cells(points, step, origin, shape, budget):
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


def stroke_pieces(grid, height):
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
    nearest = ndimage.distance_transform_edt(edge_of < 0, return_distances=False,
                                             return_indices=True)
    owner = np.full(grid.shape, -1, dtype=np.int64)
    owner[grid] = edge_of[nearest[0][grid], nearest[1][grid]]
    spans = np.array([np.ptp([c for _, c in edge]) for edge in edges])
    wide = np.flatnonzero(spans > WIDE_EDGE * height)
    if wide.size:  # a stroke running on from one digit into the next: cut it where paths do
        paths, crossed = cut_paths(grid, max(1, round(SPACING * height)))
        slices, _ = _pieces(grid, paths, crossed)
        count = len(edges)
        for k in wide:
            cells = owner == k
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
    # Splitting at a junction is free: charging for it (0.25 to 1 per junction split) read
    # fewer numbers of seed 1 (62.3 % -> 62.0 to 58.2 %).
    boundary = np.zeros(max(0, used.size - 1))
    return piece.astype(np.int32), boundary


def _middles(owner, where):
    """Mean column of the cells `where` of each owner number (NaN for an owner with none)."""
    ys, xs = np.nonzero(where)
    on = owner[ys, xs]
    counts = np.bincount(on, minlength=owner.max() + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(on, weights=xs, minlength=counts.size) / counts


def cut_paths(grid, spacing):
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
    paths, crossed = [], []
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
    kept = []
    for k in np.argsort(crossed, kind="stable"):
        if len(kept) < MAX_CUTS and all(np.abs(paths[k] - paths[m]).mean() >= spacing
                                        for m in kept):
            kept.append(k)
    kept.sort(key=lambda k: paths[k].mean())
    xs = np.array([paths[k] for k in kept], dtype=np.int64).reshape(len(kept), bands)
    return np.repeat(xs, BAND, axis=1)[:, :height], np.array([crossed[k] for k in kept])


def _sweep(cost):
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


def _minima(values, spacing):
    """Columns where values is lowest within +-spacing (the middle of a flat stretch)."""
    padded = np.pad(values, spacing, constant_values=np.inf)
    lowest = np.lib.stride_tricks.sliding_window_view(padded, 2 * spacing + 1).min(axis=1)
    at = np.flatnonzero(values <= lowest + 1e-4)
    if at.size == 0:
        return at
    # A flat gap gives a stretch of neighbouring minima: keep its middle.
    stretches = np.split(at, np.flatnonzero(np.diff(at) > 1) + 1)
    return np.array([s[len(s) // 2] for s in stretches], dtype=np.int64)


def _stroke_width(grid):
    """The pen's width in grid cells: the median length of the ink's runs, across rows or
    down columns, whichever is shorter (runs along a stroke are long)."""
    medians = []
    for cells in (grid, grid.T):
        edges = np.diff(np.pad(cells.astype(np.int8), ((0, 0), (1, 1))), axis=1)
        medians.append(np.median(np.nonzero(edges == -1)[1] - np.nonzero(edges == 1)[1]))
    return max(1.0, float(min(medians)))


def _pieces(grid, paths, strokes):
    """Piece number (1, 2, ... left to right; 0 = no ink) of each cell, and the cost of the
    strokes cut between piece k and k + 1 (boundary[k - 1], `strokes` per path)."""
    ys, xs = np.nonzero(grid)
    piece = (xs[None, :] >= paths[:, ys]).sum(axis=0)  # paths to the left of each cell
    used, piece = np.unique(piece, return_inverse=True)
    # Between two neighbouring pieces lie the paths from the left one's up to the right one's.
    boundary = np.array([strokes[a:b].min() for a, b in zip(used[:-1], used[1:])])
    pieces = np.zeros(grid.shape, dtype=np.int32)
    pieces[ys, xs] = piece + 1
    return pieces, boundary


def _runs(pieces, height, longest):
    """Runs (i, j) of pieces i+1..j worth reading as one digit, and each run's box on the grid."""
    n = int(pieces.max())
    ys, xs = np.nonzero(pieces)
    labels = pieces[ys, xs] - 1
    box = np.empty((n, 4), dtype=np.int64)  # x0, y0, x1, y1 of each piece
    for k, values, start, reduce in ((0, xs, np.iinfo(np.int64).max, np.minimum),
                                     (1, ys, np.iinfo(np.int64).max, np.minimum),
                                     (2, xs + 1, 0, np.maximum), (3, ys + 1, 0, np.maximum)):
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
        boxes[(0, n)] = (int(box[:, 0].min()), int(box[:, 1].min()), int(box[:, 2].max()),
                         int(box[:, 3].max()))
    return runs, boxes


def _scores(probabilities, runs, boxes, height):
    """Each run's score as one digit: the classifier's log confidence, less the priors."""
    shape = np.array([boxes[run] for run in runs], dtype=np.float64).T
    tall = (shape[3] - shape[1]) / height
    # Two digits read as one are about twice as wide as a digit.
    wide = _aspect(shape, height)
    return (np.log(np.maximum(probabilities.max(axis=1), 1e-9)) - DIGIT_COST
            - SHORT_COST * np.maximum(0.0, SHORT_BELOW - tall)
            - WIDE_COST * np.maximum(0.0, wide - WIDE_ABOVE))


def _aspect(box, height):
    """Width / height of boxes (x0, y0, x1, y1), a fragment's height counted as SHORT_BELOW."""
    return (box[2] - box[0]) / np.maximum(box[3] - box[1], SHORT_BELOW * height)


def _best_partition(runs, scores, boundary):
    """Indices of the runs covering all pieces with the highest total score, left to right."""
    n = max(j for _, j in runs)
    best = np.full(n + 1, -np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=np.int64)
    for k, (i, j) in sorted(enumerate(runs), key=lambda item: item[1][1]):
        total = best[i] + scores[k] - (boundary[i - 1] if i else 0.0)
        if total > best[j]:
            best[j], back[j] = total, k
    chosen, j = [], n
    while j > 0:
        chosen.append(int(back[j]))
        j = runs[back[j]][0]
    return chosen[::-1]


def _grouped_reading(columns, readings, classify):
    """The pieces grouped around where the number model sees each digit, each group's
    probabilities those of the digit model and the number model's together:
    (candidates, inputs, probabilities), or None when it sees fewer than two digits or some
    digit gets no ink."""
    spans = _column_digits(columns)
    groups = _groups_by_columns(spans, readings)
    if groups is None or len(groups) < 2:
        return None
    candidates, inputs = _group_candidates(groups, readings)
    # Floored, and in float64: a probability that underflowed to 0 (or its power, in float32)
    # must not zero the product for every digit.
    seen = np.maximum(np.array([columns[a:b, :BLANK].sum(axis=0) for a, b in spans],
                               dtype=np.float64), 1e-6) ** SEEN_POWER
    both = classify(inputs) * seen
    return candidates, inputs, (both / both.sum(axis=1, keepdims=True)).astype(np.float32)


def _column_digits(columns):
    """The columns [a, b) where the number model's likeliest labelling reads each digit (or
    non-digit)."""
    labels = columns.argmax(axis=1)
    starts = np.flatnonzero((labels != BLANK) & np.concatenate(
        ([True], labels[1:] != labels[:-1])))
    return [(a, next((t for t in range(a + 1, len(labels)) if labels[t] != labels[a]),
                     len(labels))) for a in starts]


def _groups_by_columns(spans, readings):
    """Each piece given to the digit the number model sees nearest its ink's middle (or, when
    some digit would get none, each ink cell): a list of boolean grid masks, left to right;
    None when some digit still gets no ink."""
    if not spans:
        return None
    whole = readings.candidates[readings.runs.index((0, len(readings.boundary) + 1))]
    step, (_, gx0) = readings.drawing.step, readings.origin
    centres = _drawing_x(np.array([(a + b) / 2 for a, b in spans]), whole.box) / step - gx0
    pieces = readings.pieces
    count = int(pieces.max())
    _, xs = np.nonzero(pieces)
    owned = pieces[pieces > 0] - 1
    middles = (np.bincount(owned, weights=xs, minlength=count)
               / np.maximum(np.bincount(owned, minlength=count), 1))
    owner = np.abs(middles[:, None] - centres[None, :]).argmin(axis=1)
    if np.unique(owner).size == centres.size:
        return [np.isin(pieces, np.flatnonzero(owner == k) + 1) for k in range(centres.size)]
    # Fewer pieces than digits seen (touching strokes the skeleton did not split): the ink
    # itself is cut halfway between the digits, each cell to the nearest. The number model
    # may see the last digit a column or two past the ink's end: it counts as at the end.
    ys, xs = np.nonzero(pieces)
    centres = np.clip(centres, xs.min(), xs.max())  # left to right, as the spans are
    nearest = np.searchsorted((centres[:-1] + centres[1:]) / 2, xs)  # no cells x digits table
    if np.unique(nearest).size < centres.size:
        return None
    groups = [np.zeros(pieces.shape, dtype=bool) for _ in range(centres.size)]
    for k, mask in enumerate(groups):
        mask[ys[nearest == k], xs[nearest == k]] = True
    return groups


def _group_candidates(groups, readings):
    """Groups of grid cells as Candidates, and their 28x28 inputs."""
    gy0, gx0 = readings.origin
    candidates = []
    for mask in groups:
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        candidates.append(crop_cells(readings.drawing, mask[y0:y1, x0:x1], gy0 + y0, gx0 + x0))
    return candidates, np.stack([normalize_ink(c.ink) for c in candidates])


def _follow_line(line, best, readings, inputs, probabilities, scores, classify):
    """The reading to give once the number model has read the line: the pieces' best
    partition, or their best that reads as the number model does if the two scores together
    prefer it, or the pieces grouped around the number model's digits if it is much surer of
    what those read. best: (candidates, inputs, probabilities, score);
    -> (candidates, inputs, probabilities)."""
    text = line.text

    def likelihood(answers):
        return line.likelihood(_digits_of(answers))

    options = [best]
    runs = readings.runs
    agreeing = _best_partition_reading(runs, scores, readings.boundary,
                                       probabilities.argmax(axis=1), text)
    if agreeing is not None:
        options.append(([readings.candidates[k] for k in agreeing], inputs[agreeing],
                        probabilities[agreeing],
                        _partition_score(agreeing, runs, scores, readings.boundary)))
    chosen = max(options, key=lambda option: option[3] + LINE_WEIGHT * likelihood(option[2]))
    if _digits_of(chosen[2]) != text:
        grouped = _grouped_reading(line.columns, readings, classify)
        if grouped is not None and likelihood(grouped[2]) > likelihood(chosen[2]) + LINE_MARGIN:
            return grouped
    return chosen[:3]


def _line_says(columns, found, answers, whole_box):
    """What the number model says of each digit found in its line. When it reads as many
    symbols as were found: "digit" where it reads the same digit with little doubt (DOUBT),
    "not_a_digit" where it reads "?", None where it reads another digit or doubts. Otherwise
    "not_a_digit" where the middle of the columns where it sees a "?" falls in the digit's
    box, else None. One digit alone: None,
    so that the not-digit model judges it as /api/predict does."""
    if len(found) < 2:
        return [None] * len(found)
    text = best_path(columns)
    if len(text) == len(found):  # digit by digit: the same digit, "?", or another digit
        doubts = [columns[max(0, a - 1) : b + 1, NOT_DIGIT].max()
                  for a, b in _column_digits(columns)]
        return ["digit" if t == d and doubt < DOUBT else "not_a_digit" if t == "?" else None
                for t, d, doubt in zip(text, _digits_of(answers), doubts)]
    labels = columns.argmax(axis=1)
    others = [_drawing_x((a + b) / 2, whole_box)
              for a, b in _column_digits(columns) if labels[a] == NOT_DIGIT]
    return ["not_a_digit" if any(c.box[0] <= o < c.box[0] + c.box[2] for o in others)
            else None for c in found]


def _drawing_x(column, whole_box):
    """The number model's column (a float, or an array) -> x in the drawing's pixels:
    normalize_line scaled the whole ink's box to the line."""
    x, _, width, height = whole_box
    return x + (np.asarray(column) * STRIDE - LINE_PAD) * width / line_ink_width(width, height)


def _digits_of(answers):
    """The digits that rows of probabilities read, as a string."""
    return "".join(str(int(p.argmax())) for p in answers)


def _partition_score(chosen, runs, scores, boundary):
    return sum(scores[k] - (boundary[runs[k][0] - 1] if runs[k][0] else 0.0) for k in chosen)


def _best_partition_reading(runs, scores, boundary, digits, text):
    """Like _best_partition, among the partitions whose runs read `text` (digits[k]: what run
    k reads); None when none does."""
    n, length = max(j for _, j in runs), len(text)
    if length == 0:
        return None
    best = np.full((n + 1, length + 1), -np.inf)
    best[0, 0] = 0.0
    back = {}
    for k, (i, j) in sorted(enumerate(runs), key=lambda item: item[1][1]):
        cost = scores[k] - (boundary[i - 1] if i else 0.0)
        for m in np.flatnonzero([ch == str(digits[k]) for ch in text]):  # "?" matches none
            if best[i, m] + cost > best[j, m + 1]:
                best[j, m + 1], back[(j, m + 1)] = best[i, m] + cost, k
    if not np.isfinite(best[n, length]):
        return None
    chosen, j, m = [], n, length
    while j > 0:
        k = back[(j, m)]
        chosen.append(int(k))
        j, m = runs[k][0], m - 1
    return chosen[::-1]
