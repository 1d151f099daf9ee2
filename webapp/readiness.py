"""GET /api/ready: whether this instance can do all its work now, the corrections database included.

/api/health is the liveness check (the models answer); this one also asks the database, within
DATABASE_DEADLINE, so a load balancer or an operator sees corrections storage go and come back.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from webapp import database

bp = Blueprint("readiness", __name__, url_prefix="/api")


@bp.get("/ready")
def ready() -> Response | tuple[Response, int]:
    predictions = "ok" if current_app.extensions.get("models") is not None else "loading"
    corrections, reason = "ok", ""
    try:
        database.storage(current_app).check()
    except database.StorageUnavailable as error:
        corrections, reason = "unavailable", f"{error.kind}: {error.reason}"
    checks = {"predictions": predictions, "corrections": corrections}
    if predictions == "ok" and corrections == "ok":
        return jsonify(status="ready", checks=checks)
    message = (
        "Not ready: the model is still loading."
        if predictions != "ok"
        else "Not ready: corrections cannot be stored right now "
        f"({reason}). Predictions still work."
    )
    response = jsonify(
        error={"code": "not_ready", "message": message}, status="not_ready", checks=checks
    )
    response.headers["Retry-After"] = str(database.RETRY_AFTER_SECONDS)
    return response, 503
