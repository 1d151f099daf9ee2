"""The number model: reads a whole written line of digits at once (CTC), no cutting needed.

Cutting a number into digits fails where neighbours touch or overlap: their strokes cross, and
no cut gives each digit its own ink. A network that looks along the whole line does not need
the cut: a small CNN turns the line (reading.preprocess.normalize_line, 32 px high) into one
column of features every STRIDE px, and each column into the chance of each digit, of
"no digit here" (the blank) or of "not a digit" ("?"). Trained with CTC (connectionist
temporal classification) on numbers written from *training* strokes (MNIST training digits
traced and template digits; no font glyph: fonts are the benchmark's), some with the not-digit model's
training non-digits among them, it learns where digits are without being told. The number
reader (reading/search.py) uses it to choose among its ways of cutting the ink.
"""

import numpy as np
from PIL import Image, ImageDraw

from drawings.numbers import write_number
from drawings.pens import draw_pen
from drawings.streams import rng_for
from model.notdigit import random_non_digit
from model.onedigit import digit_strokes, place_number
from reading.ctc import CLASSES
from reading.preprocess import normalize_line

# Alias of the table's path (reading/models.py) for the trainer that imports it.
LENGTHS = (1, 9)  # digits per written line, both included
SPACING = (-0.2, 0.45)  # between neighbours' boxes, share of the height: overlapping to apart
# A writer keeps to a habit: most lines' gaps stay within HABIT of one spacing drawn for the
# line, so whole lines come tightly packed or overlapping, as the benchmark writes them, and
# not only single gaps among looser ones. The other lines draw each gap anew.
HABIT = 0.05
HABIT_LINES = 0.75
# Lines that hold non-digits (letters, scribbles, shapes: the not-digit model's training
# kinds), and the share of such a line's symbols that are one. Taught "?", the model does not
# read a scribble as digits, so the reader can trust it where it reads only digits
# (reading/search.py).
NON_DIGIT_LINES = 0.2
NON_DIGIT_SHARE = 0.35
# A thin 1 beside another 1 or inside a neighbour's box leaves few columns for CTC's "1,
# blank, 1", and is what the number model most often loses. With `ones` (train_number
# --ones) that share of lines makes each digit a 1 with ONE_CHANCE, for runs of 1s among
# neighbours of every kind.
ONE_CHANCE = 0.4


def draw_line(per_digit, rng):
    """A written number drawn with one random pen on a 280 or 1080 px canvas: ink (H, W)."""
    side, placed, width = place_number(per_digit, rng)
    image = Image.new("L", (side, side), 0)
    draw_pen(ImageDraw.Draw(image), [s for strokes in placed for s in strokes], width)
    return np.asarray(image, dtype=np.float32) / 255.0


def line_spacing(rng):
    """(low, high) for this line's gaps: near one habit (HABIT_LINES of lines), else anything
    in SPACING."""
    if rng.random() >= HABIT_LINES:
        return SPACING
    centre = rng.uniform(*SPACING)
    return centre - HABIT, centre + HABIT


def line_symbols(length, images, labels, rng, ones=0.0):
    """What one written line holds: [(text, strokes)], a digit's text its digit and a
    non-digit's "?"; NON_DIGIT_LINES of the lines hold at least one non-digit, and `ones` of
    them many 1s."""
    others = np.zeros(length, dtype=bool)
    if rng.random() < NON_DIGIT_LINES:
        others = rng.random(length) < NON_DIGIT_SHARE
        others[rng.integers(length)] = True
    # Drawn only when asked for, so that lines written without it stay as they were.
    many_ones = ones > 0 and rng.random() < ones
    symbols = []
    for other in others:
        if other:
            symbols.append(("?", random_non_digit(rng)[1]))
        else:
            one = many_ones and rng.random() < ONE_CHANCE
            digit, strokes = digit_strokes(images, labels, rng, 1 if one else None)
            symbols.append((str(digit), strokes))
    return symbols


def written_lines(count, images, labels, seed, part, ones=0.0):
    """`count` lines written from training strokes: ([(32, W) lines], [texts]), a text its
    digits and "?" for each non-digit; `ones` of the lines with many 1s (line_symbols)."""
    rng = rng_for("training", seed, part)
    lines, texts = [], []
    for i in range(count):
        length = int(rng.integers(LENGTHS[0], LENGTHS[1] + 1))
        symbols = line_symbols(length, images, labels, rng, ones)
        placed = write_number([s for _, s in symbols], rng, line_spacing(rng))
        lines.append(normalize_line(draw_line(placed, rng)))
        texts.append("".join(t for t, _ in symbols))
        if (i + 1) % 2000 == 0:
            print(f"  wrote {i + 1:,} / {count:,} lines", flush=True)
    return lines, texts


def build_number_model(dropout=0.2, width=1.0):
    """Line (32, W, 1) -> per-column logits (1, W / STRIDE, 12: 0-9, blank, not a digit);
    about 40 M multiply-adds for a 200 px line. width scales the filters of the layers after
    the first two (train_number --width): more room for what a digit among neighbours
    looks like, at about width squared times their cost."""
    import keras  # Keras only where a model is built
    from keras import layers

    def conv(x, filters, kernel=3, padding="same", dilation=1):
        x = layers.Conv2D(filters, kernel, padding=padding, dilation_rate=dilation, use_bias=False)(
            x
        )
        return layers.ReLU()(layers.BatchNormalization()(x))

    mid, wide = round(64 * width), round(128 * width)
    line = keras.Input(shape=(32, None, 1), name="line")
    x = layers.MaxPooling2D(2)(conv(line, 16))  # 16 x W/2
    x = layers.MaxPooling2D(2)(conv(x, 32))  # 8 x W/4
    x = conv(conv(x, mid), mid)
    x = layers.MaxPooling2D((2, 1))(x)  # 4 x W/4
    x = conv(x, wide, kernel=(4, 1), padding="valid")  # 1 x W/4: one column of features
    x = layers.Dropout(dropout)(x)
    x = conv(x, wide, kernel=(1, 5))  # each column sees its neighbours: a digit's width and more
    x = conv(x, wide, kernel=(1, 5))
    # Wider still: whether ink shared by overlapping neighbours is one digit or two shows in
    # both digits whole and the ones around them.
    x = conv(x, wide, kernel=(1, 3), dilation=(1, 4))
    x = layers.Dropout(dropout)(x)
    logits = layers.Conv2D(CLASSES, 1, name="logits")(x)
    return keras.Model(line, logits, name="number_model")
