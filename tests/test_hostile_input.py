"""Hostile and odd input to POST /api/predict: each kind gets its status and error code.

Together with BAD_REQUESTS in test_api.py these are the kinds of bad request the server must
answer in the contract's shape, never with a 5xx.
"""

import base64
import functools
import gzip
import io
import struct
import zlib

import numpy as np
import pytest
from drawing import draw_digit, png_bytes
from PIL import Image, ImageFile
from strokes import DIGIT_STROKES
from test_api import BAD_REQUESTS, SEVEN, assert_contract_answer, assert_error

from webapp import create_app

SEVEN_IMAGE = draw_digit(DIGIT_STROKES[7])
SEVEN_JPEG = png_bytes(SEVEN_IMAGE.convert("RGB"), "JPEG")
SEVEN_WEBP = png_bytes(SEVEN_IMAGE.convert("RGB"), "WEBP")
ONE_IMAGE = draw_digit(DIGIT_STROKES[1])
ORIENTATION = 0x0112  # the EXIF tag


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def png_bomb(width=20_000, height=20_000):
    """A 1-bit PNG that claims width x height pixels in a few tens of KB (all zeros)."""
    rows = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)
    data = b"".join(rows.compress(row) for _ in range(height)) + rows.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width, height):
    """SEVEN_JPEG with its frame header (SOF0) rewritten to claim width x height."""
    start = SEVEN_JPEG.index(b"\xff\xc0") + 5  # marker, length (2), precision (1)
    return SEVEN_JPEG[:start] + struct.pack(">HH", height, width) + SEVEN_JPEG[start + 4 :]


def animated(fmt):
    frames = [SEVEN_IMAGE.convert("RGB"), ONE_IMAGE.convert("RGB")]
    return png_bytes(frames[0], fmt, save_all=True, append_images=frames[1:])


def exif_rotated(fmt, orientation=6):
    """The seven stored sideways, with the EXIF tag that says how to turn it upright."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    stored = SEVEN_IMAGE.convert("RGB").transpose(Image.Transpose.ROTATE_90)
    return png_bytes(stored, fmt, exif=exif)


def sixteen_bit():
    gray = np.asarray(SEVEN_IMAGE.convert("L"), dtype=np.uint16) * 257
    return png_bytes(Image.fromarray(gray))


def data_url(mime, data=SEVEN):
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def multipart(*parts, boundary="b0undary"):
    """A hand-made multipart body, for the malformed ones the test client will not build."""
    body = b"".join(f"--{boundary}\r\n".encode() + part + b"\r\n" for part in parts)
    return body + f"--{boundary}--\r\n".encode()


def file_part(data, name="image", filename="seven.png"):
    head = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
    return head.encode() + b"Content-Type: image/png\r\n\r\n" + data


def raw(data, mime="image/png", **kwargs):
    return dict(data=data, content_type=mime, **kwargs)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><path d="M1 1h9"/></svg>'
MULTIPART = "multipart/form-data; boundary=b0undary"

HOSTILE_REQUESTS = [
    # (name, request kwargs, status, code)
    ("truncated jpeg", raw(SEVEN_JPEG[: len(SEVEN_JPEG) // 2]), 400, "bad_image"),
    ("jpeg header only", raw(SEVEN_JPEG[:200], "image/jpeg"), 400, "bad_image"),
    ("corrupt jpeg", raw(SEVEN_JPEG[:4] + bytes(range(256)) * 8, "image/jpeg"), 400, "bad_image"),
    ("truncated webp", raw(SEVEN_WEBP[: len(SEVEN_WEBP) // 2], "image/webp"), 400, "bad_image"),
    ("corrupt webp", raw(SEVEN_WEBP[:20] + b"\x55" * 400, "image/webp"), 400, "bad_image"),
    ("png with a bad checksum", raw(SEVEN[:29] + b"\0\0\0\0" + SEVEN[33:]), 400, "bad_image"),
    ("png signature only", raw(SEVEN[:8]), 400, "bad_image"),
    ("animated gif", raw(animated("GIF"), "image/gif"), 415, "unsupported_image_format"),
    ("animated gif as png", raw(animated("GIF")), 415, "unsupported_image_format"),
    ("animated png", raw(animated("PNG")), 415, "unsupported_image_format"),
    ("animated webp", raw(animated("WEBP"), "image/webp"), 415, "unsupported_image_format"),
    ("svg", raw(SVG, "image/svg+xml"), 415, "unsupported_image_format"),
    ("svg as png", raw(SVG), 415, "unsupported_image_format"),
    (
        "svg data url",
        dict(json={"image": data_url("image/svg+xml", SVG)}),
        415,
        "unsupported_image_format",
    ),
    ("tiff", raw(png_bytes(SEVEN_IMAGE, "TIFF")), 415, "unsupported_image_format"),
    ("ico", raw(png_bytes(SEVEN_IMAGE.resize((64, 64)), "ICO")), 415, "unsupported_image_format"),
    (
        "bmp data url",
        dict(json={"image": data_url("image/bmp", png_bytes(SEVEN_IMAGE, "BMP"))}),
        415,
        "unsupported_image_format",
    ),
    ("1x1 image", raw(png_bytes(Image.new("L", (1, 1), 0))), 422, "empty_drawing"),
    ("1x1 transparent image", raw(png_bytes(Image.new("RGBA", (1, 1)))), 422, "empty_drawing"),
    ("10000x1 image", raw(png_bytes(Image.new("L", (10_000, 1), 255))), 413, "too_large"),
    ("1x10000 image", raw(png_bytes(Image.new("L", (1, 10_000), 255))), 413, "too_large"),
    ("20000x20000 png bomb", raw(png_bomb()), 413, "too_large"),
    (
        "jpeg claiming 60000x60000",
        raw(jpeg_claiming(60_000, 60_000), "image/jpeg"),
        413,
        "too_large",
    ),
    (
        "all-white jpeg",
        raw(png_bytes(Image.new("RGB", (280, 280), "white"), "JPEG")),
        422,
        "empty_drawing",
    ),
    (
        "transparent white",
        raw(png_bytes(Image.new("RGBA", (280, 280), (255, 255, 255, 0)))),
        422,
        "empty_drawing",
    ),
    ("json string", dict(json="data:image/png;base64,AAAA"), 400, "bad_json"),
    ("json null", dict(data=b"null", content_type="application/json"), 400, "bad_json"),
    ("json number", dict(data=b"7", content_type="application/json"), 400, "bad_json"),
    ("json with a bom", raw(b'\xef\xbb\xbf{"image": "AAAA"}', "application/json"), 400, "bad_json"),
    (
        "json in utf-16",
        raw('{"image": "AAAA"}'.encode("utf-16"), "application/json"),
        400,
        "bad_json",
    ),
    ("json latin-1", raw('{"image": "é"}'.encode("latin-1"), "application/json"), 400, "bad_json"),
    (
        "json nested too deep",
        dict(json={"image": "AAAA", "x": [[[[[[[[[]]]]]]]]]}),
        400,
        "json_too_deep",
    ),
    (
        "json nested 100000 deep",
        raw(b"[" * 100_000 + b"]" * 100_000, "application/json"),
        400,
        "json_too_deep",
    ),
    ("image is an array", dict(json={"image": [SEVEN.hex()]}), 400, "bad_image_field"),
    ("image is an object", dict(json={"image": {"data": "AAAA"}}), 400, "bad_image_field"),
    ("image is a boolean", dict(json={"image": True}), 400, "bad_image_field"),
    ("image is NaN", raw(b'{"image": NaN}', "application/json"), 400, "bad_image_field"),
    ("base64url alphabet", dict(json={"image": "-_-_"}), 400, "bad_base64"),
    ("base64 not ascii", dict(json={"image": "ÿÿÿÿ"}), 400, "bad_base64"),
    ("base64 with a nul", dict(json={"image": "AA\0A"}), 400, "bad_base64"),
    ("data url without mime", dict(json={"image": data_url("")}), 415, "unsupported_image_format"),
    (
        "data url octet-stream",
        dict(json={"image": data_url("application/octet-stream")}),
        415,
        "unsupported_image_format",
    ),
    ("data url bad base64", dict(json={"image": "data:image/png;base64,%%%"}), 400, "bad_base64"),
    (
        "data url of a gif",
        dict(json={"image": data_url("image/png", animated("GIF"))}),
        415,
        "unsupported_image_format",
    ),
    (
        "multipart image as text field",
        dict(data={"image": "iVBORw0KGgo="}, content_type="multipart/form-data"),
        400,
        "missing_image",
    ),
    (
        "multipart other file name",
        dict(data={"file": (io.BytesIO(SEVEN), "a.png")}),
        400,
        "missing_image",
    ),
    (
        "multipart without boundary",
        raw(multipart(file_part(SEVEN)), "multipart/form-data"),
        400,
        "missing_image",
    ),
    (
        "multipart cut short",
        raw(multipart(file_part(SEVEN))[:300], MULTIPART),
        400,
        "missing_image",
    ),
    (
        "multipart too many parts",
        raw(
            multipart(
                *[
                    f'Content-Disposition: form-data; name="f{i}"\r\n\r\nx'.encode()
                    for i in range(100)
                ],
                file_part(SEVEN),
            ),
            MULTIPART,
        ),
        413,
        "too_large",
    ),
    (
        "multipart corrupt file",
        dict(data={"image": (io.BytesIO(SEVEN[:100]), "a.png")}),
        400,
        "bad_image",
    ),
    (
        "form urlencoded",
        raw(b"image=AAAA", "application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    ),
    ("octet-stream", raw(SEVEN, "application/octet-stream"), 415, "unsupported_media_type"),
    ("malformed content type", raw(SEVEN, "image"), 415, "unsupported_media_type"),
    ("tiff content type", raw(SEVEN, "image/tiff"), 415, "unsupported_image_format"),
    (
        "gzip-encoded body",
        raw(gzip.compress(SEVEN), headers={"Content-Encoding": "gzip"}),
        400,
        "bad_image",
    ),
    ("utf-16 text as png", raw("ein Bild, ganz ohne Pixel".encode("utf-16")), 400, "bad_image"),
]


# Werkzeug's multipart parser drops (without closing) the spooled file of a part cut short;
# garbage collection closes it at once, but Python warns about the implicit close.
DROPPED_FILE = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.mark.parametrize(
    "kwargs,status,code",
    [
        pytest.param(*b[1:], id=b[0], marks=[DROPPED_FILE] if b[0] == "multipart cut short" else [])
        for b in HOSTILE_REQUESTS
    ],
)
def test_predict_hostile_requests_get_the_contract_error(client, kwargs, status, code):
    assert_error(client.post("/api/predict", **kwargs), status, code)


WRONG_ROUTES = [
    # (name, method, path, status, code)
    ("put on predict", "PUT", "/api/predict", 405, "method_not_allowed"),
    ("delete on predict", "DELETE", "/api/predict", 405, "method_not_allowed"),
    ("post on health", "POST", "/api/health", 405, "method_not_allowed"),
    ("post on openapi", "POST", "/api/openapi.json", 405, "method_not_allowed"),
    ("post on unknown path", "POST", "/api/classify", 404, "not_found"),
    ("trailing slash", "POST", "/api/predict/", 404, "not_found"),
    ("api root", "GET", "/api", 404, "not_found"),
    ("non-utf-8 path", "GET", "/api/%ff%fe", 404, "not_found"),
    ("path traversal", "GET", "/api/../../etc/passwd", 404, "not_found"),
]


@pytest.mark.parametrize(
    "method,path,status,code", [w[1:] for w in WRONG_ROUTES], ids=[w[0] for w in WRONG_ROUTES]
)
def test_api_wrong_routes_are_json_errors(client, method, path, status, code):
    response = client.open(path, method=method, data=SEVEN, content_type="image/png")
    assert_error(response, status, code)
    if status == 405:
        assert "Allow" in response.headers


def test_predict_kinds_of_bad_request_are_at_least_forty():
    names = [b[0] for b in BAD_REQUESTS + HOSTILE_REQUESTS] + [w[0] for w in WRONG_ROUTES]
    assert len(set(names)) == len(names) >= 40


def test_predict_head_is_405_without_body(client):
    response = client.head("/api/predict")
    assert response.status_code == 405 and response.data == b""


# Odd but valid input: these must succeed.
ODD_BUT_VALID = [
    ("16-bit png", raw(sixteen_bit())),
    ("palette png", raw(png_bytes(SEVEN_IMAGE.convert("RGB").convert("P")))),
    (
        "palette png with transparency",
        raw(png_bytes(draw_digit(DIGIT_STROKES[7], look="transparent").quantize(colors=16))),
    ),
    ("1-bit png", raw(png_bytes(SEVEN_IMAGE.convert("L").point(lambda v: 255 * (v > 128), "1")))),
    (
        "gray and alpha png",
        raw(png_bytes(draw_digit(DIGIT_STROKES[7], look="transparent").convert("LA"))),
    ),
    ("cmyk jpeg", raw(png_bytes(SEVEN_IMAGE.convert("CMYK"), "JPEG"), "image/jpeg")),
    ("grayscale jpeg", raw(png_bytes(SEVEN_IMAGE.convert("L"), "JPEG"), "image/jpg")),
    (
        "progressive jpeg",
        raw(png_bytes(SEVEN_IMAGE.convert("RGB"), "JPEG", progressive=True), "image/jpeg"),
    ),
    (
        "lossless webp with alpha",
        raw(
            png_bytes(draw_digit(DIGIT_STROKES[7], look="transparent"), "WEBP", lossless=True),
            "image/webp",
        ),
    ),
    ("exif-rotated jpeg", raw(exif_rotated("JPEG"), "image/jpeg")),
    ("exif-rotated webp", raw(exif_rotated("WEBP"), "image/webp")),
    ("jpeg sent as image/png", raw(SEVEN_JPEG)),
    ("content type in capitals with charset", raw(SEVEN, "IMAGE/PNG; charset=binary")),
    ("data url with parameters", dict(json={"image": data_url("image/png;name=seven.png")})),
    ("base64 with line breaks", dict(json={"image": base64.encodebytes(SEVEN).decode()})),
    ("extra json fields", dict(json={"image": data_url("image/png"), "note": ["x"] * 3})),
    ("hostile file name", dict(data={"image": (io.BytesIO(SEVEN), "../../etc/passwd\0.png")})),
    ("png with trailing junk", raw(SEVEN + b"\0junk" * 100)),
    ("very long query string", dict(query_string="q=" + "x" * 100_000, **raw(SEVEN))),
    ("very long header", raw(SEVEN, headers={"X-Padding": "x" * 100_000})),
    (
        "2000x2000 drawing (the pixel limit)",
        raw(png_bytes(draw_digit(DIGIT_STROKES[7], size=2000))),
    ),
]


@pytest.mark.parametrize("kwargs", [v[1] for v in ODD_BUT_VALID], ids=[v[0] for v in ODD_BUT_VALID])
def test_predict_odd_but_valid_images_succeed(client, kwargs):
    response = client.post("/api/predict", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert_contract_answer(response.get_json(), 7)


@pytest.mark.parametrize("fmt,mime", [("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_predict_turns_exif_rotated_images_upright_first(client, fmt, mime):
    upright = client.post(
        "/api/predict", data=png_bytes(SEVEN_IMAGE.convert("RGB"), fmt), content_type=mime
    ).get_json()
    rotated = client.post("/api/predict", data=exif_rotated(fmt), content_type=mime).get_json()
    sideways = client.post(
        "/api/predict", data=exif_rotated(fmt, orientation=1), content_type=mime
    ).get_json()
    assert rotated["digit"] == upright["digit"] == 7

    def distance(a, b):
        return float(np.abs(np.array(a["input"]) - np.array(b["input"])).mean())

    # The model saw the upright seven, not the stored sideways one.
    assert distance(rotated, upright) < 0.02 < distance(sideways, upright)


def test_predict_refuses_a_bomb_before_decoding_it(client, monkeypatch):
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    assert_error(
        client.post("/api/predict", data=png_bomb(), content_type="image/png"), 413, "too_large"
    )
    assert decoded == []


def test_predict_pillow_bomb_protection_is_on_and_413():
    assert Image.MAX_IMAGE_PIXELS is not None
    # Our own limits off: Pillow's decompression-bomb check must still refuse it, with a 413.
    app = create_app({"TESTING": True, "MAX_IMAGE_PIXELS": 10**12, "MAX_IMAGE_SIDE": 10**6})
    response = app.test_client().post("/api/predict", data=png_bomb(), content_type="image/png")
    assert_error(response, 413, "too_large")


@pytest.mark.parametrize(
    "setting,value,kwargs",
    [
        ("MAX_CONTENT_LENGTH", 1000, raw(SEVEN)),
        ("MAX_IMAGE_PIXELS", 100 * 100, raw(SEVEN)),
        ("MAX_IMAGE_SIDE", 100, raw(SEVEN)),
        ("MAX_JSON_DEPTH", 0, dict(json={"image": data_url("image/png")})),
    ],
)
def test_predict_limits_are_configurable(setting, value, kwargs):
    app = create_app({"TESTING": True, setting: value})
    response = app.test_client().post("/api/predict", **kwargs)
    assert_error(
        response,
        400 if setting == "MAX_JSON_DEPTH" else 413,
        "json_too_deep" if setting == "MAX_JSON_DEPTH" else "too_large",
    )


def test_predict_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DIGITS_MAX_IMAGE_SIDE", "100")
    monkeypatch.setenv("DIGITS_MAX_CONTENT_LENGTH", "50000")
    app = create_app({"TESTING": True})
    assert (app.config["MAX_IMAGE_SIDE"], app.config["MAX_CONTENT_LENGTH"]) == (100, 50000)
    assert_error(app.test_client().post("/api/predict", **raw(SEVEN)), 413, "too_large")
