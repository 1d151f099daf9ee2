"""Flask application factory for the digit recognizer."""

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {
    "MODEL_PATH": str(ROOT / "model" / "saved" / "digits.tflite"),
    # The "is it a digit?" model; None: notdigit.tflite next to MODEL_PATH (see serving.py).
    "NOTDIGIT_MODEL_PATH": None,
    # The "is this piece one whole digit?" model that guides /api/read; None: onedigit.tflite
    # next to MODEL_PATH, when it is there.
    "ONEDIGIT_MODEL_PATH": None,
    # The number model that reads a whole line for /api/read; None: sequence.tflite next to
    # MODEL_PATH, when it is there.
    "SEQUENCE_MODEL_PATH": None,
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
    "FEEDBACK_RATE": "30/minute",  # corrections per client per worker; more is 429
    # How long after sending a correction its sender may take it back (DELETE /api/feedback/{id}).
    "FEEDBACK_UNDO_SECONDS": 60,
}


def create_app(test_config=None):
    """Create the app: defaults, then DIGITS_* environment variables, then test overrides."""
    app = Flask(__name__, static_folder=str(ROOT / "static"),
                template_folder=str(ROOT / "templates"))
    app.config.from_mapping(DEFAULTS)
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("DIGITS")
    if test_config:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False  # keep answers in the contract's order

    from webapp import api, errors, feedback, openapi, pages, security, serving

    errors.init_app(app)
    security.init_app(app)
    serving.init_app(app)
    feedback.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(pages.bp)
    return app
