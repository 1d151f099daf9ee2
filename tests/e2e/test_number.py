"""Reading a whole number on the page: the number, a box per digit, each digit's bars."""

import json

import pytest
from drawing import side_by_side
from playwright.sync_api import expect
from strokes import DIGIT_STROKES
from test_page import DIGITS, draw, inked_pixels, probabilities, settled

pytestmark = pytest.mark.e2e

# 2, 4, 7 side by side.
SLOT, STEP, LEFT = 0.26, 0.31, 0.05
NUMBER = side_by_side([2, 4, 7], DIGIT_STROKES, width=SLOT, height=0.42, step=STEP, left=LEFT)


def test_page_reads_a_number_and_shows_each_digits_bars(page):
    page.goto("/")
    draw(page, NUMBER)
    settled(page)
    expect(page.get_by_test_id("number")).to_have_text("247")
    canvas = page.get_by_test_id("canvas").bounding_box()
    for i in range(3):
        box = page.get_by_test_id(f"digit-box-{i}").bounding_box()
        centre = (box["x"] + box["width"] / 2 - canvas["x"]) / canvas["width"]
        assert abs(centre - (LEFT + i * STEP + SLOT / 2)) < 0.06, (i, centre)
    expect(page.locator("[data-testid^=digit-box-]")).to_have_count(3)
    # The first digit is shown until another is chosen.
    expect(page.get_by_test_id("prediction")).to_have_text("2")
    expect(page.get_by_test_id("prob-2")).to_have_class("bar bar--winner")
    expect(page.get_by_test_id("digit-box-0")).to_have_attribute("aria-pressed", "true")
    first_bars = probabilities(page)

    requests, ink = [], inked_pixels(page, "canvas")
    page.on("request", lambda request: requests.append(request.url))
    page.get_by_test_id("digit-box-2").click()
    expect(page.get_by_test_id("prediction")).to_have_text("7")
    expect(page.get_by_test_id("prob-7")).to_have_class("bar bar--winner")
    expect(page.get_by_test_id("digit-box-2")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("digit-box-0")).to_have_attribute("aria-pressed", "false")
    assert probabilities(page) != first_bars
    assert sum(probabilities(page)) == pytest.approx(1.0, abs=1e-3)
    assert inked_pixels(page, "canvas") == ink and not requests, "a click on a box drew"

    page.get_by_test_id("digit-box-1").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("prediction")).to_have_text("4")
    expect(page.get_by_test_id("number")).to_have_text("247")

    # A drag that starts inside a box draws, as anywhere else on the canvas.
    box = page.get_by_test_id("digit-box-0").bounding_box()
    x = (box["x"] + box["width"] / 2 - canvas["x"]) / canvas["width"]
    y = (box["y"] + box["height"] / 2 - canvas["y"]) / canvas["height"]
    draw(page, [[(x, y), (x + 0.03, y + 0.06)]])
    assert inked_pixels(page, "canvas") > ink, "a drag from inside a box did not draw"


def test_page_clear_removes_the_number_and_boxes(page):
    page.goto("/")
    draw(page, NUMBER)
    expect(page.get_by_test_id("number")).to_have_text("247")
    page.get_by_test_id("clear").click()
    expect(page.get_by_test_id("number")).to_be_hidden()
    expect(page.get_by_test_id("number")).to_have_text("")
    expect(page.locator("[data-testid^=digit-box-]")).to_have_count(0)


def test_page_one_digit_shows_no_number_and_no_boxes(page):
    page.goto("/")
    draw(page, DIGITS[7])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("7")
    expect(page.get_by_test_id("number")).to_be_hidden()
    expect(page.locator("[data-testid^=digit-box-]")).to_have_count(0)


# Playwright gives no body for a request whose form holds a Blob: the page's fetch records it.
FORM_RECORDER = """
window.__forms = [];
const pageFetch = window.fetch;
window.fetch = (url, options = {}) => {
  if (options.body instanceof FormData) {
    const image = options.body.get('image');
    window.__forms.push({ image: image && image.type, strokes: options.body.get('strokes') });
  }
  return pageFetch(url, options);
};
"""


def test_page_sends_the_strokes_in_the_order_drawn_with_the_png(page):
    """The server tells overlapping digits apart by them (see "Reading whole numbers")."""
    page.add_init_script(FORM_RECORDER)
    page.goto("/")
    draw(page, NUMBER[:1])
    settled(page)
    draw(page, NUMBER[1:])
    settled(page)
    expect(page.get_by_test_id("number")).to_have_text("247")
    forms = page.evaluate("window.__forms")
    assert len(forms) >= 2 and all(form["image"] == "image/png" for form in forms)
    for form, drawn in ((forms[0], NUMBER[:1]), (forms[-1], NUMBER)):
        strokes = json.loads(form["strokes"])
        assert len(strokes) == len(drawn)
        for sent, stroke in zip(strokes, drawn):  # in the PNG's 280 px, in the order drawn
            assert sent[0] == pytest.approx([280 * v for v in stroke[0]], abs=2)
            assert sent[-1] == pytest.approx([280 * v for v in stroke[-1]], abs=2)
