"""Reading corrections back for retraining: streamed, without the sent images, on SQLite and a
real PostgreSQL server alike."""

import tracemalloc
from datetime import UTC, datetime

import numpy as np
import sqlalchemy as sa

from corrections import store
from corrections.schema import corrections
from model.correction_data import export, read_arrays

ROWS = 600
IMAGE_BYTES = 40_000  # a sent drawing: the column the export must not read (24 MB in all)


def filled(url, rows=ROWS):
    """A migrated database holding rows corrections with large images; returns its engine."""
    store.migrate(url)
    engine = store.open_engine(url)
    rng = np.random.default_rng(0)
    inputs = rng.random((rows, 28, 28), dtype=np.float32)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(corrections),
            [
                {
                    "created_at": datetime.now(UTC),
                    "label": i % 10,
                    "predicted": (i * 7) % 10,
                    "probabilities": [0.1] * 10,
                    "model_version": f"digits-{i % 3}",
                    "image": bytes([i % 256]) * IMAGE_BYTES,
                    "input": store.input_to_bytes(inputs[i]),
                }
                for i in range(rows)
            ],
        )
    return engine


def test_streamed_rows_are_the_stored_corrections_without_their_images(database):
    engine = filled(database)
    try:
        streamed = list(store.stream_training_rows(engine, batch_size=64))
        everything = store.read_corrections(engine)
    finally:
        engine.dispose()
    assert len(streamed) == len(everything) == ROWS
    for row, full in zip(streamed, everything):
        assert set(row) == set(store.TRAINING_COLUMNS)  # no image, no probabilities
        assert {k: v for k, v in row.items() if k != "input"} == {
            k: full[k] for k in store.TRAINING_COLUMNS if k != "input"
        }
        np.testing.assert_array_equal(row["input"], full["input"])
        assert row["input"].dtype == np.float32 and row["input"].shape == (28, 28)


def _peak_bytes_while_reading(engine, batch_size):
    """Python's peak allocation while every row is read and dropped, one at a time."""
    for _ in store.stream_training_rows(engine, batch_size=batch_size):
        pass  # a first pass warms SQLAlchemy's caches, which are not the rows
    tracemalloc.start()
    try:
        count = sum(1 for _ in store.stream_training_rows(engine, batch_size=batch_size))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_rows_are_streamed_in_batches_not_read_whole(database):
    """A consumer that keeps no row holds one batch at a time: far less than the inputs of the
    whole table (1.9 MB here), let alone its images (24 MB)."""
    engine = filled(database)
    try:
        rows = store.stream_training_rows(engine, batch_size=10)
        first = next(rows)  # lazily: one row out, the rest still in the database
        assert first["id"] == 1
        rows.close()  # and the connection goes back
        count, peak = _peak_bytes_while_reading(engine, batch_size=10)
        with engine.connect() as connection:
            all_inputs = connection.execute(sa.select(corrections.c.input)).all()
    finally:
        engine.dispose()
    whole_table_inputs = sum(len(row.input) for row in all_inputs)
    assert count == ROWS
    assert whole_table_inputs == ROWS * 28 * 28 * 4
    assert peak < whole_table_inputs / 4, f"peak {peak:,} B while reading"


def test_the_export_holds_every_correction_in_order(database, tmp_path):
    engine = filled(database, rows=40)
    try:
        stored = store.read_corrections(engine)
    finally:
        engine.dispose()
    arrays = read_arrays(database)
    np.testing.assert_array_equal(arrays["x"], np.stack([r["input"] for r in stored]))
    np.testing.assert_array_equal(arrays["y"], [r["label"] for r in stored])
    np.testing.assert_array_equal(arrays["predicted"], [r["predicted"] for r in stored])
    np.testing.assert_array_equal(arrays["ids"], [r["id"] for r in stored])
    assert arrays["model_version"].tolist() == [r["model_version"] for r in stored]
    assert export(database, tmp_path / "out") == 40
    with np.load(tmp_path / "out" / "corrections.npz") as saved:
        np.testing.assert_array_equal(saved["x"], arrays["x"])
        np.testing.assert_array_equal(saved["ids"], arrays["ids"])


def test_an_empty_table_exports_empty_arrays(database):
    store.migrate(database)
    arrays = read_arrays(database)
    assert arrays["x"].shape == (0, 28, 28) and arrays["y"].shape == (0,)
