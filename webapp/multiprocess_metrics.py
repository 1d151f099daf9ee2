"""Prometheus's multiprocess mode under gunicorn: one folder where every worker writes its counts.

prometheus_client reads PROMETHEUS_MULTIPROC_DIR when it is first imported, so the gunicorn
config sets it, before the app is loaded: to a fresh private folder when unset (removed when
gunicorn exits), else to the folder given, emptied of an earlier run's files. One folder per
gunicorn instance. This module never imports prometheus_client at the top, for that reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_made: list[str] = []  # the folder this process created, to remove on exit


def use_metrics_folder() -> str:
    """Set PROMETHEUS_MULTIPROC_DIR for this process and the workers it forks; its folder."""
    folder = os.environ.get(VARIABLE)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):  # counts of an earlier run would add up
            stale.unlink(missing_ok=True)
    else:
        folder = tempfile.mkdtemp(prefix="digits-metrics-")  # readable by this user only
        _made.append(folder)
        os.environ[VARIABLE] = folder
    return folder


def child_exit(server: object, worker: object) -> None:
    """gunicorn hook: a worker exited; its live gauges no longer count (its counters still do)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def on_exit(server: object) -> None:
    """gunicorn hook: the server stops; remove the folder this process created."""
    for folder in _made:
        shutil.rmtree(folder, ignore_errors=True)
