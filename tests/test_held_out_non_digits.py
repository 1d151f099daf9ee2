"""The held-out non-digit kinds faces, words and doodles (benchmarks/drawn/nondigits.py):
generated apart from training, deterministic, and added without changing the older kinds."""

import numpy as np
import pytest

from benchmarks.drawn import nondigits, rng_for
from benchmarks.drawn.doodles import DOODLES
from benchmarks.drawn.faces import FACES
from benchmarks.drawn.report import non_digit_style
from benchmarks.drawn.words import ALL_CAPS, WORDS, font_words
from drawings.letters import NAMES

# Letters a person may write so that they are a digit: no held-out word holds one.
LOOK_ALIKES = set("OoDQIliZzSsbGBgqay")
MAKERS = {
    **{f"face/{k}": m for k, m in FACES.items()},
    **{f"doodle/{k}": m for k, m in DOODLES.items()},
}
# Seed 0, 4 of each older kind, drawn before faces, words and doodles were added:
# (style, points, sum of |coordinates| to 4 places) of each drawing.
BEFORE = {
    "scribbles": [
        ("walk", 26, 16.7602),
        ("hatch", 111, 116.2059),
        ("rings", 157, 273.8771),
        ("hatch", 137, 126.4965),
    ],
    "shapes": [
        ("envelope", 98, 120.3086),
        ("asterisk", 71, 70.4957),
        ("envelope", 140, 159.7122),
        ("sun", 79, 80.4737),
    ],
    "font letters": [
        ("BecauseWeConnect-Regular/Y", 34, 19.4647),
        ("Humor-Sans/C", 36, 29.1808),
        ("Breip/F", 47, 30.5999),
        ("Ecolier-court/Y", 62, 51.3701),
    ],
}


def points(strokes):
    return np.concatenate([np.asarray(s, dtype=float).reshape(-1, 2) for s in strokes])


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_held_out_maker_is_deterministic_and_draws_in_about_a_unit_box(name):
    maker = MAKERS[name]
    for seed in range(10):
        first = maker(np.random.default_rng(seed))
        assert same(first, maker(np.random.default_rng(seed)))
        ink = points(first)
        assert np.isfinite(ink).all()
        left, top = ink.min(axis=0)
        right, bottom = ink.max(axis=0)
        assert -0.5 <= left and right <= 2.5 and -0.5 <= top and bottom <= 1.5, name
        assert bottom - top > 0.3 and right - left > 0.3, name  # neither a dot nor a line


def test_held_out_faces_always_have_eyes_and_a_mouth():
    rng = np.random.default_rng(1)
    for maker in FACES.values():
        for _ in range(30):
            assert len(maker(rng)) >= 4  # two eyes and a mouth besides a head or brows


def test_held_out_words_use_no_digit_look_alike():
    assert len(WORDS) >= 60
    for word in WORDS:
        assert 2 <= len(word) <= 5 and set(word) <= set(NAMES), word
        assert not set(word) & LOOK_ALIKES and not any(c.isdigit() for c in word), word


def test_held_out_words_are_deterministic_and_capitals_where_the_font_has_no_small_letters():
    made = list(font_words(rng_for("benchmark", 0, 999), 12))
    again = list(font_words(rng_for("benchmark", 0, 999), 12))
    assert [s for _, s, _ in made] == [s for _, s, _ in again]
    assert all(same(a, b) for (_, _, a), (_, _, b) in zip(made, again))
    for label, style, strokes in made:
        font, word = style.split("/")
        assert label == -1 and word in WORDS and (font not in ALL_CAPS or word.isupper())
        ink = points(strokes)
        height, width = np.ptp(ink, axis=0)[::-1]
        # Fitted to height 1 (a long word: to width 4), and wider than tall.
        assert max(height, width / 4) == pytest.approx(1.0, abs=0.02), style
        assert width > 0.8, style


def test_held_out_set_holds_every_kind_written_apart():
    drawings = nondigits.build_non_digits(seed=0, count=6 * 3, first_id=50)
    assert [sum(d.source == k for d in drawings) for k in nondigits.KINDS] == [3] * 6
    assert {"faces", "words", "doodles"} <= set(nondigits.KINDS)
    assert {d.label for d in drawings} == {-1} and drawings[0].id == 50
    words = [d for d in drawings if d.source == "words"]
    assert {non_digit_style(d) for d in words} <= {f"{n} letters" for n in range(2, 6)}


def test_held_out_older_kinds_draw_what_they_drew_before_the_new_kinds():
    per_kind = 4
    drawn = nondigits.held_out_strokes(seed=0, count=per_kind * len(nondigits.KINDS))
    for kind, before in BEFORE.items():
        now = [
            (style, len(points(strokes)), round(float(np.abs(points(strokes)).sum()), 4))
            for _, style, strokes in drawn[kind]
        ]
        if kind == "font letters":  # tracing follows the fonts' and Pillow's versions
            now, before = [n[0] for n in now], [b[0] for b in before]
        assert now == before, kind
    # Each kind keeps its stream: its place in KINDS picks it.
    letters = nondigits.font_letters(rng_for("benchmark", 0, nondigits.NON_DIGIT_STREAM), per_kind)
    assert all(same(a[2], b[2]) for a, b in zip(letters, drawn["font letters"]))


def test_held_out_symbol_kinds_leave_out_words_and_draw_what_all_kinds_draw():
    every = nondigits.held_out_strokes(seed=2, count=2 * len(nondigits.KINDS))
    symbols = nondigits.held_out_strokes(
        seed=2, count=2 * len(nondigits.SYMBOL_KINDS), kinds=nondigits.SYMBOL_KINDS
    )
    assert "words" not in symbols and set(symbols) < set(every)
    for kind, made in symbols.items():
        assert all(same(a[2], b[2]) for a, b in zip(made, every[kind], strict=True)), kind
