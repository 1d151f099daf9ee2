"""Undoing a correction: a token only its sender holds, for a short while after sending.

The token goes to the client once, in POST /api/feedback's answer; the database keeps only its
SHA-256, so neither a copy of the database nor anyone who guesses an id can undo anything. The
ids of `corrections` and `number_corrections` are counted apart and may be equal: the token
tells which of the two rows is meant.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from corrections.schema import corrections, number_corrections

TOKEN_BYTES = 32  # 256 random bits: never guessed, so undo needs no rate limit of its own
DELETED, EXPIRED, NOT_FOUND = "deleted", "expired", "not_found"


def new_token() -> tuple[str, str]:
    """(token for the client, its hash for the database)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The SHA-256 of a token, in hex, as the database keeps it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def undo_until(created_at: datetime, seconds: float) -> datetime:
    """When undoing a correction made at created_at stops being possible."""
    return _utc(created_at) + timedelta(seconds=seconds)


def undo(
    engine: sa.Engine, correction_id: int, token: str, seconds: float, now: datetime | None = None
) -> str:
    """Delete the correction with this id and token if made at most `seconds` ago.

    Returns DELETED, EXPIRED (the token matches but it is too late: the row stays) or
    NOT_FOUND (no row has this id and token, whether or not the id exists).
    """
    now = now or datetime.now(UTC)
    wanted = token_hash(token)
    found = _matching(engine, correction_id, wanted)
    if found is None:
        return NOT_FOUND
    table, created_at = found
    if now > undo_until(created_at, seconds):
        return EXPIRED
    # A write transaction of its own (SQLite cannot always turn a reader into a writer), and the
    # hash again: of two undos at once, one deletes and the other finds nothing.
    with engine.begin() as connection:
        deleted = connection.execute(
            sa.delete(table).where(table.c.id == correction_id, table.c.undo_token_hash == wanted)
        ).rowcount
    return DELETED if deleted else NOT_FOUND


def _matching(
    engine: sa.Engine, correction_id: int, wanted: str
) -> tuple[sa.Table, datetime] | None:
    """(table, created_at) of the row with this id whose token hash is `wanted`, or None."""
    with engine.connect() as connection:
        for table in (corrections, number_corrections):
            row = connection.execute(
                sa.select(table.c.created_at, table.c.undo_token_hash).where(
                    table.c.id == correction_id
                )
            ).first()
            # Compared in constant time: how long it takes says nothing of the stored hash.
            if row and row.undo_token_hash and hmac.compare_digest(row.undo_token_hash, wanted):
                return table, row.created_at
    return None


def _utc(moment: datetime) -> datetime:
    """SQLite gives back the stored UTC time without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
