"""gunicorn settings shared by the Procfile and `make run`; each passes its own --bind.

gunicorn --config python:webapp.gunicorn_config --bind 0.0.0.0:$PORT webapp.wsgi:app
"""

import os

# One worker process per core: a prediction is a millisecond of CPU, so more would only queue.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Sync workers: on 2 cores here they spent 2.35 ms of CPU per request against 2.91 ms with
# gthread (800 vs 490 req/s); right behind a router or proxy that hands over whole requests.
# A browser talking to gunicorn directly opens idle speculative connections that would hold a
# sync worker, so `make run` and the browser tests add --threads 4 (gunicorn's gthread worker).
threads = 1
# A silent worker is stuck, not busy: replace it.
timeout = 30
# Load the model once, before forking: a bad model file stops the server with one line, workers
# share the model's memory, and a worker that dies is replaced in milliseconds.
preload_app = True
# gunicorn 25+ would open a management socket in ~/.gunicorn/ shared by every instance.
control_socket_disable = True
