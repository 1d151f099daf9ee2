"""Strokes drawn onto an image with a round pen (round caps and joins), as a person's pen
leaves them: white ink on black, in Pillow."""

import numpy as np
from PIL import Image, ImageDraw

from reading.geometry import bounds, fit_height

CANVAS = 96  # px a drawing is drawn at before preprocessing shrinks it to 20


def draw_pen(draw, strokes, width):
    """Strokes in pixels drawn on a Pillow ImageDraw with a round pen `width` pixels wide."""
    for stroke in strokes:
        points = [tuple(p) for p in stroke]
        if len(points) > 1:
            draw.line(points, fill=255, width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)


def render_strokes(strokes, pen, canvas=CANVAS, longer=False):
    """Draw strokes fitted to height 1 with round caps and joins; returns ink (canvas, canvas).

    pen: the pen's width as a share of the height. longer: fit the longer side instead (a wide
    shape stays whole); the pen is then a share of the longer side.
    """
    height = canvas * 0.7
    width = max(1, round(pen * height))
    image = Image.new("L", (canvas, canvas), 0)
    draw = ImageDraw.Draw(image)
    margin = (canvas - height) / 2
    fitted = fit_height(strokes)
    if longer:
        fitted = [s / max(1.0, bounds(fitted)[2]) for s in fitted]
    draw_pen(draw, [np.asarray(s) * height + margin for s in fitted], width)
    return np.asarray(image, dtype=np.float32) / 255.0
