"""Reading a number by letting the classifier choose the cuts (reading/search.py)."""

import numpy as np
import pytest

from drawing import draw_digit, side_by_side
from reading.preprocess import ink_map, normalize_ink, preprocess_image
from reading.ctc import BLANK, CLASSES, NOT_DIGIT
from reading.segment import MAX_DIGITS, Candidate, TooManyDigits, split_digits
from reading.search import (DOUBT, MAX_CUTS, MAX_EDGES, MAX_RUN, MAX_STROKES, _drawing_x,
                                  LineReading, _grouped_reading, _groups_by_columns,
                                  _line_says, possible_readings, read_digits)
from strokes import DIGIT_STROKES
from test_segment import centres, ink_of, pieces


@pytest.fixture(scope="module")
def classify(app):
    """The shipped model's predict_many, counting the batches it is asked for; .one_digit is
    the shipped one-digit model, which the server's reader weighs too."""
    classifier = app.extensions["classifier"]

    def predict_many(images):
        predict_many.batches.append(len(images))
        return classifier.predict_many(images)

    predict_many.batches = []
    predict_many.one_digit = classifier.judge.probabilities
    return predict_many


def read(ink, classify, **options):
    """The number as the server reads it: digit model and one-digit model."""
    return read_digits(ink, classify, one_digit=classify.one_digit, **options)


def digits_read(candidates):
    return "".join(str(int(np.argmax(c.probabilities))) for c in candidates)


def leaning(digit, slant=0.5):
    """A digit's strokes slanted to the right, as fast handwriting leans."""
    return [[(x + slant * (0.5 - y), y) for x, y in stroke] for stroke in DIGIT_STROKES[digit]]


@pytest.mark.parametrize("digit", range(10))
def test_search_one_digit_is_read_whole_as_predict_reads_it(classify, digit):
    image = draw_digit(DIGIT_STROKES[digit])
    (candidate,) = read(ink_map(image), classify)
    np.testing.assert_array_equal(candidate.x, preprocess_image(image))


@pytest.mark.parametrize("stretch", [1.6, 2.5, 3.0])
@pytest.mark.parametrize("digit", [0, 2, 3, 4, 5, 6, 7, 9])
def test_search_keeps_a_wide_digit_whole(classify, digit, stretch):
    """Up to 1.6 times wider than tall. The old splitter's judge cut such digits when the
    halves read well; and all the ink must stay a candidate however wide, as /api/predict
    reads it (runs wider than MAX_WIDTH once were never read whole: "23", "47", "77")."""
    wide = [[(0.25 + 0.3 * (0.5 + stretch * (x - 0.5)), 0.3 + 0.4 * y) for x, y in stroke]
            for stroke in DIGIT_STROKES[digit]]
    ink = ink_of(wide)
    (candidate,) = read(ink, classify)
    assert digits_read([candidate]) == str(digit)
    np.testing.assert_array_equal(candidate.x, normalize_ink(ink))


@pytest.mark.parametrize("digits", [[2, 3, 5], [3, 8, 5]])
def test_search_cuts_touching_digits_where_they_meet(classify, digits):
    ink = ink_of(side_by_side(digits, DIGIT_STROKES, width=0.25, height=0.3, step=0.14), width=6)
    assert pieces(ink) < len(digits), "the test drawing should have touching digits"
    candidates = read(ink, classify)
    assert digits_read(candidates) == "".join(map(str, digits))
    for i, x in enumerate(centres(candidates)):
        assert abs(x - (0.05 + 0.14 * i + 0.125) * 280) < 0.3 * 0.14 * 280


def test_search_separates_slanted_neighbours_that_share_columns(classify):
    strokes = side_by_side([7, 4], {7: leaning(7), 4: leaning(4)}, width=0.2, step=0.11)
    ink = ink_of(strokes)
    assert pieces(ink) == 2, "the digits should not touch"
    assert len(split_digits(ink)) == 1, "their columns should overlap (straight cuts fail)"
    assert digits_read(read(ink, classify)) == "74"


@pytest.mark.parametrize("digits", [
    [7, 2],
    [6, 3],  # read as an 8 before the one-digit model
    [5, 9],
])
def test_search_reads_an_overlapping_pair(classify, digits):
    # (Most overlapping pairs are still read as one digit: see docs/experiments/reading-numbers.md.)
    strokes = side_by_side(digits, DIGIT_STROKES, width=0.25, height=0.35, step=0.12)
    ink = ink_of(strokes, width=5)
    first = len(DIGIT_STROKES[digits[0]])
    left, right = (np.concatenate(part)[:, 0] for part in (strokes[:first], strokes[first:]))
    assert left.max() > right.min(), "the pair's boxes should overlap"
    assert len(split_digits(ink)) == 1, "straight cuts should fail here"
    assert digits_read(read(ink, classify)) == "".join(map(str, digits))


def test_search_asks_the_classifier_once_and_boundedly(classify):
    strokes = side_by_side([2, 0, 2, 6], DIGIT_STROKES, step=0.23)
    classify.batches.clear()
    assert digits_read(read(ink_of(strokes), classify)) == "2026"
    assert len(classify.batches) == 1 and classify.batches[0] <= 60


def test_search_bounds_the_work_for_a_scribble(classify):
    rng = np.random.default_rng(3)
    walk = np.cumsum(rng.normal(0, 0.03, size=(400, 2)), axis=0)
    scribble = [list(map(tuple, 0.5 + 0.4 * walk / np.abs(walk).max()))]
    classify.batches.clear()
    try:
        read(ink_of(scribble, size=1080, width=12), classify)
    except TooManyDigits:
        pass
    # Runs of skeleton edges, or of the pieces between cuts when the edges are too many.
    assert sum(classify.batches) <= max(MAX_EDGES * MAX_STROKES, (MAX_CUTS + 1) * MAX_RUN)


def test_search_refuses_more_digits_than_a_reply_holds(classify):
    ones = [[(0.02 + i * 0.045, 0.3), (0.02 + i * 0.045, 0.7)] for i in range(MAX_DIGITS + 1)]
    with pytest.raises(TooManyDigits):
        read(ink_of(ones, width=3), classify)


def _found(boxes):
    return [Candidate(box, np.zeros((1, 1), np.float32)) for box in boxes]


def _line(*labels):
    """Column probabilities that read exactly these labels, one column each."""
    return np.eye(CLASSES)[list(labels)]


def test_the_number_model_judges_digit_by_digit_when_it_reads_as_many():
    columns = _line(1, BLANK, NOT_DIGIT, BLANK, 5)  # "1?5"
    found = _found([(0, 0, 10, 30), (10, 0, 10, 30), (20, 0, 10, 30)])
    reading = np.eye(10)[[1, 7, 5]]
    assert _line_says(columns, found, reading, (0, 0, 30, 30)) == ["digit", "not_a_digit",
                                                                   "digit"]
    reading = np.eye(10)[[1, 7, 6]]  # it reads a 5 where a 6 was chosen: no word on that one
    assert _line_says(columns, found, reading, (0, 0, 30, 30)) == ["digit", "not_a_digit", None]


@pytest.mark.parametrize("doubt", [0.05, 0.3])
def test_the_number_model_does_not_vouch_for_a_digit_it_doubts(doubt):
    """A ring among digits may read as a 0 to the number model too, with some "?" beside it:
    then the not-digit model judges it (None), as it does a digit read otherwise."""
    columns = _line(1, BLANK, BLANK, BLANK, 5)  # "15"
    columns[3, BLANK], columns[3, NOT_DIGIT] = 1 - doubt, doubt  # just left of the 5
    found = _found([(0, 0, 10, 30), (20, 0, 10, 30)])
    says = _line_says(columns, found, np.eye(10)[[1, 5]], (0, 0, 30, 30))
    assert says == ["digit", "digit" if doubt < DOUBT else None]


def test_the_number_model_says_nothing_of_one_digit_alone():
    """One digit is left to the not-digit model, as /api/predict leaves it."""
    assert _line_says(_line(NOT_DIGIT), _found([(0, 0, 9, 30)]), np.eye(10)[[4]],
                      (0, 0, 9, 30)) == [None]


def test_the_number_model_marks_the_digit_where_it_sees_a_non_digit_when_counts_differ():
    whole = (100, 0, 80, 40)  # an 80 x 40 drawing: a 72 px line (56 of ink), 18 columns
    columns = _line(*[2 if 3 <= t < 6 else NOT_DIGIT if 11 <= t < 14 else BLANK
                      for t in range(18)])  # "2?"
    middle = _drawing_x(12.5, whole)  # where the "?" columns' middle lands in the drawing
    assert 140 < middle < 170
    found = _found([(100, 0, 30, 40), (140, 0, 30, 40), (170, 0, 10, 40)])
    assert _line_says(columns, found, np.eye(10)[[2, 3, 3]], whole) == [None, "not_a_digit",
                                                                        None]


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
