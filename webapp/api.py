"""The JSON API: POST /api/predict, POST /api/read and GET /api/health (feedback: feedback.py)."""

import numpy as np
from flask import Blueprint, current_app, jsonify, request

from reading.preprocess import preprocess_image
from webapp.decoding import open_image
from webapp.errors import ApiError
from webapp.explain import occlusion_map
from reading.verdict import read_drawing
from webapp.strokes import drawing_from_request

bp = Blueprint("api", __name__, url_prefix="/api")


def infer(data, config, classifier):
    """Image bytes -> (the exact 28x28 input the model saw, its 10 probabilities), the whole
    drawing as one digit (what a correction stores)."""
    image = open_image(data, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])
    x = preprocess_image(image)  # EmptyDrawing is answered 422 empty_drawing (webapp/errors.py)
    return x, classifier.predict(x)


def read_request(data, config, classifier, strokes=None):
    """Image bytes (and strokes, if sent) -> the drawing's one Reading (reading/verdict.py)."""
    image = open_image(data, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])
    return read_drawing(image, classifier, strokes)


def classify(data, config, classifier, explain=False, strokes=None):
    """Image bytes -> /api/predict's answer (decode, read, answer), and why if asked."""
    return digit_view(read_request(data, config, classifier, strokes), classifier, explain)


def digit_view(reading, classifier, explain=False):
    """/api/predict's answer: the verdict and the one digit shown (null unless it is a digit or
    unsure), with the input and probabilities it was read from (the whole drawing's for a number
    or not a digit). A number also gives `number`; unsure names the `runner_up`."""
    piece = reading.digits[0] if reading.verdict in ("digit", "unsure") else reading.whole
    answer = {"verdict": reading.verdict,
              "digit": piece.digit if reading.verdict in ("digit", "unsure") else None}
    if reading.verdict == "number" or reading.reason:
        answer["reason"] = "number" if reading.verdict == "number" else reading.reason
    if reading.verdict == "unsure":
        answer["runner_up"] = piece.runner_up
    answer.update(_seen(piece))
    if explain:
        answer["explanation"] = _explanation(piece, classifier)
    if reading.verdict == "number":
        answer["number"] = reading.number
    return answer


def number_view(reading, classifier, explain=False):
    """/api/read's answer: the verdict, the number shown ("" when none is) and its digits left
    to right, each with its box; none when the drawing is not a digit. Raises 422
    too_many_digits when the ink cut into too many pieces and is no digit whole."""
    if reading.too_many and reading.verdict == "not_a_digit":
        raise ApiError(422, "too_many_digits", reading.too_many)
    answer = {"verdict": reading.verdict,
              **({"reason": reading.reason} if reading.reason else {}),
              "number": reading.number, "digits": []}
    for piece in reading.digits:
        digit = {"digit": piece.digit}
        if reading.verdict == "unsure":
            digit["runner_up"] = piece.runner_up
        seen = _seen(piece)
        digit.update(confidence=seen["confidence"], probabilities=seen["probabilities"])
        if explain:
            digit["explanation"] = _explanation(piece, classifier)
        digit.update(box=list(piece.where()), input=seen["input"])  # input last, as in the contract
        answer["digits"].append(digit)
    return answer


def _seen(piece):
    """A piece's confidence (its top probability), probabilities and 28x28 input."""
    return {"confidence": round(float(piece.probabilities[piece.digit]), 6),
            "probabilities": np.round(piece.probabilities.astype(np.float64), 6).tolist(),
            "input": _grid(piece.x)}


def _explanation(piece, classifier):
    """The piece's occlusion map, computed once per piece: it costs a few ms."""
    if piece.explanation is None:
        piece.explanation = _grid(occlusion_map(classifier.predict_many, piece.x,
                                                piece.probabilities))
    return piece.explanation


def _grid(image):
    return np.round(image.astype(np.float64), 4).tolist()


def wants_explanation():
    """?explain=1 (or true/yes) asks for the occlusion map; absent, 0 or false does not."""
    value = request.args.get("explain", "0").strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no", ""):
        return False
    raise ApiError(400, "bad_parameter", f"explain must be 1 or 0, not {value[:20]!r}.")


def loaded_classifier():
    """The app's classifier; 503 model_loading until it is there."""
    classifier = current_app.extensions.get("classifier")
    if classifier is None:
        raise ApiError(503, "model_loading", "The model is not loaded yet. Try again in a moment.")
    return classifier


def preferences():
    """The tokens of the request's Prefer headers (RFC 7240), e.g. {"read", "explain"}."""
    return {token.split("=")[0].strip().lower()
            for header in request.headers.getlist("Prefer") for token in header.split(",")}


@bp.post("/predict")
def predict():
    """The digit shown; with `Prefer: read` also the number (as /api/read gives it), which the
    page asks for. Both are views of the same reading."""
    classifier = loaded_classifier()
    wanted = preferences() & {"read", "explain"}
    explain = wants_explanation() or "explain" in wanted
    data, strokes = drawing_from_request(request, current_app.config["MAX_JSON_DEPTH"])
    reading = read_request(data, current_app.config, classifier, strokes)
    answer = digit_view(reading, classifier, explain)
    if "read" in wanted:
        reading_answer = number_view(reading, classifier, explain)
        reading_answer.pop("verdict")
        reading_answer.pop("reason", None)
        answer.update(reading_answer)
    response = jsonify(answer)
    if wanted:
        response.headers["Preference-Applied"] = ", ".join(sorted(wanted))
    return response


@bp.post("/read")
def read():
    classifier = loaded_classifier()
    explain = wants_explanation()
    data, strokes = drawing_from_request(request, current_app.config["MAX_JSON_DEPTH"])
    reading = read_request(data, current_app.config, classifier, strokes)
    return jsonify(number_view(reading, classifier, explain))


@bp.get("/health")
def health():
    classifier = current_app.extensions.get("classifier")
    if classifier is None:
        return jsonify(status="loading"), 503
    return jsonify(status="ok", model=classifier.describe())
