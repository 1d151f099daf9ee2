"""The JSON API: POST /api/predict, POST /api/read and GET /api/health (feedback: feedback.py)."""

import numpy as np
from flask import Blueprint, current_app, jsonify, request

from model.preprocess import EmptyDrawing, ink_map, preprocess_image
from model.segment import Candidate, TooManyDigits
from model.segment_search import read_digits
from webapp.decoding import open_image
from webapp.errors import ApiError
from webapp.explain import occlusion_map
from webapp.strokes import drawing_from_request

bp = Blueprint("api", __name__, url_prefix="/api")


def infer(data, config, classifier):
    """Image bytes -> (the exact 28x28 input the model saw, its 10 probabilities)."""
    image = open_image(data, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])
    return _infer_image(image, classifier)


def _infer_image(image, classifier):
    """A decoded image, read whole as /api/predict reads it: (28x28 input, 10 probabilities)."""
    try:
        x = preprocess_image(image)
    except EmptyDrawing as error:
        raise ApiError(422, "empty_drawing", str(error))
    return x, classifier.predict(x)


def answer_digit(x, probabilities, classifier, explain=False, line_says=None):
    """One digit's answer: digit, confidence, probabilities, input (and why, if asked).

    The one place that decides what a digit's answer is, for /api/predict and for each digit
    of /api/read. When the not-digit model rejects the input, the digit is null and the reason
    "not_a_digit"; confidence stays the top digit's probability. In a number, what the number
    model says of the digit in its line (line_says, model/segment_search.py) comes first: it
    judges a digit with its neighbours, where the not-digit model sees it cut out alone.
    """
    digit = int(np.argmax(probabilities))
    rejected = (line_says == "not_a_digit"
                or (line_says != "digit" and classifier.is_not_a_digit(x)))
    answer = {
        "digit": None if rejected else digit,
        **({"reason": "not_a_digit"} if rejected else {}),
        "confidence": round(float(probabilities[digit]), 6),
        "probabilities": np.round(probabilities.astype(np.float64), 6).tolist(),
        "input": _grid(x),
    }
    if explain:
        _add_explanation(answer, x, probabilities, classifier)
    return answer


def _add_explanation(answer, x, probabilities, classifier):
    answer["explanation"] = _grid(occlusion_map(classifier.predict_many, x, probabilities))


def classify(data, config, classifier, explain=False):
    """Image bytes -> the contract's answer (decode, preprocess, infer), and why if asked."""
    x, probabilities = infer(data, config, classifier)
    return answer_digit(x, probabilities, classifier, explain)


def read_number(data, config, classifier, explain=False, strokes=None):
    """Image bytes -> the contract's reading: the number and each digit's answer and box.
    strokes: the drawing's strokes in the order drawn, if the client sent them."""
    image = open_image(data, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])
    try:
        # The classifier reads every way of cutting the ink worth trying and picks the best.
        one_digit = classifier.judge.probabilities if classifier.judge else None
        read_line = classifier.line_reader.columns if classifier.line_reader else None
        ink = ink_map(image)
        candidates = read_digits(ink, classifier.predict_many, one_digit=one_digit,
                                 read_line=read_line, strokes=strokes)
    except EmptyDrawing as error:
        raise ApiError(422, "empty_drawing", str(error))
    except TooManyDigits as error:
        raise ApiError(422, "too_many_digits", str(error))
    answers = [answer_digit(c.x, c.probabilities, classifier, line_says=c.line_says)
               for c in candidates]
    if len(candidates) > 1 and all(a["digit"] is None for a in answers):
        # Nothing but non-digits: a small, fat digit can come apart into several pieces that
        # are none of them a digit. Read the whole drawing as /api/predict does instead.
        candidates = [_whole_drawing(image, ink, candidates, classifier)]
        answers = [answer_digit(candidates[0].x, candidates[0].probabilities, classifier)]
    digits = []
    for candidate, answer in zip(candidates, answers):
        if explain:  # only for the digits answered: an occlusion map costs a few ms
            _add_explanation(answer, candidate.x, candidate.probabilities, classifier)
        seen = answer.pop("input")  # box, then input last, as in the contract
        digits.append({**answer, "box": list(candidate.box), "input": seen})
    number = "".join("?" if d["digit"] is None else str(d["digit"]) for d in digits)
    return {"number": number, "digits": digits}


def _whole_drawing(image, ink, pieces, classifier):
    """All the drawing as one Candidate, as /api/predict reads it, boxed around the pieces."""
    x, probabilities = _infer_image(image, classifier)
    left, top = min(p.box[0] for p in pieces), min(p.box[1] for p in pieces)
    right = max(p.box[0] + p.box[2] for p in pieces)
    bottom = max(p.box[1] + p.box[3] for p in pieces)
    return Candidate(box=(left, top, right - left, bottom - top),
                     ink=ink[top:bottom, left:right], x=x, probabilities=probabilities)


def _same_digits_explanation(answer, reading):
    """The one digit read's explanation when it saw the same input as the whole drawing (a
    drawing of one digit, the usual case): computing the occlusion map twice costs 4 ms."""
    digits = reading["digits"]
    if len(digits) == 1 and digits[0]["input"] == answer["input"]:
        return digits[0]["explanation"]
    return None


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
    """One digit; with `Prefer: read` also the number (as /api/read), which the page asks for
    (with the strokes, which only the number's reading uses)."""
    classifier = loaded_classifier()
    wanted = preferences() & {"read", "explain"}
    explain = wants_explanation() or "explain" in wanted
    data, strokes = drawing_from_request(request, current_app.config["MAX_JSON_DEPTH"])
    if "read" not in wanted:
        answer = classify(data, current_app.config, classifier, explain)
    else:
        x, probabilities = infer(data, current_app.config, classifier)
        answer = answer_digit(x, probabilities, classifier)
        reading = read_number(data, current_app.config, classifier, explain, strokes)
        if explain:
            answer["explanation"] = _same_digits_explanation(answer, reading) or _grid(
                occlusion_map(classifier.predict_many, x, probabilities))
        answer.update(reading)
    response = jsonify(answer)
    if wanted:
        response.headers["Preference-Applied"] = ", ".join(sorted(wanted))
    return response


@bp.post("/read")
def read():
    classifier = loaded_classifier()
    explain = wants_explanation()
    data, strokes = drawing_from_request(request, current_app.config["MAX_JSON_DEPTH"])
    return jsonify(read_number(data, current_app.config, classifier, explain, strokes))


@bp.get("/health")
def health():
    classifier = current_app.extensions.get("classifier")
    if classifier is None:
        return jsonify(status="loading"), 503
    return jsonify(status="ok", model=classifier.describe())
