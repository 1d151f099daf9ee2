"""gunicorn's access log: one JSON line per request, no query string, no body, no client
address unless DIGITS_ACCESS_LOG_CLIENT=1; and the X-Request-ID it carries."""

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from drawing import draw_digit, png_bytes
from strokes import DIGIT_STROKES

from benchmarks._common import procfile_server, server_log
from webapp.access_log import access_entry

SEVEN = png_bytes(draw_digit(DIGIT_STROKES[7]))
FIELDS = {"time", "method", "path", "status", "duration_ms", "request_id", "pid"}


def test_access_entry_reads_gunicorn_and_gevent_responses():
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x" * 400, "REMOTE_ADDR": "192.0.2.1"}
    for response in (
        SimpleNamespace(status_code=204, status="204 NO CONTENT", headers=[("X-Request-ID", "a")]),
        SimpleNamespace(status="204 No Content", headers=[("x-request-id", "a")]),  # gevent
        SimpleNamespace(status=b"204 No Content", headers={"X-Request-ID": "a"}),
    ):
        entry = access_entry(response, environ, timedelta(seconds=1, microseconds=2500))
        assert set(entry) == FIELDS
        assert (entry["status"], entry["request_id"], entry["duration_ms"]) == (204, "a", 1002.5)
        assert len(entry["path"]) == 515 and entry["path"].endswith("...")
    with_client = access_entry(
        SimpleNamespace(status=None, headers=None), environ, timedelta(), with_client=True
    )
    assert (with_client["client"], with_client["status"], with_client["request_id"]) == (
        "192.0.2.1",
        None,
        None,
    )


def test_request_id_is_kept_when_sane_and_made_otherwise(client):
    kept = client.get("/api/health", headers={"X-Request-ID": "lb-1234.abc_DEF:9"})
    assert kept.headers["X-Request-ID"] == "lb-1234.abc_DEF:9"
    for insane in ("a" * 129, "a;b", "<script>", "", "two words", "caf\u00e9"):
        made = client.get("/api/health", headers={"X-Request-ID": insane})
        assert len(made.headers["X-Request-ID"]) == 32
        int(made.headers["X-Request-ID"], 16)
    errors = client.post("/api/predict", data=b"x", content_type="image/png")
    assert errors.status_code == 400 and len(errors.headers["X-Request-ID"]) == 32


def send(url, path, request_id, data=None):
    """The status and X-Request-ID of one request."""
    headers = {"X-Request-ID": request_id, "Content-Type": "image/png"}
    request = urllib.request.Request(f"{url}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-ID"]


REQUESTS = [  # (path, body, expected status, logged path)
    ("/api/health?token=secret", None, 200, "/api/health"),
    ("/api/predict", SEVEN, 200, "/api/predict"),
    ("/api/predict?explain=1", b"not a png", 400, "/api/predict"),
    ("/no/such/page", None, 404, "/no/such/page"),
    ("/api/health", None, 200, "/api/health"),
]


@pytest.mark.parametrize("with_client", [False, True], ids=["default", "client-configured"])
def test_access_log_is_one_json_line_per_request(tmp_path, with_client):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}"}
    if with_client:
        env["DIGITS_ACCESS_LOG_CLIENT"] = "1"
    with procfile_server(workers=2, env=env) as (process, url):
        answers = [
            send(url, path, f"test-{i}", body) for i, (path, body, _, _) in enumerate(REQUESTS)
        ]
        # The line is written once the answer is sent: ask until every line is there.
        for _ in range(100):
            log = server_log(process, tail=10**7)
            if all(f'"test-{i}"' in log for i in range(len(REQUESTS))):
                break
            time.sleep(0.1)
    assert [status for status, _ in answers] == [status for _, _, status, _ in REQUESTS]
    assert [request_id for _, request_id in answers] == [f"test-{i}" for i in range(len(REQUESTS))]
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert entries, log
    for i, (_, body, status, path) in enumerate(REQUESTS):
        mine = [entry for entry in entries if entry["request_id"] == f"test-{i}"]
        assert len(mine) == 1, (i, log)
        entry = mine[0]
        assert set(entry) == FIELDS | ({"client"} if with_client else set())
        assert (entry["method"], entry["path"], entry["status"]) == (
            "POST" if body else "GET",
            path,
            status,
        )
        assert 0 < entry["duration_ms"] < 60_000
    assert "secret" not in log and "token" not in log
    if with_client:
        assert {entry["client"] for entry in entries} == {"127.0.0.1"}
    else:
        assert "127.0.0.1" not in json.dumps(entries)
