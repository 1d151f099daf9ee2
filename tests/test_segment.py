"""Labelling a drawing's ink into pieces (reading/segment.py): noise, scribbles, grouping."""

import numpy as np
import pytest
from drawing import ink_of, side_by_side
from strokes import DIGIT_STROKES

from reading.preprocess import EmptyDrawing
from reading.segment import Part, TooManyDigits, group_parts, label_ink


def test_label_ink_drops_dots_and_noise():
    strokes = side_by_side([1, 2], DIGIT_STROKES, step=0.3)
    dots = [[(0.28, 0.8)], [(0.5, 0.15)], [(0.9, 0.9)]]  # taps, as dots of the brush
    ink = ink_of(strokes + dots)
    rng = np.random.default_rng(0)
    ink[rng.integers(0, 280, 40), rng.integers(0, 280, 40)] = 1.0  # single-pixel noise
    drawing = label_ink(ink)
    assert len(drawing.boxes) > 20
    assert drawing.kept.size == 2


def test_label_ink_of_an_empty_drawing_raises():
    with pytest.raises(EmptyDrawing):
        label_ink(np.zeros((280, 280), dtype=np.float32))


def test_label_ink_refuses_a_scribble_of_many_pieces_quickly():
    rng = np.random.default_rng(1)
    ink = (rng.random((1080, 1080)) < 0.002).astype(np.float32)
    ink[100:110, 100:400] = 1.0  # one stroke, so the noise is not all specks
    with pytest.raises(TooManyDigits):
        label_ink(ink)


def test_parts_sharing_their_columns_are_one_digit():
    """A 5's flag over its body is one digit; a neighbour beside it is another."""
    flag, body, beside = Part(1, 10, 30), Part(2, 8, 28), Part(3, 40, 60)
    assert group_parts([flag, body, beside]) == [[flag, body], [beside]]
