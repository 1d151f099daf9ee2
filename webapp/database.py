"""The corrections database for the app: its URL, migrations at start-up, one engine per process."""

import os
import threading
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from corrections.store import migrate, open_engine


class ProcessEngine:
    """An engine created on first use in each process.

    gunicorn forks its workers after create_app; a connection opened before the fork would be
    shared by every worker, so each process opens its own.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: sa.Engine | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def get(self) -> sa.Engine:
        """This process's engine."""
        pid = os.getpid()
        if self._pid != pid:
            with self._lock:
                if self._pid != pid:
                    self._engine, self._pid = open_engine(self.url), pid
        assert self._engine is not None
        return self._engine

    def dispose(self) -> None:
        """Close this process's connections (tests, and anyone dropping the database)."""
        if self._engine is not None and self._pid == os.getpid():
            self._engine.dispose()
        self._engine, self._pid = None, None


def default_url(app: Flask) -> str:
    """SQLite in Flask's instance folder: no set-up at all."""
    return f"sqlite:///{Path(app.instance_path) / 'feedback.sqlite3'}"


def init_app(app: Flask) -> None:
    """Migrate the database named by DATABASE_URL (default: SQLite) and attach its engine.

    Runs once in create_app, before gunicorn forks: the schema is up to date before any worker
    answers. migrate() locks, so servers starting together on one database take turns.
    """
    url = app.config.get("DATABASE_URL") or default_url(app)
    migrate(url)
    app.extensions["corrections"] = ProcessEngine(url)


def engine(app: Flask) -> sa.Engine:
    """The corrections engine of this process."""
    return app.extensions["corrections"].get()
