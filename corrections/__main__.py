"""Bring the corrections database's schema up to date, on its own (the Procfile's release step).

    python -m corrections upgrade [--database-url URL] [--connect-timeout SECONDS]
    python -m corrections current [--database-url URL]

The database is the server's: --database-url, else DIGITS_DATABASE_URL, else DATABASE_URL, else
SQLite in the instance folder. Says what it does in plain words; exits 1 when it cannot.
"""

import argparse
import json
import os
import sys

import sqlalchemy as sa

from corrections import store


def configured_url(environ: dict[str, str] | None = None) -> str:
    """The URL the server would use: DIGITS_DATABASE_URL, DATABASE_URL, else the default SQLite.

    The server reads DIGITS_* values as JSON when they are JSON (a quoted string), so this does.
    """
    environ = dict(os.environ if environ is None else environ)
    digits = environ.get("DIGITS_DATABASE_URL")
    if digits:
        try:
            decoded = json.loads(digits)
        except ValueError:
            decoded = digits
        if isinstance(decoded, str) and decoded:
            return decoded
    return environ.get("DATABASE_URL") or f"sqlite:///{store.DEFAULT_DATABASE}"


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    return sa.make_url(store.database_url(url)).render_as_string(hide_password=True)


def upgrade(url: str, connect_timeout: float) -> int:
    """Migrate to the newest schema; 0 when done, 1 (with a sentence on stderr) when not."""
    head = store.head_revision()
    engine = store.open_engine(url, connect_timeout=connect_timeout)
    try:
        before = store.current_revision(engine)
        if before == head:
            print(f"{shown(url)}: the schema is already at the newest migration ({head}).")
            return 0
        print(f"{shown(url)}: migrating from {before or 'an empty database'} to {head}...")
        store.migrate(url, engine=engine)
        print(f"Done: the schema is at {store.current_revision(engine)}.")
        return 0
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(
            f"Could not migrate {shown(url)}: {reason}\n"
            "Check that the database is running and that DATABASE_URL names it, then run "
            "python -m corrections upgrade again.",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()


def current(url: str, connect_timeout: float) -> int:
    """Print the schema's revision and whether it is the newest; 0 when it is, else 1."""
    head = store.head_revision()
    engine = store.open_engine(url, connect_timeout=connect_timeout)
    try:
        revision = store.current_revision(engine)
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(f"Could not read the schema of {shown(url)}: {reason}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if revision == head:
        print(f"{shown(url)}: at the newest migration ({head}).")
        return 0
    print(
        f"{shown(url)}: at {revision or 'no migration (empty)'}, behind {head}. "
        "Run: python -m corrections upgrade"
    )
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m corrections",
        description="The corrections database's schema: bring it up to date, or say where it is.",
    )
    parser.add_argument("command", choices=["upgrade", "current"])
    parser.add_argument(
        "--database-url",
        help="the database (default: DIGITS_DATABASE_URL, else DATABASE_URL, else SQLite in the "
        "instance folder)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=10,
        help="seconds to wait for PostgreSQL to accept the connection (default 10)",
    )
    args = parser.parse_args(argv)
    url = args.database_url or configured_url()
    run = upgrade if args.command == "upgrade" else current
    return run(url, args.connect_timeout)


if __name__ == "__main__":
    sys.exit(main())
