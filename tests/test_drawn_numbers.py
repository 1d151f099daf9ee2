"""The whole-number benchmark's drawings (benchmarks/drawn/numbers.py) and its scoring."""

import pytest

from benchmarks.drawn.numbers import LENGTHS, SPACINGS, _errors, build_numbers


def test_numbers_are_deterministic_and_balanced():
    first, again = build_numbers(0, 28, sources=("templates",)), build_numbers(0, 28, ("templates",))
    assert [n.label for n in first] == [n.label for n in again]
    assert sorted(len(n.label) for n in first) == sorted(list(LENGTHS) * 4)
    assert {n.spacing for n in first} == set(SPACINGS)
    for number in first:
        points = [p for s in number.strokes for p in s]
        assert all(0 <= v <= number.css for p in points for v in p), "the number fits the canvas"


@pytest.mark.parametrize("truth,read,expected", [
    ("2026", "2026", (0, 0, 0)), ("2026", "2826", (1, 0, 0)), ("2026", "226", (0, 1, 0)),
    ("2026", "20726", (0, 0, 1)), ("2026", "", (0, 4, 0)), ("11", "7", (1, 1, 0)),
])
def test_numbers_scoring_counts_substituted_dropped_and_extra_digits(truth, read, expected):
    assert _errors(truth, read) == expected
