"""Load and faults: a short soak of the Procfile's gunicorn with a worker killed, and a missing
or corrupt model stopping the server at start with one clear line."""

import os
import subprocess
import sys

import pytest
from test_api import SEVEN, assert_error

from benchmarks._common import ROOT, VENV_BIN, free_port, procfile_command
from benchmarks.soak import soak
from webapp import create_app

STARTUP_TIMEOUT = 60  # seconds; a failing start takes about one


@pytest.mark.slow
def test_soak_short_no_5xx_and_a_killed_worker_is_replaced():
    results = soak(seconds=5, clients=8, workers=2, warmup=1, kill_seconds=5)
    checks = {c["check"]: c for c in results["checks"]}
    # One second of warm-up is too short a baseline for memory; benchmarks/soak.py checks it.
    del checks["worker RSS growth after warm-up"]
    failed = [c for c in checks.values() if not c["passed"]]
    assert not failed, (failed, results["server_log_tail"])
    assert results["run"]["statuses"].keys() >= {"200", "400", "413", "415", "422"}
    assert results["kill"]["failed"] <= results["kill"]["in_flight_at_kill"]


def start(command, model_path):
    """Run a start-up command with DIGITS_MODEL_PATH set; it should exit by itself."""
    env = {
        **os.environ,
        "PORT": str(free_port()),
        "DIGITS_MODEL_PATH": str(model_path),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT,
    )


@pytest.fixture(params=["missing", "corrupt"])
def bad_model(request, tmp_path):
    path = tmp_path / "digits.tflite"
    if request.param == "corrupt":
        path.write_bytes(os.urandom(64))
    return path


@pytest.mark.parametrize(
    "command",
    [
        procfile_command(),
        f"{sys.executable} -m flask --app webapp run --port $PORT",
    ],
    ids=["procfile gunicorn", "flask run"],
)
def test_startup_with_a_bad_model_stops_with_one_clear_line(bad_model, command):
    result = start(command, bad_model)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert len(lines) == 1, result.stderr
    assert str(bad_model) in lines[0] and "python -m model.train" in lines[0]


def test_startup_health_is_503_until_the_model_answers():
    app = create_app({"TESTING": True})
    client = app.test_client()
    models = app.extensions.pop("models")  # as before the models have loaded
    response = client.get("/api/health")
    assert response.status_code == 503 and response.get_json() == {"status": "loading"}
    assert_error(
        client.post("/api/predict", data=SEVEN, content_type="image/png"), 503, "model_loading"
    )
    app.extensions["models"] = models
    assert client.get("/api/health").status_code == 200
