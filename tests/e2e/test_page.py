"""The drawing page in a real browser against the real server and model."""

import itertools
import math
import re

import pytest
from playwright.sync_api import expect
from strokes import DIGIT_STROKES

pytestmark = pytest.mark.e2e


def on_canvas(strokes, margin=0.15):
    """Polylines from the unit square into the canvas, leaving a margin as people do."""
    return [
        [(margin + x * (1 - 2 * margin), margin + y * (1 - 2 * margin)) for x, y in stroke]
        for stroke in strokes
    ]


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


def text_recorder(test_id, into):
    """A script that keeps every text the element showed in window[into], however briefly."""
    return f"""
window.{into} = [];
document.addEventListener('DOMContentLoaded', () => {{
  const el = document.querySelector('[data-testid="{test_id}"]');
  new MutationObserver(() => window.{into}.push(el.textContent))
    .observe(el, {{ childList: true, characterData: true, subtree: true }});
}});
"""


# Every text the prediction showed, to prove a stale answer never appeared even briefly.
SHOWN_RECORDER = text_recorder("prediction", "__shown")


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
    page.keyboard.press("Tab")  # from the canvas, where the mouse last pressed
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


# Red-tinted pixels: the evidence for the answer, laid over the 28x28 input.
REDDISH_PIXELS = """canvas => {
    const d = canvas.getContext('2d').getImageData(0, 0, 28, 28).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > d[i + 2] + 60) n += 1;
    return n;
}"""


def test_page_why_view_is_behind_a_toggle(page):
    page.goto("/")
    with page.expect_response("**/api/predict") as answer:
        draw(page, DIGITS[7])
    assert answer.value.request.headers["prefer"] == "read, explain"
    expect(page.get_by_test_id("prediction")).to_have_text("7")
    why = page.get_by_test_id("why")
    expect(why).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_test_id("why-view")).to_be_hidden()
    assert page.get_by_test_id("preview").evaluate(REDDISH_PIXELS) == 0, "the plain view is tinted"
    why.click()
    expect(why).to_have_attribute("aria-expanded", "true")
    view = page.get_by_test_id("why-view")
    expect(view).to_be_visible()
    assert page.get_by_test_id("why-map").evaluate(REDDISH_PIXELS) >= 10
    # Larger than the plain 28x28 view, with a caption of one line.
    assert (
        page.get_by_test_id("why-map").bounding_box()["width"]
        > 2 * page.get_by_test_id("preview").bounding_box()["width"]
    )
    caption = view.locator("figcaption")
    assert caption.evaluate("(e) => e.getClientRects().length") == 1
    # A drawing that is no digit has no answer to explain: the toggle is not offered.
    page.get_by_test_id("clear").click()
    draw(page, [[(0.2, 0.2), (0.8, 0.8)], [(0.8, 0.2), (0.2, 0.8)]])
    settled(page)
    expect(page.get_by_test_id("status")).to_contain_text("doesn't look like a digit")
    expect(why).to_be_disabled()
    expect(view).to_be_hidden()


def test_page_dark_mode_draws_light_on_dark_and_reads_right(new_page):
    page = new_page(color_scheme="dark")
    page.goto("/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert luminance(background) < 0.1, background
    draw(page, DIGITS[7])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("7")
    # The pad on screen: mostly dark paper with light ink.
    light, dark = page.get_by_test_id("canvas").evaluate("""(canvas) => {
      const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let light = 0, dark = 0;
      for (let i = 0; i < d.length; i += 4) (d[i] > 200 ? light++ : dark++);
      return [light, dark];
    }""")
    assert 0 < light < dark, (light, dark)


def luminance(css_colour):
    red, green, blue = (int(v) for v in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def test_page_says_an_8(page):
    page.goto("/")
    expect(page.get_by_test_id("correct-8")).to_have_attribute("aria-label", "It was an 8")
    draw(page, DIGITS[8])
    settled(page)
    expect(page.get_by_test_id("status")).to_have_text(re.compile(r"^Looks like an 8 "))


def test_page_has_one_live_region(page):
    """Each answer is announced once: only the sentence by the headline is live."""
    page.goto("/")
    live = page.locator("[aria-live], [role=status], [role=alert], [role=log], output")
    expect(live).to_have_count(1)
    expect(live).to_have_attribute("data-testid", "status")


def test_page_links_to_how_it_works_and_the_api(page):
    page.goto("/")
    # Fetched, not opened: a browser showing raw JSON asks for /favicon.ico, which is no page's.
    api = page.request.get(page.get_by_role("link", name="API").get_attribute("href"))
    assert api.ok and "openapi" in api.json()
    page.get_by_role("link", name="How it works").click()
    expect(page).to_have_url(re.compile(r"/how$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


# The first stroke of a square 4 (an L, then the stem) is no digit on its own.
SQUARE_FOUR = on_canvas([[(0.25, 0.05), (0.2, 0.55), (0.85, 0.55)], [(0.7, 0.25), (0.7, 0.95)]])
# Every sentence the page showed, to prove "not a digit" never flashed.
STATUS_RECORDER = text_recorder("status", "__said")


def test_page_holds_back_not_a_digit_while_the_person_draws(page):
    page.add_init_script(STATUS_RECORDER)
    page.goto("/")
    draw(page, SQUARE_FOUR[:1])
    # Its answer comes in a few ms and is held: the person is still drawing.
    expect(page.get_by_test_id("status")).to_have_text("Keep drawing…")
    draw(page, SQUARE_FOUR[1:])
    settled(page)
    expect(page.get_by_test_id("prediction")).to_have_text("4")
    said = page.evaluate("window.__said")
    assert not [text for text in said if "doesn't look like" in text], said
    # Left alone, the L is shown for what it is once the pause is over.
    page.get_by_test_id("clear").click()
    draw(page, SQUARE_FOUR[:1])
    settled(page)
    expect(page.get_by_test_id("status")).to_contain_text("doesn't look like a digit")


def test_the_hold_follows_the_persons_own_pauses(page):
    """static/rhythm.js: twice this person's usual pause between strokes, within bounds."""
    page.goto("/")
    holds = page.evaluate("""async () => {
      const { createRhythm } = await import('/static/rhythm.js');
      const rhythm = createRhythm();
      let now = 0;
      const pausing = (pauses) => {
        for (const pause of pauses) {
          rhythm.strokeEnded(now);
          now += pause;
          rhythm.strokeStarted(now);
          now += 400; // the stroke itself
        }
        return rhythm.holdMs();
      };
      return [rhythm.holdMs(), pausing([300, 320]), pausing([280]), pausing([150, 160, 170, 150]),
              pausing(Array(12).fill(1200)), pausing([10000])];
    }""")
    # Until three pauses are known, the first guess; then 2 x the median, from 400 to 1500 ms;
    # a pause of 10 s is a new drawing, not a pause inside one.
    assert holds == [900, 900, 600, 400, 1500, 1500]


def test_page_every_control_works_from_the_keyboard(page):
    """Drawing needs a pointer; everything after it is reachable with Tab and works with keys."""
    page.goto("/")
    draw(page, DIGITS[7])
    settled(page)
    order = []
    for _ in range(17):  # from the canvas, where the mouse last pressed, round to the top
        page.keyboard.press("Tab")
        order.append(
            page.evaluate("""() => {
          const focused = document.activeElement;
          return focused === document.body ? 'page' : focused.dataset.testid || focused.textContent;
        }""")
        )
    assert order == [
        "undo",
        "clear",
        "why",
        *(f"correct-{digit}" for digit in range(10)),
        "page",
        "How it works",
        "API",
        "undo",
    ], order
    page.get_by_test_id("why").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("why-view")).to_be_visible()
    page.get_by_test_id("correct-2").focus()
    with page.expect_response("**/api/feedback"):
        page.keyboard.press("Space")
    expect(page.get_by_test_id("correction-status")).to_have_text("Kept, to teach the model.")
    page.keyboard.press("Tab")  # past the other digits, which rest while the correction is kept
    for _ in range(7):
        page.keyboard.press("Tab")
    expect(page.get_by_test_id("correction-undo")).to_be_focused()
    with page.expect_response("**/api/feedback/*"):
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("correction-status")).to_have_text("Correction removed.")
    expect(page.get_by_test_id("correct-2")).to_be_focused()
