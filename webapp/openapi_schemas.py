"""The reusable parts of the OpenAPI description (webapp/openapi.py): field schemas, the
components its operations refer to, and helpers that build responses and request bodies."""

from typing import cast

from reading.segment import MAX_DIGITS
from webapp.openapi_service import (
    RATELIMIT_HEADERS,
    READINESS_SCHEMAS,
    RETRY_AFTER,
    STORAGE_RETRY_AFTER,
)
from webapp.strokes import MAX_POINTS, MAX_STROKES

BINARY = {"type": "string", "format": "binary"}
UNIT = {"type": "number", "minimum": 0, "maximum": 1}
# A correction's label: a digit, or a whole number of 2 to MAX_DIGITS digits. In a form or a query
# every label is text; in JSON a digit is an integer and a number a string, which keeps its
# leading zeros.
DIGIT_LABEL = {"type": "integer", "minimum": 0, "maximum": 9, "description": "The digit it was."}
NUMBER_LABEL = {
    "type": "string",
    "pattern": f"^[0-9]{{2,{MAX_DIGITS}}}$",
    "description": "The whole number it was, leading zeros kept.",
}
TEXT_LABEL = {
    "type": "string",
    "pattern": f"^[0-9]{{1,{MAX_DIGITS}}}$",
    "description": "One digit (a digit correction) or 2 to 20 digits (a number correction).",
}


def reply(schema: dict, description: str) -> dict:
    """A response with this description and a JSON body of this schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def drawing_content(
    json_schema: str, form_fields: dict, optional_fields: dict | None = None
) -> dict:
    """The three request forms of a drawing: JSON, a multipart file (plus fields), raw bytes."""
    return {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{json_schema}"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["image", *form_fields],
                "properties": {"image": BINARY, **form_fields, **(optional_fields or {})},
            },
            "encoding": {"image": {"contentType": "image/png, image/jpeg, image/webp"}},
        },
        **{f"image/{fmt}": {"schema": BINARY} for fmt in ("png", "jpeg", "webp")},
    }


def error_ref(name: str) -> dict:
    """A reference to one of the shared error responses (COMPONENTS)."""
    return {"$ref": f"#/components/responses/{name}"}


STROKES = {
    "type": "array",
    "maxItems": MAX_STROKES,
    "items": {
        "type": "array",
        "minItems": 1,
        "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}},
    },
    "description": "Optional: the drawing's strokes in the order drawn, each a list of [x, y] "
    f"points in the image's pixels (at most {MAX_STROKES} strokes and "
    f"{MAX_POINTS:,} points in all). A number's reading uses them to tell "
    "overlapping digits apart; the page sends them.",
}
VERDICT = {
    "type": "string",
    "enum": ["digit", "number", "not_a_digit", "unsure"],
    "description": "What is shown, decided once for every view of the drawing: one "
    "digit, a number of several, no digit at all, or a digit the model "
    "is not sure of (digit is its top digit, runner_up the next).",
}
NUMBER = {
    "type": "string",
    "pattern": "^[0-9]{0,20}$",
    "description": "The digits shown, left to right; empty when the verdict is not_a_digit.",
}
DIGITS = {
    "type": "array",
    "minItems": 0,
    "maxItems": 20,
    "items": {"$ref": "#/components/schemas/ReadDigit"},
    "description": "The digits shown, left to right: one for a digit or unsure, several "
    "for a number, none for not_a_digit.",
}
RUNNER_UP = {
    "type": "integer",
    "minimum": 0,
    "maximum": 9,
    "description": "Only when the verdict is unsure: the second likeliest digit.",
}
EXPLANATION = {
    "type": "array",
    "minItems": 28,
    "maxItems": 28,
    "items": {"type": "array", "items": {"type": "number"}, "minItems": 28, "maxItems": 28},
    "description": "With ?explain=1: how much the digit's probability drops when each region "
    "of `input` is hidden (negative: it rises). Aligned with `input`.",
}
DIGIT = {
    "type": "integer",
    "minimum": 0,
    "maximum": 9,
    "nullable": True,
    "description": "The digit shown; null when none is: the verdict is not_a_digit or "
    "number (see reason).",
}
READ_DIGIT = {
    "type": "integer",
    "minimum": 0,
    "maximum": 9,
    "description": "One digit of the number shown.",
}
REASON = {
    "type": "string",
    "enum": ["not_a_digit", "not_a_number", "number"],
    "description": "Why no digit is shown: not_a_digit (a letter, scribble or shape), "
    "not_a_number (it cut into pieces that are not all digits) or number "
    "(several digits: see number). probabilities are still given, and "
    "confidence is still the top digit's probability.",
}
PROBABILITIES = {
    "type": "array",
    "items": UNIT,
    "minItems": 10,
    "maxItems": 10,
    "description": "Softmax output, index = digit.",
}
INPUT = {
    "type": "array",
    "minItems": 28,
    "maxItems": 28,
    "items": {"type": "array", "items": UNIT, "minItems": 28, "maxItems": 28},
    "description": "The preprocessed 28x28 image, ink = 1.",
}
COMPONENTS = {
    "schemas": {
        "ImageJson": {
            "type": "object",
            "required": ["image"],
            "properties": {
                "image": {
                    "type": "string",
                    "description": "A data URL (data:image/png;base64,...) or bare base64.",
                },
                "strokes": STROKES,
            },
        },
        "CorrectionJson": {
            "type": "object",
            "required": ["image", "label"],
            "properties": {
                "image": {
                    "type": "string",
                    "description": "A data URL (data:image/png;base64,...) or bare base64.",
                },
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
                "undo_token": {
                    "type": "string",
                    "minLength": 43,
                    "description": "Takes the correction back (DELETE "
                    "/api/feedback/{id}); given only here, and "
                    "stored only as its SHA-256.",
                },
                "undo_until": {
                    "type": "string",
                    "format": "date-time",
                    "description": "Until when, in UTC (e.g. 2026-12-07T09:31:02Z).",
                },
                "number": {
                    **NUMBER_LABEL,
                    "description": "Only for a number correction: the number stored, as sent.",
                },
            },
        },
        "Prediction": {
            "type": "object",
            "required": ["verdict", "digit", "confidence", "probabilities", "input"],
            "additionalProperties": False,
            "properties": {
                "verdict": VERDICT,
                "digit": DIGIT,
                "reason": REASON,
                "runner_up": RUNNER_UP,
                "confidence": UNIT,
                "probabilities": PROBABILITIES,
                "input": INPUT,
                "explanation": EXPLANATION,
                # With `Prefer: read` (what the page sends): the reading too.
                "number": NUMBER,
                "digits": DIGITS,
            },
        },
        "Reading": {
            "type": "object",
            "required": ["verdict", "number", "digits"],
            "additionalProperties": False,
            "properties": {
                "verdict": VERDICT,
                "reason": REASON,
                "number": NUMBER,
                "digits": DIGITS,
            },
        },
        "ReadDigit": {
            "type": "object",
            "required": ["digit", "confidence", "probabilities", "box", "input"],
            "additionalProperties": False,
            "properties": {
                "digit": READ_DIGIT,
                "runner_up": RUNNER_UP,
                "confidence": UNIT,
                "probabilities": PROBABILITIES,
                "box": {
                    "type": "array",
                    "minItems": 4,
                    "maxItems": 4,
                    "items": {"type": "integer", "minimum": 0},
                    "description": "[x, y, width, height] in the drawing's pixels.",
                },
                "input": INPUT,
                "explanation": EXPLANATION,
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "additionalProperties": False,
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                }
            },
        },
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {"type": "string", "enum": ["ok"]},
                "model": {
                    "type": "object",
                    "description": "The model card's summary.",
                    "properties": {
                        "version": {
                            "type": "string",
                            "description": "The model in service (stored with each correction).",
                        }
                    },
                },
            },
        },
        "Loading": {
            "type": "object",
            "required": ["status"],
            "properties": {"status": {"type": "string", "enum": ["loading"]}},
        },
        **READINESS_SCHEMAS,
    },
    "securitySchemes": {
        "undoToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "The undo_token of POST /api/feedback's 201 answer.",
        },
    },
    "responses": {
        name: reply({"$ref": "#/components/schemas/Error"}, description)
        for name, description in [
            ("BadRequest", "Malformed request: bad JSON, no image, not base64, not an image."),
            ("TooLarge", "The body or the image (its pixels or sides) is too large."),
            ("UnsupportedMediaType", "Unsupported content type or image format."),
            ("EmptyDrawing", "A valid image with nothing to classify (empty_drawing)."),
            (
                "Unreadable",
                (
                    "A valid image with no ink (empty_drawing), or more than 20 "
                    "digits or 100 pieces of ink (too_many_digits)."
                ),
            ),
            ("ModelLoading", "The model is not loaded yet (model_loading)."),
            ("RateLimited", "Too many requests from this client (rate_limited)."),
            ("Unavailable", "The model is loading, or storage is down (storage_unavailable)."),
        ]
    },
}
# A 503 storage_unavailable and a 429 rate_limited say when to try again.
cast(dict, COMPONENTS["responses"])["Unavailable"]["headers"] = {"Retry-After": STORAGE_RETRY_AFTER}
cast(dict, COMPONENTS["responses"])["RateLimited"]["headers"] = {
    "Retry-After": RETRY_AFTER,
    **RATELIMIT_HEADERS,
}
