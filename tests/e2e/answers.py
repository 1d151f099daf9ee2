"""Drawings the page must read right, and drawing one until the page shows its answer."""

from playwright.sync_api import expect
from strokes import NOT_DIGITS_PEOPLE_DRAW
from test_number import NUMBER
from test_page import DIGITS, draw, on_canvas, settled

# Each drawing, with the element that shows the answer and the text it must contain.
DRAWINGS = {
    "digit": (DIGITS[3], "prediction", "3"),
    "number": (NUMBER, "number", "247"),
    "non-digit": (on_canvas(NOT_DIGITS_PEOPLE_DRAW["smiley"]), "status", "doesn't look like"),
}


def draw_and_read(page, name):
    """Open the drawing page, draw DRAWINGS[name] and wait until it shows the right answer."""
    strokes, test_id, answer = DRAWINGS[name]
    page.goto("/")
    draw(page, strokes)
    settled(page)
    expect(page.get_by_test_id(test_id)).to_contain_text(answer)
