"""gunicorn's worker count: WEB_CONCURRENCY when set, else one worker per usable core."""

import os
import subprocess
import sys

import pytest

PRINT_WORKERS = "import webapp.gunicorn_config as c; print(c.workers)"


def workers(env, cpus=None):
    """webapp.gunicorn_config's workers in a fresh process, pinned to cpus if given."""
    full_env = {k: v for k, v in os.environ.items() if k != "WEB_CONCURRENCY"} | env
    result = subprocess.run(
        [sys.executable, "-c", PRINT_WORKERS],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


def test_one_worker_per_usable_core_by_default():
    usable = os.sched_getaffinity(0)
    assert workers({}) == len(usable)
    # A container or taskset that allows one core gets one worker, whatever the machine has.
    assert workers({}, cpus={min(usable)}) == 1
    assert workers({"WEB_CONCURRENCY": ""}, cpus={min(usable)}) == 1


@pytest.mark.parametrize("count", ["1", "3"])
def test_web_concurrency_sets_the_count(count):
    assert workers({"WEB_CONCURRENCY": count}, cpus={min(os.sched_getaffinity(0))}) == int(count)
