"""DELETE /api/feedback/{id}: a correction taken back with the undo token its 201 answer gave,
through Flask's test client, on SQLite and on a real PostgreSQL server."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from test_api import assert_error
from test_corrections_api import SEVEN, as_form, as_json, as_raw
from test_read import NUMBER

from corrections import store
from webapp import create_app, database


def send(client, **kwargs):
    """POST /api/feedback; its 201 answer."""
    response = client.post("/api/feedback", **kwargs)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def undo(client, correction_id, token):
    return client.delete(
        f"/api/feedback/{correction_id}", headers={"Authorization": f"Bearer {token}"}
    )


def digits_stored(app):
    return [row["id"] for row in store.read_corrections(database.engine(app))]


def numbers_stored(app):
    return [row["id"] for row in store.read_number_corrections(database.engine(app))]


def test_undo_token_and_time_come_with_the_201_answer(database_app):
    before = datetime.now(UTC).replace(microsecond=0)
    body = send(database_app.test_client(), **as_json(SEVEN, 1))
    assert list(body) == ["id", "undo_token", "undo_until"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", body["undo_token"])  # at least 256 random bits
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["undo_until"])
    until = datetime.strptime(body["undo_until"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before + timedelta(seconds=60) <= until <= datetime.now(UTC) + timedelta(seconds=60)


def test_undo_deletes_the_correction_once(database_app):
    client = database_app.test_client()
    kept = send(client, **as_form(SEVEN, "7"))
    body = send(client, **as_raw(SEVEN, "1"))
    response = undo(client, body["id"], body["undo_token"])
    assert response.status_code == 204 and response.data == b""
    assert digits_stored(database_app) == [kept["id"]]
    assert_error(undo(client, body["id"], body["undo_token"]), 404, "not_found")


def test_undo_with_a_wrong_token_is_404_and_keeps_the_correction(database_app):
    client = database_app.test_client()
    first, second = send(client, **as_json(SEVEN, 1)), send(client, **as_json(SEVEN, 2))
    # Another correction's real token, a made-up one, and an id no correction has: one answer.
    for correction_id, token in [
        (first["id"], second["undo_token"]),
        (first["id"], "x" * 43),
        (second["id"] + 100, second["undo_token"]),
    ]:
        response = undo(client, correction_id, token)
        assert_error(response, 404, "not_found")
        assert "undo token" in response.get_json()["error"]["message"]
    assert digits_stored(database_app) == [first["id"], second["id"]]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer   "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["none", "empty", "no token", "blank token", "basic"],
)
def test_undo_without_a_bearer_token_is_401(database_app, headers):
    client = database_app.test_client()
    body = send(client, **as_json(SEVEN, 1))
    response = client.delete(f"/api/feedback/{body['id']}", headers=headers)
    assert_error(response, 401, "missing_token")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    message = response.get_json()["error"]["message"]
    assert "undo_token" in message and "Authorization: Bearer" in message
    assert digits_stored(database_app) == [body["id"]]


def test_undo_after_the_window_is_410_and_keeps_the_correction(database_app):
    client = database_app.test_client()
    database_app.config["FEEDBACK_UNDO_SECONDS"] = 0  # the window closes as it is stored
    digit = send(client, **as_json(SEVEN, 1))
    number = send(client, **as_json(NUMBER, "307"))
    for body in (digit, number):
        response = undo(client, body["id"], body["undo_token"])
        assert_error(response, 410, "undo_expired")
        assert "kept" in response.get_json()["error"]["message"]
        assert "0 seconds" in response.get_json()["error"]["message"]
    assert digits_stored(database_app) == [digit["id"]]
    assert numbers_stored(database_app) == [number["id"]]


def test_undo_a_number_correction(database_app):
    client = database_app.test_client()
    body = send(client, **as_json(NUMBER, "307"))
    assert numbers_stored(database_app) == [body["id"]]
    assert undo(client, body["id"], body["undo_token"]).status_code == 204
    assert numbers_stored(database_app) == []
    assert_error(undo(client, body["id"], body["undo_token"]), 404, "not_found")


def test_undo_ids_shared_by_the_two_tables_delete_the_row_of_the_token(database_app):
    client = database_app.test_client()
    digit, number = send(client, **as_json(SEVEN, 1)), send(client, **as_json(NUMBER, "307"))
    assert digit["id"] == number["id"]  # counted apart: both tables start at 1
    assert undo(client, number["id"], number["undo_token"]).status_code == 204
    assert (digits_stored(database_app), numbers_stored(database_app)) == ([digit["id"]], [])
    assert undo(client, digit["id"], digit["undo_token"]).status_code == 204
    assert digits_stored(database_app) == []


def test_undo_is_not_held_back_by_the_corrections_rate_limit(database_app):
    client = database_app.test_client()
    sent = [send(client, **as_raw(SEVEN, "7")) for _ in range(5)]  # the app allows 5 a minute
    assert_error(client.post("/api/feedback", **as_raw(SEVEN, "7")), 429, "rate_limited")
    assert [undo(client, b["id"], b["undo_token"]).status_code for b in sent] == [204] * 5
    assert digits_stored(database_app) == []


def test_undo_token_is_stored_only_as_its_hash(database_app):
    client = database_app.test_client()
    bodies = [send(client, **as_json(SEVEN, 1)), send(client, **as_json(NUMBER, "307"))]
    with database.engine(database_app).connect() as connection:
        rows = [
            row
            for table in ("corrections", "number_corrections")
            for row in connection.execute(sa.text(f"SELECT * FROM {table}")).mappings()
        ]
    for body, row in zip(bodies, rows):
        token = body["undo_token"]
        assert not any(token in repr(value) for value in row.values())
        assert row["undo_token_hash"] == hashlib.sha256(token.encode()).hexdigest()


def test_undo_when_the_database_fails_is_503(database_app, caplog):
    client = database_app.test_client()
    body = send(client, **as_json(SEVEN, 1))
    with database.engine(database_app).begin() as connection:
        connection.execute(sa.text("DROP TABLE number_corrections"))
        connection.execute(sa.text("DROP TABLE corrections"))
    assert_error(undo(client, body["id"], body["undo_token"]), 503, "storage_unavailable")
    assert_error(client.post("/api/feedback", **as_json(NUMBER, "307")), 503, "storage_unavailable")
    assert "could not be undone" in caplog.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/feedback/abc",
        "/api/feedback/-1",
        "/api/feedback/1.5",
        f"/api/feedback/{2**31}",
        "/api/feedback/",
    ],
)
def test_undo_of_an_id_that_is_not_one_is_404(database_app, path):
    client = database_app.test_client()
    send(client, **as_json(SEVEN, 1))
    assert_error(client.delete(path, headers={"Authorization": "Bearer x"}), 404, "not_found")
    assert len(digits_stored(database_app)) == 1


def test_undo_window_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITS_FEEDBACK_UNDO_SECONDS", "5")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'u.sqlite3'}"})
    assert app.config["FEEDBACK_UNDO_SECONDS"] == 5
    app.extensions["corrections"].dispose()


@pytest.mark.parametrize("seconds", [-1, "60", 1.5, True])
def test_undo_bad_window_setting_stops_the_app(tmp_path, seconds):
    with pytest.raises(ValueError, match="FEEDBACK_UNDO_SECONDS"):
        create_app(
            {
                "TESTING": True,
                "FEEDBACK_UNDO_SECONDS": seconds,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            }
        )
