"""Prometheus metrics at GET /metrics: requests and their latency by endpoint and status, the
verdicts shown, the corrections stored, and the served model's version.

Under gunicorn, webapp/gunicorn_config.py sets PROMETHEUS_MULTIPROC_DIR before this module is
imported: each worker then writes its counts to files there, and /metrics adds every worker's
up, whichever worker answers. Elsewhere (the Flask test client, `flask run`) each app counts in
its own registry, in this process. Labels take few values: an endpoint is the Flask endpoint's
name (not the raw path), a verdict one of four words.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder

from reading.models import Models

VERDICTS = ("digit", "number", "not_a_digit", "unsure")
# A prediction takes a few milliseconds; the buckets reach the worker's 30 s timeout.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """The app's metrics, registered in `registry` (which multiprocess mode does not read)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter(
            "digits_http_requests",
            "HTTP requests answered, by Flask endpoint and status.",
            ["endpoint", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "digits_http_request_duration_seconds",
            "Time from the request reaching Flask to its answer, by Flask endpoint and status.",
            ["endpoint", "status"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.verdicts = Counter(
            "digits_verdicts",
            "Verdicts shown by /api/predict and /api/read.",
            ["verdict"],
            registry=registry,
        )
        self.corrections = Counter(
            "digits_corrections_stored",
            "Corrections stored, of a digit or of a number.",
            ["kind"],
            registry=registry,
        )
        self.model = Gauge(
            "digits_model_info",
            "The served digit model: 1, labelled with its name and version.",
            ["name", "version"],
            registry=registry,
            multiprocess_mode="max",  # set once by the process that loaded the model
        )
        for verdict in VERDICTS:
            self.verdicts.labels(verdict)  # shown at 0 before the first
        for kind in ("digit", "number"):
            self.corrections.labels(kind)


def count_verdict(verdict: str) -> None:
    """One verdict shown to a client."""
    current_app.extensions["metrics"].verdicts.labels(verdict).inc()


def count_correction(kind: str) -> None:
    """One correction stored: kind is "digit" or "number"."""
    current_app.extensions["metrics"].corrections.labels(kind).inc()


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _count_request(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None:
        metrics = current_app.extensions["metrics"]
        labels = (request.endpoint or "unmatched", str(response.status_code))
        metrics.requests.labels(*labels).inc()
        metrics.latency.labels(*labels).observe(time.perf_counter() - started)
    return response


def metrics_page() -> Response:
    """GET /metrics: Prometheus's text format, every gunicorn worker's counts added up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = current_app.extensions["metrics"].registry
    # The format the scraper asks for: Prometheus's text, or OpenMetrics.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encode(registry), content_type=content_type)


def init_app(app: Flask) -> None:
    """Count every request, serve GET /metrics, and show the loaded model's version."""
    metrics = Metrics(CollectorRegistry())
    app.extensions["metrics"] = metrics
    models: Models | None = app.extensions.get("models")
    if models is not None:
        # A model without a card (a bare .tflite) is named by its file.
        name = str(models.digits.describe().get("name", models.digits.path.stem))
        metrics.model.labels(name, models.digits.version).set(1)
    app.before_request(_start_timer)
    app.after_request(_count_request)
    app.add_url_rule("/metrics", "metrics", metrics_page, methods=["GET"])
