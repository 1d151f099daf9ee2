"""The benchmark counts what a person is shown (benchmarks/drawn/shown.py), and asks the page's
way as static/api.js does (benchmarks/drawn/client.py)."""

import json

import pytest
from drawing import png_bytes

from benchmarks.drawn.client import as_page_draws, page_strokes, request_for
from benchmarks.drawn.layout import build
from benchmarks.drawn.report import _stats
from benchmarks.drawn.shown import shown, shows_no_digit, top_digit, unsure


def digit(value, confidence=0.99, probabilities=None):
    probabilities = probabilities or [0.01] * 10
    return {
        "digit": value,
        "confidence": confidence,
        "probabilities": probabilities,
        "box": [0, 0, 10, 10],
    }


def answered(verdict, *digits, **extra):
    """An answer of any view: the verdict, the top-level digit and the reading's fields."""
    top = digits[0]["digit"] if verdict in ("digit", "unsure") else None
    number = "".join(str(d["digit"]) for d in digits)
    return {"verdict": verdict, "digit": top, "number": number, "digits": list(digits), **extra}


@pytest.mark.parametrize(
    "answer,expected",
    [
        (answered("digit", digit(7)), "7"),
        (answered("not_a_digit", reason="not_a_digit"), None),
        # A number whose pieces are not all digits is no number: nothing is shown.
        (answered("not_a_digit", reason="not_a_number"), None),
        (answered("number", digit(2), digit(0), digit(7)), "207"),
        (answered("unsure", {**digit(4), "runner_up": 9}, runner_up=9), "4 or 9?"),
        # /api/predict alone: a number's verdict and number, no digits.
        ({"verdict": "number", "digit": None, "reason": "number", "number": "13"}, "13"),
        ({"verdict": "unsure", "digit": 2, "runner_up": 7}, "2 or 7?"),
        ({"verdict": "digit", "digit": 4}, "4"),
        ({"error": "empty_drawing"}, "error:empty_drawing"),
    ],
)
def test_shown_is_what_the_page_shows(answer, expected):
    assert shown(answer) == expected


@pytest.mark.parametrize(
    "text,no_digit",
    [
        (None, True),
        ("4 or 9?", False),
        ("7", False),
        ("13", False),
        ("error:empty_drawing", False),
    ],
)
def test_shown_no_digit_only_when_no_digit_at_all_is_shown(text, no_digit):
    assert shows_no_digit(text) is no_digit


def test_shown_counts_a_refused_or_unsure_digit_as_wrong_and_keeps_the_top_digit_apart():
    drawings = build(1, 4)
    probabilities = [0.0] * 10
    for drawing in drawings:
        probabilities = [0.0] * 10
        probabilities[drawing.label] = 1.0
        drawing.answer = {"verdict": "digit", **digit(drawing.label, 1.0, probabilities)}
    drawings[0].answer = {
        **drawings[0].answer,
        "verdict": "not_a_digit",
        "digit": None,
        "reason": "not_a_digit",
    }
    other = (drawings[1].label + 1) % 10
    drawings[1].answer = {**drawings[1].answer, "verdict": "unsure", "runner_up": other}
    drawings[2].answer = {
        **drawings[2].answer,
        "verdict": "unsure",
        "digit": other,
        "runner_up": drawings[2].label,
    }
    stats = _stats(drawings, "predict")
    assert (stats["correct"], stats["refused"]) == (1, 1)
    assert (stats["unsure"], stats["unsure_right"]) == (2, 1), "the top digit named first"
    assert stats["top_digit_accuracy"] == 1.0
    assert top_digit(drawings[0].answer) == drawings[0].label


def test_shown_unsure_is_the_servers_verdict():
    assert unsure(answered("unsure", {**digit(4, 0.55), "runner_up": 9}))
    assert not unsure(answered("digit", digit(4, 0.55)))
    assert not unsure(answered("number", digit(4, 0.4), digit(9, 0.4)))


def test_shown_page_request_is_the_pages_form(client):
    drawing = build(1, 1)[0]
    twin = as_page_draws(drawing)
    assert (twin.css * twin.dpr, twin.look) == (280, "dark")
    assert twin.brush * twin.dpr == pytest.approx(14), "the page's pen: 1/20 of its 280 px"
    strokes = page_strokes(twin)
    assert all(max(x, y) <= 280 for stroke in strokes for x, y in stroke)
    path, body, headers = request_for("page", png_bytes(_seven()), strokes)
    assert (path, headers["Prefer"]) == ("/api/predict", "read, explain")
    response = client.post(path, data=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert response.headers["Preference-Applied"] == "explain, read"
    assert "digits" in answer and "explanation" in answer["digits"][0]
    sent = request_for("page", b"png", [[[1.0, 2.0], [3.0, 4.0]]])[1]
    assert b'name="strokes"' in sent and json.dumps([[[1.0, 2.0], [3.0, 4.0]]]).encode() in sent


def _seven():
    from PIL import Image, ImageDraw

    image = Image.new("L", (280, 280), 255)
    pen = ImageDraw.Draw(image)
    pen.line([(60, 50), (220, 50), (120, 240)], fill=0, width=20)
    return image


def test_shown_page_request_mirrors_the_pages_own_constants():
    """The benchmark's page's way copies static/'s pen, export size and Prefer header: a change
    there without one here would measure another page."""
    import re

    from benchmarks.drawn.client import PAGE_BRUSH, PAGE_EXPORT_SIDE, PAGE_PREFERENCES
    from webapp import ROOT

    canvas = (ROOT / "static" / "canvas.js").read_text()
    ratio = re.search(r"const BRUSH_RATIO = 1 / (\d+);", canvas)
    side = re.search(r"export const EXPORT_SIDE = (\d+);", canvas)
    prefer = re.search(
        r"const PAGE_PREFERENCES = '([^']+)';", (ROOT / "static" / "api.js").read_text()
    )
    assert ratio and side and prefer, "static/ no longer states them as read here"
    assert PAGE_BRUSH == pytest.approx(1 / int(ratio.group(1)))
    assert PAGE_EXPORT_SIDE == int(side.group(1))
    assert PAGE_PREFERENCES == prefer.group(1)
