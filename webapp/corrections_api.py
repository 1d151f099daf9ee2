"""POST /api/feedback: a person says which digit, or which whole number, the drawing really was;
the server keeps it. DELETE /api/feedback/{id}: the same person takes it back, shortly after.

Stored for a digit (`corrections`): the image as sent, the 28x28 input the model saw, the label,
the model's answer and probabilities, the model's version and the time. For a number
(`number_corrections`): the image and strokes as sent, the number, what the reading showed (its
number, verdict and boxes), the model's version and the time. Nothing about the person; of the
undo token, only its hash (corrections/undo.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, jsonify, request

from corrections import undo
from corrections.store import add_correction, add_number_correction
from webapp import database, metrics, ratelimit
from webapp.api import infer, loaded_models, read_request
from webapp.drawing_request import read_drawing_request
from webapp.errors import ApiError, error_response

# The URL keeps its first name, /api/feedback, for the clients that use it.
bp = Blueprint("corrections", __name__, url_prefix="/api")
# The largest id an Integer column holds (PostgreSQL's int4); a larger one cannot be stored, and
# asking the database for it would fail the query instead of finding nothing.
MAX_ID = 2**31 - 1


@bp.post("/feedback")
def add_correction_route() -> Response | tuple[Response, int]:
    ratelimit.enforce_correction_quota()  # 429 rate_limited when over FEEDBACK_RATE
    config = current_app.config
    models = loaded_models()
    correction = read_drawing_request(request, config["MAX_JSON_DEPTH"], labelled=True)
    data, label, strokes = correction.image, correction.label, correction.strokes
    assert label is not None  # labelled: a request without one was answered 400 missing_label
    token, token_hash = undo.new_token()
    version = models.digits.version
    created_at = datetime.now(UTC)  # the undo window starts once it is stored
    answer = {}
    if len(label) == 1:
        x, probabilities = infer(data, config, models)
        with _storage("saved", token_hash) as engine:
            correction_id = add_correction(
                engine,
                image=data,
                x=x,
                label=int(label),
                predicted=int(np.argmax(probabilities)),
                probabilities=probabilities,
                model_version=version,
                undo_token_hash=token_hash,
                created_at=created_at,
            )
    else:
        reading = read_request(data, config, models, strokes)
        with _storage("saved", token_hash) as engine:
            correction_id = add_number_correction(
                engine,
                image=data,
                number=label,
                shown=reading.number,
                verdict=reading.verdict,
                boxes=[piece.where() for piece in reading.digits],
                strokes=strokes,
                model_version=version,
                undo_token_hash=token_hash,
                created_at=created_at,
            )
        answer["number"] = label
    metrics.count_correction("digit" if len(label) == 1 else "number")
    until = undo.undo_until(created_at, config["FEEDBACK_UNDO_SECONDS"])
    # Rounded down to the second: a client that believes it never undoes too late.
    return jsonify(
        id=correction_id,
        undo_token=token,
        undo_until=until.strftime("%Y-%m-%dT%H:%M:%SZ"),
        **answer,
    ), 201


# No rate limit: the token cannot be guessed, and a person undoing their own correction right
# after sending it must never be held back by the corrections they sent.
@bp.delete(f"/feedback/<int(max={MAX_ID}):correction_id>")
def undo_correction(correction_id: int) -> Response | tuple[str, int]:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        response = error_response(
            401,
            "missing_token",
            "Send the undo_token of the correction's "
            "201 answer as the header Authorization: Bearer <undo_token>.",
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    seconds = current_app.config["FEEDBACK_UNDO_SECONDS"]
    with _storage("undone") as engine:
        outcome = undo.undo(engine, correction_id, token.strip(), seconds)
    if outcome == undo.EXPIRED:
        raise ApiError(
            410,
            "undo_expired",
            "It is too late to undo this correction: it is kept. "
            f"A correction can be undone for {seconds} seconds after sending it.",
        )
    if outcome == undo.NOT_FOUND:
        # The same answer for an unknown id and a wrong token: ids cannot be probed.
        raise ApiError(
            404,
            "not_found",
            "There is no correction with this id and undo token (it may have been undone already).",
        )
    return "", 204


@contextlib.contextmanager
def _storage(done: str, unsure_token_hash: str | None = None) -> Iterator[sa.Engine]:
    """The database within its deadline; a failure becomes 503 storage_unavailable with
    Retry-After (the log gets one line per kind of failure, webapp/database.py)."""
    try:
        failed = f"A correction could not be {done}"
        with database.storage(current_app).use(unsure_token_hash, failed) as engine:
            yield engine
    except database.StorageUnavailable:
        raise ApiError(
            503,
            "storage_unavailable",
            f"The correction could not be {done} right now: its database is unavailable. "
            f"Predictions still work. Try again in {database.RETRY_AFTER_SECONDS} seconds.",
            headers={"Retry-After": str(database.RETRY_AFTER_SECONDS)},
        ) from None


def init_app(app: Flask) -> None:
    """The database (webapp/database.py: the app starts even when it is away), the per-client
    rate limit and the undo window."""
    seconds = app.config["FEEDBACK_UNDO_SECONDS"]
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise ValueError(
            f"FEEDBACK_UNDO_SECONDS must be a whole number of seconds, 0 or more, not {seconds!r}."
        )
    database.init_app(app)
    ratelimit.init_app(app)
    app.register_blueprint(bp)
