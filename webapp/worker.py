"""The gunicorn worker of the Procfile and `make run`: gevent, with deadlines on reading requests.

Each open connection has its own greenlet, so a client that sends slowly or not at all holds
only itself, never a worker: predictions (a millisecond of CPU each) go on around it. gunicorn's
gevent worker has no deadline on a request's body, and closes a connection that is slow to send
its headers after `keepalive` seconds; this one gives both a documented bound:

- the request line and headers must arrive within HEADER_SECONDS of the connection opening
  (gunicorn's `keepalive` setting must stay above 0: at 0 it reads them without this deadline);
- the body within BODY_GRACE_SECONDS plus one second per BODY_MIN_BYTES_PER_SECOND of it.

A client that misses either is disconnected without an answer: it gets neither a 5xx nor an
HTML page, and nothing it sent reaches the app's handlers half-read.

Connections are served by greenlets that live as long as the worker, not one new greenlet per
connection as in gunicorn's gevent worker: a new greenlet costs a fresh 16 KB Python frame stack
(an mmap, a page fault and a munmap) and the pool's bookkeeping: about 0.05 ms of CPU a request
(docs/experiments/serving-speed.md). A graceful stop stops accepting and lets the open
connections finish for up to `graceful_timeout`.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Iterator
from typing import Any

import gevent
from gevent.lock import BoundedSemaphore
from gevent.queue import Queue
from gunicorn.workers.ggevent import GeventWorker

from webapp.failure_log import FailureLog

HEADER_SECONDS = 10.0
BODY_GRACE_SECONDS = 10.0
BODY_MIN_BYTES_PER_SECOND = 16 * 1024
# A chunked body declares no length: it gets the time of the largest body the app takes.
CHUNKED_BODY_BYTES = 2 * 1024 * 1024
# Serving greenlets kept waiting for connections; the ones beyond end (each holds about 20 KB).
SPARE_SERVERS = 32


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
    """gunicorn's gevent worker with the header and body deadlines above, its connections served
    by long-lived greenlets."""

    def run(self) -> None:
        if self.cfg.is_ssl:  # gevent's server does the TLS handshakes
            super().run()
            return
        # Accepted connections wait here for a serving greenlet; `open_slots` holds the count of
        # open connections to worker_connections (more wait in the listen backlog).
        self.accepted: Queue = Queue()
        self.open_slots = BoundedSemaphore(self.worker_connections)
        self.servers: set[gevent.Greenlet] = set()
        self.idle_servers = 0
        self.accept_failures = FailureLog(self.log.error_log)
        acceptors = [gevent.spawn(self.accept_connections, s) for s in self.sockets]
        while self.alive:
            self.notify()
            gevent.sleep(1.0)
        gevent.killall(acceptors)
        for listener in self.sockets:
            listener.close()
        # Let the connections already open finish, up to graceful_timeout.
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while self.open_slots.counter < self.worker_connections:
            if time.monotonic() > deadline:
                self.log.warning("Worker graceful timeout (pid:%s)", self.pid)
                gevent.killall(list(self.servers), timeout=1)
                return
            self.notify()
            gevent.sleep(0.1)

    def accept_connections(self, listener: Any) -> None:
        listener.setblocking(1)  # gevent's blocking: waits in the hub, not the process
        while True:
            self.open_slots.acquire()
            try:
                client, addr = listener.accept()
            except BaseException as error:
                self.open_slots.release()  # killed at a graceful stop too: it counts what is open
                if not isinstance(error, OSError):
                    raise
                if error.errno not in (errno.ECONNABORTED, errno.EPROTO):
                    self.accept_failures.failed("accept", f"Could not accept a connection: {error}")
                    gevent.sleep(0.1)  # out of file descriptors, say: let some close first
                continue
            # Claimed here, not when it wakes, so that two connections never wait for one server.
            if self.idle_servers:
                self.idle_servers -= 1
            else:
                self.servers.add(gevent.spawn(self.serve_connections))
            self.accepted.put((listener, client, addr))
            # Serve it before accepting again: with several workers, the next connection goes to
            # one that is not busy (gunicorn's gevent worker accepts one at a time for the same
            # reason).
            gevent.sleep(0)

    def serve_connections(self) -> None:
        while True:
            listener, client, addr = self.accepted.get()
            try:
                self.handle(listener, client, addr)
            finally:
                self.open_slots.release()
            if self.idle_servers >= SPARE_SERVERS:  # after a crowd of slow clients, say
                self.servers.discard(gevent.getcurrent())
                return
            self.idle_servers += 1

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
