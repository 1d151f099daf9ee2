"""The server's PNG decoding: canvas exports take libspng's fast path, to the same pixels."""

import io
import struct
import zlib

import numpy as np
import pytest
from drawing import draw_digit, png_bytes
from PIL import Image
from strokes import DIGIT_STROKES

from webapp.decoding import _is_plain_rgba_png, open_image
from webapp.errors import ApiError

LIMITS = dict(max_pixels=4_000_000, max_side=4096)


def pillow_pixels(data):
    return np.asarray(Image.open(io.BytesIO(data)))


@pytest.mark.parametrize("look", ["dark", "light", "transparent"])
@pytest.mark.parametrize("size", [280, 1080])
def test_canvas_png_takes_the_fast_path_with_pillows_pixels(look, size):
    data = png_bytes(draw_digit(DIGIT_STROKES[4], size=size, look=look))
    assert _is_plain_rgba_png(data)
    pixels = open_image(data, **LIMITS)
    assert pixels.shape == (size, size, 4) and pixels.dtype == np.uint8  # RGBA
    np.testing.assert_array_equal(pixels, pillow_pixels(data))


@pytest.mark.parametrize("mode", ["RGB", "L", "LA", "P", "I;16", "1"])
def test_other_pngs_keep_pillows_decoder(mode):
    data = png_bytes(draw_digit(DIGIT_STROKES[4]).convert(mode))
    assert not _is_plain_rgba_png(data)
    image = open_image(data, **LIMITS)
    assert image.mode == Image.open(io.BytesIO(data)).mode
    np.testing.assert_array_equal(np.asarray(image), pillow_pixels(data))


def test_only_non_interlaced_rgba8_headers_take_the_fast_path():
    plain = png_bytes(draw_digit(DIGIT_STROKES[4]))
    assert _is_plain_rgba_png(plain)
    # Bytes 24, 25 and 28 of the IHDR chunk: bit depth, colour type, interlace.
    for offset, value in ((24, 16), (25, 2), (28, 1)):
        assert not _is_plain_rgba_png(plain[:offset] + bytes([value]) + plain[offset + 1 :])
    assert not _is_plain_rgba_png(plain[:20])


@pytest.mark.parametrize("damage", ["flipped pixel data", "cut in the pixel data"])
def test_damaged_canvas_png_is_a_bad_image(damage):
    data = png_bytes(draw_digit(DIGIT_STROKES[4]))
    idat = data.index(b"IDAT") + 4
    if damage == "flipped pixel data":
        data = (
            data[: idat + 10]
            + bytes(b ^ 0xFF for b in data[idat + 10 : idat + 60])
            + data[idat + 60 :]
        )
    else:
        data = data[: idat + 40]
    with pytest.raises(ApiError) as error:
        open_image(data, **LIMITS)
    assert (error.value.status, error.value.code) == (400, "bad_image")


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _chunks(data):
    """(type, data) of each chunk of a PNG, in order."""
    position, chunks = 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunks.append((kind, data[position + 8 : position + 8 + length]))
        position += 12 + length
    return chunks


def _rebuilt(data, chunks):
    return data[:8] + b"".join(_chunk(kind, body) for kind, body in chunks)


def test_pixels_split_over_several_idat_chunks_decode_whole():
    """Browsers write the pixels in several IDAT chunks; all of them are read, in order."""
    data = png_bytes(draw_digit(DIGIT_STROKES[8]))
    chunks = _chunks(data)
    idat = next(body for kind, body in chunks if kind == b"IDAT")
    thirds = [
        idat[: len(idat) // 3],
        idat[len(idat) // 3 : 2 * len(idat) // 3],
        idat[2 * len(idat) // 3 :],
    ]
    split = [c for c in chunks if c[0] != b"IDAT"]
    split[1:1] = [(b"IDAT", part) for part in thirds]  # after IHDR
    rebuilt = _rebuilt(data, split)
    assert _is_plain_rgba_png(rebuilt) and rebuilt.count(b"IDAT") == 3
    np.testing.assert_array_equal(open_image(rebuilt, **LIMITS), pillow_pixels(data))


@pytest.mark.parametrize("chunk", [b"IHDR", b"IDAT", b"tEXt"])
def test_a_wrong_crc_in_any_chunk_of_a_canvas_png_is_a_bad_image(chunk):
    """libspng is told to ignore CRCs, so the server checks them: a damaged file is a 400."""
    data = png_bytes(draw_digit(DIGIT_STROKES[4]))
    chunks = _chunks(data)
    chunks.insert(1, (b"tEXt", b"Software\0canvas"))
    good = _rebuilt(data, chunks)
    assert open_image(good, **LIMITS).shape == (280, 280, 4)
    position = good.index(chunk) - 4
    length = struct.unpack(">I", good[position : position + 4])[0]
    crc_at = position + 8 + length
    bad = good[:crc_at] + bytes(b ^ 0xFF for b in good[crc_at : crc_at + 4]) + good[crc_at + 4 :]
    with pytest.raises(ApiError) as error:
        open_image(bad, **LIMITS)
    assert (error.value.status, error.value.code) == (400, "bad_image")


def test_an_animated_canvas_png_is_refused_like_any_animation():
    """An APNG announces its frames in acTL: 415, as Pillow's path answers for other PNGs."""
    frames = [draw_digit(DIGIT_STROKES[7]), draw_digit(DIGIT_STROKES[1])]
    data = png_bytes(frames[0], save_all=True, append_images=frames[1:])
    assert _is_plain_rgba_png(data) and b"acTL" in data
    with pytest.raises(ApiError) as error:
        open_image(data, **LIMITS)
    assert (error.value.status, error.value.code) == (415, "unsupported_image_format")


def test_a_canvas_png_too_large_is_refused_before_decoding():
    data = png_bytes(draw_digit(DIGIT_STROKES[4], size=1080))
    with pytest.raises(ApiError) as error:
        open_image(data, max_pixels=1000 * 1000, max_side=4096)
    assert (error.value.status, error.value.code) == (413, "too_large")
    with pytest.raises(ApiError) as error:
        open_image(data, max_pixels=4_000_000, max_side=1000)
    assert error.value.status == 413


# Adam7: (first row, first column, row step, column step) of each of the seven passes.
ADAM7 = [
    (0, 0, 8, 8),
    (0, 4, 8, 8),
    (4, 0, 8, 4),
    (0, 2, 4, 4),
    (2, 0, 4, 2),
    (0, 1, 2, 2),
    (1, 0, 2, 1),
]
COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type (grey, grey+alpha, RGB, RGBA)


def encoded_png(pixels, interlaced=False):
    """A PNG of an (H, W, C) uint8 or uint16 array, interlaced (Adam7) or not; Pillow writes
    neither interlaced nor 16-bit colour PNGs."""
    height, width, channels = pixels.shape
    depth = 16 if pixels.dtype == np.uint16 else 8
    big_endian = pixels.astype(">u2" if depth == 16 else "u1")
    passes = ADAM7 if interlaced else [(0, 0, 1, 1)]
    raw = b"".join(
        b"\0" + row.tobytes()  # filter type 0 (None) before each row
        for top, left, dy, dx in passes
        if top < height and left < width
        for row in big_endian[top::dy, left::dx]
    )
    header = struct.pack(
        ">IIBBBBB", width, height, depth, COLOUR_TYPES[channels], 0, 0, int(interlaced)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )


def _drawn(mode, look="dark"):
    return png_bytes(draw_digit(DIGIT_STROKES[5], size=96, look=look).convert(mode))


def _array(channels, dtype):
    """A 45x37 drawing (odd sides: Adam7's short passes) with a gradient in each channel."""
    rgba = np.asarray(draw_digit(DIGIT_STROKES[2], size=45, look="transparent"))[:, :37]
    pixels = rgba[..., :channels].astype(dtype)
    if dtype == np.uint16:
        pixels = pixels * 257 + np.arange(37, dtype=np.uint16)[:, None]  # low bytes that differ
    return pixels


PNG_KINDS = {
    "canvas RGBA": lambda: _drawn("RGBA"),
    "canvas RGBA, transparent": lambda: _drawn("RGBA", look="transparent"),
    "RGB": lambda: _drawn("RGB"),
    "grey": lambda: _drawn("L"),
    "grey with alpha": lambda: png_bytes(
        draw_digit(DIGIT_STROKES[5], size=96, look="transparent").convert("LA")
    ),
    "palette": lambda: _drawn("P"),
    "palette with transparency": lambda: png_bytes(
        draw_digit(DIGIT_STROKES[5], size=96).convert("P"), transparency=0
    ),
    "1-bit": lambda: _drawn("1"),
    "16-bit grey": lambda: _drawn("I;16"),
    "16-bit RGB": lambda: encoded_png(_array(3, np.uint16)),
    "16-bit RGBA": lambda: encoded_png(_array(4, np.uint16)),
    "interlaced RGBA": lambda: encoded_png(_array(4, np.uint8), interlaced=True),
    "interlaced grey": lambda: encoded_png(_array(1, np.uint8), interlaced=True),
    "interlaced 16-bit RGBA": lambda: encoded_png(_array(4, np.uint16), interlaced=True),
}


@pytest.fixture(params=["libspng", "Pillow"])
def decoder(request, monkeypatch):
    """Each test runs with libspng's fast path, then as if pyspng were not installed."""
    import webapp.decoding

    if request.param == "Pillow":
        monkeypatch.setattr(webapp.decoding, "FAST_PNG", False)
        monkeypatch.setattr(webapp.decoding, "pyspng", None)  # any use of it would fail
    else:
        assert webapp.decoding.FAST_PNG, "pyspng is installed with the serving set"
    return request.param


def _decoded(data, fast):
    import webapp.decoding

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(webapp.decoding, "FAST_PNG", fast)
        return open_image(data, **LIMITS)


@pytest.mark.parametrize("kind", PNG_KINDS)
def test_either_decoder_gives_every_png_the_same_pixels(kind):
    """pyspng is optional: without it, Pillow decodes each PNG to the very same pixels."""
    from reading.preprocess import preprocess_image

    data = PNG_KINDS[kind]()
    fast, fallback = _decoded(data, fast=True), _decoded(data, fast=False)
    assert type(fast) is type(fallback)
    fast_pixels, fallback_pixels = np.asarray(fast), np.asarray(fallback)
    assert fast_pixels.dtype == fallback_pixels.dtype
    np.testing.assert_array_equal(fast_pixels, fallback_pixels)
    np.testing.assert_array_equal(fast_pixels, pillow_pixels(data))  # the file's own pixels
    if isinstance(fast, np.ndarray):  # a canvas export: two decoders, one reading
        np.testing.assert_array_equal(preprocess_image(fast), preprocess_image(fallback))


def test_the_fallback_gives_a_canvas_export_as_an_array_too(decoder):
    """Callers never see which decoder ran: a canvas export is an (H, W, 4) uint8 array."""
    pixels = open_image(_drawn("RGBA"), **LIMITS)
    assert isinstance(pixels, np.ndarray)
    assert pixels.shape == (96, 96, 4) and pixels.dtype == np.uint8


def _with_bad_crc(data, chunk):
    position = data.index(chunk) - 4
    length = struct.unpack(">I", data[position : position + 4])[0]
    crc_at = position + 8 + length
    return data[:crc_at] + bytes(b ^ 0xFF for b in data[crc_at : crc_at + 4]) + data[crc_at + 4 :]


@pytest.mark.parametrize("chunk", [b"IDAT", b"IEND"])
@pytest.mark.parametrize("kind", PNG_KINDS)
def test_a_wrong_crc_is_a_bad_image_in_every_png_mode(kind, chunk, decoder):
    """One rule for every PNG, whatever its mode and decoder: a damaged chunk is a 400."""
    data = PNG_KINDS[kind]()
    open_image(data, **LIMITS)  # whole, it decodes
    with pytest.raises(ApiError) as error:
        open_image(_with_bad_crc(data, chunk), **LIMITS)
    assert (error.value.status, error.value.code) == (400, "bad_image")
    assert "corrupt" in error.value.message


@pytest.mark.parametrize("kind", ["canvas RGBA", "RGB", "grey"])
def test_a_wrong_idat_crc_is_the_same_400_through_the_api(client, kind):
    response = client.post(
        "/api/predict", data=_with_bad_crc(PNG_KINDS[kind](), b"IDAT"), content_type="image/png"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_image"


BLOCKED_PYSPNG = """
import logging, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stdout)
sys.modules["pyspng"] = None  # import pyspng now raises ImportError, as a broken install would
from webapp import decoding
pixels = decoding.open_image(open(sys.argv[1], "rb").read(), 4_000_000, 4096)
print("fast:", decoding.FAST_PNG, "shape:", pixels.shape, "sum:", int(pixels.sum()))
"""


def test_the_server_starts_and_decodes_without_pyspng(tmp_path):
    import subprocess
    import sys

    data = _drawn("RGBA")
    (tmp_path / "five.png").write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED_PYSPNG, str(tmp_path / "five.png")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "pyspng does not import" in result.stdout  # the log says what is lost and the fix
    expected = pillow_pixels(data)
    assert f"fast: False shape: {expected.shape} sum: {int(expected.sum())}" in result.stdout
