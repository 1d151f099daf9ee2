"""The corrections storage, the same tests against SQLite and a real PostgreSQL server."""

import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import sqlalchemy as sa

from corrections import store
from corrections.schema import corrections


def migrated(url):
    store.migrate(url)
    return store.open_engine(url)


def sample(label=3, seed=0):
    rng = np.random.default_rng(seed)
    probabilities = rng.dirichlet(np.ones(10))
    return {"image": rng.bytes(300), "x": rng.random((28, 28), dtype=np.float32),
            "label": label, "predicted": int(np.argmax(probabilities)),
            "probabilities": probabilities.tolist(), "model_version": "digits-test"}


def test_store_migrations_create_the_table_and_run_twice(database):
    engine = migrated(database)
    store.migrate(database)  # already at the newest migration: nothing to do, no error
    inspector = sa.inspect(engine)
    assert {"corrections", "alembic_version"} <= set(inspector.get_table_names())
    columns = {c["name"] for c in inspector.get_columns("corrections")}
    assert columns == {c.name for c in corrections.columns}
    assert not {"ip", "ip_address", "remote_addr", "user_agent"} & columns
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()


def test_store_round_trips_every_field(database):
    engine = migrated(database)
    before = datetime.now(timezone.utc)
    given = sample(label=7, seed=1)
    first = store.add_correction(engine, **sample(label=1))
    second = store.add_correction(engine, **given)
    assert second != first
    rows = store.read_corrections(engine)
    assert [row["id"] for row in rows] == [first, second]
    row = rows[1]
    assert row["label"] == 7 and row["predicted"] == given["predicted"]
    assert row["image"] == given["image"]
    np.testing.assert_array_equal(row["input"], given["x"])  # exact float32, not rounded
    assert row["probabilities"] == pytest.approx(given["probabilities"], abs=1e-12)
    assert row["model_version"] == "digits-test"
    created = row["created_at"].replace(tzinfo=row["created_at"].tzinfo or timezone.utc)
    assert before - timedelta(seconds=5) <= created <= datetime.now(timezone.utc)
    engine.dispose()


@pytest.mark.parametrize("label", [-1, 10])
def test_store_refuses_a_label_that_is_not_a_digit(database, label):
    engine = migrated(database)
    with pytest.raises(sa.exc.IntegrityError):
        store.add_correction(engine, **sample(label=label))
    assert store.read_corrections(engine) == []
    engine.dispose()


def test_store_concurrent_writers_lose_nothing(database):
    engine = migrated(database)
    threads, each = 8, 15
    errors = []

    def write(worker):
        try:
            for i in range(each):
                row = sample(label=(worker + i) % 10, seed=worker * 100 + i)
                store.add_correction(engine, **row)
        except Exception as error:  # noqa: BLE001  reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=write, args=(w,)) for w in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    rows = store.read_corrections(engine)
    assert len(rows) == threads * each == len({row["id"] for row in rows})
    engine.dispose()


def test_store_processes_migrating_at_once_take_turns(database):
    code = "import sys; from corrections.store import migrate; migrate(sys.argv[1])"
    processes = [subprocess.Popen([sys.executable, "-c", code, database],
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], errors
    engine = store.open_engine(database)
    store.add_correction(engine, **sample())
    assert len(store.read_corrections(engine)) == 1
    engine.dispose()


def test_store_database_url_uses_psycopg_for_postgres():
    assert store.database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert store.database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert store.database_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_store_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = migrated(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == store.BUSY_TIMEOUT_MS
    engine.dispose()
