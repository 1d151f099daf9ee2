"""GET /api/openapi.json: the OpenAPI 3 description of the API, kept next to it by hand."""

from flask import Blueprint, jsonify

from reading.segment import MAX_DIGITS
from webapp.feedback import MAX_ID
from webapp.strokes import MAX_POINTS, MAX_STROKES

bp = Blueprint("openapi", __name__, url_prefix="/api")

BINARY = {"type": "string", "format": "binary"}
UNIT = {"type": "number", "minimum": 0, "maximum": 1}
# A correction's label: a digit, or a whole number of 2 to MAX_DIGITS digits. In a form or a query
# every label is text; in JSON a digit is an integer and a number a string, which keeps its
# leading zeros.
DIGIT_LABEL = {"type": "integer", "minimum": 0, "maximum": 9, "description": "The digit it was."}
NUMBER_LABEL = {"type": "string", "pattern": f"^[0-9]{{2,{MAX_DIGITS}}}$",
                "description": "The whole number it was, leading zeros kept."}
TEXT_LABEL = {"type": "string", "pattern": f"^[0-9]{{1,{MAX_DIGITS}}}$",
              "description": "One digit (a digit correction) or 2 to 20 digits (a number "
                             "correction)."}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _drawing_content(json_schema, form_fields, optional_fields=None):
    """The three request forms of a drawing: JSON, a multipart file (plus fields), raw bytes."""
    return {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{json_schema}"}},
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["image", *form_fields],
                       "properties": {"image": BINARY, **form_fields,
                                      **(optional_fields or {})}},
            "encoding": {"image": {"contentType": "image/png, image/jpeg, image/webp"}},
        },
        **{f"image/{fmt}": {"schema": BINARY} for fmt in ("png", "jpeg", "webp")},
    }


def _error(name):
    return {"$ref": f"#/components/responses/{name}"}


STROKES = {
    "type": "array", "maxItems": MAX_STROKES,
    "items": {"type": "array", "minItems": 1,
              "items": {"type": "array", "minItems": 2, "maxItems": 2,
                        "items": {"type": "number"}}},
    "description": "Optional: the drawing's strokes in the order drawn, each a list of [x, y] "
                   f"points in the image's pixels (at most {MAX_STROKES} strokes and "
                   f"{MAX_POINTS:,} points in all). A number's reading uses them to tell "
                   "overlapping digits apart; the page sends them."}
# /api/predict and /api/read take a drawing the same three ways; ?explain=1 adds the why.
STROKES_FIELD = {"strokes": {
    "type": "string", "description": "The `strokes` array of the JSON form, as JSON text."}}
DRAWING = {
    "required": True,
    "description": "A PNG, JPEG or WebP drawing of any reasonable size and look: "
                   "as JSON, as a multipart file field, or as the raw bytes; with JSON or a "
                   "form, optionally its strokes.",
    "content": _drawing_content("ImageJson", {}, STROKES_FIELD),
}
EXPLAIN = [{
    "name": "explain", "in": "query", "required": False,
    "description": "1 adds `explanation`: an occlusion map of why this digit.",
    "schema": {"type": "string", "enum": ["0", "1", "true", "false"]},
}]
VERDICT = {"type": "string", "enum": ["digit", "number", "not_a_digit", "unsure"],
           "description": "What is shown, decided once for every view of the drawing: one "
                          "digit, a number of several, no digit at all, or a digit the model "
                          "is not sure of (digit is its top digit, runner_up the next)."}
NUMBER = {"type": "string", "pattern": "^[0-9]{0,20}$",
          "description": "The digits shown, left to right; empty when the verdict is "
                         "not_a_digit."}
DIGITS = {"type": "array", "minItems": 0, "maxItems": 20,
          "items": {"$ref": "#/components/schemas/ReadDigit"},
          "description": "The digits shown, left to right: one for a digit or unsure, several "
                         "for a number, none for not_a_digit."}
RUNNER_UP = {"type": "integer", "minimum": 0, "maximum": 9,
             "description": "Only when the verdict is unsure: the second likeliest digit."}
EXPLANATION = {
    "type": "array", "minItems": 28, "maxItems": 28,
    "items": {"type": "array", "items": {"type": "number"}, "minItems": 28, "maxItems": 28},
    "description": "With ?explain=1: how much the digit's probability drops when each region "
                   "of `input` is hidden (negative: it rises). Aligned with `input`."}
REFUSALS = {"400": _error("BadRequest"), "413": _error("TooLarge"),
            "415": _error("UnsupportedMediaType"), "503": _error("ModelLoading")}
DIGIT = {"type": "integer", "minimum": 0, "maximum": 9, "nullable": True,
         "description": "The digit shown; null when none is: the verdict is not_a_digit or "
                        "number (see reason)."}
READ_DIGIT = {"type": "integer", "minimum": 0, "maximum": 9,
              "description": "One digit of the number shown."}
REASON = {"type": "string", "enum": ["not_a_digit", "not_a_number", "number"],
          "description": "Why no digit is shown: not_a_digit (a letter, scribble or shape), "
                         "not_a_number (it cut into pieces that are not all digits) or number "
                         "(several digits: see number). probabilities are still given, and "
                         "confidence is still the top digit's probability."}
PROBABILITIES = {"type": "array", "items": UNIT, "minItems": 10, "maxItems": 10,
                 "description": "Softmax output, index = digit."}
INPUT = {"type": "array", "minItems": 28, "maxItems": 28,
         "items": {"type": "array", "items": UNIT, "minItems": 28, "maxItems": 28},
         "description": "The preprocessed 28x28 image, ink = 1."}

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
                "parameters": [*EXPLAIN, {
                    "name": "Prefer", "in": "header", "required": False,
                    "description": "RFC 7240 preferences: `explain` as ?explain=1; `read` adds "
                                   "`number` and `digits` as /api/read gives them.",
                    "schema": {"type": "string", "example": "read, explain"},
                }],
                "requestBody": DRAWING,
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Prediction"},
                                 "The digit, its probabilities and the 28x28 input the model saw."),
                    "422": _error("EmptyDrawing"),
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
                    "200": _json({"$ref": "#/components/schemas/Reading"},
                                 "The number and, for each digit, the answer /api/predict "
                                 "would give for it alone, and its box in the drawing."),
                    "422": _error("Unreadable"),
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
                               "(FEEDBACK_RATE, per worker). The answer's undo_token takes it "
                               "back until undo_until (DELETE /api/feedback/{id}).",
                "parameters": [{
                    "name": "label", "in": "query", "required": False,
                    "schema": TEXT_LABEL,
                    "description": "The label, for raw image bodies (JSON and forms carry it).",
                }],
                "requestBody": {
                    "required": True,
                    "description": "The drawing in any form /api/predict accepts, plus label; "
                                   "strokes are read for a number correction only.",
                    "content": _drawing_content("CorrectionJson", {"label": TEXT_LABEL},
                                                STROKES_FIELD),
                },
                "responses": {
                    "201": _json({"$ref": "#/components/schemas/Stored"},
                                 "Stored; the correction's id and how to undo it."),
                    "400": _error("BadRequest"),
                    "413": _error("TooLarge"),
                    "415": _error("UnsupportedMediaType"),
                    "422": _error("EmptyDrawing"),
                    "429": _error("RateLimited"),
                    "503": _error("Unavailable"),
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
                "parameters": [{
                    "name": "id", "in": "path", "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                    "description": "The id of POST /api/feedback's 201 answer.",
                }],
                "responses": {
                    "204": {"description": "Deleted."},
                    "401": {**_json({"$ref": "#/components/schemas/Error"},
                                    "No bearer token (missing_token)."),
                            "headers": {"WWW-Authenticate": {"schema": {
                                "type": "string", "enum": ["Bearer"]}}}},
                    "404": _json({"$ref": "#/components/schemas/Error"},
                                 "No correction has this id and token (not_found): the id is "
                                 "unknown, the token wrong, or it was undone already."),
                    "410": _json({"$ref": "#/components/schemas/Error"},
                                 "The token matches but undo_until has passed (undo_expired): "
                                 "the correction is kept."),
                    "503": _error("Unavailable"),
                },
            },
        },
        "/api/health": {
            "get": {
                "operationId": "health",
                "summary": "Whether the model is loaded and answering",
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Health"}, "The model answers."),
                    "503": _json({"$ref": "#/components/schemas/Loading"},
                                 "The model is not loaded yet."),
                },
            },
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI 3 description.")},
            },
        },
    },
    "components": {
        "schemas": {
            "ImageJson": {
                "type": "object",
                "required": ["image"],
                "properties": {"image": {
                    "type": "string",
                    "description": "A data URL (data:image/png;base64,...) or bare base64.",
                }, "strokes": STROKES},
            },
            "CorrectionJson": {
                "type": "object",
                "required": ["image", "label"],
                "properties": {
                    "image": {"type": "string",
                              "description": "A data URL (data:image/png;base64,...) or bare "
                                             "base64."},
                    "label": {"oneOf": [DIGIT_LABEL, NUMBER_LABEL]},
                    "strokes": STROKES,
                },
            },
            "Stored": {
                "type": "object",
                "required": ["id", "undo_token", "undo_until"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "integer"},
                    "undo_token": {"type": "string", "minLength": 43,
                                   "description": "Takes the correction back (DELETE "
                                                  "/api/feedback/{id}); given only here, and "
                                                  "stored only as its SHA-256."},
                    "undo_until": {"type": "string", "format": "date-time",
                                   "description": "Until when, in UTC (e.g. "
                                                  "2026-12-07T09:31:02Z)."},
                    "number": {**NUMBER_LABEL,
                               "description": "Only for a number correction: the number stored, "
                                              "as sent."},
                },
            },
            "Prediction": {
                "type": "object",
                "required": ["verdict", "digit", "confidence", "probabilities", "input"],
                "additionalProperties": False,
                "properties": {"verdict": VERDICT, "digit": DIGIT, "reason": REASON,
                               "runner_up": RUNNER_UP, "confidence": UNIT,
                               "probabilities": PROBABILITIES, "input": INPUT,
                               "explanation": EXPLANATION,
                               # With `Prefer: read` (what the page sends): the reading too.
                               "number": NUMBER, "digits": DIGITS},
            },
            "Reading": {
                "type": "object",
                "required": ["verdict", "number", "digits"],
                "additionalProperties": False,
                "properties": {"verdict": VERDICT, "reason": REASON, "number": NUMBER,
                               "digits": DIGITS},
            },
            "ReadDigit": {
                "type": "object",
                "required": ["digit", "confidence", "probabilities", "box", "input"],
                "additionalProperties": False,
                "properties": {
                    "digit": READ_DIGIT, "runner_up": RUNNER_UP, "confidence": UNIT,
                    "probabilities": PROBABILITIES,
                    "box": {"type": "array", "minItems": 4, "maxItems": 4,
                            "items": {"type": "integer", "minimum": 0},
                            "description": "[x, y, width, height] in the drawing's pixels."},
                    "input": INPUT, "explanation": EXPLANATION,
                },
            },
            "Error": {
                "type": "object",
                "required": ["error"],
                "additionalProperties": False,
                "properties": {"error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "additionalProperties": False,
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                }},
            },
            "Health": {
                "type": "object",
                "required": ["status"],
                "properties": {
                    "status": {"type": "string", "enum": ["ok"]},
                    "model": {"type": "object", "description": "The model card's summary.",
                              "properties": {"version": {
                                  "type": "string",
                                  "description": "The model in service (stored with each "
                                                 "correction)."}}},
                },
            },
            "Loading": {
                "type": "object",
                "required": ["status"],
                "properties": {"status": {"type": "string", "enum": ["loading"]}},
            },
        },
        "securitySchemes": {
            "undoToken": {"type": "http", "scheme": "bearer",
                          "description": "The undo_token of POST /api/feedback's 201 answer."},
        },
        "responses": {
            name: _json({"$ref": "#/components/schemas/Error"}, description)
            for name, description in [
                ("BadRequest", "Malformed request: bad JSON, no image, not base64, not an image."),
                ("TooLarge", "The body or the image (its pixels or sides) is too large."),
                ("UnsupportedMediaType", "Unsupported content type or image format."),
                ("EmptyDrawing", "A valid image with nothing to classify (empty_drawing)."),
                ("Unreadable", "A valid image with no ink (empty_drawing), or more than 20 "
                               "digits or 100 pieces of ink (too_many_digits)."),
                ("ModelLoading", "The model is not loaded yet (model_loading)."),
                ("RateLimited", "Too many requests from this client (rate_limited)."),
                ("Unavailable", "The model is loading, or storage is down (storage_unavailable)."),
            ]
        },
    },
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)
