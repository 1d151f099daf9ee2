"""Open the corrections database, bring its schema up to date, write and read corrections
(digits and whole numbers; undoing one is corrections/undo.py).

SQLite (the default, one file) or PostgreSQL (DATABASE_URL=postgresql://...), through
SQLAlchemy Core. SQLite runs in WAL mode with a busy timeout, so several gunicorn workers can
write at once: a writer waits for the lock instead of failing.
"""

import contextlib
import fcntl
import functools
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from numpy.typing import ArrayLike

from corrections.schema import corrections, number_corrections

MIGRATIONS = Path(__file__).parent / "migrations"
# Where the server keeps corrections when DATABASE_URL is not set: Flask's instance folder.
DEFAULT_DATABASE = Path(__file__).resolve().parent.parent / "instance" / "feedback.sqlite3"
BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for another's lock before giving up
# Any constant: the PostgreSQL advisory lock that lets one process at a time migrate.
MIGRATION_LOCK = 0x6469_6769


def database_url(url: str) -> str:
    """A SQLAlchemy URL from a DATABASE_URL: postgres:// and postgresql:// use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def open_engine(
    url: str,
    *,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
    pool_timeout: float = 30,
) -> sa.Engine:
    """An engine for the URL; for SQLite, every connection in WAL mode with a busy timeout.

    The timeouts are seconds. connect_timeout bounds opening a PostgreSQL connection;
    statement_timeout bounds each PostgreSQL statement on the server and SQLite's wait for
    another writer's lock (None: no bound on PostgreSQL, BUSY_TIMEOUT_MS on SQLite);
    pool_timeout bounds the wait for a free pooled connection.
    """
    parsed = sa.make_url(database_url(url))
    if parsed.get_backend_name() != "sqlite":
        connect_args: dict[str, Any] = {}
        if connect_timeout is not None:
            connect_args["connect_timeout"] = max(1, round(connect_timeout))  # libpq: whole s
        if statement_timeout is not None:
            connect_args["options"] = f"-c statement_timeout={round(statement_timeout * 1000)}"
        # pre_ping: a server restarted since the last request costs a retry, not an error.
        return sa.create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=2,
            max_overflow=4,
            pool_timeout=pool_timeout,
            connect_args=connect_args,
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    busy_ms = BUSY_TIMEOUT_MS if statement_timeout is None else round(statement_timeout * 1000)
    engine = sa.create_engine(
        parsed, pool_timeout=pool_timeout, connect_args={"timeout": busy_ms / 1000}
    )

    @sa.event.listens_for(engine, "connect")
    def wal_and_busy_timeout(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer; writers queue on the lock for up to the timeout.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    return engine


def migrate(url: str, revision: str = "head", *, engine: sa.Engine | None = None) -> None:
    """Bring the schema to the newest migration (or to `revision`); safe when several processes
    start at once. With `engine`, migrate through it (and its timeouts) instead of a new one."""
    own = engine is None
    engine = engine or open_engine(url)
    try:
        with _migration_lock(engine) as connection:
            command.upgrade(_alembic_config(connection), revision)
            connection.commit()
    finally:
        if own:
            engine.dispose()


@functools.cache  # the migrations do not change while a process runs
def head_revision() -> str:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database's schema is at; None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection  # env.py migrates on this connection
    return config


@contextlib.contextmanager
def _migration_lock(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection held while no other process migrates the same database."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(sa.select(sa.func.pg_advisory_lock(MIGRATION_LOCK)))
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(sa.select(sa.func.pg_advisory_unlock(MIGRATION_LOCK)))
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with engine.connect() as connection:
            yield connection
        return
    # SQLite: a lock file next to the database; only processes on this machine can share it.
    with open(f"{database}.migrate-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with engine.connect() as connection:
            yield connection


def input_to_bytes(x: np.ndarray) -> bytes:
    """The 28x28 input as float32 little-endian bytes (exact, 3,136 bytes)."""
    return np.asarray(x, dtype="<f4").reshape(28, 28).tobytes()


def input_from_bytes(data: bytes) -> np.ndarray:
    """The float32 (28, 28) array stored by input_to_bytes."""
    return np.frombuffer(data, dtype="<f4").reshape(28, 28).astype(np.float32)


def add_correction(
    engine: sa.Engine,
    *,
    image: bytes,
    x: np.ndarray,
    label: int,
    predicted: int,
    probabilities: Iterable[float],
    model_version: str,
    undo_token_hash: str | None = None,
    created_at: datetime | None = None,
) -> int:
    """Store one digit correction; returns its id."""
    row = {
        "created_at": created_at or datetime.now(UTC),
        "label": int(label),
        "predicted": int(predicted),
        "probabilities": [float(p) for p in probabilities],
        "model_version": str(model_version),
        "image": bytes(image),
        "input": input_to_bytes(x),
        "undo_token_hash": undo_token_hash,
    }
    return _insert(engine, corrections, row)


def add_number_correction(
    engine: sa.Engine,
    *,
    image: bytes,
    number: str,
    shown: str,
    verdict: str,
    boxes: Iterable[Sequence[int]],
    strokes: Iterable[ArrayLike] | None,
    model_version: str,
    undo_token_hash: str,
    created_at: datetime | None = None,
) -> int:
    """Store one whole-number correction (number: the digits as a string); returns its id."""
    row = {
        "created_at": created_at or datetime.now(UTC),
        "number": str(number),
        "shown": str(shown),
        "verdict": str(verdict),
        "boxes": [[int(v) for v in box] for box in boxes],
        "strokes": None if strokes is None else [np.asarray(s).tolist() for s in strokes],
        "model_version": str(model_version),
        "image": bytes(image),
        "undo_token_hash": undo_token_hash,
    }
    return _insert(engine, number_corrections, row)


def _insert(engine: sa.Engine, table: sa.Table, row: dict[str, Any]) -> int:
    with engine.begin() as connection:
        inserted = connection.execute(sa.insert(table).values(row)).inserted_primary_key
    assert inserted is not None  # an INSERT of one row always has its key
    return int(inserted[0])


def read_corrections(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every stored correction, oldest first, as dicts (input as a float32 (28, 28) array)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(corrections).order_by(corrections.c.id)).mappings()
        return [{**row, "input": input_from_bytes(row["input"])} for row in rows]


# What retraining reads of a correction: not the sent image, the bulk of each row.
TRAINING_COLUMNS = ("id", "label", "predicted", "model_version", "input")


def stream_training_rows(engine: sa.Engine, batch_size: int = 500) -> Iterator[dict[str, Any]]:
    """Each stored correction, oldest first, with only TRAINING_COLUMNS (input as a float32
    (28, 28) array), fetched batch_size rows at a time (a server-side cursor on PostgreSQL):
    memory stays flat however many there are. The connection is held until the rows run out."""
    query = sa.select(*(corrections.c[name] for name in TRAINING_COLUMNS))
    with (
        engine.connect() as connection,
        # Closed with the connection, also when the caller stops early: a server-side cursor
        # left open would warn and hold the transaction.
        connection.execution_options(yield_per=batch_size).execute(
            query.order_by(corrections.c.id)
        ) as result,
    ):
        for row in result.mappings():
            yield {**row, "input": input_from_bytes(row["input"])}


def read_number_corrections(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every stored number correction, oldest first, as dicts."""
    with engine.connect() as connection:
        query = sa.select(number_corrections).order_by(number_corrections.c.id)
        return [dict(row) for row in connection.execute(query).mappings()]


def delete_by_undo_token_hash(engine: sa.Engine, undo_token_hash: str) -> int:
    """Delete the correction (digit or number) stored with this undo token hash; returns how many
    rows went (0 or 1). For a correction whose sender was told it was not stored."""
    deleted = 0
    with engine.begin() as connection:
        for table in (corrections, number_corrections):
            query = sa.delete(table).where(table.c.undo_token_hash == undo_token_hash)
            deleted += connection.execute(query).rowcount
    return deleted
