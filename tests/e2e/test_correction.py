"""Correcting the model from the page, against the real server and database: a digit or a whole
number, the choice marked and headlined, and an undo that deletes what was stored."""

import pytest
from playwright.sync_api import expect
from test_number import NUMBER
from test_page import DIGITS, draw, settled

from corrections import store

pytestmark = pytest.mark.e2e

PRIVACY_NOTE = "Nothing is stored unless you send a correction."


def stored(url, read=store.read_corrections, field="label"):
    engine = store.open_engine(url)
    try:
        return {row["id"]: row[field] for row in read(engine)}
    finally:
        engine.dispose()


def stored_numbers(url):
    return stored(url, store.read_number_corrections, "number")


def test_a_digit_correction_is_marked_headlined_and_can_be_undone(page, server_database):
    page.goto("/")
    expect(page.get_by_test_id("correct-3")).to_be_hidden()  # nothing to correct yet
    draw(page, DIGITS[8])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("8")
    expect(page.get_by_text(PRIVACY_NOTE)).to_be_visible()
    with page.expect_response("**/api/feedback") as answer:
        page.get_by_test_id("correct-3").click()
    assert answer.value.status == 201
    new_id = answer.value.json()["id"]
    assert stored(server_database)[new_id] == 3
    # The person's answer is the headline now, and the chosen digit is marked.
    expect(page.get_by_test_id("prediction")).to_have_text("3")
    expect(page.get_by_test_id("status")).to_have_text("You said 3, thank you!")
    expect(page.get_by_test_id("correction-status")).to_have_text("Kept, to teach the model.")
    expect(page.get_by_test_id("correct-3")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("correct-5")).to_have_attribute("aria-pressed", "false")
    # One press, one correction: the row rests until it is undone or the drawing changes.
    expect(page.get_by_test_id("correct-5")).to_have_attribute("aria-disabled", "true")

    with page.expect_response(f"**/api/feedback/{new_id}") as undone:
        page.get_by_test_id("correction-undo").click()
    assert undone.value.request.method == "DELETE" and undone.value.status == 204
    assert new_id not in stored(server_database)
    expect(page.get_by_test_id("prediction")).to_have_text("8")
    expect(page.get_by_test_id("status")).to_contain_text("Correction removed. Looks like an 8")
    expect(page.get_by_test_id("correction-undo")).to_be_hidden()
    expect(page.get_by_test_id("correct-3")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("correct-5")).to_have_attribute("aria-disabled", "false")


def corrected(page, drawn, digit):
    """Draw a digit, say it was another; the server's answer to the correction."""
    draw(page, DIGITS[drawn])
    settled(page)
    with page.expect_response("**/api/feedback") as answer:
        page.get_by_test_id(f"correct-{digit}").click()
    expect(page.get_by_test_id("correction-undo")).to_be_visible()
    return answer.value


def test_a_new_drawing_gets_a_fresh_row_and_keeps_the_correction(page, server_database):
    page.goto("/")
    answer = corrected(page, 1, 7)
    draw(page, [[(0.3, 0.9), (0.7, 0.9)]])
    settled(page)
    expect(page.get_by_test_id("correct-5")).to_have_attribute("aria-disabled", "false")
    expect(page.get_by_test_id("correction-status")).to_have_text("")
    expect(page.get_by_test_id("correction-undo")).to_be_hidden()
    assert stored(server_database)[answer.json()["id"]] == 7


def test_correction_and_undo_from_the_keyboard_keep_focus_in_the_row(page, server_database):
    page.goto("/")
    draw(page, DIGITS[1])
    settled(page)
    page.get_by_test_id("correct-6").focus()
    with page.expect_response("**/api/feedback") as answer:
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("correction-status")).to_have_text("Kept, to teach the model.")
    expect(page.get_by_test_id("correct-6")).to_be_focused()
    assert stored(server_database)[answer.value.json()["id"]] == 6

    page.get_by_test_id("correction-undo").focus()
    with page.expect_response("**/api/feedback/*"):
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("correction-status")).to_have_text("Correction removed.")
    # The undo button is gone; focus went back to the digit that was pressed.
    expect(page.get_by_test_id("correct-6")).to_be_focused()
    assert answer.value.json()["id"] not in stored(server_database)


def test_the_undo_goes_when_its_minute_is_over(page, server_database):
    page.clock.install()
    page.goto("/")
    answer = corrected(page, 4, 9)
    page.clock.run_for(61_000)
    expect(page.get_by_test_id("correction-undo")).to_be_hidden()
    expect(page.get_by_test_id("correction-status")).to_have_text(
        "Kept, to teach the model. Thank you!"
    )
    assert stored(server_database)[answer.json()["id"]] == 9


def test_a_number_is_corrected_as_a_number_and_undone(page, server_database):
    page.goto("/")
    draw(page, NUMBER)
    settled(page)
    expect(page.get_by_test_id("number")).to_have_text("247")
    expect(page.get_by_test_id("correct-4")).to_be_hidden()
    field = page.get_by_test_id("correct-number")
    expect(field).to_have_value("247")
    field.fill("248")
    with page.expect_response("**/api/feedback") as answer:
        page.get_by_test_id("correct-number-send").click()
    assert answer.value.status == 201
    new_id = answer.value.json()["id"]
    assert stored_numbers(server_database)[new_id] == "248"
    boxes = stored(server_database, store.read_number_corrections, "boxes")[new_id]
    assert len(boxes) == 3, boxes  # the digits' boxes as read, with the person's number
    expect(page.get_by_test_id("number")).to_have_text("248")
    expect(page.get_by_test_id("status")).to_have_text("You said 248, thank you!")

    with page.expect_response(f"**/api/feedback/{new_id}"):
        page.get_by_test_id("correction-undo").click()
    expect(page.get_by_test_id("correction-status")).to_have_text("Correction removed.")
    assert new_id not in stored_numbers(server_database)
    expect(page.get_by_test_id("number")).to_have_text("247")
    expect(field).to_be_focused()


def test_a_number_that_is_not_digits_is_refused_on_the_page(page):
    page.goto("/")
    draw(page, NUMBER)
    settled(page)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.get_by_test_id("correct-number").fill("24a")
    page.get_by_test_id("correct-number-send").click()
    expect(page.get_by_test_id("correction-status")).to_contain_text("digits only")
    assert not [url for url in requests if "/api/feedback" in url]


def test_correction_refused_shows_the_sentence_and_allows_a_retry(page, problems):
    problems.allow(r"status of 429")
    message = "Too many corrections from you in a short time."
    page.route(
        "**/api/feedback",
        lambda route: route.fulfill(
            status=429, json={"error": {"code": "rate_limited", "message": message}}
        ),
    )
    page.goto("/")
    draw(page, DIGITS[4])
    settled(page)
    page.get_by_test_id("correct-9").click()
    expect(page.get_by_test_id("correction-status")).to_have_text(message)
    expect(page.get_by_test_id("status")).to_have_text(message)
    expect(page.get_by_test_id("correct-9")).to_have_attribute("aria-disabled", "false")
    expect(page.get_by_test_id("correct-9")).to_have_attribute("aria-pressed", "false")


def test_correction_row_goes_away_on_clear(page):
    page.goto("/")
    draw(page, DIGITS[7])
    settled(page)
    expect(page.get_by_test_id("correct-0")).to_be_visible()
    page.get_by_test_id("clear").click()
    expect(page.get_by_test_id("correct-0")).to_be_hidden()
