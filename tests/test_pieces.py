"""Over-splitting ink into pieces and runs worth reading as one digit (reading/pieces.py)."""

import pytest
from drawing import ink_of

from reading.pieces import possible_readings
from reading.segment import MAX_DIGITS, TooManyDigits


def test_possible_readings_refuse_more_digits_than_a_reply_holds():
    """Ink apart in its columns is surely different digits: too many is refused before any
    model reads it."""
    ones = [[(0.02 + i * 0.045, 0.3), (0.02 + i * 0.045, 0.7)] for i in range(MAX_DIGITS + 1)]
    ink = ink_of(ones, width=3)
    with pytest.raises(TooManyDigits):
        possible_readings(ink)
    assert len(possible_readings(ink, max_digits=MAX_DIGITS + 1).boundary) == MAX_DIGITS
