"""The server's PNG decoding: canvas exports take libpng's fast path, to the same pixels."""

import io

import numpy as np
import pytest
from PIL import Image

from drawing import draw_digit, png_bytes
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
        assert not _is_plain_rgba_png(plain[:offset] + bytes([value]) + plain[offset + 1:])
    assert not _is_plain_rgba_png(plain[:20])


@pytest.mark.parametrize("damage", ["flipped pixel data", "cut in the pixel data"])
def test_damaged_canvas_png_is_a_bad_image(damage):
    data = png_bytes(draw_digit(DIGIT_STROKES[4]))
    idat = data.index(b"IDAT") + 4
    if damage == "flipped pixel data":
        data = data[:idat + 10] + bytes(b ^ 0xFF for b in data[idat + 10:idat + 60]) + data[idat + 60:]
    else:
        data = data[:idat + 40]
    with pytest.raises(ApiError) as error:
        open_image(data, **LIMITS)
    assert (error.value.status, error.value.code) == (400, "bad_image")
