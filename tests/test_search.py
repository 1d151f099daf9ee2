"""Reading a number by letting the classifiers choose how to split it (reading/search.py)."""

import numpy as np
import pytest
from drawing import centres, draw_digit, ink_of, pieces, side_by_side
from strokes import DIGIT_STROKES

from reading.cuts import MAX_CUTS
from reading.pieces import MAX_EDGES, MAX_EDGES_PER_DIGIT, MAX_RUN
from reading.preprocess import ink_map, normalize_ink, preprocess_image
from reading.search import read_digits
from reading.segment import MAX_DIGITS, TooManyDigits


@pytest.fixture(scope="module")
def classify(app):
    """The shipped model's predict_many, counting the batches it is asked for; .one_digit is
    the shipped one-digit model, which the server's reader weighs too."""
    models = app.extensions["models"]

    def predict_many(images):
        predict_many.batches.append(len(images))
        return models.digits.predict_many(images)

    predict_many.batches = []
    predict_many.one_digit = models.one_digit.probabilities
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
    """Up to 1.6 times wider than tall, even where the halves read well; and all the ink must
    stay a candidate however wide, as /api/predict reads it."""
    wide = [
        [(0.25 + 0.3 * (0.5 + stretch * (x - 0.5)), 0.3 + 0.4 * y) for x, y in stroke]
        for stroke in DIGIT_STROKES[digit]
    ]
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
    left, right = (np.concatenate(part)[:, 0] for part in (strokes[:1], strokes[1:]))
    assert left.max() > right.min(), "their columns should overlap (straight cuts fail)"
    assert digits_read(read(ink, classify)) == "74"


@pytest.mark.parametrize(
    "digits",
    [
        [7, 2],
        [6, 3],  # read as an 8 before the one-digit model
        [5, 9],
    ],
)
def test_search_reads_an_overlapping_pair(classify, digits):
    # (Most overlapping pairs are still read as one digit: see docs/experiments/reading-numbers.md.)
    strokes = side_by_side(digits, DIGIT_STROKES, width=0.25, height=0.35, step=0.12)
    ink = ink_of(strokes, width=5)
    first = len(DIGIT_STROKES[digits[0]])
    left, right = (np.concatenate(part)[:, 0] for part in (strokes[:first], strokes[first:]))
    assert left.max() > right.min(), "the pair's boxes should overlap: straight cuts fail"
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
    assert sum(classify.batches) <= max(MAX_EDGES * MAX_EDGES_PER_DIGIT, (MAX_CUTS + 1) * MAX_RUN)


def test_search_refuses_more_digits_than_a_reply_holds(classify):
    ones = [[(0.02 + i * 0.045, 0.3), (0.02 + i * 0.045, 0.7)] for i in range(MAX_DIGITS + 1)]
    with pytest.raises(TooManyDigits):
        read(ink_of(ones, width=3), classify)
