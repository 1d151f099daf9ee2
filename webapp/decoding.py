"""The image of a request: its bytes from a JSON object or a form (webapp/drawing_request.py
reads the request), then the decoded image.

Everything a client can send wrong is reported as an ApiError with the contract's status:
400 unreadable, 413 too large, 415 unsupported type or format.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import logging
import re
import struct
import warnings
import zlib

import numpy as np
from flask import Request
from PIL import Image, ImageOps

from webapp.errors import ApiError

try:  # libspng decodes canvas exports in a third of Pillow's time, to the same pixels
    import pyspng
except ImportError:  # one maintainer's native wheel: without it, Pillow decodes them
    pyspng = None
    logging.getLogger(__name__).warning(
        "pyspng does not import: canvas PNGs are decoded by Pillow, to the same pixels but "
        "about 3x slower. Reinstall it with: pip install --require-hashes -r requirements.txt"
    )

# Whether canvas exports (8-bit RGBA PNGs) go to libspng; the tests turn it off for Pillow's path.
FAST_PNG = pyspng is not None

# Formats we decode, by their first bytes; Pillow is told to try these decoders only.
SUPPORTED = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
RAW_TYPES = {mime: fmt for fmt, mime in SUPPORTED.items()} | {"image/jpg": "JPEG"}
# Other images we recognise, to answer 415 ("not this format") rather than 400 ("not an image").
OTHER_FORMATS = {
    b"GIF8": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"\x00\x00\x01\x00": "ICO",
    b"<svg": "SVG",
    b"<?xml": "SVG/XML",
}
DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+)?((?:;[\w=.+-]+)*);base64,(.*)", re.S)
SUPPORTED_LIST = "PNG, JPEG or WebP"
ANIMATED_MESSAGE = "Animated images are not supported. Send a single PNG frame."


def json_payload(body: bytes, max_depth: int) -> dict:
    """The JSON object of a request body; 400 unless it is valid, shallow enough and an object."""
    try:
        payload = json.loads(body.decode("utf-8"))
        too_deep = _json_depth(payload, max_depth) > max_depth
    except UnicodeDecodeError:
        raise ApiError(400, "bad_json", "The JSON body is not valid UTF-8.") from None
    except RecursionError:  # nested deeper than Python's own limit
        too_deep = True
    except ValueError:
        raise ApiError(
            400, "bad_json", 'The body is not valid JSON. Send {"image": "<base64 PNG>"}.'
        ) from None
    if too_deep:
        raise ApiError(
            400,
            "json_too_deep",
            f'The JSON nests deeper than {max_depth} levels. Send {{"image": "<base64 PNG>"}}.',
        )
    if not isinstance(payload, dict):
        raise ApiError(
            400, "bad_json", 'The JSON body must be an object: {"image": "<base64 PNG>"}.'
        )
    return payload


def image_from_payload(payload: dict) -> bytes:
    """The image's bytes from a JSON object's "image" field."""
    if "image" not in payload:
        raise ApiError(400, "missing_image", 'The JSON object has no "image" field.')
    image = payload["image"]
    if not isinstance(image, str):
        raise ApiError(
            400,
            "bad_image_field",
            f'"image" must be a string (a data URL or base64), not {_json_type(image)}.',
        )
    return decode_base64_image(image)


def _json_depth(value, limit):
    """How deeply arrays and objects nest (a scalar is 0), level by level and at most limit + 1."""
    depth, level = 0, [value]
    while depth <= limit:
        containers = [v for v in level if isinstance(v, (dict, list))]
        if not containers:
            break
        depth += 1
        level = [item for c in containers for item in (c.values() if isinstance(c, dict) else c)]
    return depth


def _json_type(value):
    return {
        dict: "an object",
        list: "an array",
        bool: "a boolean",
        type(None): "null",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def decode_base64_image(text: str) -> bytes:
    """Bytes of a data URL (data:image/png;base64,...) or of bare base64."""
    text = text.strip()
    if text.startswith("data:"):
        match = DATA_URL.fullmatch(text)
        if not match:
            raise ApiError(
                400,
                "bad_data_url",
                "The data URL is malformed. Expected data:image/png;base64,<data>.",
            )
        mime = (match.group(1) or "").lower()
        if mime not in RAW_TYPES:
            raise ApiError(
                415,
                "unsupported_image_format",
                f"Data URLs of type {mime or 'none'} are not supported. Send {SUPPORTED_LIST}.",
            )
        text = match.group(3)
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "bad_base64", '"image" is not valid base64.') from None
    if not data:
        raise ApiError(400, "missing_image", '"image" is empty.')
    return data


def image_from_form(request: Request) -> bytes:
    """The image's bytes from a multipart form's one file field "image"."""
    files = request.files.getlist("image")
    if not files:
        raise ApiError(400, "missing_image", 'The form has no file field named "image".')
    if len(files) > 1:
        raise ApiError(400, "too_many_images", 'Send one file in the "image" field, not several.')
    data = files[0].read()
    if not data:
        raise ApiError(400, "missing_image", 'The file in the "image" field is empty.')
    return data


def sniff_format(data: bytes) -> str | None:
    """The format name from the image's first bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _is_plain_rgba_png(data):
    """8-bit RGBA, not interlaced: what every browser canvas exports.

    Those are decoded to an (H, W, 4) array, by libspng (through pyspng) when it is there, in a
    third of Pillow's time to the same pixels; every other PNG keeps Pillow's decoder and its
    mode handling.
    """
    # The IHDR chunk always comes first: bit depth at byte 24, colour type 25, interlace 28.
    return len(data) > 28 and data[12:16] == b"IHDR" and (data[24], data[25], data[28]) == (8, 6, 0)


def open_image(data: bytes, max_pixels: int, max_side: int) -> Image.Image | np.ndarray:
    """Decode the bytes, refusing oversized images before their pixels are decoded.

    Returns a PIL image, or for a canvas export (8-bit RGBA PNG) its (H, W, 4) uint8 array:
    reading.preprocess takes either, and a PIL wrapper would only be copied back out. Every PNG,
    whatever its mode and decoder, has each chunk checked against its CRC first.
    """
    fmt = sniff_format(data)
    if fmt is None:
        head = data[:64].lstrip()
        for magic, name in OTHER_FORMATS.items():
            if head.startswith(magic):
                raise ApiError(
                    415,
                    "unsupported_image_format",
                    f"{name} images are not supported. Send {SUPPORTED_LIST}.",
                )
        raise ApiError(400, "bad_image", f"The data is not a {SUPPORTED_LIST} image.")
    if fmt == "PNG":
        frames = _png_frames(data)
        if _is_plain_rgba_png(data):
            return _open_canvas_png(data, frames, max_pixels, max_side)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
            # Only the header is read so far: check the size before decoding any pixel.
            _check_size(*image.size, max_pixels, max_side)
            if getattr(image, "n_frames", 1) > 1:
                raise ApiError(415, "unsupported_image_format", ANIMATED_MESSAGE)
            image.load()
            return ImageOps.exif_transpose(image) if fmt != "PNG" else image
    except ApiError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ApiError(413, "too_large", "The image has too many pixels.") from None
    except Exception:  # noqa: BLE001  decoders raise many types for broken files; all mean 400.
        raise ApiError(400, "bad_image", f"The {fmt} image is corrupt or truncated.") from None


def _open_canvas_png(data, frames, max_pixels, max_side):
    """A canvas export's (H, W, 4) pixels, with the checks Pillow's path makes.

    Its chunks are already checked. With libspng, Pillow is not asked to read the header: the
    size is in IHDR, an animation announces itself in an acTL chunk (frames), and opening the
    file would cost a tenth of the decoding.
    """
    width, height = struct.unpack(">II", data[16:24])
    _check_size(width, height, max_pixels, max_side)
    if frames > 1:
        raise ApiError(415, "unsupported_image_format", ANIMATED_MESSAGE)
    try:
        if FAST_PNG:
            return pyspng.load(data, "RGBA")
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            return np.array(image)  # decodes: an (H, W, 4) array, as libspng's
    except Exception:  # noqa: BLE001  decoders raise RuntimeError, ValueError... for broken files
        raise ApiError(400, "bad_image", "The PNG image is corrupt or truncated.") from None


def _png_frames(data):
    """The frames a PNG announces (acTL; 1 without), once every chunk has passed its CRC check.

    One rule for every PNG: neither libspng (told to ignore CRCs) nor Pillow (which checks none
    in the pixel data) refuses a damaged chunk, and a damaged file must be a 400 however little
    of it is damaged. A few µs for a canvas export.
    """
    frames = 1
    for kind, body in _png_chunks(data):
        if kind == b"acTL" and len(body) >= 4:
            frames = struct.unpack(">I", body[:4])[0]
    return frames


def _png_chunks(data):
    """(type, data) of each chunk up to IEND, each checked against its CRC (400 if wrong)."""
    position = 8  # after the signature
    while position < len(data):
        header = data[position : position + 8]
        if len(header) < 8:
            raise ApiError(400, "bad_image", "The PNG image is truncated.")
        length, kind = struct.unpack(">I4s", header)
        end = position + 8 + length
        if (
            end + 4 > len(data)
            or zlib.crc32(data[position + 4 : end]) != struct.unpack(">I", data[end : end + 4])[0]
        ):
            raise ApiError(400, "bad_image", "The PNG image is corrupt or truncated.")
        yield kind, data[position + 8 : end]
        if kind == b"IEND":
            return
        position = end + 4


def _check_size(width, height, max_pixels, max_side):
    if width * height > max_pixels or max(width, height) > max_side:
        raise ApiError(
            413,
            "too_large",
            f"The image is {width}x{height} pixels; the limit is "
            f"{max_pixels:,} pixels and {max_side} px a side.",
        )
