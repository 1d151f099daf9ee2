"""Not a digit (issue 7): letters, scribbles and shapes get "digit": null and a reason, on
/api/predict and per digit on /api/read; real digits do not. Real app, real models."""

import logging
import shutil

import pytest

from drawing import draw_digit, png_bytes, side_by_side
from model import SHIPPED_MODEL
from strokes import DIGIT_STROKES, NON_DIGIT_STROKES
from test_api import assert_contract_answer
from webapp import create_app
from webapp.classifier import ModelUnavailable

SHIPPED_TFLITE = SHIPPED_MODEL.with_suffix(".tflite")


def predict(client, png):
    response = client.post("/api/predict", data=png, content_type="image/png")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def assert_not_a_digit(body):
    assert body["digit"] is None and body["reason"] == "not_a_digit"
    assert list(body)[:3] == ["digit", "reason", "confidence"]
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


def test_not_a_digit_read_marks_the_scribble_in_a_number(client):
    """The star's skeleton splits at its crossings, and one spike alone reads as a 1 that the
    one-digit model takes for one digit; the number model, which sees "3?7", rejects it."""
    strokes = side_by_side(["3", "star", "7"], {"3": DIGIT_STROKES[3], "7": DIGIT_STROKES[7],
                                                "star": NON_DIGIT_STROKES["star"]}, step=0.3)
    response = client.post("/api/read", data=png_bytes(draw_digit(strokes, width=5)),
                           content_type="image/png")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["number"] == "3?7"
    middle = body["digits"][1]
    assert_not_a_digit(middle)
    assert list(middle) == ["digit", "reason", "confidence", "probabilities", "box", "input"]
    assert [d["digit"] for d in body["digits"]] == [3, None, 7]


def test_not_a_digit_read_of_a_scribble_alone(client):
    png = png_bytes(draw_digit(NON_DIGIT_STROKES["scribble"], width=14))
    body = client.post("/api/read", data=png, content_type="image/png").get_json()
    assert "?" in body["number"]
    assert any(d["digit"] is None and d["reason"] == "not_a_digit" for d in body["digits"])


def test_not_a_digit_health_names_the_model_and_its_threshold(client):
    model = client.get("/api/health").get_json()["model"]
    assert model["not_a_digit"]["name"] == "notdigit"
    assert 0.0 < model["not_a_digit"]["threshold"] < 1.0


def test_not_a_digit_model_missing_next_to_the_digit_model_serves_digits(tmp_path, caplog):
    # A digit model trained elsewhere, with no not-digit model beside it.
    shutil.copy(SHIPPED_TFLITE, tmp_path / "digits.tflite")
    with caplog.at_level(logging.WARNING):
        app = create_app({"TESTING": True, "MODEL_PATH": str(tmp_path / "digits.tflite"),
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}"})
    assert "No not-digit model" in caplog.text
    body = predict(app.test_client(), png_bytes(draw_digit(NON_DIGIT_STROKES["scribble"])))
    assert body["digit"] in range(10) and "reason" not in body
    assert "not_a_digit" not in app.test_client().get("/api/health").get_json()["model"]


@pytest.mark.parametrize("problem", ["missing", "corrupt"])
def test_not_a_digit_model_named_but_unusable_stops_the_app(tmp_path, problem):
    path = tmp_path / "notdigit.tflite"
    if problem == "corrupt":
        path.write_bytes(b"TFL3" + b"\0" * 100)
    with pytest.raises(ModelUnavailable, match=f"{problem}.*model.train_notdigit"):
        create_app({"TESTING": True, "NOTDIGIT_MODEL_PATH": str(path),
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}"})
