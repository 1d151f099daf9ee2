"""Property-based tests: whatever arrives, /api/predict answers within the contract, never a 5xx."""

import base64
import io
import math

import numpy as np
from drawing import draw_digit, png_bytes
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from strokes import DIGIT_STROKES
from verdicts import assert_agrees_with_its_verdict

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ERROR_STATUSES = {400, 413, 415, 422}
SEEDS = [
    png_bytes(draw_digit(DIGIT_STROKES[d], size=56, look=look), fmt)
    for d, look, fmt in [(7, "dark", "PNG"), (3, "transparent", "PNG"), (1, "light", "PNG")]
]
SEEDS += [
    png_bytes(draw_digit(DIGIT_STROKES[5], size=56).convert("RGB"), fmt) for fmt in ("JPEG", "WEBP")
]


def assert_within_contract(response):
    """200 with the contract's fields, or an error body of exactly the contract's shape."""
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 200:
        assert_agrees_with_its_verdict(body)
        assert len(body["probabilities"]) == 10
        assert math.isclose(sum(body["probabilities"]), 1.0, abs_tol=1e-3)
        assert body["confidence"] == max(body["probabilities"])
        assert len(body["input"]) == 28 and all(len(row) == 28 for row in body["input"])
        assert all(0.0 <= v <= 1.0 for row in body["input"] for v in row)
    else:
        assert response.status_code in ERROR_STATUSES
        assert list(body) == ["error"] and sorted(body["error"]) == ["code", "message"]
        assert all(isinstance(v, str) and v for v in body["error"].values())
    event(f"HTTP {response.status_code}")  # see the mix with --hypothesis-show-statistics
    return response.status_code


@st.composite
def mutated_images(draw):
    """A valid drawing with a few bytes overwritten, inserted or cut off."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        how = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if how == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif how == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif at > 8:
            del data[at:]
        if len(data) < 2:
            break
    return bytes(data)


image_bytes = st.one_of(st.binary(max_size=2048), mutated_images())
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@SETTINGS
@given(data=image_bytes, mime=st.sampled_from(["image/png", "image/jpeg", "image/webp"]))
def test_predict_any_raw_bytes_stay_within_contract(app, data, mime):
    assert_within_contract(app.test_client().post("/api/predict", data=data, content_type=mime))


@SETTINGS
@given(body=st.binary(max_size=2048) | st.text().map(str.encode))
def test_predict_any_json_body_stays_within_contract(app, body):
    response = app.test_client().post("/api/predict", data=body, content_type="application/json")
    assert assert_within_contract(response) != 200


@SETTINGS
@given(data=image_bytes, data_url=st.booleans(), mime=st.sampled_from(["image/png", "image/gif"]))
def test_predict_any_base64_in_json_stays_within_contract(app, data, data_url, mime):
    text = base64.b64encode(data).decode()
    image = f"data:{mime};base64,{text}" if data_url else text
    assert_within_contract(app.test_client().post("/api/predict", json={"image": image}))


@SETTINGS
@given(
    data=image_bytes,
    filename=st.text(max_size=40),
    extra=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=3),
)
def test_predict_any_multipart_file_stays_within_contract(app, data, filename, extra):
    form = {**extra, "image": (io.BytesIO(data), filename)}
    response = app.test_client().post("/api/predict", data=form, content_type="multipart/form-data")
    assert_within_contract(response)


@SETTINGS
@given(value=json_values, wrap=st.booleans())
def test_predict_any_json_value_stays_within_contract(app, value, wrap):
    payload = {"image": value} if wrap else value
    response = app.test_client().post("/api/predict", json=payload)
    assert assert_within_contract(response) != 200


MODES = [
    "1",
    "L",
    "LA",
    "P",
    "PA",
    "RGB",
    "RGBA",
    "CMYK",
    "YCbCr",
    "I",
    "I;16",
    "F",
    "HSV",
    "RGBa",
    "LAB",
]
# What each format can store; other modes are converted the way an app exporting them would.
SAVE_AS = {
    "PNG": ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"),
    "JPEG": ("L", "RGB", "CMYK"),
    "WEBP": ("RGB", "RGBA"),
}


@st.composite
def random_images(draw):
    """An image of a random size, mode and content, saved in a format that keeps its mode."""
    width, height = draw(st.integers(1, 600)), draw(st.integers(1, 600))
    mode = draw(st.sampled_from(MODES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    content = draw(st.sampled_from(["flat", "noise", "lines", "digit"]))
    if content == "digit":
        image = draw_digit(
            DIGIT_STROKES[int(rng.integers(10))],
            size=max(width, height),
            look=draw(st.sampled_from(["dark", "light", "transparent"])),
        )
        image = image.resize((width, height))
    else:
        pixels = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
        if content == "flat":
            pixels[:] = pixels[0, 0]
        image = Image.fromarray(pixels, "RGBA")
        if content == "lines":
            image = Image.new("RGBA", (width, height), tuple(int(v) for v in pixels[0, 0]))
            pen = ImageDraw.Draw(image)
            for _ in range(int(rng.integers(1, 6))):
                pen.line(
                    [
                        tuple(int(v) for v in rng.integers(0, max(width, height), 2))
                        for _ in range(3)
                    ],
                    fill=tuple(int(v) for v in pixels[1 % height, 0]),
                    width=int(rng.integers(1, 30)),
                )
    image = image.convert("I").convert(mode) if mode == "I;16" else image.convert(mode)
    fmt = draw(st.sampled_from(list(SAVE_AS)))
    if image.mode not in SAVE_AS[fmt]:
        alpha = image.mode in ("LA", "PA", "RGBa") and "RGBA" in SAVE_AS[fmt]
        image = image.convert("RGBA" if alpha else "RGB")
    return png_bytes(image, fmt), f"image/{fmt.lower()}"


@SETTINGS
@given(image=random_images())
def test_predict_any_image_is_classified_or_empty(app, image):
    data, mime = image
    response = app.test_client().post("/api/predict", data=data, content_type=mime)
    assert assert_within_contract(response) in (200, 422)
