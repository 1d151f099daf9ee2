"""The drawing page in a real browser against the real server and model."""

import itertools
import math

import pytest
from playwright.sync_api import expect

from strokes import DIGIT_STROKES

pytestmark = pytest.mark.e2e


def on_canvas(strokes, margin=0.15):
    """Polylines from the unit square into the canvas, leaving a margin as people do."""
    return [[(margin + x * (1 - 2 * margin), margin + y * (1 - 2 * margin)) for x, y in stroke]
            for stroke in strokes]


# Each digit as a person might write it, in [0, 1] canvas coordinates (tests/strokes.py).
DIGITS = {digit: on_canvas(strokes) for digit, strokes in DIGIT_STROKES.items()}
ONE = DIGITS[1][0]
FOUR_BODY, FOUR_STEM = DIGITS[4]

# Counts dark pixels in a canvas's backing store: 0 means blank (white).
INKED_PIXELS = """(canvas) => {
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 200) inked += 1;
  return inked;
}"""
# Every text the prediction showed, to prove a stale answer never appeared even briefly.
SHOWN_RECORDER = """
window.__shown = [];
document.addEventListener('DOMContentLoaded', () => {
  const el = document.querySelector('[data-testid="prediction"]');
  new MutationObserver(() => window.__shown.push(el.textContent))
    .observe(el, { childList: true, characterData: true, subtree: true });
});
"""


def draw(page, strokes, spacing=8):
    """Draw polylines with the mouse, a move every `spacing` px or so, like a real hand."""
    box = page.get_by_test_id("canvas").bounding_box()
    for stroke in strokes:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for previous, point in itertools.pairwise(points):
            steps = max(1, round(math.dist(previous, point) / spacing))
            page.mouse.move(*point, steps=steps)
        page.mouse.up()


def settled(page):
    """Wait until no request is in flight or queued, so the answer is for the last stroke.

    The page marks its answer aria-busy within the pointerup handler, before mouse.up returns.
    """
    expect(page.get_by_role("region", name="Prediction")).to_have_attribute("aria-busy", "false")


def probabilities(page):
    bars = (page.get_by_test_id(f"prob-{digit}") for digit in range(10))
    return [float(bar.get_attribute("data-probability")) for bar in bars]


def inked_pixels(page, test_id):
    return page.get_by_test_id(test_id).evaluate(INKED_PIXELS)


def expect_cleared(page):
    expect(page.get_by_test_id("prediction")).to_have_text("")
    for digit in range(10):
        expect(page.get_by_test_id(f"prob-{digit}")).to_have_attribute("data-probability", "0")
    assert inked_pixels(page, "canvas") == 0
    assert inked_pixels(page, "preview") == 0


@pytest.mark.parametrize("digit", range(10))
def test_page_recognises_mouse_drawn_digit(page, digit):
    page.goto("/")
    draw(page, DIGITS[digit])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text(str(digit))
    expect(page.get_by_test_id(f"prob-{digit}")).to_have_class("bar bar--winner")
    assert sum(probabilities(page)) == pytest.approx(1.0, abs=1e-3)
    assert inked_pixels(page, "preview") > 20


def test_page_clear_resets_everything(page):
    page.goto("/")
    draw(page, DIGITS[7])
    expect(page.get_by_test_id("prediction")).to_have_text("7")
    page.get_by_test_id("clear").click()
    expect_cleared(page)
    expect(page.get_by_test_id("status")).to_have_text("Draw a digit to begin.")


def test_page_undo_removes_last_stroke(page):
    page.goto("/")
    draw(page, [FOUR_STEM])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("1")
    draw(page, [FOUR_BODY])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("4")
    page.get_by_test_id("undo").click()
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("1")
    page.get_by_test_id("undo").click()
    expect_cleared(page)


class HeldRequests:
    """Routes /api/predict, holding back the first request, and counts requests in flight."""

    def __init__(self, page):
        self.held = []
        self.seen = 0
        self.in_flight = 0
        self.most_in_flight = 0
        page.route("**/api/predict", self.handle)
        # Answered once its response arrives; the page may only ask again after that.
        page.on("response", lambda response: self.answered(response.request))
        page.on("requestfailed", self.answered)

    def handle(self, route):
        self.seen += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if self.seen == 1:
            self.held.append(route)
        else:
            # continue_, not fetch: the browser's own connection, as without the route.
            route.continue_()

    def answered(self, request):
        if request.url.endswith("/api/predict"):
            self.in_flight -= 1

    def release(self):
        self.held.pop().continue_()


def test_page_never_shows_stale_answer(page):
    requests = HeldRequests(page)
    page.add_init_script(SHOWN_RECORDER)
    page.goto("/")
    with page.expect_request("**/api/predict"):
        draw(page, [ONE])
    # A newer stroke ends while the answer for the first is still on its way.
    draw(page, [[(0.3, 0.16), (0.52, 0.16)]])
    requests.release()
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("7")
    assert requests.seen == 2, "one request per drawing, the newer one sent after the first"
    assert requests.most_in_flight == 1
    assert "1" not in page.evaluate("window.__shown"), "the answer for the old drawing showed"


def test_page_ignores_answer_arriving_after_clear(page):
    requests = HeldRequests(page)
    page.goto("/")
    with page.expect_request("**/api/predict"):
        draw(page, DIGITS[7])
    page.get_by_test_id("clear").click()
    with page.expect_response("**/api/predict"):
        requests.release()
    settled(page)
    expect_cleared(page)
    assert requests.seen == 1


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        pytest.param(
            422,
            {"error": {"code": "empty_drawing", "message": "The drawing has no ink."}},
            "The drawing has no ink.",
            id="contract_error",
        ),
        pytest.param(
            503,
            "<html>Service Unavailable</html>",
            "The server could not answer (HTTP 503)",
            id="proxy_error_page",
        ),
    ],
)
def test_page_shows_api_error_as_sentence(page, problems, status, body, message):
    problems.allow(rf"status of {status}")
    page.route(
        "**/api/predict",
        lambda route: route.fulfill(
            status=status, **({"json": body} if isinstance(body, dict) else {"body": body})
        ),
    )
    page.goto("/")
    draw(page, DIGITS[7])
    expect(page.get_by_test_id("status")).to_contain_text(message)
    expect(page.get_by_test_id("prediction")).to_have_text("")


def test_page_explains_unreachable_server(page, problems):
    problems.allow(r"net::ERR_")
    page.route("**/api/predict", lambda route: route.abort("connectionrefused"))
    page.goto("/")
    draw(page, DIGITS[7])
    expect(page.get_by_test_id("status")).to_have_text(
        "Could not reach the server. Check your connection and try again."
    )


def test_page_touch_draws_on_phone_without_scrolling(new_page):
    page = new_page(
        viewport={"width": 360, "height": 740},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=3,
    )
    page.goto("/")
    canvas = page.get_by_test_id("canvas")
    width, backing, ratio = canvas.evaluate(
        "(c) => [c.getBoundingClientRect().width, c.width, window.devicePixelRatio]"
    )
    assert ratio == 3 and abs(backing - width * 3) <= 1
    assert width >= 300, "the canvas fills a phone's width"
    assert page.evaluate("document.documentElement.scrollHeight > innerHeight"), (
        "the page must be scrollable for this test to mean anything"
    )
    # Drawn upwards: a finger moving up would scroll the page down if it could.
    touch_draw(page.context.new_cdp_session(page), canvas.bounding_box(), ONE[::-1])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("1")
    assert page.evaluate("window.scrollY") == 0


def touch_draw(cdp, box, stroke, steps=10):
    """One finger along a polyline through CDP: real touch input, as a phone sends it."""
    points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]},
    )
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        for i in range(1, steps + 1):
            x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
            touch = {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
            cdp.send("Input.dispatchTouchEvent", touch)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_page_buttons_work_from_keyboard(page):
    page.goto("/")
    draw(page, [FOUR_STEM, FOUR_BODY])
    settled(page)
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("undo")).to_be_focused()
    page.keyboard.press("Space")
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("1")
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("clear")).to_be_focused()
    page.keyboard.press("Enter")
    expect_cleared(page)


def test_page_keyboard_shortcuts_undo_and_clear(page):
    page.goto("/")
    draw(page, [FOUR_STEM, FOUR_BODY])
    settled(page)
    page.keyboard.press("Control+z")
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("1")
    page.keyboard.press("Escape")
    expect_cleared(page)


def test_page_desktop_canvas_size(page):
    page.goto("/")
    width = page.get_by_test_id("canvas").bounding_box()["width"]
    assert 280 <= width <= 400


def test_page_loads_nothing_from_other_origins(page, server):
    urls = []
    page.on("request", lambda req: urls.append(req.url))
    page.goto("/")
    draw(page, DIGITS[7])
    expect(page.get_by_test_id("prediction")).to_have_text("7")
    assert urls and all(url.startswith(f"{server}/") for url in urls), urls


def test_page_preview_shows_why_as_a_heat_map(page):
    page.goto("/")
    with page.expect_response("**/api/predict") as answer:
        draw(page, DIGITS[7])
    assert answer.value.request.headers["prefer"] == "read, explain"
    expect(page.get_by_test_id("prediction")).to_have_text("7")
    expect(page.get_by_test_id("preview-caption")).to_contain_text("red marks the strokes")
    # Red-tinted pixels: the evidence for the answer, laid over the 28x28 input.
    reddish = page.get_by_test_id("preview").evaluate(
        """canvas => {
            const d = canvas.getContext('2d').getImageData(0, 0, 28, 28).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i] > d[i + 2] + 60) n += 1;
            return n;
        }"""
    )
    assert reddish >= 10
    page.get_by_test_id("clear").click()
    expect(page.get_by_test_id("preview-caption")).to_contain_text("What the model sees:")
