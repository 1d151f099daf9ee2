"""POST /api/feedback: a person says which digit the drawing really was; the server keeps it.

Stored: the image as sent, the 28x28 input the model saw, the label, the model's answer and
probabilities, the model's version and the time. Nothing about the person.
"""

import numpy as np
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from corrections.store import add_correction
from webapp import database
from webapp.api import infer, loaded_classifier
from webapp.decoding import image_bytes_from_request, image_from_payload, json_payload
from webapp.errors import ApiError, error_response
from webapp.ratelimit import SlidingWindowLimit, parse_rate

bp = Blueprint("feedback", __name__, url_prefix="/api")
LABEL_HINT = "Send the digit it really was, 0 to 9"


@bp.post("/feedback")
def feedback():
    limit = current_app.extensions["feedback_limit"]
    if not limit.allow(request.remote_addr or "unknown"):
        response = error_response(429, "rate_limited", "Too many corrections from you in a short "
                                  "time. Thank you! Please wait a moment and try again.")
        response.headers["Retry-After"] = str(limit.window)
        return response
    classifier = loaded_classifier()
    data, label = correction_from_request(request, current_app.config["MAX_JSON_DEPTH"])
    x, probabilities = infer(data, current_app.config, classifier)
    try:
        correction_id = add_correction(
            database.engine(current_app), image=data, x=x, label=label,
            predicted=int(np.argmax(probabilities)), probabilities=probabilities,
            model_version=classifier.version)
    except SQLAlchemyError:
        current_app.logger.exception("Could not store a correction")
        raise ApiError(503, "storage_unavailable",
                       "The correction could not be saved right now. Try again in a moment.")
    return jsonify(id=correction_id), 201


def correction_from_request(request, max_json_depth):
    """(image bytes, label) from JSON {"image", "label"}, a multipart form, or raw bytes + ?label=."""
    if (request.mimetype or "").lower() == "application/json":
        payload = json_payload(request.get_data(cache=False), max_json_depth)
        if "label" not in payload:
            raise ApiError(400, "missing_label", f'The JSON object has no "label". {LABEL_HINT}.')
        label = _json_label(payload["label"])
        return image_from_payload(payload), label
    data = image_bytes_from_request(request, max_json_depth)  # 415 for other types comes first
    where = request.form if (request.mimetype or "").lower() == "multipart/form-data" else None
    values = where.getlist("label") if where is not None else request.args.getlist("label")
    if not values:
        field = "form field" if where is not None else "query parameter (?label=3)"
        raise ApiError(400, "missing_label", f'There is no "label" {field}. {LABEL_HINT}.')
    if len(values) > 1 or values[0].strip() not in [str(d) for d in range(10)]:
        raise ApiError(400, "bad_label", f'"label" must be one digit, 0 to 9. {LABEL_HINT}.')
    return data, int(values[0])


def _json_label(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 9:
        raise ApiError(400, "bad_label",
                       f'"label" must be an integer from 0 to 9, not {value!r:.40}. {LABEL_HINT}.')
    return value


def init_app(app):
    """The database (migrated now, before any worker forks) and the per-client rate limit."""
    database.init_app(app)
    app.extensions["feedback_limit"] = SlidingWindowLimit(*parse_rate(app.config["FEEDBACK_RATE"]))
    app.register_blueprint(bp)
