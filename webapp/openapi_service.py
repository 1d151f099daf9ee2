"""The parts of the OpenAPI description (webapp/openapi.py) about running the service rather
than reading drawings: readiness (GET /api/ready), the corrections quota's headers and when to
try again after a 429 or a 503."""

# The corrections quota's headers (webapp/ratelimit.py), absent while its Redis is away.
RATELIMIT_HEADERS = {
    "RateLimit-Limit": {
        "description": "Corrections allowed per client in the window (FEEDBACK_RATE).",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Remaining": {
        "description": "Corrections this client may still send in the window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until this client's oldest counted correction leaves the window.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Policy": {
        "description": "The quota: <limit>;w=<window in seconds>, e.g. 30;w=60.",
        "schema": {"type": "string"},
    },
}
RETRY_AFTER = {
    "description": "Seconds until a correction is accepted again (as RateLimit-Reset).",
    "schema": {"type": "integer", "minimum": 1},
}
STORAGE_RETRY_AFTER = {
    "description": "Seconds to wait before trying again (storage_unavailable).",
    "schema": {"type": "integer", "minimum": 1},
}
# GET /api/ready's answers (webapp/readiness.py).
READINESS_SCHEMAS = {
    "Ready": {
        "type": "object",
        "required": ["status", "checks"],
        "properties": {
            "status": {"type": "string", "enum": ["ready"]},
            "checks": {"$ref": "#/components/schemas/ReadyChecks"},
        },
    },
    "NotReady": {
        "type": "object",
        "required": ["error", "status", "checks"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
            "status": {"type": "string", "enum": ["not_ready"]},
            "checks": {"$ref": "#/components/schemas/ReadyChecks"},
        },
    },
    "ReadyChecks": {
        "type": "object",
        "required": ["predictions", "corrections"],
        "properties": {
            "predictions": {"type": "string", "enum": ["ok", "loading"]},
            "corrections": {
                "type": "string",
                "enum": ["ok", "unavailable"],
                "description": "Whether corrections can be stored now (the database "
                "answers within DATABASE_DEADLINE and its schema is current).",
            },
        },
    },
}
