"""Ask a running server: every rendering through POST /api/predict (or /api/read), a sample
through the page.

The page sample is drawn with Playwright's mouse on the page's own canvas (its own pen: dark
ink, brush = canvas width / 14) and read from its test ids. To compare like with like, each
sample drawing is also rendered the way the page draws and sent to the API (`page_twin`).
"""

import base64
import concurrent.futures
import copy
import json
import urllib.error
import urllib.request

from playwright.sync_api import expect

PAGE_BRUSH = 1 / 14  # static/canvas.js BRUSH_RATIO
PAGE_EXPORT_SIDE = 280  # static/canvas.js EXPORT_SIDE: the page sends its strokes redrawn at this size
# A desktop window, and a phone at devicePixelRatio 3 (its canvas is ~1000 px wide).
CONTEXTS = ({"viewport": {"width": 1280, "height": 800}},
            {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3})


def predict(url, png, timeout=30, path="/api/predict", strokes=None):
    """POST raw PNG bytes (to /api/read too), or JSON with the strokes as the page sends them
    when given; the answer as a dict, or {'error': code} for a 4xx reply."""
    if strokes is None:
        body, kind = png, "image/png"
    else:
        body = json.dumps({"image": base64.b64encode(png).decode("ascii"),
                           "strokes": strokes}).encode()
        kind = "application/json"
    request = urllib.request.Request(f"{url}{path}", data=body, headers={"Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise
        return {"error": json.load(error).get("error", {}).get("code", str(error.code))}


def predict_all(url, pngs, workers=4, path="/api/predict", strokes=None):
    """Answers for many PNGs, in order, a few requests at a time (each with its strokes, if
    a list of them is given)."""
    strokes = strokes or [None] * len(pngs)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda pair: predict(url, pair[0], path=path, strokes=pair[1]),
                             zip(pngs, strokes)))


def page_twin(drawing, css, pixels):
    """The drawing as the page draws it on a canvas of `css` CSS px exporting `pixels` px."""
    twin = copy.copy(drawing)
    scale = css / drawing.css
    twin.strokes = [s * scale for s in drawing.strokes]
    twin.css, twin.dpr = css, PAGE_EXPORT_SIDE / css
    twin.look, twin.brush = "dark", css * PAGE_BRUSH
    return twin


def drive_page(browser, url, drawings, steps=1, timeout=30_000):
    """Draw each drawing on the page with the mouse; returns one dict per drawing with the
    page's digit and probabilities and the canvas's CSS width and pixel width.
    timeout: milliseconds to wait for the page's answer after the last stroke."""
    results = []
    # Alternate drawings between the contexts, so neither gets more of one source.
    for options, part in zip(CONTEXTS, (drawings[0::2], drawings[1::2])):
        context = browser.new_context(**options)
        page = context.new_page()
        page.goto(url)
        canvas = page.get_by_test_id("canvas")
        answer_region = page.get_by_role("region", name="Prediction")
        for drawing in part:
            page.get_by_test_id("clear").click()
            expect(page.get_by_test_id("prediction")).to_have_text("")
            canvas.scroll_into_view_if_needed()  # mouse events outside the viewport are lost
            box = canvas.bounding_box()
            scale = box["width"] / drawing.css
            for stroke in drawing.strokes:
                points = [(box["x"] + x * scale, box["y"] + y * scale) for x, y in stroke]
                page.mouse.move(*points[0])
                page.mouse.down()
                for point in points[1:]:
                    page.mouse.move(*point, steps=steps)
                page.mouse.up()
            result = {"id": drawing.id, "digit": None, "css": box["width"],
                      "pixels": canvas.evaluate("(c) => c.width")}
            results.append(result)
            # Busy is set at pointerup and cleared only after the answer for the last stroke.
            try:
                expect(answer_region).to_have_attribute("aria-busy", "false", timeout=timeout)
            except AssertionError:  # counted as a disagreement; the next drawing goes on
                result["error"] = "no answer in time"
                continue
            text = page.get_by_test_id("prediction").text_content().strip()
            result["digit"] = int(text) if text else None
            result["probabilities"] = [float(page.get_by_test_id(f"prob-{d}").get_attribute(
                "data-probability")) for d in range(10)]
            result["status"] = page.get_by_test_id("status").text_content().strip()
        context.close()
    order = {d.id: i for i, d in enumerate(drawings)}
    return sorted(results, key=lambda r: order[r["id"]])
