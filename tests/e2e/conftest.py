"""End-to-end fixtures: the Procfile's server, one fresh page per test (browser: ../conftest.py)."""

import re

import pytest

from benchmarks._common import ROOT, procfile_server

ARTIFACTS = ROOT / "tests" / "artifacts"
# Records Content-Security-Policy violations before any page script runs.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="session")
def server_database(tmp_path_factory):
    """The SQLite URL where the e2e server stores corrections."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'feedback.sqlite3'}"


@pytest.fixture(scope="session")
def server(server_database):
    """Base URL of the Procfile's gunicorn, served to a browser as `make run` does."""
    # One worker: the tests draw one digit at a time (Chromium's idle speculative connections
    # hold only a greenlet of it). The environment (DIGITS_MODEL_PATH...) passes through.
    env = {"DATABASE_URL": server_database}
    with procfile_server(workers=1, env=env) as (_, url):
        yield url


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
