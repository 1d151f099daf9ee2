"""Alembic's entry point: migrate on the connection corrections.store.migrate hands over."""

from alembic import context

from corrections.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations through corrections.store.migrate(url), which locks first.")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)  # SQLite cannot ALTER much
with context.begin_transaction():
    context.run_migrations()
