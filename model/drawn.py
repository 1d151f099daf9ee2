"""Drawn digits for training: pen strokes redrawn with many pens, then preprocessed.

MNIST's pen is one width; people draw with thin mice lines and fat finger strokes, and write
1s with a flag and 7s with a bar. So training adds:
- MNIST *training* digits traced into strokes and redrawn with a random pen width;
- template digits in several writing styles, written by the training random stream.
Both go through reading.preprocess like everything the model sees. The benchmark's drawings
never enter: see model/strokes/__init__.py for how the two are kept apart.
"""

import numpy as np
from PIL import Image, ImageDraw

from model.strokes import rng_for
from model.strokes.templates import random_template
from reading.geometry import bounds, fit_height
from reading.preprocess import normalize_ink
from reading.trace import trace_strokes

CANVAS = 96  # px the digit is drawn at before preprocessing shrinks it to 20
PEN = (0.03, 0.32)  # pen width as a share of the digit's height, thin mouse to fat finger


def render_strokes(strokes, pen, canvas=CANVAS, longer=False):
    """Draw strokes fitted to height 1 with round caps and joins; returns ink (canvas, canvas).

    longer: fit the longer side instead (a wide shape stays whole); the pen is then a share
    of the longer side.
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


def draw_pen(draw, strokes, width):
    """Strokes in pixels drawn on a Pillow ImageDraw with a round pen `width` pixels wide."""
    for stroke in strokes:
        points = [tuple(p) for p in stroke]
        if len(points) > 1:
            draw.line(points, fill=255, width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)


def random_pen(rng):
    """A pen width (share of the height) from thin mouse lines to fat finger strokes."""
    # Log-uniform: as many thin pens as thick ones.
    return float(np.exp(rng.uniform(np.log(PEN[0]), np.log(PEN[1]))))


def redrawn_mnist(images, labels, count, seed):
    """`count` MNIST training digits traced and redrawn with random pens: (x, y)."""
    rng = rng_for("training", seed, 0)
    picks = rng.choice(len(images), size=count, replace=False)
    x = np.empty((count, 28, 28), dtype=np.float32)
    for i, index in enumerate(picks):
        strokes = trace_strokes(images[index])
        pen = random_pen(rng)  # drawn even when unused, so the stream stays the same
        # A digit too faint to trace stays as MNIST drew it.
        ink = render_strokes(strokes, pen) if strokes else images[index] / 255.0
        x[i] = normalize_ink(ink)
        if (i + 1) % 5000 == 0:
            print(f"  redrawn {i + 1:,} / {count:,} MNIST training digits", flush=True)
    return x, labels[picks].astype(np.int64)


def written_templates(count, seed):
    """`count` template digits, balanced over 0-9, written and drawn by the training stream."""
    rng = rng_for("training", seed, 1)
    x = np.empty((count, 28, 28), dtype=np.float32)
    y = np.arange(count, dtype=np.int64) % 10
    for i, digit in enumerate(y):
        _, strokes = random_template(rng, int(digit))
        x[i] = normalize_ink(render_strokes(strokes, random_pen(rng)))
    return x, y


def drawn_training_set(images, labels, traced, templates, seed):
    """Traced-and-redrawn MNIST plus template digits, shuffled together: (x, y)."""
    print(
        f"Drawing {traced:,} traced MNIST digits and {templates:,} templates with random pens...",
        flush=True,
    )
    x1, y1 = redrawn_mnist(images, labels, traced, seed)
    x2, y2 = written_templates(templates, seed)
    return np.concatenate([x1, x2]), np.concatenate([y1, y2])
