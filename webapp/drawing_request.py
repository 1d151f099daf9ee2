"""Read a drawing's request once: its image's bytes, its strokes and, for a correction, its label.

Three forms, for /api/predict, /api/read and /api/feedback alike: JSON {"image", "strokes"?,
"label"?}, a multipart form (an "image" file, "strokes" and "label" fields), or the image's raw
bytes (a correction's label in ?label=). Anything a client can send wrong is an ApiError with
the contract's status and code; decoding the image and checking the strokes is done elsewhere
(webapp/decoding.py, webapp/strokes.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from flask import Request

from reading.segment import MAX_DIGITS
from webapp.decoding import (
    RAW_TYPES,
    SUPPORTED_LIST,
    image_from_form,
    image_from_payload,
    json_payload,
)
from webapp.errors import ApiError
from webapp.strokes import strokes_from_form, strokes_from_json

LABEL_HINT = (
    f"Send the digit it really was, 0 to 9, or the whole number it really was, 2 to "
    f'{MAX_DIGITS} digits, as a string such as "207"'
)
# ASCII digits only: str.isdigit() would take "²" or "٣".
TEXT_LABEL = re.compile(f"[0-9]{{1,{MAX_DIGITS}}}")
NUMBER_LABEL = re.compile(f"[0-9]{{2,{MAX_DIGITS}}}")


@dataclass(frozen=True)
class DrawingRequest:
    """What a request sent: the image's bytes, its strokes in the order drawn (None when none
    were sent or they are not read), and the label of a correction (None unless asked for)."""

    image: bytes
    strokes: list[np.ndarray] | None
    label: str | None


def read_drawing_request(
    request: Request, max_json_depth: int, labelled: bool = False
) -> DrawingRequest:
    """The drawing of a request in any of its three forms; with labelled, also its label (a
    string of digits: one for a digit, more for a whole number), which must be there. A digit's
    correction keeps no strokes, so they are read only when the label is a number's."""
    mimetype = (request.mimetype or "").lower()
    if mimetype == "application/json":
        payload = json_payload(request.get_data(cache=False), max_json_depth)
        label = _json_label(payload) if labelled else None
        image = image_from_payload(payload)
        strokes = strokes_from_json(payload) if _reads_strokes(label) else None
        return DrawingRequest(image, strokes, label)
    form = mimetype == "multipart/form-data"
    image = image_from_form(request) if form else _raw_image(request, mimetype)
    label = _text_label(request, form) if labelled else None
    strokes = strokes_from_form(request) if form and _reads_strokes(label) else None
    return DrawingRequest(image, strokes, label)


def _reads_strokes(label):
    return label is None or len(label) > 1


def _raw_image(request, mimetype):
    """The body of a request that is the image itself; 415 for any other type."""
    if mimetype in RAW_TYPES:
        data = request.get_data(cache=False)
        if not data:
            raise ApiError(400, "missing_image", "The request body is empty. Send the image bytes.")
        return data
    if mimetype.startswith("image/"):
        raise ApiError(
            415,
            "unsupported_image_format",
            f"Images of type {mimetype} are not supported. Send {SUPPORTED_LIST}.",
        )
    raise ApiError(
        415,
        "unsupported_media_type",
        f"Content-Type {mimetype or 'none'} is not supported. Use application/json, "
        "multipart/form-data or image/png.",
    )


def _json_label(payload):
    """A JSON object's label as a string of digits: an integer 0-9, or a string of 2 to 20
    digits (an integer would lose a number's leading zeros)."""
    if "label" not in payload:
        raise ApiError(400, "missing_label", f'The JSON object has no "label". {LABEL_HINT}.')
    value = payload["label"]
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= 9:
            return str(value)
        raise ApiError(
            400,
            "bad_label",
            f'"label" as a JSON integer must be a digit, 0 to 9, '
            f"not {value!r:.40}. An integer cannot keep leading zeros: send a whole "
            f'number as a string of 2 to {MAX_DIGITS} digits, such as "0207".',
        )
    if isinstance(value, str) and NUMBER_LABEL.fullmatch(value):
        return value
    raise ApiError(
        400,
        "bad_label",
        f'"label" must be an integer from 0 to 9 or a string of 2 '
        f"to {MAX_DIGITS} digits, not {value!r:.40}. {LABEL_HINT}.",
    )


def _text_label(request, form):
    """The label of a form field, or of the query (?label=3) beside raw bytes."""
    values = request.form.getlist("label") if form else request.args.getlist("label")
    if not values:
        field = "form field" if form else "query parameter (?label=3)"
        raise ApiError(400, "missing_label", f'There is no "label" {field}. {LABEL_HINT}.')
    if len(values) > 1:
        raise ApiError(400, "bad_label", f'Send one "label", not {len(values)}. {LABEL_HINT}.')
    label = values[0].strip()
    if not TEXT_LABEL.fullmatch(label):
        raise ApiError(
            400,
            "bad_label",
            f'"label" must be one digit, 0 to 9, or a whole number '
            f"of 2 to {MAX_DIGITS} digits, not {values[0]!r:.40}. {LABEL_HINT}.",
        )
    return label
