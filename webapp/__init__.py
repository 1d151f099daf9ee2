"""Flask application factory for the digit recognizer."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from reading.models import MODELS
from webapp.json_provider import OrjsonProvider

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {
    # Each served model's path (reading/models.py): the digit model's shipped file; None for
    # the others, which are then their files next to it, when they are there.
    **{model.config_key: str(model.shipped) if model.required else None for model in MODELS},
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # bytes of a request body; more is 413
    "MAX_IMAGE_PIXELS": 4_000_000,  # a phone's 1080x1080 canvas is 1.2 M
    "MAX_IMAGE_SIDE": 4096,
    "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
    "MAX_FORM_PARTS": 16,  # the form needs one file
    "MAX_JSON_DEPTH": 8,  # {"image": "..."} is 1 deep
    "PROXY_FIX": 0,  # reverse proxies in front whose X-Forwarded-* headers are trusted
    # Where corrections go: None is SQLite in the instance folder; postgresql://... for many
    # machines. DATABASE_URL (the usual name) or DIGITS_DATABASE_URL sets it.
    "DATABASE_URL": None,
    "FEEDBACK_RATE": "30/minute",  # corrections per client; more is 429
    # Where the corrections quota is counted: None is each worker's memory (a quota per worker);
    # redis://... for one quota across workers and machines. REDIS_URL or DIGITS_REDIS_URL.
    "REDIS_URL": None,
    # How long after sending a correction its sender may take it back (DELETE /api/feedback/{id}).
    "FEEDBACK_UNDO_SECONDS": 60,
}


def create_app(test_config: Mapping[str, object] | None = None) -> Flask:
    """Create the app: defaults, then DIGITS_* environment variables, then test overrides."""
    app = Flask(
        __name__, static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates")
    )
    app.config.from_mapping(DEFAULTS)
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    app.config.from_prefixed_env("DIGITS")
    if test_config:
        app.config.from_mapping(test_config)
    app.json = OrjsonProvider(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # the contract's order

    from webapp import (
        api,
        corrections_api,
        errors,
        metrics,
        openapi,
        pages,
        readiness,
        request_id,
        security,
        serving,
    )

    errors.init_app(app)
    security.init_app(app)
    serving.init_app(app)
    metrics.init_app(app)  # after serving: it shows the loaded model's version
    request_id.init_app(app)
    corrections_api.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(readiness.bp)
    return app
