"""The JSON API: POST /api/predict, POST /api/read and GET /api/health (feedback: feedback.py)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from flask import Blueprint, Response, current_app, jsonify, request

from reading.models import Models
from reading.preprocess import preprocess_image
from reading.segment import TooManyDigits
from reading.verdict import Piece, Reading, read_drawing
from webapp.decoding import open_image
from webapp.drawing_request import read_drawing_request
from webapp.errors import ApiError
from webapp.explain import occlusion_map
from webapp.metrics import count_verdict
from webapp.serving import describe

bp = Blueprint("api", __name__, url_prefix="/api")


def infer(data: bytes, config: Mapping, models: Models) -> tuple[np.ndarray, np.ndarray]:
    """Image bytes -> (the exact 28x28 input the digit model saw, its 10 probabilities), the
    whole drawing as one digit (what a correction stores)."""
    image = open_image(data, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])
    x = preprocess_image(image)  # EmptyDrawing is answered 422 empty_drawing (webapp/errors.py)
    return x, models.digits.predict(x)


def read_request(
    data: bytes, config: Mapping, models: Models, strokes: list[np.ndarray] | None = None
) -> Reading:
    """Image bytes (and strokes, if sent) -> the drawing's one Reading (reading/verdict.py)."""
    image = open_image(data, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])
    return read_drawing(image, models, strokes)


def classify(
    data: bytes,
    config: Mapping,
    models: Models,
    explain: bool = False,
    strokes: list[np.ndarray] | None = None,
) -> dict:
    """Image bytes -> /api/predict's answer (decode, read, answer), and why if asked."""
    return digit_view(read_request(data, config, models, strokes), models, explain)


def digit_view(reading: Reading, models: Models, explain: bool = False) -> dict:
    """/api/predict's answer: the verdict and the one digit shown (null unless it is a digit or
    unsure), with the input and probabilities it was read from (the whole drawing's for a number
    or not a digit). A number also gives `number`; unsure names the `runner_up`."""
    piece = reading.digits[0] if reading.verdict in ("digit", "unsure") else reading.whole
    answer = {
        "verdict": reading.verdict,
        "digit": piece.digit if reading.verdict in ("digit", "unsure") else None,
    }
    if reading.verdict == "number" or reading.reason:
        answer["reason"] = "number" if reading.verdict == "number" else reading.reason
    if reading.verdict == "unsure":
        answer["runner_up"] = piece.runner_up
    answer.update(_seen(piece))
    if explain:
        answer["explanation"] = _explanation(piece, models)
    if reading.verdict == "number":
        answer["number"] = reading.number
    return answer


def number_view(reading: Reading, models: Models, explain: bool = False) -> dict:
    """/api/read's answer: the verdict, the number shown ("" when none is) and its digits left
    to right, each with its box; none when the drawing is not a digit. Raises TooManyDigits
    (422 too_many_digits) when the ink cut into too many pieces and is no digit whole."""
    if reading.too_many and reading.verdict == "not_a_digit":
        raise TooManyDigits(reading.too_many)
    digits: list[dict] = []
    answer = {
        "verdict": reading.verdict,
        **({"reason": reading.reason} if reading.reason else {}),
        "number": reading.number,
        "digits": digits,
    }
    for piece in reading.digits:
        digit = {"digit": piece.digit}
        if reading.verdict == "unsure":
            digit["runner_up"] = piece.runner_up
        seen = _seen(piece)
        digit.update(confidence=seen["confidence"], probabilities=seen["probabilities"])
        if explain:
            digit["explanation"] = _explanation(piece, models)
        digit.update(box=list(piece.where()), input=seen["input"])  # input last, as in the contract
        digits.append(digit)
    return answer


def _seen(piece):
    """A piece's confidence (its top probability), probabilities and 28x28 input."""
    return {
        "confidence": round(float(piece.probabilities[piece.digit]), 6),
        "probabilities": np.round(piece.probabilities.astype(np.float64), 6).tolist(),
        "input": _grid(piece.x),
    }


def _explanation(piece: Piece, models: Models) -> list:
    """The piece's occlusion map, computed once per piece: it costs a few ms."""
    if piece.explanation is None:
        piece.explanation = _grid(
            occlusion_map(models.digits.predict_many, piece.x, piece.probabilities)
        )
    return piece.explanation


def _grid(image):
    return np.round(image.astype(np.float64), 4).tolist()


def wants_explanation() -> bool:
    """?explain=1 (or true/yes) asks for the occlusion map; absent, 0 or false does not."""
    value = request.args.get("explain", "0").strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no", ""):
        return False
    raise ApiError(400, "bad_parameter", f"explain must be 1 or 0, not {value[:20]!r}.")


def loaded_models() -> Models:
    """The app's models (webapp/serving.py); 503 model_loading until they are there."""
    models = current_app.extensions.get("models")
    if models is None:
        raise ApiError(503, "model_loading", "The model is not loaded yet. Try again in a moment.")
    return models


def preferences() -> set[str]:
    """The tokens of the request's Prefer headers (RFC 7240), e.g. {"read", "explain"}."""
    return {
        token.split("=")[0].strip().lower()
        for header in request.headers.getlist("Prefer")
        for token in header.split(",")
    }


@bp.post("/predict")
def predict() -> Response:
    """The digit shown; with `Prefer: read` also the number (as /api/read gives it), which the
    page asks for. Both are views of the same reading."""
    models = loaded_models()
    wanted = preferences() & {"read", "explain"}
    explain = wants_explanation() or "explain" in wanted
    drawing = read_drawing_request(request, current_app.config["MAX_JSON_DEPTH"])
    reading = read_request(drawing.image, current_app.config, models, drawing.strokes)
    count_verdict(reading.verdict)
    answer = digit_view(reading, models, explain)
    if "read" in wanted:
        reading_answer = number_view(reading, models, explain)
        reading_answer.pop("verdict")
        reading_answer.pop("reason", None)
        answer.update(reading_answer)
    response = jsonify(answer)
    if wanted:
        response.headers["Preference-Applied"] = ", ".join(sorted(wanted))
    return response


@bp.post("/read")
def read() -> Response:
    models = loaded_models()
    explain = wants_explanation()
    drawing = read_drawing_request(request, current_app.config["MAX_JSON_DEPTH"])
    reading = read_request(drawing.image, current_app.config, models, drawing.strokes)
    count_verdict(reading.verdict)
    return jsonify(number_view(reading, models, explain))


@bp.get("/health")
def health() -> Response | tuple[Response, int]:
    models = current_app.extensions.get("models")
    if models is None:
        return jsonify(status="loading"), 503
    return jsonify(status="ok", model=describe(models))
