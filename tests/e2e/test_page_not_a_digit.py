"""Not a digit on the page: a scribble drawn with the mouse is answered as no digit."""

import pytest
from playwright.sync_api import expect

from strokes import NON_DIGIT_STROKES
from test_page import DIGITS, draw, on_canvas, probabilities, settled

pytestmark = pytest.mark.e2e

NOT_A_DIGIT = "That doesn't look like a digit"


@pytest.mark.parametrize("name", ["scribble", "star"])
def test_page_says_a_scribble_is_not_a_digit(page, name):
    page.goto("/")
    draw(page, on_canvas(NON_DIGIT_STROKES[name]))
    settled(page)
    expect(page.get_by_test_id("status")).to_contain_text(NOT_A_DIGIT)
    expect(page.get_by_test_id("prediction")).to_have_text("")
    # The bars still show what the digit model thought, with no winner.
    assert sum(probabilities(page)) == pytest.approx(1.0, abs=1e-3)
    expect(page.locator(".bar--winner")).to_have_count(0)


def test_page_a_digit_after_a_scribble_is_a_digit_again(page):
    page.goto("/")
    draw(page, on_canvas(NON_DIGIT_STROKES["scribble"]))
    settled(page)
    expect(page.get_by_test_id("status")).to_contain_text(NOT_A_DIGIT)
    page.get_by_test_id("clear").click()
    draw(page, DIGITS[4])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("4")
    expect(page.get_by_test_id("status")).not_to_contain_text(NOT_A_DIGIT)
