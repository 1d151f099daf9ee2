"""Ask a running server about drawings, each of the ways benchmarks/drawn/shown.py names, and
draw a sample on the page itself.

The page sample is drawn with Playwright's mouse on the page's own canvas (its own pen: dark
ink, brush = canvas width / 20) and read from what the page shows. The benchmark's request
sent the page's way (`as_page_draws`, `page_strokes`, `request_for("page", ...)`) must give
the same answer: that is what makes the page's-way figures the page's.
"""

import base64
import concurrent.futures
import copy
import json
import re
import urllib.error
import urllib.request
import uuid

import numpy as np
from playwright.sync_api import expect

from benchmarks.drawn.shown import unsure_text
from webapp.strokes import MAX_POINTS, MAX_STROKES

PAGE_BRUSH = 1 / 20  # static/canvas.js BRUSH_RATIO
PAGE_EXPORT_SIDE = (
    280  # static/canvas.js EXPORT_SIDE: the page sends its strokes redrawn at this size
)
PAGE_PREFERENCES = "read, explain"  # static/api.js PAGE_PREFERENCES
# A desktop window, and a phone at devicePixelRatio 3 (its canvas is ~1000 px wide).
CONTEXTS = (
    {"viewport": {"width": 1280, "height": 800}},
    {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3},
)


def predict(url, png, timeout=30, path="/api/predict", strokes=None):
    """POST raw PNG bytes (to /api/read too), or JSON with the strokes when given; the answer
    as a dict, or {'error': code} for a 4xx reply."""
    if strokes is None:
        body, headers = png, {"Content-Type": "image/png"}
    else:
        body = json.dumps(
            {"image": base64.b64encode(png).decode("ascii"), "strokes": strokes}
        ).encode()
        headers = {"Content-Type": "application/json"}
    return post(url, path, body, headers, timeout)


def ask(url, png, way, strokes=None, timeout=30):
    """The answer to one drawing asked one of benchmarks/drawn/shown.py's ways."""
    return post(url, *request_for(way, png, strokes), timeout)


def request_for(way, png, strokes=None):
    """(path, body, headers) of a drawing's request asked `way` (benchmarks/drawn/shown.py):
    for "page", static/api.js's form of the PNG and its strokes, with its Prefer header."""
    if way == "predict":
        return "/api/predict", png, {"Content-Type": "image/png"}
    if way == "read":
        return "/api/read", png, {"Content-Type": "image/png"}
    fields = [("image", png, "drawing.png", "image/png")]
    points = sum(len(stroke) for stroke in strokes or ())
    if strokes is not None and len(strokes) <= MAX_STROKES and points <= MAX_POINTS:
        fields.append(("strokes", json.dumps(strokes).encode(), None, None))
    body, kind = multipart(fields)
    return (
        "/api/predict",
        body,
        {"Content-Type": kind, "Prefer": PAGE_PREFERENCES, "Accept": "application/json"},
    )


def multipart(fields):
    """A multipart/form-data body of (name, bytes, filename or None, type or None) fields, as
    a browser's FormData sends it, and its Content-Type."""
    boundary = f"----drawn{uuid.uuid4().hex}"
    parts = []
    for name, value, filename, kind in fields:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        head += f"Content-Type: {kind}\r\n" if kind else ""
        parts.append(head.encode() + b"\r\n" + value + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post(url, path, body, headers, timeout=30):
    """POST; the JSON answer, or {'error': code} for a 4xx reply (a 5xx raises)."""
    request = urllib.request.Request(f"{url}{path}", data=body, headers=headers)
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
        return list(
            pool.map(
                lambda pair: predict(url, pair[0], path=path, strokes=pair[1]), zip(pngs, strokes)
            )
        )


def ask_all(url, pngs, way, strokes=None, workers=4):
    """Answers for many PNGs asked `way`, in order, a few requests at a time."""
    strokes = strokes or [None] * len(pngs)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda pair: ask(url, pair[0], way, pair[1]), zip(pngs, strokes)))


def as_page_draws(drawing):
    """The drawing as the page would send it: its strokes redrawn with the page's pen (dark
    ink, brush = canvas / 20) on the page's 280 px export."""
    return page_twin(drawing, drawing.css, PAGE_EXPORT_SIDE)


def page_strokes(twin):
    """A page-drawn twin's strokes as static/canvas.js sends them: in the PNG's pixels,
    rounded to 0.1 px, a point kept where the pen moved 1 px or more."""
    sent = []
    for stroke in twin.strokes:
        kept = []
        for point in np.round(np.asarray(stroke, dtype=float) * twin.dpr, 1).tolist():
            if not kept or np.hypot(point[0] - kept[-1][0], point[1] - kept[-1][1]) >= 1:
                kept.append(point)
        sent.append(kept)
    return sent


def page_twin(drawing, css, pixels):
    """The drawing as the page draws it on a canvas of `css` CSS px exporting `pixels` px."""
    twin = copy.copy(drawing)
    scale = css / drawing.css
    twin.strokes = [s * scale for s in drawing.strokes]
    twin.css, twin.dpr = css, PAGE_EXPORT_SIDE / css
    twin.look, twin.brush = "dark", css * PAGE_BRUSH
    return twin


def drive_page(browser, url, drawings, steps=1, timeout=30_000):
    """Draw each drawing on the page with the mouse; returns one dict per drawing with what the
    page shows (shown_on_page), its status line and the canvas's CSS width and pixel width.
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
            result = {
                "id": drawing.id,
                "shown": None,
                "css": box["width"],
                "pixels": canvas.evaluate("(c) => c.width"),
            }
            results.append(result)
            # Busy is set at pointerup and cleared only after the answer for the last stroke.
            try:
                expect(answer_region).to_have_attribute("aria-busy", "false", timeout=timeout)
            except AssertionError:  # counted as a disagreement; the next drawing goes on
                result["error"] = "no answer in time"
                continue
            result["shown"] = shown_on_page(page)
            result["status"] = page.get_by_test_id("status").text_content().strip()
        context.close()
    order = {d.id: i for i, d in enumerate(drawings)}
    return sorted(results, key=lambda r: order[r["id"]])


def shown_on_page(page):
    """The answer the page shows, as benchmarks/drawn/shown.py's `shown` gives it: the number
    when one is shown, else the digit, else "4 or 9?" when it says it is not sure, else None
    ("not a digit")."""
    number = page.get_by_test_id("number")
    if number.is_visible() and number.text_content().strip():
        return number.text_content().strip()
    digit = page.get_by_test_id("prediction").text_content().strip()
    unsure = re.match(
        r"Not sure — an? (\d) or an? (\d)\?", page.get_by_test_id("status").text_content()
    )
    return digit or (unsure_text(*unsure.groups()) if unsure else None)
