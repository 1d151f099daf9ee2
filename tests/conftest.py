"""Shared fixtures: the real app with the shipped model."""

import pytest

from webapp import create_app


@pytest.fixture(scope="session")
def app():
    """The real app with the shipped model (loaded once for the whole session)."""
    app = create_app({"TESTING": True})
    return app


@pytest.fixture
def client(app):
    return app.test_client()
