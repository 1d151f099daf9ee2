"""Screenshots of right answers for the README, and the pictures of the "How it works" page.

`make screenshots` writes them into docs/screenshots and static/how; a plain test run into
tests/artifacts, so that running the suite never changes tracked files.
"""

import base64
import io
import os
from pathlib import Path

import pytest
from answers import draw_and_read
from conftest import ARTIFACTS
from PIL import Image

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", ARTIFACTS / "screenshots"))
HOW_PICTURES = Path(os.environ.get("HOW_PICTURES_DIR", ARTIFACTS / "how"))
VIEWS = {
    "desktop": {"viewport": {"width": 1280, "height": 720}},
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "has_touch": True,
        "is_mobile": True,
        "device_scale_factor": 2,
    },
}
DRAWINGS = ["digit", "number"]  # answers.py's, each shown right before its picture is taken
PREVIEW_SCALE = 6  # 28 px to 168 px, how.css's width for it
FINISHED = "disabled"  # Playwright ends CSS transitions first: bars drawn full, not growing


def saved(path):
    assert path.stat().st_size > 0, f"{path} is empty"


@pytest.mark.parametrize("drawing", DRAWINGS)
@pytest.mark.parametrize("view", VIEWS)
def test_screenshot_of_a_right_answer(new_page, view, drawing):
    page = new_page(**VIEWS[view])
    draw_and_read(page, drawing)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{view}-{drawing}.png"
    page.screenshot(path=path, full_page=True, animations=FINISHED)
    saved(path)


def test_screenshot_pictures_for_how_it_works(new_page):
    # At a phone's width, so they fit /how's column unshrunk, and sharp at twice its pixels.
    page = new_page(**VIEWS["phone"])
    draw_and_read(page, "digit")
    HOW_PICTURES.mkdir(parents=True, exist_ok=True)
    # Test ids only, so the pictures survive a rework of the page's markup.
    for name, element in [
        ("drawing", page.get_by_test_id("canvas")),
        ("bars", page.get_by_test_id("prob-0").locator("..")),
        ("status", page.get_by_test_id("status")),
    ]:
        element.screenshot(path=HOW_PICTURES / f"{name}.png", animations=FINISHED)
    # The preview's own 28x28 pixels, each blown up to a square (a screenshot would blur them).
    data_url = page.get_by_test_id("preview").evaluate("(canvas) => canvas.toDataURL()")
    pixels = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1])))
    assert pixels.size == (28, 28)
    pixels.resize((28 * PREVIEW_SCALE,) * 2, Image.NEAREST).save(HOW_PICTURES / "preview.png")
    for name in ("drawing", "bars", "status", "preview"):
        saved(HOW_PICTURES / f"{name}.png")
