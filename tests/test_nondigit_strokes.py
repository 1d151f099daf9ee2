"""Non-digits for the not-digit model: training's generators and the held-out set."""

import numpy as np
import pytest

from benchmarks.drawn import nondigits
from drawings.letters import LETTERS, NAMES
from drawings.shapes import SCRIBBLES, SHAPES
from drawings.streams import rng_for
from model.notdigit import (
    KINDS,
    draw_non_digits,
    rejection_curve,
    rejection_rates,
    threshold_for,
    write_non_digit,
)

# Letters a person may write so that they are a digit: never taught as non-digits.
LOOK_ALIKES = set("OoDQIliZzSsbGBgqay")


def first_points(purpose, kind, seed=0, part=0):
    rng = rng_for(purpose, seed, part)
    return np.concatenate([write_non_digit(kind, rng)[1][0][:4] for _ in range(10)])


def alike(a, b):
    return a.shape == b.shape and np.allclose(a, b)


@pytest.mark.parametrize("kind", KINDS)
def test_nondigit_generators_are_deterministic_and_the_streams_differ(kind):
    assert np.array_equal(first_points("training", kind), first_points("training", kind))
    # A short first stroke gives fewer points: other drawings may differ in shape too.
    assert not alike(first_points("training", kind), first_points("benchmark", kind))
    assert not alike(first_points("training", kind), first_points("training", kind, 1))


def test_nondigit_letters_leave_out_digit_look_alikes():
    assert not LOOK_ALIKES & set(LETTERS)
    assert len(NAMES) >= 30 and set(NAMES) == set(LETTERS)


@pytest.mark.parametrize(
    "maker",
    [
        *SHAPES.values(),
        *SCRIBBLES.values(),
        *nondigits.SHAPES.values(),
        *nondigits.SCRIBBLES.values(),
    ],
)
def test_nondigit_every_maker_draws_finite_strokes(maker):
    rng = np.random.default_rng(0)
    for _ in range(20):
        strokes = maker(rng)
        assert strokes and all(np.isfinite(np.asarray(s, dtype=float)).all() for s in strokes)
        points = np.concatenate([np.asarray(s, dtype=float).reshape(-1, 2) for s in strokes])
        assert np.ptp(points, axis=0).max() > 0  # not a dot


def test_nondigit_training_set_is_deterministic_and_preprocessed():
    x1, kinds1 = draw_non_digits(30, seed=3, part=10)
    x2, kinds2 = draw_non_digits(30, seed=3, part=10)
    assert np.array_equal(x1, x2) and kinds1.tolist() == kinds2.tolist()
    assert x1.shape == (30, 28, 28) and x1.max() == pytest.approx(1.0)
    assert set(kinds1) == set(KINDS)
    x3, _ = draw_non_digits(30, seed=3, part=11)
    assert not np.array_equal(x1, x3)


def test_nondigit_held_out_set_is_balanced_deterministic_and_unlabelled():
    first = nondigits.build_non_digits(seed=0, count=30, first_id=100)
    again = nondigits.build_non_digits(seed=0, count=30, first_id=100)
    assert [d.params() for d in first] == [d.params() for d in again]
    assert [sum(d.source == k for d in first) for k in nondigits.KINDS] == [5] * 6
    assert {d.label for d in first} == {-1} and first[0].id == 100
    letters = [d.style.rsplit("/", 1)[1] for d in first if d.source == "font letters"]
    assert set(letters) <= set(NAMES)


def test_nondigit_held_out_kinds_differ_from_training_where_they_should():
    unseen = set(nondigits.SHAPES) | set(nondigits.SCRIBBLES)
    assert nondigits.UNSEEN_KINDS <= unseen and not nondigits.UNSEEN_KINDS & (
        set(SHAPES) | set(SCRIBBLES)
    )
    # The held-out stream starts beyond the digits' and the numbers' parts.
    assert nondigits.NON_DIGIT_STREAM >= 200


def test_nondigit_threshold_rejects_the_asked_share_of_digits():
    p = np.linspace(0, 1, 1001)
    threshold = threshold_for(p, 0.005)
    assert (p > threshold).mean() == pytest.approx(0.005, abs=0.001)
    rates = rejection_rates([0.1, 0.9, 0.95, 0.2], ["a", "a", "b", "b"], 0.5)
    assert rates == {"a": 0.5, "b": 0.5, "all": 0.5}


def test_nondigit_rejection_curve_trades_digits_for_non_digits():
    digits, others = np.linspace(0, 1, 1001), np.linspace(0.9, 1, 100)
    curve = rejection_curve(digits, others, shares=(0.005, 0.02))
    assert [c["reject_share"] for c in curve] == [0.005, 0.02]
    assert curve[0]["threshold"] > curve[1]["threshold"]
    assert curve[0]["non_digits_rejected"] < curve[1]["non_digits_rejected"]
