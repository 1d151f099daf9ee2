"""The corrections storage, the same tests against SQLite and a real PostgreSQL server."""

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from corrections import store, undo
from corrections.schema import corrections, number_corrections


def migrated(url):
    store.migrate(url)
    return store.open_engine(url)


def sample(label=3, seed=0):
    rng = np.random.default_rng(seed)
    probabilities = rng.dirichlet(np.ones(10))
    return {
        "image": rng.bytes(300),
        "x": rng.random((28, 28), dtype=np.float32),
        "label": label,
        "predicted": int(np.argmax(probabilities)),
        "probabilities": probabilities.tolist(),
        "model_version": "digits-test",
    }


def test_store_migrations_create_the_table_and_run_twice(database):
    engine = migrated(database)
    store.migrate(database)  # already at the newest migration: nothing to do, no error
    inspector = sa.inspect(engine)
    assert {"corrections", "number_corrections", "alembic_version"} <= set(
        inspector.get_table_names()
    )
    for table in (corrections, number_corrections):
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}
        assert not {"ip", "ip_address", "remote_addr", "user_agent"} & columns
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()


def test_store_round_trips_every_field(database):
    engine = migrated(database)
    before = datetime.now(UTC)
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
    created = row["created_at"].replace(tzinfo=row["created_at"].tzinfo or UTC)
    assert before - timedelta(seconds=5) <= created <= datetime.now(UTC)
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
    processes = [
        subprocess.Popen([sys.executable, "-c", code, database], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
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


def number_sample(number="0307", seed=0):
    rng = np.random.default_rng(seed)
    return {
        "image": rng.bytes(300),
        "number": number,
        "shown": "307",
        "verdict": "number",
        "boxes": [(24, 91, 35, 98), (108, 90, 36, 100), (191, 93, 38, 97)],
        "strokes": [np.array([[30.5, 60.0], [52.0, 41.0]]), np.array([[1.0, 2.0]])],
        "model_version": "digits-test",
        "undo_token_hash": "ab" * 32,
    }


def test_store_round_trips_a_number_correction(database):
    engine = migrated(database)
    given = number_sample()
    first = store.add_number_correction(engine, **given)
    second = store.add_number_correction(engine, **{**given, "strokes": None, "number": "12"})
    rows = store.read_number_corrections(engine)
    assert [row["id"] for row in rows] == [first, second]
    assert {
        key: rows[0][key]
        for key in ("number", "shown", "verdict", "model_version", "image", "undo_token_hash")
    } == {
        key: given[key]
        for key in ("number", "shown", "verdict", "model_version", "image", "undo_token_hash")
    }
    assert rows[0]["boxes"] == [list(box) for box in given["boxes"]]
    assert rows[0]["strokes"] == [[[30.5, 60.0], [52.0, 41.0]], [[1.0, 2.0]]]
    assert rows[1]["strokes"] is None and rows[1]["number"] == "12"
    assert store.read_corrections(engine) == []  # the digit fine-tune never sees them
    engine.dispose()


@pytest.mark.parametrize("number", ["7", "1" * 21])
def test_store_refuses_a_number_that_is_not_2_to_20_digits_long(database, number):
    engine = migrated(database)
    with pytest.raises(sa.exc.SQLAlchemyError):
        store.add_number_correction(engine, **number_sample(number))
    assert store.read_number_corrections(engine) == []
    engine.dispose()


def test_store_migration_0002_keeps_the_corrections_stored_before_it(database):
    store.migrate(database, "0001")
    engine = store.open_engine(database)
    old = sample(label=4, seed=2)
    with engine.begin() as connection:  # a row as 0001's table holds it: no undo token column
        connection.execute(
            sa.text(
                "INSERT INTO corrections (created_at, label, predicted, probabilities, "
                "model_version, image, input) VALUES (:created_at, :label, :predicted, "
                ":probabilities, :model_version, :image, :input)"
            ),
            {
                "created_at": datetime.now(UTC),
                "label": 4,
                "predicted": old["predicted"],
                "probabilities": json.dumps(old["probabilities"]),
                "model_version": "digits-old",
                "image": old["image"],
                "input": store.input_to_bytes(old["x"]),
            },
        )
    assert "number_corrections" not in sa.inspect(engine).get_table_names()
    store.migrate(database)
    (row,) = store.read_corrections(engine)
    assert (row["label"], row["model_version"], row["image"]) == (4, "digits-old", old["image"])
    np.testing.assert_array_equal(row["input"], old["x"])
    assert row["undo_token_hash"] is None
    # It cannot be undone, whatever the token; new rows come after it.
    assert undo.undo(engine, row["id"], "", 60) == undo.NOT_FOUND
    assert store.add_correction(engine, **sample()) > row["id"]
    assert store.read_number_corrections(engine) == []
    engine.dispose()


def test_store_undo_keeps_its_window_and_deletes_once(database):
    engine = migrated(database)
    token, token_hash = undo.new_token()
    sent = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    correction_id = store.add_number_correction(
        engine, **{**number_sample(), "undo_token_hash": token_hash}, created_at=sent
    )
    late = sent + timedelta(seconds=61)
    assert undo.undo(engine, correction_id, token, 60, now=late) == undo.EXPIRED
    assert undo.undo(engine, correction_id, token + "x", 60, now=late) == undo.NOT_FOUND
    in_time = sent + timedelta(seconds=60)
    assert undo.undo(engine, correction_id, token, 60, now=in_time) == undo.DELETED
    assert undo.undo(engine, correction_id, token, 60, now=in_time) == undo.NOT_FOUND
    assert store.read_number_corrections(engine) == []
    engine.dispose()
