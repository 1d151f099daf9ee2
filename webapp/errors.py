"""One error shape for the whole API: {"error": {"code": ..., "message": ...}}."""

from __future__ import annotations

import contextlib

from flask import Flask, Request, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import LimitedStream

from reading.preprocess import EmptyDrawing
from reading.segment import TooManyDigits

# An unread body is read and dropped up to this size before a 413; larger ones get a reset.
DRAIN_LIMIT = 16 * 1024 * 1024


class ApiError(Exception):
    """A client-visible error, raised where it is detected and shaped in one place."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}  # e.g. Retry-After on a 503


# The reading's own errors, raised without knowing of HTTP: (status, code) of each; the
# answer's message is the error's own.
DOMAIN_ERRORS = {EmptyDrawing: (422, "empty_drawing"), TooManyDigits: (422, "too_many_digits")}

# Werkzeug's own errors (routing, size limits) mapped to the contract's codes and sentences.
HTTP_CODES = {
    400: (
        "bad_request",
        "The request could not be read. Send a PNG as JSON, multipart or raw bytes.",
    ),
    404: ("not_found", "There is no such API endpoint. See GET /api/health and POST /api/predict."),
    405: ("method_not_allowed", "This endpoint does not accept that method."),
    413: ("too_large", "The request is too large. Send a smaller image."),
    415: ("unsupported_media_type", "Unsupported content type."),
    431: ("headers_too_large", "The request headers are too large."),
    500: ("internal_error", "Something went wrong on our side. Try again."),
}


def error_response(status: int, code: str, message: str) -> Response:
    """The contract's error body with its status."""
    response = jsonify(error={"code": code, "message": message})
    response.status_code = status
    return response


def drain_refused_body(request: Request, max_content_length: int | None) -> None:
    """Read and drop a body refused for its Content-Length alone (nothing of it was read).

    The server closes the connection after answering; unread bytes would turn that close into
    a reset, and the client (a browser's fetch too) would see a network error, not our 413.
    """
    length = request.content_length or 0
    if max_content_length is None or not max_content_length < length <= DRAIN_LIMIT:
        return
    stream = LimitedStream(request.environ["wsgi.input"], length)
    with contextlib.suppress(Exception):  # a client that gave up needs no answer
        while stream.read(64 * 1024):
            pass


def init_app(app: Flask) -> None:
    """Register the handlers that turn every error into the contract's shape."""

    @app.errorhandler(ApiError)
    def handle_api_error(error):
        response = error_response(error.status, error.code, error.message)
        response.headers.update(error.headers)
        return response

    for domain_error, (status, code) in DOMAIN_ERRORS.items():
        app.register_error_handler(
            domain_error,
            lambda error, status=status, code=code: error_response(status, code, str(error)),
        )

    @app.errorhandler(HTTPException)
    def handle_http_exception(error):
        if error.code == 413:
            drain_refused_body(request, current_app.config["MAX_CONTENT_LENGTH"])
        # Pages keep Werkzeug's HTML errors; the API always answers JSON.
        if not (request.path == "/api" or request.path.startswith("/api/")):
            return error
        code, message = HTTP_CODES.get(error.code, ("http_error", error.description))
        response = error_response(error.code, code, message)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
