"""Soak test: the Procfile's gunicorn under mixed good and hostile load, then a worker
killed with SIGKILL in the middle of it.

    .venv/bin/python benchmarks/soak.py [--seconds 60] [--clients 64] [--out JSON]

Phase 1: --clients threads send the ten digits in three looks and three request forms, mixed
with bad requests, for --seconds after a warm-up. Expected: no 5xx, no connection error, every
drawing classified correctly, every bad request answered with its status, no worker restarted,
and each worker's memory after the run within 10 % of its memory after the warm-up.
Phase 2: the same load for --kill-seconds; one worker gets SIGKILL a third of the way in.
Expected: gunicorn starts a new worker, the service keeps answering, and no more requests fail
than were in flight when the worker died. Prints a table and writes the numbers as JSON.
"""

import argparse
import base64
import http.client
import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from drawing import draw_digit, png_bytes  # noqa: E402
from strokes import DIGIT_STROKES  # noqa: E402

from benchmarks._common import machine, procfile_server, rss_mb, server_log, worker_pids  # noqa: E402

MEMORY_GROWTH_LIMIT = 0.10  # a worker's RSS after the run vs. after the warm-up
GOOD_SHARE = 2 / 3  # of the requests; the rest are bad ones
BOUNDARY = "soak-boundary"


@dataclass(frozen=True)
class Request:
    name: str
    method: str
    path: str
    headers: dict
    body: bytes = b""
    digit: int = None  # the expected answer of a good drawing
    status: int = 200  # the expected status of a bad request


def good_requests():
    """Each digit in each look, sent raw, as JSON and as multipart (in turn)."""
    requests, forms = [], ["raw", "json", "multipart"]
    for digit in range(10):
        for i, look in enumerate(["dark", "light", "transparent"]):
            png = png_bytes(draw_digit(DIGIT_STROKES[digit], look=look))
            form = forms[(digit + i) % 3]
            if form == "raw":
                headers, body = {"Content-Type": "image/png"}, png
            elif form == "json":
                headers = {"Content-Type": "application/json"}
                body = json.dumps(
                    {"image": "data:image/png;base64," + base64.b64encode(png).decode()}
                ).encode()
            else:
                headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
                body = (
                    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; '
                    f'filename="{digit}.png"\r\nContent-Type: image/png\r\n\r\n'
                ).encode()
                body += png + f"\r\n--{BOUNDARY}--\r\n".encode()
            requests.append(
                Request(
                    f"{digit} {look} {form}", "POST", "/api/predict", headers, body, digit=digit
                )
            )
    return requests


def bad_requests():
    """Hostile requests with the status each must get (414 and 431 come from gunicorn)."""
    seven = png_bytes(draw_digit(DIGIT_STROKES[7]))
    png, js = {"Content-Type": "image/png"}, {"Content-Type": "application/json"}
    rng = np.random.default_rng(6)
    cases = [
        ("truncated png", "POST", "/api/predict", png, seven[: len(seven) // 2], 400),
        ("random bytes", "POST", "/api/predict", png, rng.bytes(4096), 400),
        ("not json", "POST", "/api/predict", js, b"{nope", 400),
        ("json array", "POST", "/api/predict", js, b"[1, 2]", 400),
        ("json too deep", "POST", "/api/predict", js, b"[" * 5000 + b"]" * 5000, 400),
        ("bad base64", "POST", "/api/predict", js, b'{"image": "abc!"}', 400),
        (
            "multipart without file",
            "POST",
            "/api/predict",
            {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--{BOUNDARY}--\r\n'.encode(),
            400,
        ),
        ("gif", "POST", "/api/predict", png, png_bytes(Image.new("L", (28, 28)), "GIF"), 415),
        ("text/plain", "POST", "/api/predict", {"Content-Type": "text/plain"}, b"seven", 415),
        ("all white", "POST", "/api/predict", png, png_bytes(Image.new("L", (280, 280), 255)), 422),
        (
            "5000x5000 pixels",
            "POST",
            "/api/predict",
            png,
            png_bytes(Image.new("1", (5000, 5000))),
            413,
        ),
        ("3 MB body", "POST", "/api/predict", png, bytes(3 * 1024 * 1024), 413),
        ("get predict", "GET", "/api/predict", {}, b"", 405),
        ("unknown path", "GET", "/api/nothing-here", {}, b"", 404),
        ("long url", "GET", "/api/health?" + "q" * 9000, {}, b"", 414),
        ("long header", "GET", "/api/health", {"X-Padding": "p" * 9000}, b"", 431),
    ]
    return [
        Request(name, method, path, headers, body, status=status)
        for name, method, path, headers, body, status in cases
    ]


class Stats:
    """What the clients saw, shared between their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.statuses = Counter()
        self.errors = Counter()  # connection errors by exception type
        self.error_times = []
        self.server_errors = []  # (name, status)
        self.unexpected = Counter()  # (name, status) of answers other than expected
        self.good = self.correct = 0
        self.wrong = Counter()  # (name, digit answered)
        self.latencies = []
        self.answered_after = []  # perf_counter() of each answer, for phase 2

    def summary(self):
        latencies = np.asarray(self.latencies or [0.0]) * 1000
        return {
            "requests": sum(self.statuses.values()) + sum(self.errors.values()),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "server_errors_5xx": len(self.server_errors),
            "connection_errors": sum(self.errors.values()),
            "connection_errors_by_type": dict(self.errors),
            "good_drawings": self.good,
            "classified_correctly": self.correct,
            "misclassified": {f"{n} -> {d}": c for (n, d), c in self.wrong.items()},
            "unexpected_answers": {f"{n} -> {s}": c for (n, s), c in self.unexpected.items()},
            "latency_ms": {
                "p50": float(np.median(latencies)),
                "p99": float(np.percentile(latencies, 99)),
            },
        }


def send(port, request, timeout=30):
    """One request on a fresh connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(request.method, request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def check_answer(request, status, content_type, body, stats):
    """Record whether the answer is the expected one (called under stats.lock)."""
    stats.statuses[status] += 1
    if status >= 500:
        stats.server_errors.append((request.name, status))
    if request.digit is not None:
        stats.good += 1
        digit = json.loads(body).get("digit") if status == 200 else None
        if digit == request.digit:
            stats.correct += 1
        else:
            stats.wrong[(request.name, digit if status == 200 else f"HTTP {status}")] += 1
        return
    api_error = (
        status == request.status and request.path.startswith("/api/") and status not in (414, 431)
    )
    if status != request.status or (api_error and not _is_contract_error(content_type, body)):
        stats.unexpected[(request.name, status)] += 1


def _is_contract_error(content_type, body):
    try:
        error = json.loads(body)
    except ValueError:
        return False
    return (
        content_type.startswith("application/json")
        and list(error) == ["error"]
        and sorted(error["error"]) == ["code", "message"]
    )


def client(port, good, bad, deadline, stats, seed):
    """Send requests until the deadline: GOOD_SHARE good drawings, the rest bad requests."""
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        request = rng.choice(good) if rng.random() < GOOD_SHARE else rng.choice(bad)
        with stats.lock:
            stats.in_flight += 1
        started = time.perf_counter()
        try:
            status, content_type, body = send(port, request)
        except (OSError, http.client.HTTPException) as error:
            with stats.lock:
                stats.in_flight -= 1
                stats.errors[type(error).__name__] += 1
                stats.error_times.append(time.perf_counter())
            continue
        with stats.lock:
            stats.in_flight -= 1
            stats.latencies.append(time.perf_counter() - started)
            stats.answered_after.append(time.perf_counter())
            check_answer(request, status, content_type, body, stats)


def load(port, clients, seconds, during=None):
    """Run the clients for some seconds; during(stats) runs meanwhile in this thread."""
    good, bad, stats = good_requests(), bad_requests(), Stats()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client, args=(port, good, bad, deadline, stats, i), daemon=True)
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    extra = during(stats) if during else None
    for thread in threads:
        thread.join()
    return stats, extra


def memory(process):
    """RSS in MB of each worker, by pid."""
    return {pid: rss_mb(pid) for pid in worker_pids(process)}


def kill_a_worker(process, workers, after):
    """during(): SIGKILL one worker after some seconds; time until gunicorn replaced it."""

    def during(stats):
        time.sleep(after)
        victim = worker_pids(process)[0]
        with stats.lock:
            in_flight, killed_at = stats.in_flight, time.perf_counter()
            os.kill(victim, signal.SIGKILL)
        replaced = None
        while replaced is None and time.perf_counter() - killed_at < 30:
            pids = worker_pids(process)
            if victim not in pids and len(pids) == workers:
                replaced = time.perf_counter() - killed_at
            time.sleep(0.01)  # polling /proc for the new worker
        return {
            "victim": victim,
            "in_flight": in_flight,
            "killed_at": killed_at,
            "replaced_after_s": replaced,
        }

    return during


def soak(seconds=60, clients=64, workers=2, warmup=10, kill_seconds=20, env=None):
    """Both phases against a fresh Procfile server; returns the numbers and the verdicts."""
    results = {
        "machine": machine(),
        "clients": clients,
        "workers": workers,
        "seconds": seconds,
        "warmup_seconds": warmup,
    }
    with procfile_server(workers, env) as (process, url):
        port = int(url.rsplit(":", 1)[1])
        load(port, clients, warmup)
        before, pids = memory(process), worker_pids(process)
        stats, _ = load(port, clients, seconds)
        after = memory(process)
        growth = {pid: after[pid] / before[pid] - 1 for pid in before if pid in after}
        results["run"] = {
            **stats.summary(),
            "requests_per_s": sum(stats.statuses.values()) / seconds,
            "workers_restarted": len(set(pids) - set(worker_pids(process))),
            "rss_mb_after_warmup": {str(p): round(v, 1) for p, v in before.items()},
            "rss_mb_after_run": {str(p): round(v, 1) for p, v in after.items()},
            "rss_growth": max(growth.values()) if growth else None,
        }
        if kill_seconds:
            stats, kill = load(
                port, clients, kill_seconds, kill_a_worker(process, workers, kill_seconds / 3)
            )
            failed = len(stats.server_errors) + sum(stats.errors.values())
            after_kill = [
                t
                for t in stats.answered_after
                if t > kill["killed_at"] + (kill["replaced_after_s"] or 0)
            ]
            results["kill"] = {
                **stats.summary(),
                "victim": kill["victim"],
                "in_flight_at_kill": kill["in_flight"],
                "failed": failed,
                "worker_replaced_after_s": kill["replaced_after_s"],
                "answers_after_replacement": len(after_kill),
            }
        results["server_log_tail"] = server_log(process, 2000)
    results["checks"] = verdicts(results)
    return results


def verdicts(r):
    """Each expectation of the issue: (what, value, target, passed)."""
    run = r["run"]
    checks = [
        ("5xx answers", run["server_errors_5xx"], "0", run["server_errors_5xx"] == 0),
        ("connection errors", run["connection_errors"], "0", run["connection_errors"] == 0),
        (
            "drawings classified correctly",
            f"{run['classified_correctly']}/{run['good_drawings']}",
            "all",
            run["good_drawings"] > 0 and run["classified_correctly"] == run["good_drawings"],
        ),
        (
            "bad requests with another status",
            sum(run["unexpected_answers"].values()),
            "0",
            not run["unexpected_answers"],
        ),
        ("workers restarted", run["workers_restarted"], "0", run["workers_restarted"] == 0),
        (
            "worker RSS growth after warm-up",
            f"{run['rss_growth']:+.1%}",
            f"<= {MEMORY_GROWTH_LIMIT:.0%}",
            run["rss_growth"] is not None and run["rss_growth"] <= MEMORY_GROWTH_LIMIT,
        ),
    ]
    if "kill" in r:
        kill = r["kill"]
        checks += [
            (
                "killed worker replaced",
                f"{kill['worker_replaced_after_s'] or 0:.2f} s",
                "< 30 s",
                kill["worker_replaced_after_s"] is not None,
            ),
            (
                "answers after the replacement",
                kill["answers_after_replacement"],
                "> 0",
                kill["answers_after_replacement"] > 0,
            ),
            (
                "requests failed by the kill",
                kill["failed"],
                f"<= {kill['in_flight_at_kill']} in flight",
                kill["failed"] <= kill["in_flight_at_kill"],
            ),
            (
                "5xx answers (kill phase)",
                kill["server_errors_5xx"],
                "0",
                kill["server_errors_5xx"] == 0,
            ),
        ]
    return [{"check": c, "value": str(v), "target": t, "passed": bool(p)} for c, v, t, p in checks]


def table(r):
    run = r["run"]
    lines = [
        f"Soak: {r['clients']} clients, {r['seconds']} s, {r['workers']} workers "
        f"({r['machine']['cores']} cores) - {run['requests']} requests, "
        f"{run['requests_per_s']:.0f}/s, p50 {run['latency_ms']['p50']:.0f} ms, "
        f"p99 {run['latency_ms']['p99']:.0f} ms",
        f"statuses: {run['statuses']}",
    ]
    if "kill" in r:
        kill = r["kill"]
        lines.append(
            f"kill phase: {kill['requests']} requests, {kill['failed']} failed "
            f"({kill['connection_errors_by_type'] or 'no connection errors'}), "
            f"{kill['in_flight_at_kill']} in flight at the kill"
        )
    width = max(len(c["check"]) for c in r["checks"])
    lines.append(f"{'check':<{width}}  {'value':>12}  {'target':<18}  verdict")
    for c in r["checks"]:
        lines.append(
            f"{c['check']:<{width}}  {c['value']:>12}  {c['target']:<18}  "
            f"{'ok' if c['passed'] else 'FAIL'}"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the soak (60)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (64)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--warmup", type=float, default=10, help="seconds of load before the memory baseline (10)"
    )
    parser.add_argument(
        "--kill-seconds",
        type=float,
        default=20,
        help="length of the worker-kill phase; 0 skips it (20)",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="model file to serve (default: the server's, model/saved)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks/results/soak.json",
        help="where to write the JSON (benchmarks/results/soak.json)",
    )
    args = parser.parse_args()
    env = {"DIGITS_MODEL_PATH": str(args.model.resolve())} if args.model else None
    results = soak(args.seconds, args.clients, args.workers, args.warmup, args.kill_seconds, env)
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")
    sys.exit(0 if all(c["passed"] for c in results["checks"]) else 1)


if __name__ == "__main__":
    main()
