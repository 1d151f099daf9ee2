"""GET /metrics: requests, latency, verdicts, corrections and the model's version; under
gunicorn every worker's counts add up (prometheus_client's multiprocess mode)."""

import json
import os
import signal
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from drawing import draw_digit, png_bytes
from prometheus_client.parser import text_string_to_metric_families
from strokes import DIGIT_STROKES

from benchmarks._common import procfile_server, server_log, worker_pids
from webapp import create_app

SEVEN = png_bytes(draw_digit(DIGIT_STROKES[7]))
THREE = png_bytes(draw_digit(DIGIT_STROKES[3]))


def samples(text):
    """{(sample name, frozenset of labels): value} of Prometheus's text format."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found, metric, **labels):
    return found.get((metric, frozenset(labels.items())), 0.0)


def test_metrics_count_requests_verdicts_corrections_and_the_model(tmp_path):
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}"}
    )  # a fresh app counts from zero
    client = app.test_client()
    verdicts = Counter()
    for _ in range(3):
        answer = client.post("/api/predict", data=SEVEN, content_type="image/png")
        verdicts[answer.get_json()["verdict"]] += 1
    answer = client.post("/api/read", data=THREE, content_type="image/png")
    verdicts[answer.get_json()["verdict"]] += 1
    client.post("/api/predict", data=b"not a png", content_type="image/png")  # 400, no verdict
    client.get("/no/such/page")
    client.post("/api/feedback?label=7", data=SEVEN, content_type="image/png")
    response = client.get("/metrics")
    app.extensions["corrections"].dispose()
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    found = samples(response.get_data(as_text=True))
    total = "digits_http_requests_total"
    assert value(found, total, endpoint="api.predict", status="200") == 3
    assert value(found, total, endpoint="api.predict", status="400") == 1
    assert value(found, total, endpoint="api.read", status="200") == 1
    assert value(found, total, endpoint="unmatched", status="404") == 1
    assert value(found, total, endpoint="corrections.add_correction_route", status="201") == 1
    latency = "digits_http_request_duration_seconds"
    assert value(found, f"{latency}_count", endpoint="api.predict", status="200") == 3
    assert value(found, f"{latency}_sum", endpoint="api.predict", status="200") > 0
    for verdict in ("digit", "number", "not_a_digit", "unsure"):
        assert value(found, "digits_verdicts_total", verdict=verdict) == verdicts[verdict]
    assert value(found, "digits_corrections_stored_total", kind="digit") == 1
    assert value(found, "digits_corrections_stored_total", kind="number") == 0
    version = app.extensions["models"].digits.version
    assert value(found, "digits_model_info", name="digits", version=version) == 1


def predict(url, image):
    request = urllib.request.Request(
        f"{url}/api/predict", data=image, headers={"Content-Type": "image/png"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["verdict"]


def fetch_metrics(url):
    with urllib.request.urlopen(f"{url}/metrics", timeout=60) as response:
        return samples(response.read().decode())


def served_by(process, path):
    """The pids of the access log lines of path."""
    lines = [line for line in server_log(process, tail=10**7).splitlines() if line.startswith("{")]
    return Counter(entry["pid"] for entry in map(json.loads, lines) if entry.get("path") == path)


@pytest.mark.parametrize("worker_class", [None, "sync"], ids=["configured", "sync"])
def test_metrics_add_up_across_gunicorn_workers(tmp_path, worker_class):
    """Batches of 8 at once until both workers served some; /metrics (answered by either)
    counts every one, and still does after a worker died. With the configured worker class
    (gevent's), then gunicorn's sync workers."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}"}
    if worker_class:
        env["GUNICORN_CMD_ARGS"] = f"--worker-class {worker_class}"
    images = [SEVEN, THREE]
    with procfile_server(workers=2, env=env) as (process, url), ThreadPoolExecutor(8) as pool:
        verdicts = Counter()
        for _ in range(20):
            verdicts.update(pool.map(lambda i: predict(url, images[i % 2]), range(16)))
            time.sleep(0.2)  # the access log lines are written after the answers
            if len(served_by(process, "/api/predict")) == 2:
                break
        sent = sum(verdicts.values())
        assert len(served_by(process, "/api/predict")) == 2, "one worker served every request"
        assert sum(served_by(process, "/api/predict").values()) == sent
        for scrape in range(2):
            found = fetch_metrics(url)
            total = value(found, "digits_http_requests_total", endpoint="api.predict", status="200")
            assert total == sent
            for verdict in ("digit", "number", "not_a_digit", "unsure"):
                assert value(found, "digits_verdicts_total", verdict=verdict) == verdicts[verdict]
            assert value(found, "digits_model_info", name="digits", version=found_version(found))
            if scrape == 0:  # a worker dies; gunicorn replaces it; its counts stay
                os.kill(worker_pids(process)[0], signal.SIGKILL)
                time.sleep(1)
        assert value(found, "digits_http_requests_total", endpoint="metrics", status="200") >= 1


def found_version(found):
    versions = [dict(labels)["version"] for name, labels in found if name == "digits_model_info"]
    assert len(versions) == 1, versions
    return versions[0]
