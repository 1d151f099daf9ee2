"""`python -m corrections upgrade`, the Procfile's release step: migrates on its own, says what it
did in plain words, and fails with exit code 1 and one sentence when it cannot."""

import subprocess
import sys

import sqlalchemy as sa

from benchmarks._common import ROOT, procfile_command
from corrections import store


def run(*arguments, env=None):
    return subprocess.run(
        [sys.executable, "-m", "corrections", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_the_procfile_runs_migrations_as_its_release_step():
    assert procfile_command("release") == "python -m corrections upgrade"


def test_upgrade_migrates_an_empty_database_then_finds_nothing_to_do(database):
    result = run("upgrade", "--database-url", database)
    assert result.returncode == 0, result.stderr
    assert "migrating from an empty database to 0002" in result.stdout
    assert "Done: the schema is at 0002." in result.stdout
    engine = store.open_engine(database)
    assert store.current_revision(engine) == store.head_revision()
    assert set(sa.inspect(engine).get_table_names()) >= {"corrections", "number_corrections"}
    engine.dispose()
    again = run("upgrade", "--database-url", database)
    assert again.returncode == 0
    assert "already at the newest migration (0002)" in again.stdout
    assert run("current", "--database-url", database).returncode == 0


def test_upgrade_reads_the_servers_environment(tmp_path):
    url = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:////nonexistent/never.sqlite3"}
    env["DIGITS_DATABASE_URL"] = f'"{url}"'  # as JSON, like every DIGITS_ setting; it wins
    result = run("upgrade", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env.sqlite3").is_file()


def test_upgrade_says_why_it_failed_and_exits_1():
    # Nothing listens on port 9: PostgreSQL refuses at once. The password is never shown.
    result = run("upgrade", "--database-url", "postgresql://someone:secret@127.0.0.1:9/digits")
    assert result.returncode == 1
    assert "Could not migrate postgresql+psycopg://someone:***@127.0.0.1:9/digits" in result.stderr
    assert "Check that the database is running" in result.stderr
    assert "secret" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_current_says_the_schema_is_behind(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    store.migrate(url, "0001")
    result = run("current", "--database-url", url)
    assert result.returncode == 1
    assert "at 0001, behind 0002. Run: python -m corrections upgrade" in result.stdout
