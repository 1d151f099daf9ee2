"""The corrections tables. Migrations (corrections/migrations/) make them; this mirrors the head."""

import sqlalchemy as sa

metadata = sa.MetaData()

# SHA-256 of the undo token, in hex: the token itself goes only to the client that sent the
# correction, so the database alone cannot undo anything (corrections/undo.py).
UNDO_TOKEN_HASH_LENGTH = 64

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
    # None for rows stored before undo existed (migration 0002): those cannot be undone.
    sa.Column("undo_token_hash", sa.String(UNDO_TOKEN_HASH_LENGTH), nullable=True),
    sa.CheckConstraint("label BETWEEN 0 AND 9", name="label_is_a_digit"),
)

# A whole number the person says the drawing was, beside what the page showed: kept for training
# the number reader later; the digit fine-tune (model/finetune.py) reads `corrections` only.
number_corrections = sa.Table(
    "number_corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("number", sa.String(20), nullable=False),  # as sent, leading zeros kept
    sa.Column("shown", sa.String(40), nullable=False),  # the reading's number; "" when none
    sa.Column("verdict", sa.String(20), nullable=False),  # the reading's verdict
    # The read pieces' [x, y, width, height] in the image's pixels, left to right.
    sa.Column("boxes", sa.JSON, nullable=False),
    sa.Column("strokes", sa.JSON, nullable=True),  # as sent; None when none were
    sa.Column("model_version", sa.String(200), nullable=False),
    sa.Column("image", sa.LargeBinary, nullable=False),  # the bytes as the client sent them
    sa.Column("undo_token_hash", sa.String(UNDO_TOKEN_HASH_LENGTH), nullable=False),
    sa.CheckConstraint("length(number) BETWEEN 2 AND 20", name="number_has_2_to_20_digits"),
)
