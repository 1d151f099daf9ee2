"""Slow and silent clients cannot starve the server, run as the Procfile and `make run` run it.

Connections that send half of a request's headers, or headers and part of a body, and go
silent: 2x then 8x the worker count stay open while health and predictions answer quickly, and
the server closes them after its documented deadlines (webapp/worker.py) without answering:
no 5xx, no HTML page.
"""

import socket
import subprocess
import time

import pytest

from benchmarks._common import ROOT, procfile_command, server_log
from benchmarks.faults import (
    DRAWINGS,
    closed_after,
    half_sent,
    predict,
    running_server,
    server_5xx_log_lines,
    slow_clients,
)
from webapp.worker import BODY_GRACE_SECONDS, BODY_MIN_BYTES_PER_SECOND, HEADER_SECONDS

WORKERS = 2
BODY_LENGTH = 4096  # its deadline: BODY_GRACE_SECONDS + a quarter of a second
PORT_MARK = "6789999"  # stands for $PORT in make's dry run
FAST = 1.0  # seconds: what health and a prediction take at most while slow clients wait


def make_run_command():
    """`make run`'s gunicorn command as make would run it (a dry run), on port $PORT."""
    printed = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", f"PORT={PORT_MARK}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    commands = [line for line in printed.replace("\\\n", " ").splitlines() if "gunicorn" in line]
    assert commands, f"`make -n run` shows no gunicorn command:\n{printed}"
    return commands[-1].replace(PORT_MARK, "$PORT")


@pytest.mark.parametrize("how", ["procfile", "make run"])
def test_slow_clients_neither_hold_the_server_nor_get_an_error_page(how, tmp_path):
    command = procfile_command("web") if how == "procfile" else make_run_command()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}"}
    with running_server(env, command, workers=WORKERS) as (process, port, url):
        figures = slow_clients(port, url, WORKERS, counts=(2, 8))
        errors = server_5xx_log_lines(process)
    for row in figures["rounds"]:
        assert (row["health_status"], row["predict_status"]) == (200, 200), row
        assert row["health_s"] < FAST and row["predict_s"] < FAST, row
    assert figures["answered"] == 0, figures["answers"]  # closed, never answered (no HTML 500)
    # Closed at the deadline, give or take the time it took to open them all.
    assert HEADER_SECONDS - 1 < figures["closed_after_s"]["min"]
    assert figures["closed_after_s"]["max"] < HEADER_SECONDS + 10
    assert errors == []


def test_a_body_that_stops_coming_is_dropped_at_its_deadline(tmp_path):
    head = (
        b"POST /api/predict HTTP/1.1\r\nHost: digits\r\nContent-Type: image/png\r\n"
        b"Content-Length: %d\r\n\r\n" % BODY_LENGTH
    )
    deadline = BODY_GRACE_SECONDS + BODY_LENGTH / BODY_MIN_BYTES_PER_SECOND
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}"}
    with running_server(env, workers=WORKERS) as (process, port, url):
        started = time.monotonic()
        stalled = half_sent(port, 8 * WORKERS, head + DRAWINGS[7][:100])
        time.sleep(0.5)
        status, seconds, _, _ = predict(url)
        assert status == 200 and seconds < FAST
        for connection in stalled:
            seconds, received = closed_after(connection, started)
            assert received == b"", f"a stalled body was answered: {received[:200]!r}"
            assert deadline - 1 < seconds < deadline + 10
        status, seconds, _, _ = predict(url)
        assert status == 200 and seconds < FAST
        errors = server_5xx_log_lines(process)
        log = server_log(process, tail=200_000)
    assert errors == []
    assert "Closed a connection whose request body was too slow" in log


def test_every_answer_closes_its_connection(tmp_path):
    """As with sync workers, the next request goes to whichever worker is free: a kept-alive
    connection would stay with the worker that accepted it, busy or not."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}"}
    with running_server(env, procfile_command("web"), workers=WORKERS) as (_, port, _url):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(
                b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"
            )
            answer = b""
            while chunk := connection.recv(65536):  # ends only when the server closes
                answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head.startswith("http/1.1 200") and "connection: close" in head, head
