"""Read a whole number by letting the classifiers choose how to split it: over-split, search.

The ink is over-split into pieces (reading/pieces.py), and pieces are merged back by a dynamic
programme over runs of consecutive pieces (reading/partition.py), each run scored by the
classifier (log of its top probability, all runs in one batch), by the one-digit model if there
is one, and by priors for runs too short or too wide to be one digit. A digit drawn in several
strokes is a run of pieces like any other, and a drawing of one digit is read whole unless
cutting it is clearly better. With the number model, which reads the whole line at once, its
reading weighs in too (reading/line.py).
numpy, SciPy and scikit-image: the classifiers come in as functions.
"""

from collections.abc import Callable

import numpy as np

from reading.line import LineReading, follow_line, line_says
from reading.partition import best_partition, partition_score
from reading.pieces import possible_readings
from reading.preprocess import normalize_ink, normalize_line
from reading.segment import MAX_DIGITS, Candidate, TooManyDigits

# Priors, in units of log probability.
DIGIT_COST = 0.0  # each digit read (no better value was found on numbers of seed 1)
SHORT_BELOW, SHORT_COST = 0.55, 3.0  # a run lower than this share of a digit is a fragment
# For reading all the ink as one digit, so one digit is not cut lightly; not for ink wider
# than WHOLE_BELOW times its height, which is more often two digits touching.
WHOLE_BONUS, WHOLE_BELOW = 0.5, 0.9
WIDE_ABOVE, WIDE_COST = 0.6, 2.0  # a run wider than this share of its height
ONE_DIGIT_WEIGHT = 1.0  # times the log probability that a run is one whole digit
ONE_DIGIT_FLOOR = 0.02  # runs less likely than this to be one digit are not read at all


def read_digits(
    ink: np.ndarray,
    classify: Callable[..., np.ndarray],
    max_digits: int = MAX_DIGITS,
    one_digit: Callable[..., np.ndarray] | None = None,
    read_line: Callable[..., np.ndarray] | None = None,
    strokes: list[np.ndarray] | None = None,
) -> list[Candidate]:
    """Float ink map (H, W), ink = 1 -> Candidates left to right, with .x, .probabilities and
    .line_says (what the number model says of each in its line: line.line_says).

    classify((n, 28, 28)) -> (n, 10) probabilities; one_digit((n, 28, 28)) -> (n,)
    probabilities that each piece is exactly one whole digit (model/onedigit.py), or None to
    judge by the classifier alone; read_line((32, W)) -> (T, 12) the number model's column
    probabilities (model/number.py), or (M, T, 12) those of each of M number models
    (LineReading), or None to choose without it; strokes: the strokes in the order drawn,
    each an (n, 2) array of x, y in the drawing's pixels, or None (pieces.drawn_pieces).
    Raises EmptyDrawing when there is no ink, TooManyDigits when the drawing holds more than
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
    whole = (0, len(readings.boundary) + 1)  # all the ink as one digit: always a run (pieces._runs)
    if _aspect(boxes[whole], readings.height) <= WHOLE_BELOW:
        scores[runs.index(whole)] += WHOLE_BONUS
    chosen = best_partition(runs, scores, readings.boundary)
    found, xs, answers = [candidates[k] for k in chosen], inputs[chosen], probabilities[chosen]
    says: list[str | None] = [None] * len(found)
    if read_line is not None:
        line = LineReading(read_line(normalize_line(candidates[runs.index(whole)].ink)))
        found, xs, answers = follow_line(
            line,
            (found, xs, answers, partition_score(chosen, runs, scores, readings.boundary)),
            readings,
            inputs,
            probabilities,
            scores,
            classify,
        )
        says = line_says(line.columns, found, answers, candidates[runs.index(whole)].box)
    if readings.drawn:  # pieces in the order drawn: the digits are given left to right
        order = np.argsort([c.box[0] + c.box[2] / 2 for c in found], kind="stable")
        found, xs, answers = [found[k] for k in order], xs[order], answers[order]
        says = [says[k] for k in order]
    if len(found) > max_digits:
        raise TooManyDigits(
            f"The drawing splits into {len(found)} digits; at most {max_digits} are read at once."
        )
    for candidate, x, answer, said in zip(found, xs, answers, says):
        candidate.x, candidate.probabilities, candidate.line_says = x, answer, said
    return found


def _scores(
    probabilities: np.ndarray,
    runs: list[tuple[int, int]],
    boxes: dict[tuple[int, int], tuple[int, int, int, int]],
    height: int,
) -> np.ndarray:
    """Each run's score as one digit: the classifier's log confidence, less the priors."""
    shape = np.array([boxes[run] for run in runs], dtype=np.float64).T
    tall = (shape[3] - shape[1]) / height
    # Two digits read as one are about twice as wide as a digit.
    wide = _aspect(shape, height)
    return (
        np.log(np.maximum(probabilities.max(axis=1), 1e-9))
        - DIGIT_COST
        - SHORT_COST * np.maximum(0.0, SHORT_BELOW - tall)
        - WIDE_COST * np.maximum(0.0, wide - WIDE_ABOVE)
    )


def _aspect(box: tuple[int, ...] | np.ndarray, height: int) -> float | np.ndarray:
    """Width / height of boxes (x0, y0, x1, y1), a fragment's height counted as SHORT_BELOW."""
    return (box[2] - box[0]) / np.maximum(box[3] - box[1], SHORT_BELOW * height)
