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
