"""gunicorn settings shared by the Procfile and `make run`; each passes its own --bind.

gunicorn --config python:webapp.gunicorn_config --bind 0.0.0.0:$PORT webapp.wsgi:app
"""

import os

# One worker process per usable core (the CPUs this process may run on, which a container or
# taskset can limit): a prediction is a millisecond of CPU, so more would only queue.
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
# gevent workers (webapp/worker.py): each connection is a greenlet, so slow or silent clients
# hold only themselves, never a worker, and requests whose headers or body come too slowly are
# closed (docs/deploy.md, "Workers and timeouts"). Patched here, before the app is preloaded,
# so that what it imports (psycopg above all) waits cooperatively in the workers.
# A run that asks for another class (--worker-class sync, to compare) gets an unpatched process.
import shlex  # noqa: E402
import sys  # noqa: E402

from gevent import monkey  # noqa: E402

worker_class = "webapp.worker.ServingWorker"
_asked = [*sys.argv, *shlex.split(os.environ.get("GUNICORN_CMD_ARGS", ""))]
_other_class = any(
    arg in ("-k", "--worker-class") or arg.startswith(("--worker-class=", "-k")) for arg in _asked
) and not any(worker_class in arg or "gevent" in arg for arg in _asked)
if not _other_class:
    monkey.patch_all()
worker_connections = 1000  # open connections per worker; more wait in the listen backlog
# A silent worker is stuck, not busy: replace it.
timeout = 30
# Load the model once, before forking: a bad model file stops the server with one line, workers
# share the model's memory, and a worker that dies is replaced in milliseconds.
preload_app = True
# gunicorn 25+ would open a management socket in ~/.gunicorn/ shared by every instance.
control_socket_disable = True

# Metrics and logs (docs/deploy.md, "Metrics and logs"): every worker's Prometheus counts add up
# in one folder, set before the app (and prometheus_client) is loaded; one JSON access log line
# per request on stdout.
from webapp.access_log import JsonAccessLogger  # noqa: E402
from webapp.multiprocess_metrics import child_exit, on_exit, use_metrics_folder  # noqa: E402, F401

use_metrics_folder()
logger_class = JsonAccessLogger
accesslog = "-"
