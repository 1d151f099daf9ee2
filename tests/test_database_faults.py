"""Predictions never depend on the corrections database; corrections wait a bounded time for it.

Real gunicorn started the Procfile's way, a real PostgreSQL stopped, started and frozen with
SIGSTOP (benchmarks/faults.py runs the same faults with figures). In each, the corrections
answered 201 and the rows stored are equal.
"""

import pytest
from postgres import throwaway_server

from benchmarks.faults import DRAWINGS, database_down, database_hung
from webapp import create_app

FAST = 1.0  # seconds: a prediction, whatever the database does
BOUNDED = 8.0  # seconds: a correction's answer (deadline 5 s, with room for a loaded machine)


@pytest.fixture(scope="module")
def cluster_url():
    """A PostgreSQL server of this module's own: the tests stop and freeze it."""
    try:
        with throwaway_server() as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error))


def test_postgres_down_at_start_up_then_back(cluster_url):
    figures = database_down(cluster_url)
    assert figures["predict_statuses"] == [200]
    assert figures["predict_max_s"] < FAST
    assert set(figures["corrections_while_down"]) == {503}
    assert figures["correction_max_s_while_down"] < BOUNDED
    assert figures["retry_after"] == ["5"]
    assert (figures["ready_while_down"], figures["ready_after"]) == (503, 200)
    assert figures["recovery_s"] is not None and figures["recovery_s"] < 30  # no restart
    assert figures["after_statuses"] == [201]
    assert figures["acknowledged"] == figures["stored"] > 0
    assert figures["other_5xx_lines"] == 0


def test_postgres_hung_under_load_then_thawed(cluster_url):
    figures = database_hung(cluster_url, frozen_seconds=12)
    predictions = figures["predictions_while_frozen"]
    assert set(predictions["statuses"]) == {"200"} and predictions["max_s"] < FAST, predictions
    corrections = figures["corrections_while_frozen"]
    assert set(corrections["statuses"]) == {"503"}, corrections
    assert corrections["max_s"] < BOUNDED, corrections
    assert figures["ready_while_frozen"] == 503
    assert figures["ready_while_frozen_s"] < BOUNDED
    assert figures["recovery_s"] is not None and figures["recovery_s"] < 15
    assert figures["acknowledged"] == figures["stored"] > 0
    assert figures["other_5xx_lines"] == 0
    # One line per kind of failure and worker every 10 s, not one (or a traceback) per failure.
    assert figures["log_lines_about_storage"] <= 16
    assert figures["tracebacks"] == 0


def test_app_without_its_database_predicts_and_says_why_corrections_wait(tmp_path):
    # Nothing listens on port 9 (discard): PostgreSQL refuses at once.
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"})
    client = app.test_client()
    assert (
        client.post("/api/predict", data=DRAWINGS[3], content_type="image/png").status_code == 200
    )
    assert client.get("/api/health").status_code == 200
    response = client.post("/api/feedback?label=3", data=DRAWINGS[3], content_type="image/png")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "storage_unavailable"
    assert "Try again" in response.get_json()["error"]["message"]
    ready = client.get("/api/ready")
    assert ready.status_code == 503
    body = ready.get_json()
    assert body["checks"] == {"predictions": "ok", "corrections": "unavailable"}
    assert body["error"]["code"] == "not_ready"


def test_ready_when_the_database_answers(client):
    response = client.get("/api/ready")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"predictions": "ok", "corrections": "ok"},
    }
