"""Undo tokens for corrections, and the number_corrections table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable and without a default: rows stored before this have no token and cannot be undone.
    op.add_column("corrections", sa.Column("undo_token_hash", sa.String(64), nullable=True))
    op.create_table(
        "number_corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("shown", sa.String(40), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("boxes", sa.JSON, nullable=False),
        sa.Column("strokes", sa.JSON, nullable=True),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("image", sa.LargeBinary, nullable=False),
        sa.Column("undo_token_hash", sa.String(64), nullable=False),
        sa.CheckConstraint("length(number) BETWEEN 2 AND 20", name="number_has_2_to_20_digits"),
    )


def downgrade():
    op.drop_table("number_corrections")
    with op.batch_alter_table("corrections") as batch:  # SQLite rebuilds the table
        batch.drop_column("undo_token_hash")
