"""Drawn digits for training: pen strokes redrawn with many pens, then preprocessed.

MNIST's pen is one width; people draw with thin mice lines and fat finger strokes, and write
1s with a flag and 7s with a bar. So training adds:
- MNIST *training* digits traced into strokes and redrawn with a random pen width;
- template digits in several writing styles, written by the training random stream.
Both go through reading.preprocess like everything the model sees. The strokes and the pen
are drawings/'s, shared with the benchmark; the pens' widths are training's own. The
benchmark's drawings never enter: see drawings/streams.py for how the two are kept apart.
"""

import numpy as np

from drawings.pens import render_strokes
from drawings.streams import rng_for
from drawings.templates import random_template
from reading.preprocess import normalize_ink
from reading.trace import trace_strokes

PEN = (0.03, 0.32)  # pen width as a share of the digit's height, thin mouse to fat finger


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
