"""GET /api/openapi.json: the OpenAPI 3 description of the API, kept next to it by hand.

The operations are here; the schemas and responses they share are in webapp/openapi_schemas.py,
those about running the service (readiness, quota headers) in webapp/openapi_service.py.
"""

from flask import Blueprint, Response, jsonify

from webapp.corrections_api import MAX_ID
from webapp.openapi_schemas import (
    COMPONENTS,
    TEXT_LABEL,
    drawing_content,
    error_ref,
    reply,
)
from webapp.openapi_service import RATELIMIT_HEADERS

bp = Blueprint("openapi", __name__, url_prefix="/api")

# /api/predict and /api/read take a drawing the same three ways; ?explain=1 adds the why.
STROKES_FIELD = {
    "strokes": {
        "type": "string",
        "description": "The `strokes` array of the JSON form, as JSON text.",
    }
}
DRAWING = {
    "required": True,
    "description": "A PNG, JPEG or WebP drawing of any reasonable size and look: "
    "as JSON, as a multipart file field, or as the raw bytes; with JSON or a "
    "form, optionally its strokes.",
    "content": drawing_content("ImageJson", {}, STROKES_FIELD),
}
EXPLAIN = [
    {
        "name": "explain",
        "in": "query",
        "required": False,
        "description": "1 adds `explanation`: an occlusion map of why this digit.",
        "schema": {"type": "string", "enum": ["0", "1", "true", "false"]},
    }
]
REFUSALS = {
    "400": error_ref("BadRequest"),
    "413": error_ref("TooLarge"),
    "415": error_ref("UnsupportedMediaType"),
    "503": error_ref("ModelLoading"),
}

SPEC = {
    "openapi": "3.0.3",
    "info": {
        "title": "Handwritten digit recognizer",
        "version": "1.0.0",
        "description": "Classifies one drawn digit, or reads a whole number. Every error body "
        "has the shape of Error.",
    },
    "paths": {
        "/api/predict": {
            "post": {
                "operationId": "predict",
                "summary": "Classify one drawing",
                "parameters": [
                    *EXPLAIN,
                    {
                        "name": "Prefer",
                        "in": "header",
                        "required": False,
                        "description": "RFC 7240 preferences: `explain` as ?explain=1; `read` adds "
                        "`number` and `digits` as /api/read gives them.",
                        "schema": {"type": "string", "example": "read, explain"},
                    },
                ],
                "requestBody": DRAWING,
                "responses": {
                    "200": reply(
                        {"$ref": "#/components/schemas/Prediction"},
                        "The digit, its probabilities and the 28x28 input the model saw.",
                    ),
                    "422": error_ref("EmptyDrawing"),
                    **REFUSALS,
                },
            },
        },
        "/api/read": {
            "post": {
                "operationId": "read",
                "summary": "Read a whole number: each digit, left to right",
                "parameters": EXPLAIN,
                "requestBody": DRAWING,
                "responses": {
                    "200": reply(
                        {"$ref": "#/components/schemas/Reading"},
                        "The number and, for each digit, the answer /api/predict "
                        "would give for it alone, and its box in the drawing.",
                    ),
                    "422": error_ref("Unreadable"),
                    **REFUSALS,
                },
            },
        },
        "/api/feedback": {
            "post": {
                "operationId": "feedback",
                "summary": "Store a correction: the drawing and the digit or number it really was",
                "description": "A one-digit label stores a digit correction: the image, the "
                "28x28 input, the label, the model's answer, probabilities and "
                "version, and the time. A label of 2 to 20 digits stores a number "
                "correction: the image and strokes as sent, the number, what the "
                "reading showed (number, verdict, boxes), the model's version and "
                "the time. Nothing about the client. Limited per client "
                "(FEEDBACK_RATE: across every server sharing REDIS_URL, else per worker), "
                "in a moving window the RateLimit-* headers describe. The answer's "
                "undo_token takes it back until undo_until (DELETE /api/feedback/{id}).",
                "parameters": [
                    {
                        "name": "label",
                        "in": "query",
                        "required": False,
                        "schema": TEXT_LABEL,
                        "description": "The label, for raw image bodies (JSON and forms carry it).",
                    }
                ],
                "requestBody": {
                    "required": True,
                    "description": "The drawing in any form /api/predict accepts, plus label; "
                    "strokes are read for a number correction only.",
                    "content": drawing_content(
                        "CorrectionJson", {"label": TEXT_LABEL}, STROKES_FIELD
                    ),
                },
                "responses": {
                    "201": {
                        **reply(
                            {"$ref": "#/components/schemas/Stored"},
                            "Stored; the correction's id and how to undo it.",
                        ),
                        "headers": RATELIMIT_HEADERS,
                    },
                    "400": error_ref("BadRequest"),
                    "413": error_ref("TooLarge"),
                    "415": error_ref("UnsupportedMediaType"),
                    "422": error_ref("EmptyDrawing"),
                    "429": error_ref("RateLimited"),
                    "503": error_ref("Unavailable"),
                },
            },
        },
        "/api/feedback/{id}": {
            "delete": {
                "operationId": "undoFeedback",
                "summary": "Undo a correction, with the undo token its 201 answer gave",
                "description": "Deletes the correction with this id whose undo token is the "
                "bearer token. Digit and number corrections are numbered apart, so "
                "two may share an id: the token tells which one is meant. Possible "
                "until undo_until (FEEDBACK_UNDO_SECONDS after sending, default "
                "60); nothing else deletes a correction.",
                "security": [{"undoToken": []}],
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                        "description": "The id of POST /api/feedback's 201 answer.",
                    }
                ],
                "responses": {
                    "204": {"description": "Deleted."},
                    "401": {
                        **reply(
                            {"$ref": "#/components/schemas/Error"},
                            "No bearer token (missing_token).",
                        ),
                        "headers": {
                            "WWW-Authenticate": {"schema": {"type": "string", "enum": ["Bearer"]}}
                        },
                    },
                    "404": reply(
                        {"$ref": "#/components/schemas/Error"},
                        "No correction has this id and token (not_found): the id is "
                        "unknown, the token wrong, or it was undone already.",
                    ),
                    "410": reply(
                        {"$ref": "#/components/schemas/Error"},
                        "The token matches but undo_until has passed (undo_expired): "
                        "the correction is kept.",
                    ),
                    "503": error_ref("Unavailable"),
                },
            },
        },
        "/api/health": {
            "get": {
                "operationId": "health",
                "summary": "Whether the model is loaded and answering",
                "responses": {
                    "200": reply({"$ref": "#/components/schemas/Health"}, "The model answers."),
                    "503": reply(
                        {"$ref": "#/components/schemas/Loading"}, "The model is not loaded yet."
                    ),
                },
            },
        },
        "/api/ready": {
            "get": {
                "operationId": "ready",
                "summary": "Whether this instance can do all its work now, corrections included",
                "description": "Asks the corrections database (within DATABASE_DEADLINE). "
                "/api/health is the liveness check; this one says when corrections cannot be "
                "stored while predictions still work.",
                "responses": {
                    "200": reply({"$ref": "#/components/schemas/Ready"}, "All is well."),
                    "503": {
                        **reply(
                            {"$ref": "#/components/schemas/NotReady"},
                            "Something is down (not_ready): checks says what, the message why.",
                        ),
                        "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
                    },
                },
            },
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description",
                "responses": {"200": reply({"type": "object"}, "The OpenAPI 3 description.")},
            },
        },
    },
    "components": COMPONENTS,
}


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(SPEC)
