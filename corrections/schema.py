"""The corrections table. Migrations (corrections/migrations/) create it; this mirrors the head."""

import sqlalchemy as sa

metadata = sa.MetaData()

# No IP address, user agent or anything else about the person: the drawing and the answers only.
corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("label", sa.SmallInteger, nullable=False),  # the digit the person says it is
    sa.Column("predicted", sa.SmallInteger, nullable=False),  # the model's answer
    sa.Column("probabilities", sa.JSON, nullable=False),  # the model's 10 softmax outputs
    sa.Column("model_version", sa.String(200), nullable=False),
    sa.Column("image", sa.LargeBinary, nullable=False),  # the bytes as the client sent them
    # The preprocessed 28x28 input as float32 little-endian bytes: exactly what the model saw.
    sa.Column("input", sa.LargeBinary, nullable=False),
    sa.CheckConstraint("label BETWEEN 0 AND 9", name="label_is_a_digit"),
)
