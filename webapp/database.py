"""The corrections database for the app: one engine per process, bounded waits, and whether it
can store corrections right now.

Predictions never touch it. create_app tries once to bring the schema up to date (bounded by the
connect and statement timeouts) and starts whatever happens; each worker then checks the schema
on its first correction and after any failure, migrating when DATABASE_MIGRATE allows. While the
database is away, behind or hung, use() raises StorageUnavailable within DATABASE_DEADLINE
seconds, and the next correction after it returns just works: no restart.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from corrections.store import (
    current_revision,
    delete_by_undo_token_hash,
    head_revision,
    migrate,
    open_engine,
)
from webapp.failure_log import FailureLog

# Settings (DIGITS_<name> in the environment), in seconds unless said otherwise.
SETTINGS = {
    "DATABASE_CONNECT_TIMEOUT": 3,  # opening a PostgreSQL connection
    "DATABASE_STATEMENT_TIMEOUT": 4,  # one statement on PostgreSQL; SQLite's wait for a lock
    "DATABASE_POOL_TIMEOUT": 2,  # waiting for a free pooled connection
    # A correction's whole use of the database, enforced under gevent (the served app) even
    # when the database is hung and no server-side timeout can fire.
    "DATABASE_DEADLINE": 5,
    "DATABASE_MIGRATE": True,  # false: only `python -m corrections upgrade` migrates
}
RETRY_AFTER_SECONDS = 5  # what a 503 storage_unavailable tells the client to wait
RETRY_FORGET_SECONDS = 2  # how often a worker retries deleting corrections it answered 503
MAX_UNSURE = 10_000  # corrections answered 503 whose deletion is still pending, at most


class StorageUnavailable(Exception):
    """The corrections database cannot store or read corrections right now."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind, self.reason = kind, reason


class SchemaBehind(Exception):
    """The database's schema is older than the code's and this app may not migrate it."""


class StorageTimedOut(BaseException):
    """The deadline passed. A BaseException, like gevent's Timeout it stands for: SQLAlchemy
    then throws the connection away instead of returning it to the pool mid-statement."""


class ProcessEngine:
    """An engine created on first use in each process.

    gunicorn forks its workers after create_app; a connection opened before the fork would be
    shared by every worker, so each process opens its own.
    """

    def __init__(self, url: str, **timeouts: float | None) -> None:
        self.url = url
        self.timeouts = timeouts
        self._engine: sa.Engine | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def get(self) -> sa.Engine:
        """This process's engine."""
        pid = os.getpid()
        if self._pid != pid:
            with self._lock:
                if self._pid != pid:
                    self._engine, self._pid = open_engine(self.url, **self.timeouts), pid  # type: ignore[arg-type]
        assert self._engine is not None
        return self._engine

    def dispose(self) -> None:
        """Close this process's connections (tests, and anyone dropping the database)."""
        if self._engine is not None and self._pid == os.getpid():
            self._engine.dispose()
        self._engine, self._pid = None, None


class Storage(ProcessEngine):
    """The engine, plus whether this process found the schema current, plus the corrections it
    answered 503 for that may have been stored anyway (deleted once the database answers)."""

    def __init__(self, url: str, settings: dict[str, object], failures: FailureLog) -> None:
        super().__init__(
            url,
            connect_timeout=float(settings["DATABASE_CONNECT_TIMEOUT"]),  # type: ignore[arg-type]
            statement_timeout=float(settings["DATABASE_STATEMENT_TIMEOUT"]),  # type: ignore[arg-type]
            pool_timeout=float(settings["DATABASE_POOL_TIMEOUT"]),  # type: ignore[arg-type]
        )
        self.deadline = float(settings["DATABASE_DEADLINE"])  # type: ignore[arg-type]
        self.may_migrate = bool(settings["DATABASE_MIGRATE"])
        self.failures = failures
        self._ready_pid: int | None = None
        self._unsure: list[str] = []
        self._forgetting: threading.Thread | None = None

    @contextlib.contextmanager
    def use(
        self, unsure_token_hash: str | None = None, what: str = "Corrections storage check failed"
    ) -> Iterator[sa.Engine]:
        """This process's engine with the schema current, within the deadline.

        Raises StorageUnavailable on any database failure (and logs `what` failed, and why,
        rate-limited). With
        unsure_token_hash, a failure may have come after the database stored the row (a lost
        answer to COMMIT): the row is deleted once the database answers again, since its sender
        was told it was not stored.
        """
        try:
            with bounded(self.deadline):
                engine = self.get()
                self._prepare(engine)
                yield engine
        except (sa.exc.SQLAlchemyError, StorageTimedOut, SchemaBehind, OSError) as error:
            self._ready_pid = None
            # A connection interrupted mid-statement may be left in the pool: start afresh.
            self.get().dispose()
            if unsure_token_hash is not None:
                self._remember_unsure(unsure_token_hash)
            kind, reason = describe_failure(error, self.deadline)
            self.failures.failed(kind, f"{what}: storage unavailable ({kind}): {reason}")
            raise StorageUnavailable(kind, reason) from None

    def check(self) -> None:
        """Raise StorageUnavailable unless the database answers and its schema is current now."""
        self._ready_pid = None  # look again, whatever this process found before
        with self.use():
            pass

    def prepare_now(self) -> None:
        """Try once to bring the schema up to date (create_app); a failure is logged, not raised."""
        with contextlib.suppress(StorageUnavailable):
            with self.use():
                pass
        self.dispose()  # no connection may cross gunicorn's fork

    def _prepare(self, engine: sa.Engine) -> None:
        if self._ready_pid == os.getpid():
            return
        revision, head = current_revision(engine), head_revision()
        if revision != head:
            if not self.may_migrate:
                raise SchemaBehind(
                    f"the schema is at {revision or 'no migration'}, this code needs {head}: "
                    "run python -m corrections upgrade"
                )
            migrate(self.url, engine=engine)
        pending, self._unsure = self._unsure, []
        try:
            while pending:
                delete_by_undo_token_hash(engine, pending[-1])
                pending.pop()
        finally:
            self._unsure += pending  # those not deleted yet, when the database failed again
        self._ready_pid = os.getpid()
        self.failures.recovered("Corrections storage is available again")

    def _remember_unsure(self, token_hash: str) -> None:
        if len(self._unsure) < MAX_UNSURE:
            self._unsure.append(token_hash)
        if self._forgetting is None or not self._forgetting.is_alive():
            # Under gevent this thread is a greenlet: it retries while no request comes.
            self._forgetting = threading.Thread(target=self._forget_unsure, daemon=True)
            self._forgetting.start()

    def _forget_unsure(self) -> None:
        while self._unsure:
            time.sleep(RETRY_FORGET_SECONDS)
            with contextlib.suppress(StorageUnavailable):
                self.check()


@contextlib.contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Under gevent (the served app), interrupt the block after `seconds` with StorageTimedOut.

    Elsewhere (tests, the flask command) the connect, statement and pool timeouts bound it.
    """
    if not cooperative():
        yield
        return
    import gevent

    timer = gevent.Timeout(seconds)
    try:
        with timer:
            yield
    except gevent.Timeout as error:
        if error is not timer:
            raise
        raise StorageTimedOut() from None


def cooperative() -> bool:
    """Whether gevent has patched this process (the gunicorn worker of webapp/worker.py)."""
    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey and monkey.is_module_patched("socket"))  # type: ignore[attr-defined]


def describe_failure(error: BaseException, deadline: float) -> tuple[str, str]:
    """(kind, one line) of a database failure, for the log and the readiness answer."""
    if isinstance(error, StorageTimedOut):
        return "timeout", f"the database did not answer within {deadline:g} s"
    if isinstance(error, SchemaBehind):
        return "schema", str(error)
    reason = str(getattr(error, "orig", None) or error).strip()
    line = reason.splitlines()[0] if reason else type(error).__name__
    if isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError, OSError)):
        return "unreachable", line
    return "error", f"{type(error).__name__}: {line}"


def default_url(app: Flask) -> str:
    """SQLite in Flask's instance folder: no set-up at all."""
    return f"sqlite:///{Path(app.instance_path) / 'feedback.sqlite3'}"


def init_app(app: Flask) -> None:
    """Attach the database named by DATABASE_URL (default: SQLite) and try once, bounded, to
    bring its schema up to date; the app starts whether or not that works."""
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    url = app.config.get("DATABASE_URL") or default_url(app)
    storage = Storage(url, app.config, FailureLog(app.logger))
    app.extensions["corrections"] = storage
    if storage.may_migrate:
        storage.prepare_now()


def storage(app: Flask) -> Storage:
    """The corrections storage of the app."""
    return app.extensions["corrections"]


def engine(app: Flask) -> sa.Engine:
    """The corrections engine of this process."""
    return storage(app).get()
