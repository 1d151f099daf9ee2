"""The JSON API: POST /api/predict, POST /api/read and GET /api/health."""

import numpy as np
from flask import Blueprint, current_app, jsonify, request

from model.preprocess import EmptyDrawing, ink_map, normalize_ink, preprocess_image
from model.segment import TooManyDigits, split_digits
from webapp.decoding import image_bytes_from_request, open_image
from webapp.errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api")


def answer_digit(x, classifier):
    """One preprocessed 28x28 digit -> its answer: digit, confidence, probabilities, input.

    The one place that decides what a digit's answer is, for /api/predict and for each digit
    of /api/read (a "not a digit" verdict belongs here).
    """
    probabilities = classifier.predict(x)
    digit = int(np.argmax(probabilities))
    return {
        "digit": digit,
        "confidence": round(float(probabilities[digit]), 6),
        "probabilities": np.round(probabilities.astype(np.float64), 6).tolist(),
        "input": np.round(x.astype(np.float64), 4).tolist(),
    }


def classify(data, config, classifier):
    """Image bytes -> the contract's answer (decode, preprocess, infer)."""
    image = open_image(data, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])
    try:
        x = preprocess_image(image)
    except EmptyDrawing as error:
        raise ApiError(422, "empty_drawing", str(error))
    return answer_digit(x, classifier)


def read_number(data, config, classifier):
    """Image bytes -> the contract's reading: the number and each digit's answer and box."""
    image = open_image(data, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])

    def confidence(inks):  # settles wide ink: one wide digit, or touching digits?
        return min(float(classifier.predict(normalize_ink(ink)).max()) for ink in inks)

    try:
        candidates = split_digits(ink_map(image), judge=confidence)
    except EmptyDrawing as error:
        raise ApiError(422, "empty_drawing", str(error))
    except TooManyDigits as error:
        raise ApiError(422, "too_many_digits", str(error))
    digits = []
    for candidate in candidates:
        answer = answer_digit(normalize_ink(candidate.ink), classifier)
        answer["box"] = list(candidate.box)
        answer["input"] = answer.pop("input")  # last, as in the contract
        digits.append(answer)
    number = "".join("?" if d["digit"] is None else str(d["digit"]) for d in digits)
    return {"number": number, "digits": digits}


def _loaded_classifier():
    classifier = current_app.extensions.get("classifier")
    if classifier is None:
        raise ApiError(503, "model_loading", "The model is not loaded yet. Try again in a moment.")
    return classifier


@bp.post("/predict")
def predict():
    classifier = _loaded_classifier()
    data = image_bytes_from_request(request, current_app.config["MAX_JSON_DEPTH"])
    return jsonify(classify(data, current_app.config, classifier))


@bp.post("/read")
def read():
    classifier = _loaded_classifier()
    data = image_bytes_from_request(request, current_app.config["MAX_JSON_DEPTH"])
    return jsonify(read_number(data, current_app.config, classifier))


@bp.get("/health")
def health():
    classifier = current_app.extensions.get("classifier")
    if classifier is None:
        return jsonify(status="loading"), 503
    return jsonify(status="ok", model=classifier.describe())
