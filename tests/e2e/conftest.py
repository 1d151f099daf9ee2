"""End-to-end fixtures: a real gunicorn server and one fresh page per test (browser: ../conftest.py)."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
STARTUP_TIMEOUT = 60  # seconds; loading the model takes a few
# Records Content-Security-Policy violations before any page script runs.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url):
    try:
        with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="session")
def server():
    """Base URL of a gunicorn server started from the repository, as in production."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # As `make run` serves a browser: the production settings with threads, so Chromium's idle
    # speculative connections cannot hold the worker; one worker, the tests draw one at a time.
    options = (f"--config python:webapp.gunicorn_config --bind 127.0.0.1:{port} --workers 1 "
               "--threads 4")
    command = [str(gunicorn), *options.split(), "webapp.wsgi:app"]
    # stderr goes to a file, not a pipe: a pipe nobody reads fills up and blocks the server.
    with tempfile.TemporaryFile() as log:
        # The environment passes through, DIGITS_MODEL_PATH included.
        process = subprocess.Popen(
            command, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            _wait_until_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(url, process, log):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            stderr = log.read().decode(errors="replace")[-4000:]
            pytest.fail(
                f"The server did not answer 200 on {url}/api/health within "
                f"{STARTUP_TIMEOUT} s (exit code {process.poll()}).\n"
                f"Its stderr:\n{stderr}",
                pytrace=False,
            )
        time.sleep(0.2)  # polling a process that is still starting, not waiting on the page


class PageProblems:
    """Console errors and CSP violations seen by a page; a test may allow the ones it causes."""

    def __init__(self):
        self.console_errors = []
        self.allowed = []

    def allow(self, pattern):
        """Expect console errors matching the regex (e.g. the failed request a test provokes)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self, page):
        errors = [
            text
            for text in self.console_errors
            if not any(pattern.search(text) for pattern in self.allowed)
        ]
        violations = page.evaluate("window.__cspViolations || []") if not page.is_closed() else []
        return errors + [f"CSP violation: {text}" for text in violations]


@pytest.fixture
def problems():
    """What went wrong in the page's console; see PageProblems.allow."""
    return PageProblems()


def _watch(page, problems):
    page.add_init_script(CSP_RECORDER)
    page.on(
        "console",
        lambda message: message.type == "error" and problems.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: problems.console_errors.append(f"uncaught: {error}"))


def _finish(request, page, problems):
    """Screenshot a failed test, then fail on any console error or CSP violation."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    unexpected = problems.unexpected(page)
    assert not unexpected, f"The page reported errors: {unexpected}"


@pytest.fixture
def new_page(browser, server, problems, request):
    """Open a watched page in its own context: new_page(viewport=..., has_touch=True, ...)."""
    opened = []

    def open_page(**context_options):
        context_options.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(base_url=server, **context_options)
        page = context.new_page()
        _watch(page, problems)
        opened.append((context, page))
        return page

    yield open_page
    try:
        for _, page in opened:
            _finish(request, page, problems)
    finally:
        for context, _ in opened:
            context.close()


@pytest.fixture
def page(new_page):
    """A fresh desktop page at the server's base URL (relative goto works: page.goto("/"))."""
    return new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
