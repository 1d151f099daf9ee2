"""X-Request-ID on every answer: the client's own when it is sane, else a new one.

A proxy or client may send X-Request-ID to follow a request through its logs and ours; one
that is too long or holds other characters is replaced, so nothing a client sends reaches the
log unchecked. gunicorn's access log line (webapp/access_log.py) reads it from the answer.
"""

import re
import uuid

from flask import Flask, Response, request

HEADER = "X-Request-ID"
SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id() -> str:
    """The incoming X-Request-ID if sane, else a new random one (32 hex digits)."""
    incoming = request.headers.get(HEADER, "")
    return incoming if SANE.fullmatch(incoming) else uuid.uuid4().hex


def add_request_id(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    return response


def init_app(app: Flask) -> None:
    """Set X-Request-ID on every answer."""
    app.after_request(add_request_id)
