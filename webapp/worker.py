"""The gunicorn worker of the Procfile and `make run`: gevent, with deadlines on reading requests.

Each connection is a greenlet, so a client that sends slowly or not at all holds only itself,
never a worker: predictions (a millisecond of CPU each) go on around it. gunicorn's gevent
worker has no deadline on a request's body, and closes a connection that is slow to send its
headers after `keepalive` seconds; this one gives both a documented bound:

- the request line and headers must arrive within HEADER_SECONDS of the connection opening
  (gunicorn's `keepalive` setting must stay above 0: at 0 it reads them without this deadline);
- the body within BODY_GRACE_SECONDS plus one second per BODY_MIN_BYTES_PER_SECOND of it.

A client that misses either is disconnected without an answer: it gets neither a 5xx nor an
HTML page, and nothing it sent reaches the app's handlers half-read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventWorker

HEADER_SECONDS = 10.0
BODY_GRACE_SECONDS = 10.0
BODY_MIN_BYTES_PER_SECOND = 16 * 1024
# A chunked body declares no length: it gets the time of the largest body the app takes.
CHUNKED_BODY_BYTES = 2 * 1024 * 1024


class SlowClient(BaseException):
    """The client did not send its body in time. A BaseException, so that neither Flask nor
    gunicorn turns it into an error page: the worker drops the connection instead."""


class DeadlineBody:
    """A request body (gunicorn's Body) whose reads fail with SlowClient after a deadline."""

    def __init__(self, body: Any, deadline: float) -> None:
        self.body, self.deadline = body, deadline

    def read(self, size: int | None = None) -> bytes:
        with self._remaining():
            return self.body.read(size)

    def readline(self, size: int | None = None) -> bytes:
        with self._remaining():
            return self.body.readline(size)

    def readlines(self, size: int | None = None) -> list[bytes]:
        with self._remaining():
            return self.body.readlines(size)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def _remaining(self) -> gevent.Timeout:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise SlowClient()
        return gevent.Timeout(left, SlowClient())


def body_seconds(length: int | None) -> float:
    """How long a body of `length` bytes (None: chunked) may take to arrive."""
    size = CHUNKED_BODY_BYTES if length is None else length
    return BODY_GRACE_SECONDS + size / BODY_MIN_BYTES_PER_SECOND


def declared_length(req: Any) -> int | None:
    """The request's Content-Length, or None (chunked, or unreadable: gunicorn refuses those)."""
    for name, value in req.headers:
        if name == "CONTENT-LENGTH":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class ServingWorker(GeventWorker):
    """gunicorn's gevent worker with the header and body deadlines above."""

    def timeout_ctx(self) -> gevent.Timeout:
        # Wraps reading each request's line and headers; False: on expiry, close quietly.
        return gevent.Timeout(HEADER_SECONDS, False)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        # Every answer closes its connection (Connection: close), as sync workers do: the next
        # request is accepted by whichever worker is free, so neither queues more than the
        # other. Kept-alive, a connection stays with the worker that accepted it: 16 busy
        # clients on 2 workers waited p99 32-42 ms, against 20-23 ms closed and with sync.
        req.must_close = True
        if req.body is not None:
            deadline = time.monotonic() + body_seconds(declared_length(req))
            req.body = DeadlineBody(req.body, deadline)
        try:
            return super().handle_request(listener_name, req, sock, addr)
        except SlowClient:
            self.log.info("Closed a connection whose request body was too slow to arrive")
            raise StopIteration() from None
