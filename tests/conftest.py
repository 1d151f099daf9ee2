"""Shared fixtures: the real app with the shipped model."""

import pytest
from playwright.sync_api import sync_playwright

from benchmarks.drawn.render import launch
from webapp import create_app


@pytest.fixture(scope="session")
def app():
    """The real app with the shipped model (loaded once for the whole session)."""
    app = create_app({"TESTING": True})
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, one for the session (Playwright's sync API allows one per process)."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
