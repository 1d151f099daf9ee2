"""The feedback loop benchmark's helpers (benchmarks/correction_loop.py): which styles it
corrects, that its corrections and its report set are new drawings, and its before/after
table."""

import numpy as np
import pytest

from benchmarks.correction_loop import compare, parse_args, source_groups, style_groups
from benchmarks.drawn.corrections import (
    correction_drawings,
    report_drawings,
    shared_shapes,
    style_shapes,
    weakest_styles,
)
from benchmarks.drawn.layout import Drawing, build


def answered(source, style, label, answers):
    """Drawings of one style, one per answer (the digit the server said)."""
    return [
        Drawing(
            0,
            source,
            label,
            style,
            [np.zeros((2, 2))],
            280,
            1,
            "dark",
            5.0,
            "medium",
            "medium",
            answer={"verdict": "digit", "digit": a},
        )
        for a in answers
    ]


def test_correction_loop_ranks_styles_by_error_rate_with_enough_errors():
    drawings = (
        answered("fonts", "Kristi", 1, [7, 7, 7, 1, 1, 1])  # 50 %, 3 errors
        + answered("hershey", "timesr", 4, [9, 9, 9, 9, 4, 4, 4, 4, 4, 4])  # 60 %, 4
        + answered("templates", "crossbar", 7, [1, 1, 1, 1, 7, 7])  # 33 %, 4
        + answered("fonts", "Breip", 2, [3, 3])  # 0 %, but only 2 errors
        + answered("mnist", "test-5", 3, [5, 5, 5, 5])  # one image, never a style
        + answered("fonts", "Klee", 0, [0, 0, 0, 0])
    )  # no errors
    ranked = weakest_styles(drawings, k=3, min_errors=3)
    assert [(r["source"], r["style"]) for r in ranked] == [
        ("templates", "7-crossbar"),
        ("fonts", "Kristi"),
        ("hershey", "timesr"),
    ]
    assert ranked[0] == {
        "source": "templates",
        "style": "7-crossbar",
        "n": 6,
        "errors": 4,
        "accuracy": pytest.approx(1 / 3),
    }
    assert [r["style"] for r in weakest_styles(drawings, k=1, min_errors=2)] == ["Breip"]


@pytest.fixture(scope="module")
def evaluation():
    return build(0, 200, ("templates", "hershey"))


WEAK = [{"source": "hershey", "style": "timesr"}, {"source": "templates", "style": "7-crossbar"}]


def test_correction_loop_corrections_are_new_drawings_of_the_weak_styles(evaluation):
    fixes = correction_drawings(WEAK, 30, seed=0, first_id=200)
    assert len(fixes) == 60 and [d.id for d in fixes] == list(range(200, 260))
    assert {d.style for d in fixes[:30]} == {"timesr"} and {d.source for d in fixes[:30]} == {
        "hershey"
    }
    assert sorted({d.label for d in fixes[:30]}) == list(range(10))
    assert {(d.label, d.style) for d in fixes[30:]} == {(7, "crossbar")}
    assert len({d.look for d in fixes}) == 3 and len({d.size for d in fixes}) == 3
    # Kept apart: no correction writes the same digit as an evaluation drawing.
    assert shared_shapes(fixes, evaluation) == 0
    again = correction_drawings(WEAK, 30, seed=0, first_id=200)
    assert all(
        np.array_equal(a, b) for x, y in zip(fixes, again) for a, b in zip(x.strokes, y.strokes)
    )


def test_correction_loop_shared_shapes_finds_an_evaluation_digit_moved_and_resized(evaluation):
    moved = [
        Drawing(
            d.id,
            d.source,
            d.label,
            d.style,
            [s * 0.5 + 17 for s in d.strokes],
            d.css,
            d.dpr,
            d.look,
            d.brush,
            d.size,
            d.width,
        )
        for d in evaluation[:12]
    ]
    assert shared_shapes(moved, evaluation) == 12
    relabelled = [
        Drawing(
            0,
            d.source,
            (d.label + 1) % 10,
            d.style,
            d.strokes,
            d.css,
            d.dpr,
            d.look,
            d.brush,
            d.size,
            d.width,
        )
        for d in evaluation[:12]
    ]
    assert shared_shapes(relabelled, evaluation) == 0


def test_correction_loop_style_shapes_refuses_an_unknown_face():
    from drawings.streams import rng_for

    with pytest.raises(ValueError, match="timesr"):
        style_shapes("hershey", "no-such-face", rng_for("training", 0, 800), 10)


def test_correction_loop_report_set_is_neither_the_choosing_set_nor_the_corrections(evaluation):
    choosing = evaluation  # seed 0
    fixes = correction_drawings(WEAK, 30, seed=0, first_id=200)
    every, of_styles, dropped = report_drawings(
        WEAK, 35, 200, 30, apart_from=choosing + fixes, first_id=260
    )
    assert len(every) + dropped == 200 and len(of_styles) == 60
    assert {d.source for d in every} == {"mnist", "templates", "fonts", "hershey"}
    assert {(d.source, d.style) for d in of_styles} == {
        ("hershey", "timesr"),
        ("templates", "crossbar"),
    }
    report = every + of_styles
    assert shared_shapes(report, choosing) == 0 and shared_shapes(report, fixes) == 0
    assert len({d.id for d in choosing + fixes + report}) == 200 + 60 + len(report)
    # Its drawings of the corrected styles come from the benchmark's streams: with the same
    # seed number as the corrections' training streams, still other drawings.
    _, same_number, _ = report_drawings(WEAK, 0, 0, 30)
    assert shared_shapes(same_number, fixes) == 0


def test_correction_loop_report_set_drops_what_the_choosing_set_wrote():
    # An MNIST test digit is traced the same whatever the seed and the layout: the report set
    # drops the ones the choosing set drew.
    choosing = build(0, 8, ("mnist",))
    every, of_styles, dropped = report_drawings(WEAK, 0, 8, 5, apart_from=choosing)
    assert dropped == 2 and {d.source for d in every} == {"templates", "fonts", "hershey"}
    assert len(of_styles) == 10 and shared_shapes(every + of_styles, choosing) == 0


def test_correction_loop_refuses_to_report_on_the_choosing_seed():
    assert parse_args([]).report_seed != parse_args([]).seed
    assert parse_args(["--count", "800"]).report_count == 800
    with pytest.raises(SystemExit):
        parse_args(["--seed", "4", "--report-seed", "4"])


def test_correction_loop_compare_rows_for_styles_sources_and_all():
    drawings = (
        answered("fonts", "Kristi", 1, [0] * 4)
        + answered("fonts", "Klee", 2, [0] * 4)
        + answered("templates", "plain", 7, [0] * 2)
    )
    before = [{"digit": d} for d in [7, 7, 1, 1, 2, 2, 2, 2, 7, 1]]
    after = [{"digit": d} for d in [1, 1, 1, 1, 2, 2, 2, 3, 7, 7]]
    styles = [{"source": "fonts", "style": "Kristi"}]
    rows = compare(drawings, before, after, style_groups(styles), "report: styles") + compare(
        drawings, before, after, source_groups(drawings), "report: sources"
    )
    table = {r["name"]: (r["set"], r["n"], r["before"], r["after"], r["change_pt"]) for r in rows}
    assert list(table) == ["fonts/Kristi", "corrected styles together", "fonts", "templates", "all"]
    assert table["fonts/Kristi"] == ("report: styles", 4, 0.5, 1.0, 50.0)
    assert table["fonts"] == ("report: sources", 8, 0.75, 0.875, 12.5)
    assert table["templates"] == ("report: sources", 2, 0.5, 1.0, 50.0)
    assert table["all"] == ("report: sources", 10, 0.7, 0.9, 20.0)
