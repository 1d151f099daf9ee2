"""Fault benchmark: the Procfile's server against slow clients and a sick corrections database.

    .venv/bin/python benchmarks/faults.py [--workers N] [--out JSON]

Three faults, each against gunicorn started as the Procfile starts it:
(1) slow clients: connections that send half of a request's headers and go silent, 2x then 8x
    the worker count, while health and predictions are timed; then when the server closes them;
(2) database down: PostgreSQL stopped before the server starts; predictions, corrections (503 +
    Retry-After), then PostgreSQL started again and the time until corrections are stored;
(3) database hung: PostgreSQL frozen with SIGSTOP under a load of predictions and corrections;
    predictions' and corrections' times while it is frozen, recovery after SIGCONT.
Each database fault ends with the count check: rows stored = corrections answered 201.
Prints a table and writes benchmarks/results/faults.json. The tests (tests/test_slow_clients.py,
tests/test_database_faults.py) run the same helpers with pass/fail bounds.
"""

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import sqlalchemy as sa  # noqa: E402
from drawing import draw_digit, png_bytes  # noqa: E402
from postgres import throwaway_server  # noqa: E402
from strokes import DIGIT_STROKES  # noqa: E402

from benchmarks._common import (  # noqa: E402
    VENV_BIN,
    children,
    free_port,
    machine,
    procfile_command,
    server_log,
    stop,
    wait_healthy,
)
from corrections import store  # noqa: E402

HALF_HEADERS = b"POST /api/predict HTTP/1.1\r\nHost: digits\r\nContent-Type: image/png\r\n"
DRAWINGS = {digit: png_bytes(draw_digit(DIGIT_STROKES[digit])) for digit in range(10)}


# --- the server -------------------------------------------------------------------------------


def start_server(port, env=None, command=None):
    """Popen a web command (default: the Procfile's `web:` line) with PORT set, in its own
    process group, its output in a temporary file (benchmarks._common.server_log reads it)."""
    import tempfile

    full_env = {**os.environ, **(env or {}), "PORT": str(port)}
    full_env["PATH"] = f"{VENV_BIN}{os.pathsep}{full_env.get('PATH', '')}"
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        ["bash", "-c", command or procfile_command("web")],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log, process.started = log, time.perf_counter()
    return process


@contextlib.contextmanager
def running_server(env=None, command=None, workers=2, timeout=90):
    """Start a web command on a free port and wait for /api/health; yields (process, port, url)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_server(port, {"WEB_CONCURRENCY": str(workers), **(env or {})}, command)
    try:
        wait_healthy(process, url, timeout)
        yield process, port, url
    finally:
        stop(process)
        process.log.close()


def answer(url, data=None, headers=None, method=None, timeout=60):
    """(status, seconds, headers, body) of one request; an error status is an answer too."""
    start = time.perf_counter()
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            return response.status, time.perf_counter() - start, response.headers, body
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - start, error.headers, error.read()


def predict(url, digit=3):
    return answer(f"{url}/api/predict", DRAWINGS[digit], {"Content-Type": "image/png"})


def correct(url, digit):
    """POST one digit correction; (status, seconds, headers, body)."""
    return answer(
        f"{url}/api/feedback?label={digit}", DRAWINGS[digit], {"Content-Type": "image/png"}
    )


def server_5xx_log_lines(process):
    """Access log lines of the server with a 5xx status other than 503 storage_unavailable."""
    log = server_log(process, tail=2_000_000)
    return [
        line
        for line in log.splitlines()
        if re.search(r'"status": 5\d\d', line) and '"status": 503' not in line
    ]


# --- slow clients -----------------------------------------------------------------------------


def half_sent(port, count, data=HALF_HEADERS):
    """`count` connections that sent `data` and then nothing."""
    connections = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=120)
        connection.sendall(data)
        connections.append(connection)
    return connections


def closed_after(connection, started):
    """(seconds from `started` until the server closed the connection, what it sent first)."""
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := connection.recv(65536):
            received += chunk
    connection.close()
    return time.monotonic() - started, received


def slow_clients(port, url, workers, counts=(2, 8)):
    """Hold counts x workers half-sent requests while timing health and a prediction; then wait
    for the server to close them. Returns the figures."""
    rounds, slow, started = [], [], time.monotonic()
    for factor in counts:
        slow += half_sent(port, factor * workers - len(slow))
        time.sleep(0.5)  # accepted, waiting for the rest of their headers
        health_status, health_s, _, _ = answer(f"{url}/api/health")
        predict_status, predict_s, _, _ = predict(url)
        rounds.append(
            {
                "slow_connections": len(slow),
                "health_status": health_status,
                "health_s": health_s,
                "predict_status": predict_status,
                "predict_s": predict_s,
            }
        )
    closes = [closed_after(connection, started) for connection in slow]
    return {
        "rounds": rounds,
        "closed_after_s": {
            "min": min(seconds for seconds, _ in closes),
            "max": max(seconds for seconds, _ in closes),
        },
        "answered": sum(1 for _, received in closes if received),
        "answers": sorted({received[:60].decode(errors="replace") for _, received in closes}),
    }


# --- PostgreSQL: stop, start, freeze ------------------------------------------------------------


class Cluster:
    """The throwaway PostgreSQL server listening on the URL's port (tests/postgres.py): stop and
    start it again, or freeze and thaw all its processes."""

    def __init__(self, url):
        self.url, self.port = url, sa.make_url(url).port
        self.postmaster = self._find_postmaster()
        command = Path(f"/proc/{self.postmaster}/cmdline").read_bytes().split(b"\0")
        arguments = [part.decode() for part in command if part]
        self.binary = Path(arguments[0])
        self.data = Path(arguments[arguments.index("-D") + 1])
        self.options = " ".join(arguments[arguments.index("-D") + 2 :])
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _find_postmaster(self):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                parts = (entry / "cmdline").read_bytes().split(b"\0")
                if (
                    b"-D" in parts
                    and b"-p" in parts
                    and parts[parts.index(b"-p") + 1] == (str(self.port).encode())
                ):
                    return int(entry.name)
        raise RuntimeError(f"No PostgreSQL postmaster listens on port {self.port}.")

    def _pg_ctl(self, *arguments):
        subprocess.run(
            [*self.as_postgres, self.binary.parent / "pg_ctl", "-D", self.data, *arguments],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def stop(self):
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self):
        log = self.data.parent / "server.log"
        self._pg_ctl("-o", self.options, "-l", log, "-w", "start")
        self.postmaster = self._find_postmaster()

    def processes(self):
        return [self.postmaster, *children(self.postmaster)]

    def freeze(self):
        """SIGSTOP the postmaster and every backend: connections open but nothing answers."""
        os.kill(self.postmaster, signal.SIGSTOP)  # first: it forks no backend after this
        stopped = set()
        while new := set(children(self.postmaster)) - stopped:  # till none was forked meanwhile
            for pid in new:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
            stopped |= new

    def thaw(self):
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


@contextlib.contextmanager
def fresh_database(server_url):
    """A new empty database on the server; yields its URL; dropped after."""
    name = f"faults_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(store.database_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with contextlib.suppress(sa.exc.SQLAlchemyError), admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def stored_count(url):
    """Rows in both corrections tables (0 when the schema is not there)."""
    engine = store.open_engine(url, connect_timeout=5)
    try:
        with engine.connect() as connection:
            return sum(
                connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("corrections", "number_corrections")
            )
    finally:
        engine.dispose()


def settled_count(url, acknowledged, seconds=30):
    """The stored count once it equals `acknowledged`, or after `seconds`: a worker deletes the
    corrections it answered 503 for (a lost answer to COMMIT) a moment after the database
    returns."""
    deadline = time.monotonic() + seconds
    while True:
        count = stored_count(url)
        if count == acknowledged or time.monotonic() > deadline:
            return count
        time.sleep(0.5)


class Load:
    """Clients sending corrections and predictions in a loop until stopped, recording answers."""

    def __init__(self, url, correctors=4, predictors=2):
        self.url, self.answers, self.lock = url, [], threading.Lock()
        self.running = True
        self.threads = [
            threading.Thread(target=self._run, args=(kind, i), daemon=True)
            for kind, n in (("correct", correctors), ("predict", predictors))
            for i in range(n)
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self.running = False
        for thread in self.threads:
            thread.join(timeout=120)

    def _run(self, kind, i):
        n = 0
        while self.running:
            digit = (i + n) % 10
            n += 1
            began = time.monotonic()
            try:
                status, seconds, headers, _ = (
                    correct(self.url, digit) if kind == "correct" else predict(self.url, digit)
                )
                retry_after = headers.get("Retry-After")
            except OSError as error:
                status, seconds, retry_after = f"error: {error}", time.monotonic() - began, None
            with self.lock:
                self.answers.append((kind, began, status, seconds, retry_after))

    def between(self, kind, start, end):
        with self.lock:
            return [a for a in self.answers if a[0] == kind and start <= a[1] < end]

    def acknowledged(self):
        with self.lock:
            return sum(
                1 for kind, _, status, _, _ in self.answers if kind == "correct" and status == 201
            )


def summary(answers):
    """Counts by status and the slowest answer's seconds."""
    statuses = {}
    for _, _, status, _, _ in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {"statuses": statuses, "max_s": max((a[3] for a in answers), default=0.0)}


def database_down(server_url, workers=2):
    """PostgreSQL stopped before the server starts, then started again."""
    cluster = Cluster(server_url)
    with fresh_database(server_url) as url:
        cluster.stop()
        try:
            start = time.perf_counter()
            with running_server({"DATABASE_URL": url, **RATE}, workers=workers) as (p, _, base):
                started_s = time.perf_counter() - start
                predictions = [predict(base, d) for d in range(10)]
                down = [correct(base, d) for d in range(6)]
                ready_down = answer(f"{base}/api/ready")
                cluster.start()
                back, recovery_s, acknowledged = time.perf_counter(), None, 0
                while time.perf_counter() - back < 60:
                    status = correct(base, 1)[0]
                    acknowledged += status == 201
                    if status == 201:
                        recovery_s = time.perf_counter() - back
                        break
                    time.sleep(0.2)
                after = [correct(base, d % 10) for d in range(20)]
                acknowledged += sum(1 for a in after if a[0] == 201)
                ready_up = answer(f"{base}/api/ready")
                errors = server_5xx_log_lines(p)
                log = server_log(p, tail=2_000_000)
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                cluster.start()
        stored = settled_count(url, acknowledged)
    return {
        "server_start_s": started_s,
        "predict_statuses": sorted({a[0] for a in predictions}),
        "predict_max_s": max(a[1] for a in predictions),
        "corrections_while_down": [a[0] for a in down],
        "correction_max_s_while_down": max(a[1] for a in down),
        "retry_after": sorted({a[2].get("Retry-After") for a in down}, key=str),
        "ready_while_down": ready_down[0],
        "ready_after": ready_up[0],
        "recovery_s": recovery_s,
        "after_statuses": sorted({a[0] for a in after}),
        "acknowledged": acknowledged,
        "stored": stored,
        "other_5xx_lines": len(errors),
        "log_lines_about_storage": log.count("storage unavailable ("),
        "tracebacks": log.count("Traceback"),
    }


def database_hung(server_url, workers=2, frozen_seconds=12):
    """PostgreSQL frozen with SIGSTOP under load, then thawed."""
    cluster = Cluster(server_url)
    with fresh_database(server_url) as url:
        with running_server({"DATABASE_URL": url, **RATE}, workers=workers) as (p, _, base):
            try:
                with Load(base) as load:
                    time.sleep(3)
                    frozen_at = time.monotonic()
                    cluster.freeze()
                    time.sleep(frozen_seconds / 2)
                    ready_frozen = answer(f"{base}/api/ready")
                    time.sleep(max(0.0, frozen_at + frozen_seconds - time.monotonic()))
                    thawed_at = time.monotonic()
                    cluster.thaw()
                    time.sleep(8)
                    end = time.monotonic()
                # Answers to requests begun and answered while it was frozen.
                predictions = [
                    a
                    for a in load.between("predict", frozen_at, thawed_at)
                    if a[1] + a[3] < thawed_at
                ]
                corrections = [
                    a
                    for a in load.between("correct", frozen_at + 0.5, thawed_at)
                    if a[1] + a[3] < thawed_at
                ]
                recovered = [a for a in load.between("correct", thawed_at, end) if a[2] == 201]
                recovery_s = min(a[1] + a[3] for a in recovered) - thawed_at if recovered else None
                acknowledged = load.acknowledged()
                before = load.between("correct", 0, frozen_at)
                errors = server_5xx_log_lines(p)
                log = server_log(p, tail=2_000_000)
            finally:
                cluster.thaw()
        stored = settled_count(url, acknowledged)
    return {
        "frozen_s": frozen_seconds,
        "corrections_before": summary(before),
        "predictions_while_frozen": summary(predictions),
        "corrections_while_frozen": summary(corrections),
        "ready_while_frozen": ready_frozen[0],
        "ready_while_frozen_s": ready_frozen[1],
        "recovery_s": recovery_s,
        "acknowledged": acknowledged,
        "stored": stored,
        "other_5xx_lines": len(errors),
        "log_lines_about_storage": log.count("storage unavailable ("),
        "tracebacks": log.count("Traceback"),
        "log_bytes": len(log.encode()),
    }


RATE = {"DIGITS_FEEDBACK_RATE": '"100000/minute"'}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/faults.json")
    args = parser.parse_args()
    results = {"machine": machine(), "workers": args.workers}
    print(f"Slow clients against the Procfile's server ({args.workers} workers)...", flush=True)
    with running_server(workers=args.workers) as (_, port, url):
        results["slow_clients"] = slow_clients(port, url, args.workers)
    with throwaway_server() as server_url:
        print("PostgreSQL down at start-up...", flush=True)
        results["database_down"] = database_down(server_url, args.workers)
        print("PostgreSQL hung (SIGSTOP) under load...", flush=True)
        results["database_hung"] = database_hung(server_url, args.workers)
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nWrote {args.out}")


def print_table(results):
    slow = results["slow_clients"]
    print("\n| fault | measure | value |\n| --- | --- | --- |")
    for row in slow["rounds"]:
        n = row["slow_connections"]
        print(
            f"| slow clients | {n} half-sent requests: health | {row['health_status']} in "
            f"{row['health_s'] * 1000:.0f} ms |"
        )
        print(
            f"| slow clients | {n} half-sent requests: predict | {row['predict_status']} in "
            f"{row['predict_s'] * 1000:.0f} ms |"
        )
    closed = slow["closed_after_s"]
    print(
        f"| slow clients | closed by the server after | {closed['min']:.1f} to "
        f"{closed['max']:.1f} s, {slow['answered']} answered |"
    )
    down = results["database_down"]
    print(f"| database down | server started and healthy in | {down['server_start_s']:.1f} s |")
    print(
        f"| database down | predictions | {down['predict_statuses']}, slowest "
        f"{down['predict_max_s'] * 1000:.0f} ms |"
    )
    print(
        f"| database down | corrections | {down['corrections_while_down']}, slowest "
        f"{down['correction_max_s_while_down'] * 1000:.0f} ms, Retry-After "
        f"{down['retry_after']} |"
    )
    print(
        f"| database down | /api/ready down, then up | {down['ready_while_down']}, "
        f"{down['ready_after']} |"
    )
    print(f"| database down | first 201 after PostgreSQL started | {down['recovery_s']:.2f} s |")
    print(
        f"| database down | acknowledged (201) = stored | {down['acknowledged']} = "
        f"{down['stored']} |"
    )
    hung = results["database_hung"]
    print(
        f"| database hung | predictions while frozen {hung['frozen_s']} s | "
        f"{hung['predictions_while_frozen']['statuses']}, slowest "
        f"{hung['predictions_while_frozen']['max_s'] * 1000:.0f} ms |"
    )
    print(
        f"| database hung | corrections while frozen | "
        f"{hung['corrections_while_frozen']['statuses']}, slowest "
        f"{hung['corrections_while_frozen']['max_s']:.2f} s |"
    )
    print(
        f"| database hung | /api/ready while frozen | {hung['ready_while_frozen']} in "
        f"{hung['ready_while_frozen_s']:.2f} s |"
    )
    recovery = hung["recovery_s"]
    print(
        f"| database hung | first 201 after SIGCONT | "
        f"{'none' if recovery is None else f'{recovery:.2f} s'} |"
    )
    print(
        f"| database hung | acknowledged (201) = stored | {hung['acknowledged']} = "
        f"{hung['stored']} |"
    )
    print(
        f"| database hung | storage log lines, log size | {hung['log_lines_about_storage']}, "
        f"{hung['log_bytes'] / 1024:.0f} KB |"
    )


if __name__ == "__main__":
    main()
