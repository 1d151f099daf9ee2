"""Splitting a drawing into digits (reading/segment.py): touching, multi-stroke, noise, order."""

import numpy as np
import pytest
from skimage.measure import label

from drawing import draw_digit, side_by_side
from reading.preprocess import EmptyDrawing, ink_map, normalize_ink, preprocess_image
from reading.segment import MAX_DIGITS, TooManyDigits, split_digits
from strokes import DIGIT_STROKES

# A 5 whose flag is its own stroke, and an open 4 whose stem stops short of its bar.
TWO_STROKE = {
    5: [[(0.34, 0.06), (0.78, 0.06)],
        [(0.3, 0.16), (0.26, 0.45), (0.5, 0.4), (0.7, 0.48), (0.77, 0.66), (0.7, 0.84),
         (0.48, 0.92), (0.24, 0.85)]],
    4: [[(0.3, 0.08), (0.2, 0.6), (0.85, 0.6)], [(0.64, 0.08), (0.64, 0.5)]],
}


def ink_of(strokes, size=280, width=4, look="dark"):
    return ink_map(draw_digit(strokes, size=size, width=width, look=look))


def pieces(ink):
    """Separate pieces of ink, counted by scikit-image: proves what a drawing is made of."""
    return label(ink > 0.2, connectivity=2).max()


def centres(candidates):
    return [x + w / 2 for x, _, w, _ in (c.box for c in candidates)]


def test_split_separate_digits_left_to_right_with_boxes_in_pixels():
    ink = ink_of(side_by_side([3, 1, 7], DIGIT_STROKES, step=0.3))
    candidates = split_digits(ink)
    assert len(candidates) == 3
    assert centres(candidates) == sorted(centres(candidates))
    for i, candidate in enumerate(candidates):
        x, y, w, h = candidate.box
        # Each box lies within its digit's slot of the canvas (0.3 wide, from 0.05 + 0.3 i).
        assert (0.05 + 0.3 * i) * 280 - 3 <= x and x + w <= (0.05 + 0.3 * i + 0.2) * 280 + 3
        assert 0.3 * 280 - 3 <= y and y + h <= 0.7 * 280 + 3
        assert candidate.ink.shape == (h, w)


def test_split_order_is_left_to_right_whatever_the_stroke_order():
    strokes = side_by_side([2, 0, 2, 6], DIGIT_STROKES, step=0.23)
    forward = split_digits(ink_of(strokes))
    backward = split_digits(ink_of(strokes[::-1]))
    assert [c.box for c in forward] == [c.box for c in backward]
    assert len(forward) == 4 and centres(forward) == sorted(centres(forward))


@pytest.mark.parametrize("digits", [[2, 3], [5, 0], [0, 0], [2, 3, 5], [3, 8, 5]])
def test_split_cuts_touching_digits_apart(digits):
    # Boxes 0.14 apart, the digits' ink 0.15 wide plus the brush: neighbours touch.
    ink = ink_of(side_by_side(digits, DIGIT_STROKES, width=0.25, height=0.3, step=0.14), width=6)
    assert pieces(ink) < len(digits), "the test drawing should have touching digits"
    candidates = split_digits(ink)
    assert len(candidates) == len(digits)
    for i, x in enumerate(centres(candidates)):
        due = (0.05 + 0.14 * i + 0.125) * 280
        assert abs(x - due) < 0.3 * 0.14 * 280


@pytest.mark.parametrize("digit", [5, 4])
def test_split_keeps_a_digit_drawn_in_strokes_that_do_not_touch(digit):
    ink = ink_of([[(0.3 + 0.4 * x, 0.2 + 0.6 * y) for x, y in s] for s in TWO_STROKE[digit]])
    assert pieces(ink) == 2
    (candidate,) = split_digits(ink)
    np.testing.assert_array_equal(normalize_ink(candidate.ink), normalize_ink(ink))


def test_split_groups_multi_stroke_digits_inside_a_number():
    strokes = side_by_side([1, 4, 5], DIGIT_STROKES | TWO_STROKE, step=0.3)
    assert len(split_digits(ink_of(strokes))) == 3


def test_split_ignores_dots_and_noise():
    strokes = side_by_side([1, 2], DIGIT_STROKES, step=0.3)
    dots = [[(0.28, 0.8)], [(0.5, 0.15)], [(0.9, 0.9)]]  # taps, as dots of the brush
    ink = ink_of(strokes + dots)
    rng = np.random.default_rng(0)
    ink[rng.integers(0, 280, 40), rng.integers(0, 280, 40)] = 1.0  # single-pixel noise
    assert pieces(ink) > 20
    candidates = split_digits(ink)
    assert len(candidates) == 2
    clean = split_digits(ink_of(strokes))
    assert [c.box for c in candidates] == [c.box for c in clean]


def test_split_reads_varied_baselines_as_separate_digits():
    strokes = side_by_side([9, 3, 8], DIGIT_STROKES, step=0.3, tops=[0.1, 0.45, 0.25])
    candidates = split_digits(ink_of(strokes))
    assert len(candidates) == 3
    tops = [c.box[1] / 280 for c in candidates]
    assert tops == pytest.approx([0.1, 0.45, 0.25], abs=0.05)


def test_split_one_digit_gives_the_whole_drawing():
    image = draw_digit(DIGIT_STROKES[8])
    (candidate,) = split_digits(ink_map(image))
    np.testing.assert_array_equal(normalize_ink(candidate.ink), preprocess_image(image))


def test_split_large_canvas_boxes_scale_with_it():
    strokes = side_by_side([4, 2], DIGIT_STROKES, step=0.3)
    small = split_digits(ink_of(strokes, size=280, width=4))
    large = split_digits(ink_of(strokes, size=1080, width=15))
    assert len(small) == len(large) == 2
    for a, b in zip(small, large):
        assert np.allclose(np.array(b.box) / 1080, np.array(a.box) / 280, atol=0.01)


def test_split_empty_drawing_raises():
    with pytest.raises(EmptyDrawing):
        split_digits(np.zeros((280, 280), dtype=np.float32))


def test_split_refuses_more_digits_than_a_reply_holds():
    ones = [[(0.02 + i * 0.045, 0.3), (0.02 + i * 0.045, 0.7)] for i in range(MAX_DIGITS + 1)]
    ink = ink_of(ones, width=3)
    with pytest.raises(TooManyDigits):
        split_digits(ink)
    assert len(split_digits(ink, max_digits=MAX_DIGITS + 1)) == MAX_DIGITS + 1


def test_split_refuses_a_scribble_of_many_pieces_quickly():
    rng = np.random.default_rng(1)
    ink = (rng.random((1080, 1080)) < 0.002).astype(np.float32)
    ink[100:110, 100:400] = 1.0  # one stroke, so the noise is not all specks
    with pytest.raises(TooManyDigits):
        split_digits(ink)
