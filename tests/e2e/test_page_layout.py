"""The page's layout where people use it: a phone (touch), a laptop and a laptop at 200 % zoom.
After a stroke the canvas, the answer with its sentence and the winning bar are all in view,
nothing moves when the answer comes, and nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect
from test_number import NUMBER
from test_page import DIGITS, draw, settled, touch_draw

pytestmark = pytest.mark.e2e

VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True},
    "laptop": {"viewport": {"width": 1280, "height": 720}},
    "zoomed": {"viewport": {"width": 640, "height": 400}},  # 1280x800 at 200 %
}
# Every layout shift, also those just after input (the browser leaves those out of its CLS):
# the answer comes a few ms after the pointer is lifted, and must move nothing.
SHIFT_RECORDER = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__shifts.push(entry.value);
}).observe({ type: 'layout-shift', buffered: true });
"""
# What must be in view once the answer is there.
IN_VIEW = ["canvas", "status"]


def open_page(new_page, name):
    page = new_page(**VIEWPORTS[name])
    page.add_init_script(SHIFT_RECORDER)
    page.goto("/")
    return page


def draw_as_people_do(page, name, strokes):
    """With a finger on the phone, the mouse elsewhere."""
    if name != "phone":
        draw(page, strokes)
        return
    cdp = page.context.new_cdp_session(page)
    for stroke in strokes:
        touch_draw(cdp, page.get_by_test_id("canvas").bounding_box(), stroke)


def assert_in_view(page, element, what):
    box = element.bounding_box()
    view = page.viewport_size
    assert box is not None and box["width"] > 0 and box["height"] > 0, f"{what} is not shown"
    inside = (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= view["width"]
        and box["y"] + box["height"] <= view["height"]
    )
    assert inside, f"{what} at {box} is outside the {view['width']}x{view['height']} viewport"


def assert_no_sideways_scroll(page):
    width, view = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= view, f"the page is {width} px wide in a {view} px viewport"


def layout_shift(page):
    return sum(page.evaluate("window.__shifts"))


@pytest.mark.parametrize("name", sorted(VIEWPORTS))
def test_a_digit_its_sentence_and_winning_bar_are_in_view(new_page, name):
    page = open_page(new_page, name)
    assert_no_sideways_scroll(page)
    draw_as_people_do(page, name, DIGITS[7])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("7")
    for test_id in [*IN_VIEW, "prediction", "prob-7"]:
        assert_in_view(page, page.get_by_test_id(test_id), test_id)
    assert_in_view(page, page.locator(".bar--winner .bar__fill"), "the winning bar")
    assert page.evaluate("window.scrollY") == 0, "drawing scrolled the page"
    assert_no_sideways_scroll(page)
    assert layout_shift(page) < 0.01, page.evaluate("window.__shifts")


@pytest.mark.parametrize("name", sorted(VIEWPORTS))
def test_a_number_is_the_headline_and_in_view(new_page, name):
    page = open_page(new_page, name)
    draw_as_people_do(page, name, NUMBER)
    settled(page)
    number = page.get_by_test_id("number")
    expect(number).to_have_text("247")
    for test_id in [*IN_VIEW, "number", "prob-2"]:
        assert_in_view(page, page.get_by_test_id(test_id), test_id)
    assert_no_sideways_scroll(page)
    assert layout_shift(page) < 0.01, page.evaluate("window.__shifts")
    # The number is larger than any figure of one of its digits.
    size = number.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    digit_sizes = page.locator("[data-testid=prediction], .digit-box__tag").evaluate_all(
        "(all) => all.map((e) => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert size > max(digit_sizes), (size, digit_sizes)


@pytest.mark.parametrize("name", sorted(VIEWPORTS))
def test_nothing_moves_between_answers(new_page, name):
    """Empty, a digit, a number, no digit, and back: the bars stay where they are."""
    page = open_page(new_page, name)
    bars_at = page.get_by_test_id("prob-0").bounding_box()
    for strokes in (DIGITS[7], NUMBER, [[(0.2, 0.2), (0.8, 0.8)], [(0.8, 0.2), (0.2, 0.8)]]):
        page.get_by_test_id("clear").click()
        draw(page, strokes)
        settled(page)
        expect(page.get_by_test_id("status")).not_to_have_text("Keep drawing…")
        assert page.get_by_test_id("prob-0").bounding_box() == bars_at, strokes
    assert layout_shift(page) < 0.01, page.evaluate("window.__shifts")


def test_digit_boxes_do_not_overlap_and_their_tags_leave_the_ink(page):
    page.goto("/")
    # Three digits drawn close together: their boxes, with room around the ink, would touch.
    close = [[(x - 0.04 * i, y) for x, y in stroke] for i, stroke in enumerate(NUMBER)]
    draw(page, close)
    settled(page)
    expect(page.get_by_test_id("number")).to_have_text("247")
    boxes = [page.get_by_test_id(f"digit-box-{i}").bounding_box() for i in range(3)]
    tags = [
        page.get_by_test_id(f"digit-box-{i}").locator(".digit-box__tag").bounding_box()
        for i in range(3)
    ]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert overlap(a, b) == 0, (a, b)
        for tag in tags:
            assert overlap(tag, a) == 0, f"a tag {tag} covers box {a}"


def overlap(a, b):
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0, width) * max(0, height)


def test_the_thank_you_is_in_view_on_a_laptop(new_page):
    page = open_page(new_page, "laptop")
    draw(page, DIGITS[8])
    settled(page)
    page.get_by_test_id("correct-3").click()
    status = page.get_by_test_id("correction-status")
    expect(status).to_have_text("Kept, to teach the model.")
    assert_in_view(page, status, "the correction's confirmation")
    assert_in_view(page, page.get_by_test_id("correction-undo"), "the undo button")
