"""GET /api/openapi.json: the OpenAPI 3 description of the API, kept next to it by hand."""

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__, url_prefix="/api")

BINARY = {"type": "string", "format": "binary"}
UNIT = {"type": "number", "minimum": 0, "maximum": 1}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(name):
    return {"$ref": f"#/components/responses/{name}"}


# Both endpoints take a drawing the same three ways.
DRAWING = {
    "required": True,
    "description": "A PNG, JPEG or WebP drawing of any reasonable size and look: "
                   "as JSON, as a multipart file field, or as the raw bytes.",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ImageJson"}},
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["image"], "properties": {"image": BINARY}},
            "encoding": {"image": {"contentType": "image/png, image/jpeg, image/webp"}},
        },
        "image/png": {"schema": BINARY},
        "image/jpeg": {"schema": BINARY},
        "image/webp": {"schema": BINARY},
    },
}
REFUSALS = {"400": _error("BadRequest"), "413": _error("TooLarge"),
            "415": _error("UnsupportedMediaType"), "503": _error("ModelLoading")}
DIGIT = {"type": "integer", "minimum": 0, "maximum": 9}
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
                }},
            },
            "Prediction": {
                "type": "object",
                "required": ["digit", "confidence", "probabilities", "input"],
                "additionalProperties": False,
                "properties": {"digit": DIGIT, "confidence": UNIT, "probabilities": PROBABILITIES,
                               "input": INPUT},
            },
            "Reading": {
                "type": "object",
                "required": ["number", "digits"],
                "additionalProperties": False,
                "properties": {
                    "number": {"type": "string", "pattern": "^[0-9?]{1,20}$",
                               "description": "The digits read, left to right."},
                    "digits": {"type": "array", "minItems": 1, "maxItems": 20,
                               "items": {"$ref": "#/components/schemas/ReadDigit"}},
                },
            },
            "ReadDigit": {
                "type": "object",
                "required": ["digit", "confidence", "probabilities", "box", "input"],
                "additionalProperties": False,
                "properties": {
                    "digit": DIGIT, "confidence": UNIT, "probabilities": PROBABILITIES,
                    "box": {"type": "array", "minItems": 4, "maxItems": 4,
                            "items": {"type": "integer", "minimum": 0},
                            "description": "[x, y, width, height] in the drawing's pixels."},
                    "input": INPUT,
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
                    "model": {"type": "object", "description": "The model card's summary."},
                },
            },
            "Loading": {
                "type": "object",
                "required": ["status"],
                "properties": {"status": {"type": "string", "enum": ["loading"]}},
            },
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
            ]
        },
    },
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)
