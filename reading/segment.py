"""A drawing's ink labelled into connected pieces, and the digit candidates cut from it.

Connected ink is labelled on a grid small enough to label fast and specks are dropped;
pieces that share their columns (a 5's flag, a 4 drawn in two strokes) are grouped, which
bounds how many digits a drawing can hold. A candidate is the ink under some grid cells,
ready for preprocess.normalize_ink. Pure numpy: the server, the benchmarks and training may
all use it.
"""

from dataclasses import dataclass

import numpy as np

from reading.preprocess import EMPTY_MESSAGE, INK_THRESHOLD, EmptyDrawing

MAX_DIGITS = 20  # a reply never holds more digits; a scribble cannot cost more than this many
MAX_PARTS = 100  # connected pieces worth grouping; more is a scribble, not a number
LABEL_SIDE = 300  # larger drawings are labelled on a grid shrunk to about this side
SPECK = 0.2  # ink whose box is smaller than this share of the tallest piece's height is noise
OVERLAP = 0.5  # pieces sharing this share of the narrower one's columns belong to one digit


class TooManyDigits(ValueError):
    """The drawing splits into more candidates than a reply may hold."""


@dataclass
class Candidate:
    """One digit's ink: box = (x, y, width, height) in the drawing's pixels, ink = that crop.

    x and probabilities: the model's input and answer, when a classifier chose the split;
    line_says: what the number model says of it in its line (reading/line.py):
    "digit", "not_a_digit", or None when it says nothing sure.
    """

    box: tuple[int, int, int, int]
    ink: np.ndarray
    x: np.ndarray | None = None
    probabilities: np.ndarray | None = None
    line_says: str | None = None


@dataclass
class Part:
    """Columns [x0, x1) of one connected component (label) on the labelling grid."""

    label: int
    x0: int
    x1: int


@dataclass
class Labelled:
    """A drawing's ink labelled on a grid of step x step pixel cells, specks dropped."""

    ink: np.ndarray  # the drawing's float ink, ink = 1
    binary: np.ndarray  # ink above the noise threshold, in the drawing's pixels
    step: int
    labels: np.ndarray  # label image on the grid, 0 = background
    boxes: np.ndarray  # boxes[i] = (x0, y0, x1, y1) of label i + 1, on the grid
    kept: np.ndarray  # indices of the labels that are not specks
    tallest: int  # height of the tallest piece, on the grid: about a digit's height


def label_ink(ink: np.ndarray, max_digits: int = MAX_DIGITS) -> Labelled:
    """Float ink map (H, W) -> Labelled; EmptyDrawing without ink, TooManyDigits for a scribble."""
    ink = np.asarray(ink, dtype=np.float32)
    binary = ink > INK_THRESHOLD
    if not binary.any():
        raise EmptyDrawing(EMPTY_MESSAGE)
    step = -(-max(binary.shape) // LABEL_SIDE)  # ceil: labelling grid cell in pixels
    labels, boxes = _components(_shrink(binary, step))
    heights, widths = boxes[:, 3] - boxes[:, 1], boxes[:, 2] - boxes[:, 0]
    tallest = int(heights.max())
    kept = np.flatnonzero(np.maximum(heights, widths) >= SPECK * tallest)
    if kept.size > MAX_PARTS:
        raise TooManyDigits(
            f"The drawing has {kept.size} separate pieces of ink; "
            f"a number of at most {max_digits} digits was expected."
        )
    return Labelled(ink, binary, step, labels, boxes, kept, tallest)


def part_of(drawing: Labelled, i: int) -> Part:
    """The whole of kept label i as a Part (its full columns)."""
    x0, _, x1, _ = drawing.boxes[i]
    return Part(int(i) + 1, int(x0), int(x1))


def _shrink(binary: np.ndarray, step: int) -> np.ndarray:
    """Any ink in each step x step cell: a small grid that labels fast."""
    if step == 1:
        return binary
    height, width = binary.shape
    padded = np.zeros((-(-height // step) * step, -(-width // step) * step), dtype=bool)
    padded[:height, :width] = binary
    return np.asarray(padded.reshape(padded.shape[0] // step, step, -1, step).any(axis=(1, 3)))


def _components(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """8-connected components: (label image, 0 = background; boxes (n, 4) as x0, y0, x1, y1).

    Works on horizontal runs of ink: runs in adjacent rows that touch are joined by
    propagating the smallest run index over them, all in numpy, so noise costs little.
    """
    height, width = grid.shape
    edges = np.diff(np.pad(grid.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    rows, starts = np.nonzero(edges == 1)
    ends = np.nonzero(edges == -1)[1]  # exclusive; same row-major order as the starts
    key = width + 2  # orders runs by row, then column, in one number
    # Runs of the next row touching run r: their end >= r's start, their start <= r's end.
    first = np.searchsorted((rows * key + ends), (rows + 1) * key + starts, side="left")
    last = np.searchsorted((rows * key + starts), (rows + 1) * key + ends, side="right")
    counts = np.maximum(last - first, 0)
    a = np.repeat(np.arange(rows.size), counts)
    b = (
        np.repeat(first, counts)
        + np.arange(counts.sum())
        - np.repeat(np.cumsum(counts) - counts, counts)
    )
    run_label = np.arange(rows.size)
    while True:
        lowest = np.minimum(run_label[a], run_label[b])
        joined = run_label.copy()
        np.minimum.at(joined, a, lowest)
        np.minimum.at(joined, b, lowest)
        joined = joined[joined]  # jump to the label's own label: fewer rounds
        if np.array_equal(joined, run_label):
            break
        run_label = joined
    roots, run_label = np.unique(run_label, return_inverse=True)
    n = roots.size
    boxes = np.empty((n, 4), dtype=np.int64)
    boxes[:, 0] = np.full(n, width)
    np.minimum.at(boxes[:, 0], run_label, starts)
    boxes[:, 1] = np.full(n, height)
    np.minimum.at(boxes[:, 1], run_label, rows)
    boxes[:, 2:] = 0
    np.maximum.at(boxes[:, 2], run_label, ends)
    np.maximum.at(boxes[:, 3], run_label, rows + 1)
    labels = np.zeros(grid.shape, dtype=np.int32)
    labels[grid] = np.repeat(run_label + 1, ends - starts)  # runs are row-major, as the pixels
    return labels, boxes


def group_parts(parts: list[Part]) -> list[list[Part]]:
    """Parts whose columns overlap enough are one digit: lists of parts."""
    x0 = np.array([p.x0 for p in parts])
    x1 = np.array([p.x1 for p in parts])
    overlap = np.minimum(x1[:, None], x1) - np.maximum(x0[:, None], x0)
    narrower = np.minimum((x1 - x0)[:, None], x1 - x0)
    together = overlap >= OVERLAP * narrower
    group = np.arange(len(parts))
    for i, j in zip(*np.nonzero(np.triu(together, 1))):
        old, new = sorted((group[i], group[j]))[::-1]
        group[group == old] = new
    return [[parts[k] for k in np.flatnonzero(group == g)] for g in np.unique(group)]


def crop_cells(drawing: Labelled, mine: np.ndarray, gy0: int, gx0: int) -> Candidate:
    """A Candidate of the ink under the grid cells `mine` (its corner at grid cell gy0, gx0)."""
    step = drawing.step
    # Back to the drawing's pixels: each grid cell covers step x step of them.
    mask = mine if step == 1 else np.repeat(np.repeat(mine, step, axis=0), step, axis=1)
    top, left = gy0 * step, gx0 * step
    window = drawing.binary[top : top + mask.shape[0], left : left + mask.shape[1]]
    mask = mask[: window.shape[0], : window.shape[1]] & window
    ys, xs = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
    ink = drawing.ink[top + y0 : top + y1, left + x0 : left + x1]
    crop = np.where(mask[y0:y1, x0:x1], ink, 0.0)
    return Candidate(
        (int(left + x0), int(top + y0), int(x1 - x0), int(y1 - y0)), crop.astype(np.float32)
    )
