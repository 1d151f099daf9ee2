"""The strokes a client may send beside a drawing: how it was drawn, stroke by stroke.

A number is written digit after digit, so the strokes in the order drawn tell which ink is
whose where neighbours overlap (reading/pieces.py's drawn_pieces). They are optional:
JSON {"image": ..., "strokes": [[[x, y], ...], ...]} or a multipart form field "strokes"
holding that array as JSON text; x and y are in the image's pixels. Anything malformed is a
400 `bad_strokes` that says what is wrong; nothing here can make the server fail.
"""

from __future__ import annotations

import json
import math

import numpy as np
from flask import Request

from webapp.errors import ApiError

MAX_STROKES = 500  # a long number is a few dozen strokes
MAX_POINTS = 20_000  # all strokes together: a 1080 px canvas's pointer events run to thousands
HINT = (
    'Send "strokes" as an array of strokes in the order drawn, each an array of [x, y] '
    "points in the image's pixels, or leave it out."
)


def strokes_from_json(payload: dict) -> list[np.ndarray] | None:
    """The strokes of a JSON request's object, or None when it has none."""
    return parse_strokes(payload["strokes"]) if "strokes" in payload else None


def strokes_from_form(request: Request) -> list[np.ndarray] | None:
    """The strokes of a multipart form's "strokes" field (JSON text), or None without one."""
    fields = request.form.getlist("strokes")
    if len(fields) > 1:
        raise ApiError(400, "bad_strokes", f'Send one "strokes" field, not several. {HINT}')
    if not fields:
        return None
    try:
        value = json.loads(fields[0])
    except (ValueError, RecursionError):
        raise ApiError(400, "bad_strokes", f'"strokes" is not valid JSON. {HINT}') from None
    return parse_strokes(value)


def parse_strokes(value: object) -> list[np.ndarray]:
    """A JSON value -> a list of (n, 2) float arrays of x, y; ApiError 400 when it is not one."""
    if not isinstance(value, list):
        raise ApiError(400, "bad_strokes", f'"strokes" must be an array. {HINT}')
    if len(value) > MAX_STROKES:
        raise ApiError(
            400, "bad_strokes", f"At most {MAX_STROKES} strokes are read, not {len(value)}. {HINT}"
        )
    strokes, points = [], 0
    for k, stroke in enumerate(value):
        if not isinstance(stroke, list) or not stroke:
            raise ApiError(
                400, "bad_strokes", f"Stroke {k} is not a non-empty array of points. {HINT}"
            )
        points += len(stroke)
        if points > MAX_POINTS:
            raise ApiError(
                400,
                "bad_strokes",
                f"At most {MAX_POINTS} points are read in all strokes together. {HINT}",
            )
        if not all(_is_point(point) for point in stroke):
            raise ApiError(
                400,
                "bad_strokes",
                f"Stroke {k} has a point that is not [x, y] with two finite numbers. {HINT}",
            )
        strokes.append(np.array(stroke, dtype=np.float64))
    return strokes


def _is_point(point):
    return (
        isinstance(point, list)
        and len(point) == 2
        and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in point
        )
    )
