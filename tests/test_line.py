"""What the number model says of a reading, and how it groups the pieces (reading/line.py)."""

import numpy as np
import pytest

from reading.ctc import BLANK, CLASSES, NOT_DIGIT
from reading.line import (
    DOUBT,
    LineReading,
    _drawing_x,
    _grouped_reading,
    _groups_by_columns,
    line_says,
)
from reading.pieces import possible_readings
from reading.segment import Candidate


def _found(boxes):
    return [Candidate(box, np.zeros((1, 1), np.float32)) for box in boxes]


def _line(*labels):
    """Column probabilities that read exactly these labels, one column each."""
    return np.eye(CLASSES)[list(labels)]


def test_the_number_model_judges_digit_by_digit_when_it_reads_as_many():
    columns = _line(1, BLANK, NOT_DIGIT, BLANK, 5)  # "1?5"
    found = _found([(0, 0, 10, 30), (10, 0, 10, 30), (20, 0, 10, 30)])
    reading = np.eye(10)[[1, 7, 5]]
    assert line_says(columns, found, reading, (0, 0, 30, 30)) == ["digit", "not_a_digit", "digit"]
    reading = np.eye(10)[[1, 7, 6]]  # it reads a 5 where a 6 was chosen: no word on that one
    assert line_says(columns, found, reading, (0, 0, 30, 30)) == ["digit", "not_a_digit", None]


@pytest.mark.parametrize("doubt", [0.05, 0.3])
def test_the_number_model_does_not_vouch_for_a_digit_it_doubts(doubt):
    """A ring among digits may read as a 0 to the number model too, with some "?" beside it:
    then the not-digit model judges it (None), as it does a digit read otherwise."""
    columns = _line(1, BLANK, BLANK, BLANK, 5)  # "15"
    columns[3, BLANK], columns[3, NOT_DIGIT] = 1 - doubt, doubt  # just left of the 5
    found = _found([(0, 0, 10, 30), (20, 0, 10, 30)])
    says = line_says(columns, found, np.eye(10)[[1, 5]], (0, 0, 30, 30))
    assert says == ["digit", "digit" if doubt < DOUBT else None]


def test_the_number_model_says_nothing_of_one_digit_alone():
    """One digit is left to the not-digit model, as /api/predict leaves it."""
    assert line_says(_line(NOT_DIGIT), _found([(0, 0, 9, 30)]), np.eye(10)[[4]], (0, 0, 9, 30)) == [
        None
    ]


def test_the_number_model_marks_the_digit_where_it_sees_a_non_digit_when_counts_differ():
    whole = (100, 0, 80, 40)  # an 80 x 40 drawing: a 72 px line (56 of ink), 18 columns
    columns = _line(
        *[2 if 3 <= t < 6 else NOT_DIGIT if 11 <= t < 14 else BLANK for t in range(18)]
    )  # "2?"
    middle = _drawing_x(12.5, whole)  # where the "?" columns' middle lands in the drawing
    assert 140 < middle < 170
    found = _found([(100, 0, 30, 40), (140, 0, 30, 40), (170, 0, 10, 40)])
    assert line_says(columns, found, np.eye(10)[[2, 3, 3]], whole) == [None, "not_a_digit", None]


@pytest.mark.parametrize("second", [(6, 7), (9, 10)], ids=["at-the-end", "past-the-end"])
def test_one_piece_is_cut_between_two_digits_the_number_model_sees(second):
    """Touching strokes the skeleton does not split are one piece; where the number model sees
    two digits in it, its ink is cut halfway between them (a digit seen past the ink's end
    counts as at its end), every cell going to one digit."""
    ink = np.zeros((120, 200), np.float32)
    ink[20:100, 60:75] = 1  # an upright bar with a flag: one stroke, one piece
    ink[20:35, 60:110] = 1
    readings = possible_readings(ink)
    assert readings.pieces.max() == 1
    # A 50 x 80 px drawing is an 18 px line: column 3.5 is at x 17, the ink's end at x 50.
    groups = _groups_by_columns([(3, 4), second], readings)
    assert groups is not None and len(groups) == 2
    left, right = (np.nonzero(mask)[1] for mask in groups)
    assert left.min() == 0 and left.max() == 32 and right.min() == 33 and right.max() == 49
    assert not (groups[0] & groups[1]).any()
    assert (groups[0] | groups[1]).sum() == (readings.pieces > 0).sum()


def test_grouped_digits_trust_the_number_model_over_a_sure_digit_model():
    """Groups are cut crudely around where the number model sees each digit: when the digit
    model is sure of another digit on such a cut (a 3 at 0.999 where the line reads an 8 at
    0.9), the number model's reading wins. Where it sees no digit, the digit model's stands."""
    ink = np.zeros((120, 120), np.float32)
    ink[20:100, 20:30] = 1  # two bars: x 20-90 is a 24 px line, 12 columns;
    ink[20:100, 80:90] = 1  # their middles fall in columns 2 and 7
    readings = possible_readings(ink)
    columns = _line(*[BLANK] * 12).astype(np.float32)  # as LiteRT gives them
    columns[2, [8, 3, BLANK]] = 0.9, 0.05, 0.05
    columns[7, [NOT_DIGIT, BLANK]] = 0.95, 0.05  # a "?": no digit at all, yet no NaN

    def classify(inputs):
        sure = np.full((len(inputs), 10), 1e-4)
        sure[0, 3] = sure[1, 1] = 0.999
        return sure

    candidates, _, probabilities = _grouped_reading(columns, readings, classify)
    assert [c.box[0] for c in candidates] == [20, 80]
    assert np.isfinite(probabilities).all()
    assert probabilities.argmax(axis=1).tolist() == [8, 1]


def test_the_line_is_read_as_its_models_find_likeliest_on_average():
    """Two number models: the first reads "17" just, the second "71" surely. The text is the
    reading likelier on average, with the columns of the model that reads it (where each
    digit is seen must match the text); one model alone reads as it reads."""
    first = _line(1, BLANK, 7).astype(np.float32)
    first[0, [1, 7]] = 0.55, 0.45
    first[2, [7, 1]] = 0.55, 0.45
    second = _line(BLANK, 7, 1).astype(np.float32)
    line = LineReading(np.stack([first, second]))
    assert line.text == "71" and np.array_equal(line.columns, second)
    # "71": 0.45 x 0.45 to the first (its only way: 7, blank, 1), certain to the second.
    assert line.likelihood("71") == pytest.approx(np.log(0.45 * 0.45) / 2, abs=1e-4)
    assert LineReading(first).text == "17" and LineReading(first).columns.shape == first.shape
