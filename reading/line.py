"""What the number model (model/number.py), which reads the whole line at once, says of a
reading: it scores each way of cutting the ink by the log probability it gives that reading;
where it is much surer of a reading no cut gives (overlapping digits whose strokes cross), the
pieces are grouped around where it sees each digit instead, and each group is read by the digit
model and the number model together; and it says of each digit found whether it vouches for it.
"""

from collections.abc import Callable

import numpy as np

from reading.ctc import BLANK, NOT_DIGIT, STRIDE, best_path, log_likelihood
from reading.partition import best_partition_reading, partition_score
from reading.pieces import Readings
from reading.preprocess import LINE_PAD, line_ink_width, normalize_ink
from reading.segment import Candidate, crop_cells

LINE_WEIGHT = 1.0  # times the number model's log probability of a partition's digits
# A group's probabilities: the digit model's times the number model's to this power, since the
# digit model can be sure of a wrong digit on a group cut crudely around the number model's.
SEEN_POWER = 8.0
LINE_MARGIN = 4.0  # log probability by which the number model must prefer its own grouping
# The number model vouches for a digit only if its "?" stays below this in the digit's columns
# (and one each side): a doubted digit goes to the not-digit model.
DOUBT = 0.1

# A reading to choose from: its candidates, their 28x28 inputs and their probabilities.
Option = tuple[list[Candidate], np.ndarray, np.ndarray]


class LineReading:
    """What the number model reads in a line: (T, 12) column probabilities, or (M, T, 12) from
    M models trained alike (an ensemble). Each model's likeliest reading is a candidate; the
    text is the one the models find likeliest on average (a reading's likelihood is their
    mean log probability of it), and columns are those of a model that reads it, so that
    where each digit is seen matches the text."""

    def __init__(self, columns: np.ndarray) -> None:
        self.members = columns if columns.ndim == 3 else columns[None]
        texts = [best_path(member) for member in self.members]
        k = 0  # the first model's, when all agree
        if len(set(texts)) > 1:
            scores = [self.likelihood(text) for text in texts]
            k = scores.index(max(scores))  # the first of the likeliest, on a tie
        self.text, self.columns = texts[k], self.members[k]

    def likelihood(self, text: str) -> float:
        """Mean over the models of log P(text | line)."""
        return float(np.mean([log_likelihood(member, text) for member in self.members]))


def follow_line(
    line: LineReading,
    best: tuple[list[Candidate], np.ndarray, np.ndarray, float],
    readings: Readings,
    inputs: np.ndarray,
    probabilities: np.ndarray,
    scores: np.ndarray,
    classify: Callable[..., np.ndarray],
) -> Option:
    """The reading to give once the number model has read the line: the pieces' best
    partition, or their best that reads as the number model does if the two scores together
    prefer it, or the pieces grouped around the number model's digits if it is much surer of
    what those read. best: (candidates, inputs, probabilities, score);
    -> (candidates, inputs, probabilities)."""
    text = line.text

    def likelihood(answers: np.ndarray) -> float:
        return line.likelihood(_digits_of(answers))

    options = [best]
    runs = readings.runs
    agreeing = best_partition_reading(
        runs, scores, readings.boundary, probabilities.argmax(axis=1), text
    )
    if agreeing is not None:
        options.append(
            (
                [readings.candidates[k] for k in agreeing],
                inputs[agreeing],
                probabilities[agreeing],
                partition_score(agreeing, runs, scores, readings.boundary),
            )
        )
    chosen = max(options, key=lambda option: option[3] + LINE_WEIGHT * likelihood(option[2]))
    if _digits_of(chosen[2]) != text:
        grouped = _grouped_reading(line.columns, readings, classify)
        if grouped is not None and likelihood(grouped[2]) > likelihood(chosen[2]) + LINE_MARGIN:
            return grouped
    return chosen[:3]


def _grouped_reading(
    columns: np.ndarray, readings: Readings, classify: Callable[..., np.ndarray]
) -> Option | None:
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
    seen = (
        np.maximum(
            np.array([columns[a:b, :BLANK].sum(axis=0) for a, b in spans], dtype=np.float64), 1e-6
        )
        ** SEEN_POWER
    )
    both = classify(inputs) * seen
    return candidates, inputs, (both / both.sum(axis=1, keepdims=True)).astype(np.float32)


def _column_digits(columns: np.ndarray) -> list[tuple[int, int]]:
    """The columns [a, b) where the number model's likeliest labelling reads each digit (or
    non-digit)."""
    labels = columns.argmax(axis=1)
    starts = np.flatnonzero((labels != BLANK) & np.concatenate(([True], labels[1:] != labels[:-1])))
    return [
        (
            int(a),
            next((t for t in range(a + 1, len(labels)) if labels[t] != labels[a]), len(labels)),
        )
        for a in starts
    ]


def _groups_by_columns(spans: list[tuple[int, int]], readings: Readings) -> list[np.ndarray] | None:
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
    middles = np.bincount(owned, weights=xs, minlength=count) / np.maximum(
        np.bincount(owned, minlength=count), 1
    )
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


def _group_candidates(
    groups: list[np.ndarray], readings: Readings
) -> tuple[list[Candidate], np.ndarray]:
    """Groups of grid cells as Candidates, and their 28x28 inputs."""
    gy0, gx0 = readings.origin
    candidates = []
    for mask in groups:
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        candidates.append(crop_cells(readings.drawing, mask[y0:y1, x0:x1], gy0 + y0, gx0 + x0))
    return candidates, np.stack([normalize_ink(c.ink) for c in candidates])


def line_says(
    columns: np.ndarray,
    found: list[Candidate],
    answers: np.ndarray,
    whole_box: tuple[int, int, int, int],
) -> list[str | None]:
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
        doubts = [
            columns[max(0, a - 1) : b + 1, NOT_DIGIT].max() for a, b in _column_digits(columns)
        ]
        return [
            "digit" if t == d and doubt < DOUBT else "not_a_digit" if t == "?" else None
            for t, d, doubt in zip(text, _digits_of(answers), doubts)
        ]
    labels = columns.argmax(axis=1)
    others = [
        _drawing_x((a + b) / 2, whole_box)
        for a, b in _column_digits(columns)
        if labels[a] == NOT_DIGIT
    ]
    return [
        "not_a_digit" if any(c.box[0] <= o < c.box[0] + c.box[2] for o in others) else None
        for c in found
    ]


def _drawing_x(column: float | np.ndarray, whole_box: tuple[int, int, int, int]) -> np.ndarray:
    """The number model's column (a float, or an array) -> x in the drawing's pixels:
    normalize_line scaled the whole ink's box to the line."""
    x, _, width, height = whole_box
    return x + (np.asarray(column) * STRIDE - LINE_PAD) * width / line_ink_width(width, height)


def _digits_of(answers: np.ndarray) -> str:
    """The digits that rows of probabilities read, as a string."""
    return "".join(str(int(p.argmax())) for p in answers)
