"""The number model's pieces that need no training: its line input and its CTC reading."""

import itertools

import numpy as np
import pytest
from drawing import draw_digit
from strokes import DIGIT_STROKES

from reading.ctc import BLANK, CLASSES, NOT_DIGIT, SYMBOLS, best_path, log_likelihood
from reading.preprocess import (
    LINE_HEIGHT,
    LINE_INK,
    LINE_MARGIN,
    LINE_PAD,
    LINE_STEP,
    MAX_LINE_WIDTH,
    EmptyDrawing,
    ink_map,
    normalize_line,
)


def _collapse(path):
    """What CTC reads from one labelling of the columns: repeats merged, blanks dropped."""
    return [c for k, c in enumerate(path) if c != BLANK and (k == 0 or c != path[k - 1])]


@pytest.mark.parametrize("text", ["", "3", "33", "34", "303", "?", "3?3"])
def test_log_likelihood_is_the_sum_over_every_labelling_that_reads_the_text(text):
    rng = np.random.default_rng(len(text))
    columns = rng.dirichlet(np.ones(CLASSES), size=5)
    total = sum(
        np.prod([columns[t, c] for t, c in enumerate(path)])
        for path in itertools.product(range(CLASSES), repeat=5)
        if _collapse(path) == [SYMBOLS.index(ch) for ch in text]
    )
    assert log_likelihood(columns, text) == pytest.approx(np.log(total), rel=1e-9)


def test_best_path_merges_repeats_but_not_across_a_blank():
    columns = np.eye(CLASSES)[[BLANK, 3, 3, BLANK, 3, 4, 4, BLANK, BLANK, 0]]
    assert best_path(columns) == "3340"
    assert best_path(np.eye(CLASSES)[[BLANK, BLANK]]) == ""


def test_best_path_writes_what_is_not_a_digit_as_a_question_mark():
    columns = np.eye(CLASSES)[[1, BLANK, NOT_DIGIT, NOT_DIGIT, BLANK, 2]]
    assert best_path(columns) == "1?2"


def test_a_line_is_32_px_high_with_the_ink_28_high_and_the_width_in_proportion():
    ink = np.zeros((300, 900), dtype=np.float32)
    ink[100:240, 50:610] = 1.0  # 140 high, 560 wide: 4 to 1
    line = normalize_line(ink)
    rows = np.flatnonzero((line > 0.2).any(axis=1))
    cols = np.flatnonzero((line > 0.2).any(axis=0))
    assert line.shape[0] == LINE_HEIGHT and line.shape[1] % LINE_STEP == 0
    assert (rows[0], rows[-1] + 1) == (LINE_MARGIN, LINE_MARGIN + LINE_INK)
    assert (cols[0], cols[-1] + 1) == (LINE_PAD, LINE_PAD + 4 * LINE_INK)


def test_a_line_of_any_look_is_the_same_line():
    lines = [
        normalize_line(ink_map(draw_digit(DIGIT_STROKES[2], look=look)))
        for look in ("dark", "light", "transparent")
    ]
    assert all(line.shape == lines[0].shape for line in lines)
    assert max(np.abs(line - lines[0]).mean() for line in lines) < 0.02


def test_a_very_long_line_is_squeezed_to_the_widest_input():
    ink = np.zeros((20, 4000), dtype=np.float32)
    ink[5:15, :] = 1.0
    assert normalize_line(ink).shape == (LINE_HEIGHT, MAX_LINE_WIDTH)


def test_a_line_without_ink_is_an_empty_drawing():
    with pytest.raises(EmptyDrawing):
        normalize_line(np.full((50, 50), 0.1, dtype=np.float32))
