"""gunicorn's access log as one JSON object per request, on stdout (webapp/gunicorn_config.py).

Each line holds the time, method, path (never the query string), status, duration in
milliseconds, the request id (the answer's X-Request-ID, webapp/request_id.py) and the worker's
pid. No bodies, no headers, and no client address unless DIGITS_ACCESS_LOG_CLIENT=1 (the
address ProxyFix corrected, when it is on).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from gunicorn.glogging import Logger

MAX_PATH = 512  # characters of the path kept; a longer one is cut and marked "..."
TRUE = ("1", "true", "yes", "on")


def status_code(response: object) -> int | None:
    """The status of gunicorn's response (sync, gthread, gevent) or gevent's pywsgi one."""
    code = getattr(response, "status_code", None)
    if isinstance(code, int):
        return code
    status = getattr(response, "status", None)
    if isinstance(status, bytes):
        status = status.decode("latin-1")
    try:
        return int(str(status).split(None, 1)[0])
    except (ValueError, IndexError):
        return None


def response_header(response: object, name: str) -> str | None:
    """One header of the answer as the app set it, or None."""
    headers = getattr(response, "headers", None) or []
    if hasattr(headers, "items"):
        headers = headers.items()
    for key, value in headers:
        if str(key).lower() == name:
            return str(value)
    return None


def access_entry(
    response: object, environ: dict, duration: timedelta, with_client: bool = False
) -> dict[str, object]:
    """The access log's fields for one request."""
    path = str(environ.get("PATH_INFO", ""))
    entry: dict[str, object] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": str(environ.get("REQUEST_METHOD", ""))[:16],
        "path": path if len(path) <= MAX_PATH else path[:MAX_PATH] + "...",
        "status": status_code(response),
        "duration_ms": round(duration.total_seconds() * 1000, 3),
        "request_id": response_header(response, "x-request-id"),
        "pid": os.getpid(),
    }
    if with_client:
        entry["client"] = environ.get("REMOTE_ADDR")
    return entry


class JsonAccessLogger(Logger):
    """gunicorn's logger, with its access lines written as JSON."""

    def __init__(self, cfg: object) -> None:
        super().__init__(cfg)
        self.with_client = os.environ.get("DIGITS_ACCESS_LOG_CLIENT", "").lower() in TRUE

    def access(self, resp: object, req: object, environ: dict, request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        try:
            line = json.dumps(access_entry(resp, environ, request_time, self.with_client))
            self.access_log.info(line)
        except Exception:  # a log line must never fail the request
            self.exception("Could not write an access log line")
