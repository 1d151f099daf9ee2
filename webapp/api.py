"""The JSON API: POST /api/predict and GET /api/health (POST /api/feedback: feedback.py)."""

import numpy as np
from flask import Blueprint, current_app, jsonify, request

from model.preprocess import EmptyDrawing, preprocess_image
from webapp.decoding import image_bytes_from_request, open_image
from webapp.errors import ApiError
from webapp.explain import occlusion_map

bp = Blueprint("api", __name__, url_prefix="/api")


def infer(data, config, classifier):
    """Image bytes -> (the exact 28x28 input the model saw, its 10 probabilities)."""
    image = open_image(data, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])
    try:
        x = preprocess_image(image)
    except EmptyDrawing as error:
        raise ApiError(422, "empty_drawing", str(error))
    return x, classifier.predict(x)


def classify(data, config, classifier, explain=False):
    """Image bytes -> the contract's answer (decode, preprocess, infer), and why if asked."""
    x, probabilities = infer(data, config, classifier)
    digit = int(np.argmax(probabilities))
    answer = {
        "digit": digit,
        "confidence": round(float(probabilities[digit]), 6),
        "probabilities": np.round(probabilities.astype(np.float64), 6).tolist(),
        "input": _grid(x),
    }
    if explain:
        answer["explanation"] = _grid(occlusion_map(classifier.predict_many, x, probabilities))
    return answer


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


@bp.post("/predict")
def predict():
    classifier = loaded_classifier()
    explain = wants_explanation()
    data = image_bytes_from_request(request, current_app.config["MAX_JSON_DEPTH"])
    return jsonify(classify(data, current_app.config, classifier, explain))


@bp.get("/health")
def health():
    classifier = current_app.extensions.get("classifier")
    if classifier is None:
        return jsonify(status="loading"), 503
    return jsonify(status="ok", model=classifier.describe())
