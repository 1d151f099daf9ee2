"""A slice of the drawn-digit benchmark (benchmarks/drawn_digits.py) as a regression test.

100 drawings from the benchmark's own generators (seed 1: the full benchmark's default is 0),
drawn in a real canvas in headless Chromium like the benchmark, read through the API with the
Flask test client and the shipped model. A change to the preprocessing or the model that
breaks drawn digits of one source fails here. Runs in about 15 s.
"""

import pytest

from benchmarks.drawn import SOURCES
from benchmarks.drawn.layout import LOOKS, build
from benchmarks.drawn.render import CanvasRenderer
from benchmarks.drawn.nondigits import build_non_digits
from benchmarks.drawn.report import answer_of, summarize_non_digits

pytestmark = pytest.mark.slow

SLICE_SEED = 1
SLICE_COUNT = 100  # 25 per source
# Below the shipped model's accuracy on this slice by a margin for the slice's noise
# (one drawing is 4 points); raise them as the model improves (issue 4's targets:
# MNIST 99 %, every other source 97 % on the full benchmark).
# The shipped model of 2026-11-25 read 96, 100, 100 and 96 % of this slice.
MIN_ACCURACY = {"mnist": 0.88, "templates": 0.88, "fonts": 0.88, "hershey": 0.84}
# A preprocessing bug usually breaks one look (say transparent canvases) for every source.
MIN_LOOK_ACCURACY = 0.88


@pytest.fixture(scope="module")
def answered(app, browser):
    """The slice's drawings, each with the API's answer in `.answer`."""
    drawings = build(SLICE_SEED, SLICE_COUNT)
    pngs = CanvasRenderer(browser).render(drawings)
    client = app.test_client()
    for drawing, png in zip(drawings, pngs):
        response = client.post("/api/predict", data=png, content_type="image/png")
        assert response.status_code == 200, (drawing.params(), response.get_json())
        drawing.answer = response.get_json()
    return drawings


@pytest.mark.parametrize("source", SOURCES)
def test_drawn_slice_accuracy_per_source(answered, source):
    drawings = [d for d in answered if d.source == source]
    # A digit said to be no digit counts with its top digit (the benchmark's tables do).
    wrong = [(d.label, answer_of(d), d.style, d.look, d.width, d.size)
             for d in drawings if answer_of(d) != d.label]
    accuracy = 1 - len(wrong) / len(drawings)
    assert accuracy >= MIN_ACCURACY[source], (
        f"{source}: {accuracy:.0%} of {len(drawings)} drawn digits read right, expected at "
        f"least {MIN_ACCURACY[source]:.0%}. Misread (true, answer, style, look, width, size): "
        f"{wrong}")


@pytest.mark.parametrize("look", LOOKS)
def test_drawn_slice_accuracy_per_look(answered, look):
    drawings = [d for d in answered if d.look == look]
    wrong = [(d.source, d.label, answer_of(d)) for d in drawings if answer_of(d) != d.label]
    accuracy = 1 - len(wrong) / len(drawings)
    assert accuracy >= MIN_LOOK_ACCURACY, (
        f"{look}: {accuracy:.0%} of {len(drawings)} drawn digits read right, expected at least "
        f"{MIN_LOOK_ACCURACY:.0%}. Misread (source, true, answer): {wrong}")


def test_drawn_slice_is_deterministic():
    first, again = build(SLICE_SEED, 20), build(SLICE_SEED, 20)
    assert [d.params() for d in first] == [d.params() for d in again]
    assert all((a.strokes[0] == b.strokes[0]).all() for a, b in zip(first, again))


def test_drawn_slice_non_digits_are_rejected_and_its_digits_are_not(app, browser, answered):
    # 60 held-out letters, scribbles and shapes (issue 7's target on the full set: 90 % of
    # non-digits rejected, at most 1 % of digits); the bounds leave room for a 60-drawing slice.
    non_digits = build_non_digits(SLICE_SEED, 60, first_id=len(answered))
    client = app.test_client()
    for drawing, png in zip(non_digits, CanvasRenderer(browser).render(non_digits)):
        drawing.answer = client.post("/api/predict", data=png, content_type="image/png").get_json()
    summary = summarize_non_digits(non_digits, answered)
    assert summary["non_digits"]["all"]["share"] >= 0.75, summary["non_digits"]
    assert summary["digits"]["all"]["rejected"] <= 2, summary["digits"]
