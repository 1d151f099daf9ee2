"""Drawings made with Pillow the way the page draws them, for tests and benchmarks."""

import io

from PIL import Image, ImageDraw
from skimage.measure import label

from reading.preprocess import ink_map


def draw_digit(strokes, size=280, width=None, look="dark", box=(0.0, 0.0, 1.0, 1.0)):
    """Render polylines like the page does (round caps), in one of the three looks.

    box = (left, top, right, bottom) as fractions of the canvas, where the digit goes.
    """
    width = max(1, round(width or size / 14))
    background = {
        "dark": (255, 255, 255, 255),
        "light": (0, 0, 0, 255),
        "transparent": (0, 0, 0, 0),
    }[look]
    ink = (255, 255, 255, 255) if look == "light" else (20, 20, 20, 255)
    image = Image.new("RGBA", (size, size), background)
    pen = ImageDraw.Draw(image)
    left, top, right, bottom = box
    for stroke in strokes:
        points = [
            ((left + x * (right - left)) * size, (top + y * (bottom - top)) * size)
            for x, y in stroke
        ]
        pen.line(points, fill=ink, width=width, joint="curve")
        r = width / 2
        for x, y in (points[0], points[-1]):
            pen.ellipse((x - r, y - r, x + r, y + r), fill=ink)
    return image


def png_bytes(image, fmt="PNG", **options):
    """Encode a PIL image."""
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def side_by_side(digits, strokes_of, width=0.2, height=0.4, step=None, left=0.05, tops=None):
    """Several digits' unit-square strokes placed left to right, in canvas fractions.

    Each digit fills a width x height box; boxes start `step` apart (default: width, so that
    the digits' ink does not touch) at heights `tops` (default 0.3 for all: one baseline).
    """
    step = width if step is None else step
    tops = tops or [0.3] * len(digits)
    return [
        [(left + i * step + x * width, top + y * height) for x, y in stroke]
        for i, (digit, top) in enumerate(zip(digits, tops))
        for stroke in strokes_of[digit]
    ]


def ink_of(strokes, size=280, width=4, look="dark"):
    """The ink map of strokes drawn as the page draws them."""
    return ink_map(draw_digit(strokes, size=size, width=width, look=look))


def pieces(ink):
    """Separate pieces of ink, counted by scikit-image: proves what a drawing is made of."""
    return label(ink > 0.2, connectivity=2).max()


def centres(candidates):
    """The middle x of each candidate's box."""
    return [x + w / 2 for x, _, w, _ in (c.box for c in candidates)]
