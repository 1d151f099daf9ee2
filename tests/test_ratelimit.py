"""The corrections quota: rates, the moving window, Retry-After, RateLimit headers, and what
happens when Redis is away; in memory and on a real Redis started for these tests."""

import logging
import math
import socket
import time

import pytest
import redis
from drawing import draw_digit, png_bytes
from redis_server import throwaway_redis
from strokes import DIGIT_STROKES

from benchmarks._common import free_port
from webapp import create_app
from webapp.ratelimit import CorrectionQuota, parse_rate, seconds_until

SEVEN = png_bytes(draw_digit(DIGIT_STROKES[7]))
RATELIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    """None (each process's memory), then the URL of the real Redis."""
    return None if request.param == "memory" else request.getfixturevalue("redis_url")


_clients = iter(range(10**9))


def new_client():
    """A client address no other test used (the Redis lives for the whole module)."""
    return f"192.0.2.{next(_clients)}-{time.time_ns()}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/minute", (30, 60)),
        ("5 / 10 seconds", (5, 10)),
        ("1000/day", (1000, 86400)),
        ("2/hour", (2, 3600)),
    ],
)
def test_ratelimit_parses_rates(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "0/minute", "5/fortnight", "-1/second", 30])
def test_ratelimit_refuses_bad_rates(text):
    with pytest.raises(ValueError, match="30/minute"):
        parse_rate(text)


@pytest.mark.parametrize(
    ("moment", "now", "expected"),
    [(70.0, 10.0, 60), (69.2, 10.0, 60), (70.5, 10.0, 61), (10.01, 10.0, 1), (10.0, 10.0, 1)],
)
def test_ratelimit_retry_after_rounds_up_to_whole_seconds_at_least_one(moment, now, expected):
    assert seconds_until(moment, now) == expected


def test_ratelimit_counts_each_client_apart(storage):
    quota, client = CorrectionQuota("3/minute", storage), new_client()
    usages = [quota.check(client) for _ in range(4)]
    assert [u.allowed for u in usages] == [True, True, True, False]
    assert [u.remaining for u in usages] == [2, 1, 0, 0]
    assert {(u.limit, u.window) for u in usages} == {(3, 60)}
    assert quota.check(new_client()).allowed  # another client is not held back


def test_ratelimit_retry_after_is_when_the_oldest_request_leaves_the_window(storage):
    """Retry-After is the time left until the first counted request is an hour old, not the
    whole hour: bounded by the clock readings taken around the first and the refused request."""
    quota, client = CorrectionQuota("1/hour", storage), new_client()
    before_first = time.time()
    assert quota.check(client).allowed
    after_first = time.time()
    time.sleep(1.5)
    before_refused = time.time()
    refused = quota.check(client)
    after_refused = time.time()
    assert not refused.allowed
    assert (
        math.ceil(before_first + 3600 - after_refused)
        <= refused.reset
        <= math.ceil(after_first + 3600 - before_refused)
    )
    assert refused.reset < 3600  # 1.5 s of the hour have passed
    assert refused.headers()["Retry-After"] == str(refused.reset)


def test_ratelimit_window_moves(storage):
    """A moving window: a request leaves it exactly one window after it was counted, and a
    refused request is not counted."""
    quota, client = CorrectionQuota("2/3 seconds", storage), new_client()
    first = time.time()
    assert quota.check(client).allowed
    time.sleep(1)
    second = time.time()
    assert quota.check(client).allowed
    assert not quota.check(client).allowed
    time.sleep(max(0.0, first + 3.2 - time.time()))  # the first has left; the second has not
    assert quota.check(client).allowed, "the first request should have left the window"
    if time.time() < second + 3:  # the machine did not stall past the second's window
        assert not quota.check(client).allowed


@pytest.fixture
def quota_app(tmp_path, storage):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}",
            "FEEDBACK_RATE": "2/minute",
            "REDIS_URL": storage,
        }
    )
    if storage:  # the module's Redis holds earlier tests' counts of 127.0.0.1
        redis.Redis.from_url(storage).flushdb()
    yield app
    app.extensions["corrections"].dispose()


def send(client, label="7", address="127.0.0.1"):
    return client.post(
        f"/api/feedback?label={label}",
        data=SEVEN,
        content_type="image/png",
        environ_base={"REMOTE_ADDR": address},
    )


def test_ratelimit_headers_on_corrections_and_429_in_the_contract_shape(quota_app):
    client = quota_app.test_client()
    first, second, third = send(client), send(client), send(client)
    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 429)
    assert [r.headers["RateLimit-Remaining"] for r in (first, second, third)] == ["1", "0", "0"]
    for response in (first, second, third):
        assert response.headers["RateLimit-Limit"] == "2"
        assert response.headers["RateLimit-Policy"] == "2;w=60"
        assert 1 <= int(response.headers["RateLimit-Reset"]) <= 60
    assert "Retry-After" not in first.headers
    assert third.get_json()["error"]["code"] == "rate_limited"
    assert set(third.get_json()) == {"error"}
    assert third.headers["Retry-After"] == third.headers["RateLimit-Reset"]
    assert third.headers["Retry-After"] in third.get_json()["error"]["message"]


def test_ratelimit_counts_refused_corrections_too_and_only_corrections(quota_app):
    client = quota_app.test_client()
    bad = send(client, label="x")  # counted: the quota is checked before the body is read
    assert bad.status_code == 400
    assert bad.headers["RateLimit-Remaining"] == "1"
    for response in (
        client.post("/api/predict", data=SEVEN, content_type="image/png"),
        client.post("/api/read", data=SEVEN, content_type="image/png"),
        client.delete("/api/feedback/1", headers={"Authorization": "Bearer nope"}),
        client.get("/api/health"),
    ):
        assert response.status_code < 429
        assert not set(RATELIMIT_HEADERS) & set(response.headers.keys())
    stored = send(client)
    assert stored.status_code == 201
    assert stored.headers["RateLimit-Remaining"] == "0"
    undo = client.delete(
        f"/api/feedback/{stored.get_json()['id']}",
        headers={"Authorization": f"Bearer {stored.get_json()['undo_token']}"},
    )
    assert undo.status_code == 204  # undoing is never held back by the quota
    assert send(client).status_code == 429


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "redis:/", "memcached://x:1"])
def test_ratelimit_bad_redis_url_stops_the_app(tmp_path, url):
    with pytest.raises(ValueError, match="REDIS_URL"):
        create_app(
            {"TESTING": True, "REDIS_URL": url, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
        )


def test_ratelimit_redis_url_from_the_environment(tmp_path, monkeypatch, redis_url):
    monkeypatch.setenv("REDIS_URL", redis_url)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.extensions["correction_quota"].storage_url == redis_url
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.setenv("DIGITS_REDIS_URL", redis_url)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'y.db'}"})
    assert app.extensions["correction_quota"].storage_url == redis_url


def test_ratelimit_fails_open_when_redis_is_away_with_one_log_line(caplog):
    """Nobody listens on the port: corrections pass unchecked, one warning says why (without
    the password), and Redis is not asked again until retry_seconds have passed."""
    quota = CorrectionQuota("1/minute", f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="webapp.ratelimit"):
        assert [quota.check("a") for _ in range(5)] == [None] * 5
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "corrections pass unchecked" in warnings[0].getMessage()
    assert "hunter2" not in caplog.text


def test_ratelimit_fails_open_fast_when_redis_hangs():
    """A port that accepts connections but never answers: a correction waits at most about
    the timeout, then passes."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes connections; nobody ever reads them
        quota = CorrectionQuota("1/minute", f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        assert quota.check("a") is None
        assert time.monotonic() - started < 10  # 0.5 s connect/read timeouts, with room


def test_ratelimit_counts_again_once_redis_is_back():
    port = free_port()
    quota = CorrectionQuota("1/minute", f"redis://127.0.0.1:{port}/0")
    quota.retry_seconds = 0.1
    assert quota.check("a") is None
    with throwaway_redis(port=port):
        time.sleep(0.2)
        assert quota.check("a").allowed
        assert not quota.check("a").allowed


def test_ratelimit_corrections_are_stored_when_redis_is_away(tmp_path, caplog):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}",
            "FEEDBACK_RATE": "1/minute",
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        }
    )
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        answers = [send(client) for _ in range(3)]
    app.extensions["corrections"].dispose()
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert not set(RATELIMIT_HEADERS) & set(answers[0].headers.keys())
    assert sum("pass unchecked" in r.getMessage() for r in caplog.records) == 1
