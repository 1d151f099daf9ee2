"""Correcting the model from the page: the "Wrong? It was ..." buttons, against the real server."""

import pytest
from playwright.sync_api import expect

from corrections import store
from test_page import DIGITS, draw, settled

pytestmark = pytest.mark.e2e

PRIVACY_NOTE = "Nothing is stored unless you press a digit."


def stored_labels(url):
    engine = store.open_engine(url)
    try:
        return [(row["id"], row["label"]) for row in store.read_corrections(engine)]
    finally:
        engine.dispose()


def test_correction_is_stored_with_a_thank_you(page, server_database):
    before = stored_labels(server_database)
    page.goto("/")
    expect(page.get_by_test_id("correct-3")).to_be_hidden()  # nothing to correct yet
    draw(page, DIGITS[8])
    settled(page)
    expect(page.get_by_text(PRIVACY_NOTE)).to_be_visible()
    with page.expect_response("**/api/feedback") as answer:
        page.get_by_test_id("correct-3").click()
    assert answer.value.status == 201
    expect(page.get_by_test_id("correction-status")).to_have_text(
        "Thank you! Kept as a 3, to teach the model.")
    # One press, one correction: the buttons rest until the drawing changes.
    expect(page.get_by_test_id("correct-5")).to_be_disabled()
    new_id = answer.value.json()["id"]
    assert stored_labels(server_database) == [*before, (new_id, 3)]
    draw(page, [[(0.3, 0.9), (0.7, 0.9)]])
    settled(page)
    expect(page.get_by_test_id("correct-5")).to_be_enabled()
    expect(page.get_by_test_id("correction-status")).to_have_text("")


def test_correction_from_the_keyboard(page, server_database):
    page.goto("/")
    draw(page, DIGITS[1])
    settled(page)
    page.get_by_test_id("correct-6").focus()
    with page.expect_response("**/api/feedback"):
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("correction-status")).to_contain_text("Kept as a 6")
    assert stored_labels(server_database)[-1][1] == 6


def test_correction_refused_shows_the_sentence_and_allows_a_retry(page, problems):
    problems.allow(r"status of 429")
    message = "Too many corrections from you in a short time."
    page.route("**/api/feedback", lambda route: route.fulfill(
        status=429, json={"error": {"code": "rate_limited", "message": message}}))
    page.goto("/")
    draw(page, DIGITS[4])
    settled(page)
    page.get_by_test_id("correct-9").click()
    expect(page.get_by_test_id("correction-status")).to_have_text(message)
    expect(page.get_by_test_id("correct-9")).to_be_enabled()


def test_correction_row_goes_away_on_clear(page):
    page.goto("/")
    draw(page, DIGITS[7])
    settled(page)
    expect(page.get_by_test_id("correct-0")).to_be_visible()
    page.get_by_test_id("clear").click()
    expect(page.get_by_test_id("correct-0")).to_be_hidden()
