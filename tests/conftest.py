"""Shared fixtures: the real app with the shipped model, real databases, one browser."""

import os
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import sync_playwright
from postgres import throwaway_server
from redis_server import throwaway_redis

from benchmarks.drawn.render import launch
from corrections.store import database_url
from webapp import create_app


@pytest.fixture(scope="session", autouse=True)
def servers_store_corrections_in_a_temporary_database(tmp_path_factory):
    """Servers the tests start (gunicorn, flask) write to a SQLite file of this session.

    Never to the instance folder, nor to a DATABASE_URL set in the developer's shell.
    """
    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('servers') / 'fb.sqlite3'}"
    yield
    if saved is None:
        del os.environ["DATABASE_URL"]
    else:
        os.environ["DATABASE_URL"] = saved


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The real app with the shipped model (loaded once for the whole session).

    Its corrections go to a SQLite file of this session, never to the instance folder, and
    the rate limit is out of the way of the tests that send many (test_feedback tests it).
    """
    db = tmp_path_factory.mktemp("db") / "feedback.sqlite3"
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{db}", "FEEDBACK_RATE": "100000/minute"}
    )
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, one for the session (Playwright's sync API allows one per process)."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def postgres_server():
    """URL of a real PostgreSQL server started for this session (and removed after it)."""
    try:
        with throwaway_server() as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture
def redis_url():
    """URL of a throwaway redis-server of this test's own (persistence off; removed after)."""
    try:
        with throwaway_redis() as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """URL of an empty database: a SQLite file, then a fresh database on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_app(database):
    """An app of its own on each kind of database (SQLite, then the real PostgreSQL), with a
    low rate limit, so corrections can be sent, read back and undone on both."""
    app = create_app({"TESTING": True, "DATABASE_URL": database, "FEEDBACK_RATE": "5/minute"})
    yield app
    app.extensions["corrections"].dispose()
