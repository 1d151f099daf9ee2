"""GET /api/openapi.json: the OpenAPI 3 description of the API, kept next to it by hand."""

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__, url_prefix="/api")

BINARY = {"type": "string", "format": "binary"}
UNIT = {"type": "number", "minimum": 0, "maximum": 1}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(name):
    return {"$ref": f"#/components/responses/{name}"}


SPEC = {
    "openapi": "3.0.3",
    "info": {
        "title": "Handwritten digit recognizer",
        "version": "1.0.0",
        "description": "Classifies one drawn digit. Every error body has the shape of Error.",
    },
    "paths": {
        "/api/predict": {
            "post": {
                "operationId": "predict",
                "summary": "Classify one drawing",
                "parameters": [{
                    "name": "explain", "in": "query", "required": False,
                    "description": "1 adds `explanation`: an occlusion map of why this digit.",
                    "schema": {"type": "string", "enum": ["0", "1", "true", "false"]},
                }],
                "requestBody": {
                    "required": True,
                    "description": "A PNG, JPEG or WebP drawing of any reasonable size and look: "
                                   "as JSON, as a multipart file field, or as the raw bytes.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ImageJson"}},
                        "multipart/form-data": {
                            "schema": {"type": "object", "required": ["image"],
                                       "properties": {"image": BINARY}},
                            "encoding": {"image": {
                                "contentType": "image/png, image/jpeg, image/webp"}},
                        },
                        "image/png": {"schema": BINARY},
                        "image/jpeg": {"schema": BINARY},
                        "image/webp": {"schema": BINARY},
                    },
                },
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Prediction"},
                                 "The digit, its probabilities and the 28x28 input the model saw."),
                    "400": _error("BadRequest"),
                    "413": _error("TooLarge"),
                    "415": _error("UnsupportedMediaType"),
                    "422": _error("EmptyDrawing"),
                    "503": _error("ModelLoading"),
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
                "properties": {
                    "digit": {"type": "integer", "minimum": 0, "maximum": 9},
                    "confidence": UNIT,
                    "probabilities": {"type": "array", "items": UNIT, "minItems": 10,
                                      "maxItems": 10,
                                      "description": "Softmax output, index = digit."},
                    "input": {"type": "array", "minItems": 28, "maxItems": 28,
                              "items": {"type": "array", "items": UNIT,
                                        "minItems": 28, "maxItems": 28},
                              "description": "The preprocessed 28x28 image, ink = 1."},
                    "explanation": {
                        "type": "array", "minItems": 28, "maxItems": 28,
                        "items": {"type": "array", "items": {"type": "number"},
                                  "minItems": 28, "maxItems": 28},
                        "description": "With ?explain=1: how much the digit's probability drops "
                                       "when each region of `input` is hidden (negative: it "
                                       "rises). Aligned with `input`."},
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
                ("ModelLoading", "The model is not loaded yet (model_loading)."),
            ]
        },
    },
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)
