"""The Procfile's gevent worker (webapp/worker.py) serves its connections with long-lived
greenlets: it still stops gracefully and still holds open connections to worker_connections."""

import os
import signal
import socket
import time

from benchmarks._common import gunicorn_master, procfile_command, server_log, worker_pids
from benchmarks.faults import DRAWINGS, answer, closed_after, half_sent, running_server

FILE_LIMIT = 128  # open files per process: the worker runs out long before CROWD connections
CROWD = 200
HEAD = (
    b"POST /api/predict HTTP/1.1\r\nHost: digits\r\nContent-Type: image/png\r\n"
    b"Content-Length: %d\r\n\r\n"
)


def test_a_graceful_stop_finishes_the_request_under_way_and_takes_no_new_one(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}"}
    body = DRAWINGS[7]
    with running_server(env, workers=1) as (process, port, url):
        under_way = socket.create_connection(("127.0.0.1", port), timeout=30)
        under_way.sendall(HEAD % len(body) + body[:100])
        time.sleep(0.5)
        os.kill(gunicorn_master(process), signal.SIGTERM)
        time.sleep(1.5)  # the worker notices within its one-second heartbeat
        try:
            refused = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            refused = None
        if refused is not None:  # let in by a backlog that no one accepts from any more
            refused.sendall(b"GET /api/health HTTP/1.1\r\nHost: digits\r\n\r\n")
            assert closed_after(refused, time.monotonic())[1] == b""
        under_way.sendall(body[100:])
        _, answered = closed_after(under_way, time.monotonic())
        assert answered.startswith(b"HTTP/1.1 200"), answered[:300]
        assert b'"digit":7' in answered.replace(b" ", b"")
        assert process.wait(timeout=15) == 0


def test_open_connections_are_held_to_worker_connections(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}",
        "GUNICORN_CMD_ARGS": "--worker-connections 2",
    }
    with running_server(env, workers=1) as (_process, port, url):
        silent = half_sent(port, 2)
        time.sleep(0.5)
        waiting = socket.create_connection(("127.0.0.1", port), timeout=2)
        waiting.sendall(b"GET /api/health HTTP/1.1\r\nHost: digits\r\n\r\n")
        waiting.settimeout(1.5)
        try:
            early = waiting.recv(65536)
        except TimeoutError:
            early = None
        assert early is None, f"a third connection was served while two were open: {early!r}"
        for connection in silent:
            connection.close()
        waiting.settimeout(5)
        seconds, served = closed_after(waiting, time.monotonic())
        assert served.startswith(b"HTTP/1.1 200") and seconds < 1
        status, seconds, _, _ = answer(f"{url}/api/health", timeout=5)
        assert status == 200 and seconds < 1


def test_a_worker_out_of_file_descriptors_waits_and_serves_again(tmp_path):
    """accept() failing (EMFILE) costs one log line and short waits, not the worker."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.sqlite3'}"}
    command = f"ulimit -n {FILE_LIMIT} && {procfile_command('web')}"
    with running_server(env, command, workers=1) as (process, port, url):
        worker = worker_pids(process)
        crowd = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(CROWD)]
        time.sleep(1)
        for connection in crowd:
            connection.close()
        status, seconds, _, _ = answer(f"{url}/api/health", timeout=5)
        log = server_log(process, tail=200_000)
        assert status == 200 and seconds < 1
        assert "Could not accept a connection" in log
        assert worker_pids(process) == worker  # the same worker, not a replacement
        assert "Traceback" not in log
        assert log.count("Could not accept a connection") == 1  # the repeats held back
