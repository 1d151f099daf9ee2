"""The "is this exactly one whole digit?" model, which tells the number reader where to cut.

Reading a number (reading/search.py) tries many ways of cutting the ink and scores each
piece by the digit model's confidence. That model was trained on single digits, so it reads two
touching digits ("33") as one 3 with confidence, and a digit cut in half as some other digit.
This small binary CNN, on the same 28x28 input, is trained on exactly those pieces: numbers are
written from *training* strokes (MNIST training digits traced, template digits, both from
`rng_for("training", ...)`), drawn one digit at a time so that every pixel's digit is known,
cut by the reader's own `possible_readings`, and each piece labelled by the ink it holds: one
whole digit (nearly all of one digit's ink, hardly any other) or not (a fragment, two digits,
a digit with a neighbour's part). Pieces in between are left out of training.
"""

import numpy as np
from PIL import Image, ImageDraw

from drawings.numbers import write_number
from drawings.pens import draw_pen
from drawings.streams import rng_for
from drawings.templates import random_template
from reading.geometry import bounds
from reading.pieces import possible_readings
from reading.preprocess import INK_THRESHOLD, normalize_ink
from reading.segment import TooManyDigits
from reading.trace import trace_strokes

# Alias of the table's path (reading/models.py) for the trainer that imports it.
LENGTHS = (2, 8)  # digits per number, both included
SPACING = (-0.15, 0.4)  # between neighbours' boxes, share of the height: overlapping to apart
# (side px, share) of the canvases: the page's 280 px and a phone's 1080 px
CANVASES = ((280, 0.7), (1080, 0.3))
PEN = (0.025, 0.25)  # pen width as a share of the digit height, log-uniform
# One whole digit: at least this share of one digit's ink, at most this share of other ink
# (a cut between touching digits leaves a little on the wrong side). Not one: less of any
# digit, or more foreign ink, than PART.
WHOLE, PART = (0.85, 0.15), (0.7, 0.3)
NEGATIVES_KEPT = 0.4  # pieces that are not one digit outnumber those that are several to 1
TEMPLATE_SHARE = 0.4  # of the digits: template digits; the rest traced MNIST training digits


def digit_strokes(images, labels, rng, digit=None):
    """One random training digit as strokes, of any digit or of `digit`: (label, unit strokes)."""
    if rng.random() < TEMPLATE_SHARE:
        digit = int(rng.integers(10)) if digit is None else digit
        return digit, random_template(rng, digit)[1]
    if digit is None:
        index = int(rng.integers(len(images)))
    else:
        index = int(rng.choice(np.flatnonzero(labels == digit)))
    strokes = trace_strokes(images[index])
    return (int(labels[index]), strokes) if strokes else digit_strokes(images, labels, rng, digit)


def place_number(per_digit, rng):
    """Where a written number lands on a square canvas of the page's or a phone's size, with
    one random pen: (canvas side, each digit's strokes in pixels, pen width in pixels)."""
    side = CANVASES[0][0] if rng.random() < CANVASES[0][1] else CANVASES[1][0]
    left, top, right, bottom = bounds([s for strokes in per_digit for s in strokes])
    relative = float(np.exp(rng.uniform(*np.log(PEN))))
    height = rng.uniform(0.2, 0.45) * side
    height = min(height, 0.95 * side / ((right - left) + relative), 0.95 * side / (bottom - top))
    width = max(1, round(relative * height))
    room = np.array([side - (right - left) * height, side - (bottom - top) * height]) - width
    offset = width / 2 + rng.uniform(0.05, 0.95, size=2) * np.maximum(room, 0)
    return (
        side,
        [[(s - (left, top)) * height + offset for s in strokes] for strokes in per_digit],
        width,
    )


def draw_number(per_digit, rng):
    """Draw a written number on a square canvas, each digit on its own layer.

    -> (ink (H, W) float32 with ink = 1, owners (n, H, W) bool: which pixels each digit inked,
    each digit's strokes in pixels).
    """
    side, placed, width = place_number(per_digit, rng)
    layers = []
    for strokes in placed:
        layer = Image.new("L", (side, side), 0)
        draw_pen(ImageDraw.Draw(layer), strokes, width)
        layers.append(np.asarray(layer))
    layers = np.stack(layers)
    return layers.max(axis=0).astype(np.float32) / 255.0, layers > INK_THRESHOLD * 255, placed


def label_pieces(candidates, owners):
    """1 for a candidate holding one whole digit, 0 for one that does not, -1 in between."""
    own = owners.sum(axis=(1, 2)).astype(np.float64)
    labels = np.empty(len(candidates), dtype=np.int8)
    for k, candidate in enumerate(candidates):
        x, y, w, h = candidate.box
        mask = candidate.ink > INK_THRESHOLD
        under = owners[:, y : y + h, x : x + w] & mask
        share = under.sum(axis=(1, 2)) / np.maximum(own, 1)
        d = int(np.argmax(share))
        foreign = 1.0 - under[d].sum() / max(int(mask.sum()), 1)
        if share[d] >= WHOLE[0] and foreign <= WHOLE[1]:
            labels[k] = 1
        elif share[d] < PART[0] or foreign > PART[1]:
            labels[k] = 0
        else:
            labels[k] = -1
    return labels


def number_pieces(count, images, labels, seed, part):
    """Pieces of `count` written numbers, labelled: (x (n, 28, 28) float32, y (n,) 0/1).

    The numbers come from `rng_for("training", seed, part)`.
    """
    rng = rng_for("training", seed, part)
    xs, ys = [], []
    for i in range(count):
        length = int(rng.integers(LENGTHS[0], LENGTHS[1] + 1))
        digits = [digit_strokes(images, labels, rng)[1] for _ in range(length)]
        ink, owners, _ = draw_number(write_number(digits, rng, SPACING), rng)
        try:
            readings = possible_readings(ink)
        except TooManyDigits:
            continue
        y = label_pieces(readings.candidates, owners)
        keep = np.flatnonzero((y == 1) | ((y == 0) & (rng.random(len(y)) < NEGATIVES_KEPT)))
        xs += [normalize_ink(readings.candidates[k].ink) for k in keep]
        ys.append(y[keep])
        if (i + 1) % 1000 == 0:
            print(f"  cut {i + 1:,} / {count:,} numbers into {len(xs):,} pieces", flush=True)
    return np.stack(xs).astype(np.float32), np.concatenate(ys).astype(np.float32)


def build_onedigit():
    """The same small yes/no CNN as the not-digit model's: tens of microseconds a piece."""
    from model.architectures import small_binary_cnn  # Keras only where a model is built

    return small_binary_cnn("onedigit")
