"""The feedback loop benchmark's helpers (benchmarks/feedback_loop.py): which styles it
corrects, that its corrections are new drawings, and its before/after table."""

import numpy as np
import pytest

from benchmarks.drawn.corrections import (correction_drawings, shared_shapes, style_shapes,
                                          weakest_styles)
from benchmarks.drawn.layout import Drawing, build
from benchmarks.feedback_loop import compare


def answered(source, style, label, answers):
    """Drawings of one style, one per answer (the digit the server said)."""
    return [Drawing(0, source, label, style, [np.zeros((2, 2))], 280, 1, "dark", 5.0,
                    "medium", "medium", answer={"digit": a}) for a in answers]


def test_feedback_loop_ranks_styles_by_error_rate_with_enough_errors():
    drawings = (answered("fonts", "Kristi", 1, [7, 7, 7, 1, 1, 1])  # 50 %, 3 errors
                + answered("hershey", "timesr", 4, [9, 9, 9, 9, 4, 4, 4, 4, 4, 4])  # 60 %, 4
                + answered("templates", "crossbar", 7, [1, 1, 1, 1, 7, 7])  # 33 %, 4
                + answered("fonts", "Breip", 2, [3, 3])  # 0 %, but only 2 errors
                + answered("mnist", "test-5", 3, [5, 5, 5, 5])  # one image, never a style
                + answered("fonts", "Klee", 0, [0, 0, 0, 0]))  # no errors
    ranked = weakest_styles(drawings, k=3, min_errors=3)
    assert [(r["source"], r["style"]) for r in ranked] == [
        ("templates", "7-crossbar"), ("fonts", "Kristi"), ("hershey", "timesr")]
    assert ranked[0] == {"source": "templates", "style": "7-crossbar", "n": 6, "errors": 4,
                         "accuracy": pytest.approx(1 / 3)}
    assert [r["style"] for r in weakest_styles(drawings, k=1, min_errors=2)] == ["Breip"]


@pytest.fixture(scope="module")
def evaluation():
    return build(0, 200, ("templates", "hershey"))


WEAK = [{"source": "hershey", "style": "timesr"}, {"source": "templates", "style": "7-crossbar"}]


def test_feedback_loop_corrections_are_new_drawings_of_the_weak_styles(evaluation):
    fixes = correction_drawings(WEAK, 30, seed=0, first_id=200)
    assert len(fixes) == 60 and [d.id for d in fixes] == list(range(200, 260))
    assert {d.style for d in fixes[:30]} == {"timesr"} and {d.source for d in fixes[:30]} == {
        "hershey"}
    assert sorted({d.label for d in fixes[:30]}) == list(range(10))
    assert {(d.label, d.style) for d in fixes[30:]} == {(7, "crossbar")}
    assert len({d.look for d in fixes}) == 3 and len({d.size for d in fixes}) == 3
    # Kept apart: no correction writes the same digit as an evaluation drawing.
    assert shared_shapes(fixes, evaluation) == 0
    again = correction_drawings(WEAK, 30, seed=0, first_id=200)
    assert all(np.array_equal(a, b) for x, y in zip(fixes, again)
               for a, b in zip(x.strokes, y.strokes))


def test_feedback_loop_shared_shapes_finds_an_evaluation_digit_moved_and_resized(evaluation):
    moved = [Drawing(d.id, d.source, d.label, d.style, [s * 0.5 + 17 for s in d.strokes],
                     d.css, d.dpr, d.look, d.brush, d.size, d.width) for d in evaluation[:12]]
    assert shared_shapes(moved, evaluation) == 12
    relabelled = [Drawing(0, d.source, (d.label + 1) % 10, d.style, d.strokes, d.css, d.dpr,
                          d.look, d.brush, d.size, d.width) for d in evaluation[:12]]
    assert shared_shapes(relabelled, evaluation) == 0


def test_feedback_loop_style_shapes_refuses_an_unknown_face():
    from model.strokes import rng_for

    with pytest.raises(ValueError, match="timesr"):
        style_shapes("hershey", "no-such-face", rng_for("training", 0, 800), 10)


def test_feedback_loop_compare_rows_for_styles_sources_and_all():
    drawings = (answered("fonts", "Kristi", 1, [0] * 4) + answered("fonts", "Klee", 2, [0] * 4)
                + answered("templates", "plain", 7, [0] * 2))
    before = [{"digit": d} for d in [7, 7, 1, 1, 2, 2, 2, 2, 7, 1]]
    after = [{"digit": d} for d in [1, 1, 1, 1, 2, 2, 2, 3, 7, 7]]
    rows = compare(drawings, before, after, [{"source": "fonts", "style": "Kristi"}])
    table = {r["name"]: (r["n"], r["before"], r["after"], r["change_pt"]) for r in rows}
    assert list(table) == ["fonts/Kristi", "corrected styles together", "fonts", "templates",
                           "all"]
    assert table["fonts/Kristi"] == (4, 0.5, 1.0, 50.0)
    assert table["fonts"] == (8, 0.75, 0.875, 12.5)
    assert table["templates"] == (2, 0.5, 1.0, 50.0)
    assert table["all"] == (10, 0.7, 0.9, 20.0)
