"""POST /api/feedback: a person says which digit, or which whole number, the drawing really was;
the server keeps it. DELETE /api/feedback/{id}: the same person takes it back, shortly after.

Stored for a digit (`corrections`): the image as sent, the 28x28 input the model saw, the label,
the model's answer and probabilities, the model's version and the time. For a number
(`number_corrections`): the image and strokes as sent, the number, what the reading showed (its
number, verdict and boxes), the model's version and the time. Nothing about the person; of the
undo token, only its hash (corrections/undo.py).
"""

import contextlib
import re
from datetime import datetime, timezone

import numpy as np
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from corrections import undo
from corrections.store import add_correction, add_number_correction
from reading.segment import MAX_DIGITS
from webapp import database
from webapp.api import infer, loaded_classifier, read_request
from webapp.decoding import image_bytes_from_request, image_from_payload, json_payload
from webapp.errors import ApiError, error_response
from webapp.ratelimit import SlidingWindowLimit, parse_rate
from webapp.strokes import strokes_from_form, strokes_from_json

bp = Blueprint("feedback", __name__, url_prefix="/api")
LABEL_HINT = (f"Send the digit it really was, 0 to 9, or the whole number it really was, 2 to "
              f'{MAX_DIGITS} digits, as a string such as "207"')
# ASCII digits only: str.isdigit() would take "²" or "٣".
TEXT_LABEL = re.compile(f"[0-9]{{1,{MAX_DIGITS}}}")
NUMBER_LABEL = re.compile(f"[0-9]{{2,{MAX_DIGITS}}}")
# The largest id an Integer column holds (PostgreSQL's int4); a larger one cannot be stored, and
# asking the database for it would fail the query instead of finding nothing.
MAX_ID = 2**31 - 1


@bp.post("/feedback")
def feedback():
    limit = current_app.extensions["feedback_limit"]
    if not limit.allow(request.remote_addr or "unknown"):
        response = error_response(429, "rate_limited", "Too many corrections from you in a short "
                                  "time. Thank you! Please wait a moment and try again.")
        response.headers["Retry-After"] = str(limit.window)
        return response
    config = current_app.config
    classifier = loaded_classifier()
    data, label, strokes = correction_from_request(request, config["MAX_JSON_DEPTH"])
    token, token_hash = undo.new_token()
    if len(label) == 1:
        x, probabilities = infer(data, config, classifier)
        row = {"x": x, "label": int(label), "predicted": int(np.argmax(probabilities)),
               "probabilities": probabilities}
        add, answer = add_correction, {}
    else:
        reading = read_request(data, config, classifier, strokes)
        row = {"number": label, "shown": reading.number, "verdict": reading.verdict,
               "boxes": [piece.where() for piece in reading.digits], "strokes": strokes}
        add, answer = add_number_correction, {"number": label}
    created_at = datetime.now(timezone.utc)  # the undo window starts once it is stored
    with _storage("saved"):
        correction_id = add(database.engine(current_app), image=data, **row,
                            model_version=classifier.version, undo_token_hash=token_hash,
                            created_at=created_at)
    until = undo.undo_until(created_at, config["FEEDBACK_UNDO_SECONDS"])
    # Rounded down to the second: a client that believes it never undoes too late.
    return jsonify(id=correction_id, undo_token=token,
                   undo_until=until.strftime("%Y-%m-%dT%H:%M:%SZ"), **answer), 201


# No rate limit: the token cannot be guessed, and a person undoing their own correction right
# after sending it must never be held back by the corrections they sent.
@bp.delete(f"/feedback/<int(max={MAX_ID}):correction_id>")
def undo_feedback(correction_id):
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        response = error_response(401, "missing_token", "Send the undo_token of the correction's "
                                  "201 answer as the header Authorization: Bearer <undo_token>.")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    seconds = current_app.config["FEEDBACK_UNDO_SECONDS"]
    with _storage("undone"):
        outcome = undo.undo(database.engine(current_app), correction_id, token.strip(), seconds)
    if outcome == undo.EXPIRED:
        raise ApiError(410, "undo_expired", "It is too late to undo this correction: it is kept. "
                       f"A correction can be undone for {seconds} seconds after sending it.")
    if outcome == undo.NOT_FOUND:
        # The same answer for an unknown id and a wrong token: ids cannot be probed.
        raise ApiError(404, "not_found", "There is no correction with this id and undo token "
                       "(it may have been undone already).")
    return "", 204


@contextlib.contextmanager
def _storage(done):
    """A database failure becomes 503 storage_unavailable, and the log says why."""
    try:
        yield
    except SQLAlchemyError:
        current_app.logger.exception(f"A correction could not be {done}")
        raise ApiError(503, "storage_unavailable",
                       f"The correction could not be {done} right now. Try again in a moment.")


def correction_from_request(request, max_json_depth):
    """(image bytes, label, strokes or None) from JSON {"image", "label"[, "strokes"]}, a
    multipart form, or raw bytes + ?label=. The label is a string of digits: one for a digit,
    more for a whole number; only a number's reading uses the strokes."""
    if (request.mimetype or "").lower() == "application/json":
        payload = json_payload(request.get_data(cache=False), max_json_depth)
        if "label" not in payload:
            raise ApiError(400, "missing_label", f'The JSON object has no "label". {LABEL_HINT}.')
        label = _json_label(payload["label"])
        data = image_from_payload(payload)
        return data, label, strokes_from_json(payload) if len(label) > 1 else None
    data = image_bytes_from_request(request, max_json_depth)  # 415 for other types comes first
    form = (request.mimetype or "").lower() == "multipart/form-data"
    values = request.form.getlist("label") if form else request.args.getlist("label")
    if not values:
        field = "form field" if form else "query parameter (?label=3)"
        raise ApiError(400, "missing_label", f'There is no "label" {field}. {LABEL_HINT}.')
    if len(values) > 1:
        raise ApiError(400, "bad_label", f'Send one "label", not {len(values)}. {LABEL_HINT}.')
    label = values[0].strip()
    if not TEXT_LABEL.fullmatch(label):
        raise ApiError(400, "bad_label", f'"label" must be one digit, 0 to 9, or a whole number '
                       f"of 2 to {MAX_DIGITS} digits, not {values[0]!r:.40}. {LABEL_HINT}.")
    return data, label, strokes_from_form(request) if form and len(label) > 1 else None


def _json_label(value):
    """A JSON label as a string of digits: an integer 0-9, or a string of 2 to 20 digits (an
    integer would lose a number's leading zeros)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= 9:
            return str(value)
        raise ApiError(400, "bad_label", f'"label" as a JSON integer must be a digit, 0 to 9, '
                       f"not {value!r:.40}. An integer cannot keep leading zeros: send a whole "
                       f'number as a string of 2 to {MAX_DIGITS} digits, such as "0207".')
    if isinstance(value, str) and NUMBER_LABEL.fullmatch(value):
        return value
    raise ApiError(400, "bad_label", f'"label" must be an integer from 0 to 9 or a string of 2 '
                   f"to {MAX_DIGITS} digits, not {value!r:.40}. {LABEL_HINT}.")


def init_app(app):
    """The database (migrated now, before any worker forks), the per-client rate limit and
    the undo window."""
    seconds = app.config["FEEDBACK_UNDO_SECONDS"]
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise ValueError("FEEDBACK_UNDO_SECONDS must be a whole number of seconds, 0 or more, "
                         f"not {seconds!r}.")
    database.init_app(app)
    app.extensions["feedback_limit"] = SlidingWindowLimit(*parse_rate(app.config["FEEDBACK_RATE"]))
    app.register_blueprint(bp)
