"""Not a digit: letters, scribbles and shapes get "digit": null and a reason, on
/api/predict and per digit on /api/read; real digits do not. Real app, real models."""

import logging
import shutil

import numpy as np
import pytest
from drawing import draw_digit, png_bytes, side_by_side
from strokes import DIGIT_STROKES, NON_DIGIT_STROKES
from test_api import assert_contract_answer
from test_number_model import written_line

from reading.models import DIGITS
from reading.search import read_digits
from reading.verdict import is_not_a_digit, piece_accepted
from webapp import create_app
from webapp.classifier import ModelUnavailable

SHIPPED_TFLITE = DIGITS.keras.with_suffix(".tflite")


def predict(client, png):
    response = client.post("/api/predict", data=png, content_type="image/png")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def assert_not_a_digit(body):
    """No digit shown: not a digit whole, or cut into pieces that are not all digits."""
    assert body["verdict"] == "not_a_digit"
    assert body["digit"] is None and body["reason"] in ("not_a_digit", "not_a_number")
    assert list(body)[:4] == ["verdict", "digit", "reason", "confidence"]
    assert len(body["probabilities"]) == 10
    # Still a number: the top digit's probability.
    assert body["confidence"] == max(body["probabilities"])


@pytest.mark.parametrize("name", sorted(NON_DIGIT_STROKES))
@pytest.mark.parametrize("look", ["dark", "transparent"])
def test_not_a_digit_predict_rejects_letters_scribbles_and_shapes(client, name, look):
    png = png_bytes(draw_digit(NON_DIGIT_STROKES[name], look=look, width=12))
    assert_not_a_digit(predict(client, png))


@pytest.mark.parametrize("digit", range(10))
@pytest.mark.parametrize("look,width", [("dark", 20), ("light", 6), ("transparent", 32)])
def test_not_a_digit_real_digits_are_not_rejected(client, digit, look, width):
    body = predict(client, png_bytes(draw_digit(DIGIT_STROKES[digit], look=look, width=width)))
    assert "reason" not in body
    assert_contract_answer(body, digit)


def test_not_a_digit_read_refuses_a_number_with_a_scribble_in_it(client):
    """A 3, a star and a 7 are no number: nothing is shown, and the reason says a piece of it
    is no digit (it is not shown as "3?7")."""
    strokes = side_by_side(
        ["3", "star", "7"],
        {"3": DIGIT_STROKES[3], "7": DIGIT_STROKES[7], "star": NON_DIGIT_STROKES["star"]},
        step=0.3,
    )
    response = client.post(
        "/api/read", data=png_bytes(draw_digit(strokes, width=5)), content_type="image/png"
    )
    body = response.get_json()
    assert response.status_code == 200, body
    assert body == {"verdict": "not_a_digit", "reason": "not_a_number", "number": "", "digits": []}


def test_not_a_digit_read_of_a_scribble_alone(client):
    png = png_bytes(draw_digit(NON_DIGIT_STROKES["scribble"], width=14))
    body = client.post("/api/read", data=png, content_type="image/png").get_json()
    assert body["verdict"] == "not_a_digit" and body["number"] == "" and body["digits"] == []


def test_not_a_digit_health_names_the_model_and_its_threshold(client):
    model = client.get("/api/health").get_json()["model"]
    assert model["not_a_digit"]["name"] == "notdigit"
    assert 0.0 < model["not_a_digit"]["threshold"] < 1.0


def test_not_a_digit_model_missing_next_to_the_digit_model_serves_digits(tmp_path, caplog):
    # A digit model trained elsewhere, with no not-digit model beside it.
    shutil.copy(SHIPPED_TFLITE, tmp_path / "digits.tflite")
    with caplog.at_level(logging.WARNING):
        app = create_app(
            {
                "TESTING": True,
                "MODEL_PATH": str(tmp_path / "digits.tflite"),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}",
            }
        )
    assert "No not-digit model" in caplog.text
    body = predict(app.test_client(), png_bytes(draw_digit(NON_DIGIT_STROKES["scribble"])))
    assert body["verdict"] != "not_a_digit" and body.get("reason") != "not_a_digit"
    assert "not_a_digit" not in app.test_client().get("/api/health").get_json()["model"]


@pytest.mark.parametrize("problem", ["missing", "corrupt"])
def test_not_a_digit_model_named_but_unusable_stops_the_app(tmp_path, problem):
    path = tmp_path / "notdigit.tflite"
    if problem == "corrupt":
        path.write_bytes(b"TFL3" + b"\0" * 100)
    with pytest.raises(ModelUnavailable, match=f"{problem}.*model.train_notdigit"):
        create_app(
            {
                "TESTING": True,
                "NOTDIGIT_MODEL_PATH": str(path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}",
            }
        )


@pytest.mark.parametrize("name", sorted(NON_DIGIT_STROKES))
def test_not_a_digit_read_marks_a_non_digit_between_digits(client, name):
    """The number model, taught non-digits among digits, does not read one as digits: the
    non-digit stays a non-digit, so the drawing is no number."""
    strokes = side_by_side(
        ["1", name, "5"],
        {"1": DIGIT_STROKES[1], "5": DIGIT_STROKES[5], name: NON_DIGIT_STROKES[name]},
        step=0.3,
    )
    body = client.post(
        "/api/read", data=png_bytes(draw_digit(strokes, width=5)), content_type="image/png"
    ).get_json()
    assert (body["verdict"], body["reason"], body["number"]) == (
        "not_a_digit",
        "not_a_number",
        "",
    ), body["number"]


def test_not_a_digit_digits_cut_from_a_number_are_judged_in_their_line(app):
    """A digit cut from a number, squeezed and with a bit of its neighbour, often looks like
    none to the not-digit model, which learnt digits whole and alone. Where the number model
    reads the line as exactly the digits chosen, they are digits: far fewer "?" in numbers
    of template digits of a test stream, touching and overlapping."""
    models = app.extensions["models"]
    rng = np.random.default_rng(11)
    numbers = ["".join(str(d) for d in rng.integers(10, size=4)) for _ in range(40)]
    plain = in_line = 0
    for seed, text in enumerate(numbers):
        ink = written_line([int(ch) for ch in text], (-0.12, 0.03), 300 + seed)
        for candidate in read_digits(
            ink,
            models.digits.predict_many,
            one_digit=models.one_digit.probabilities,
            read_line=models.number.columns,
        ):
            plain += is_not_a_digit(models, candidate.x)
            in_line += not piece_accepted(candidate, models)
    assert plain >= 2 and in_line == 0, (plain, in_line)
