"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, pg_ctl on a free port.

Debian's postgresql package provides the binaries (`make system-packages` installs it). They
refuse to run as root, so as root they run as the postgres user, in a folder that user owns.
"""

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmarks._common import free_port

MISSING = (
    "PostgreSQL's server binaries (initdb, pg_ctl) are missing. Install Debian's "
    "postgresql package with: make system-packages"
)


def server_bin():
    """The newest /usr/lib/postgresql/<version>/bin holding initdb, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(Path(path).parts[-3])
    )
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def throwaway_server():
    """Start a fresh cluster; yields the URL of its `postgres` database; removes it after."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise RuntimeError(MISSING)
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="digits-pg-"))
    if as_postgres:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, port = folder / "data", free_port()

    def run(*command):
        subprocess.run(
            [*as_postgres, *command], check=True, capture_output=True, text=True, timeout=120
        )

    try:
        # trust: the server listens on 127.0.0.1 only and lives for one test session.
        run(
            bin_dir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(
            bin_dir / "pg_ctl",
            "-D",
            data,
            "-o",
            options,
            "-l",
            folder / "server.log",
            "-w",
            "start",
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
    except subprocess.CalledProcessError as error:
        log = folder / "server.log"
        raise RuntimeError(
            f"{error.cmd} failed: {error.stderr}{log.read_text() if log.is_file() else ''}"
        ) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
