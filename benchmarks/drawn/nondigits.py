"""Held-out non-digits: what the not-digit model must reject, never seen in training.

- `font letters`: the letters of drawings/letters.py (no digit look-alikes) from the
  benchmark's handwriting fonts (strokes_fonts.FONT_FILES), rendered, thinned and traced.
  Fonts are for evaluation only: training writes letters from its own stroke
  templates, never from a font.
- `scribbles`: the scribble makers of drawings/shapes.py with other parameters (longer
  walks, more loops and corners, denser filling) plus kinds training never draws (hatching,
  chains of rings).
- `shapes`: training's kinds with other parameters (triangles and pentagons where training
  draws triangles and squares; stars of 4 and 6 to 8 points where training draws 5) plus
  kinds training never draws (sun, cat's face, envelope, fish, cloud, asterisk).
- `faces`: faces and smileys from the benchmark's own generator (faces.py): other heads, eyes
  and mouths than training's one smiley, with noses, ears, hair, glasses and eyebrows.
- `words`: short words of the same fonts' letters (words.py), letters set side by side.
- `doodles`: simple pictures training never draws (doodles.py): flower, tree, car, cup, ...
All written with other random-writing parameters than training's, and every random choice
from `rng_for("benchmark", seed, NON_DIGIT_STREAM + ...)`: apart from training's stream and
from the benchmark's digits and numbers.
"""

import functools

import numpy as np

from benchmarks.drawn import rng_for
from benchmarks.drawn.doodles import DOODLES
from benchmarks.drawn.faces import FACES
from benchmarks.drawn.fonts import FONT_ROOT, require_font, traced_glyph, written_evenly
from benchmarks.drawn.layout import lay_out
from benchmarks.drawn.strokes_fonts import FONT_FILES
from benchmarks.drawn.words import ALL_CAPS, font_words
from drawings.letters import NAMES
from drawings.shapes import (
    arrow,
    coil,
    fill,
    heart,
    house,
    polygon,
    random_stroke_drawing,
    rotate,
    star,
    tangle,
    walk,
    zigzag,
)
from reading.geometry import arc, distort

# A new kind goes last: each kind's place picks its stream, so the others keep their drawings.
KINDS = ("font letters", "scribbles", "shapes", "faces", "words", "doodles")
# Kinds that are one symbol: what a number may hold in place of one digit (a word is several).
SYMBOL_KINDS = tuple(kind for kind in KINDS if kind != "words")
NON_DIGIT_STREAM = 200  # first rng_for part: digits use parts below 100, numbers 100-199
# How the held-out drawings are written: wider ranges than training's geometry.distort defaults.
WRITTEN = {
    "slant": (-0.35, 0.35),
    "rotate": 10.0,
    "aspect": (0.7, 1.4),
    "wobble": 0.035,
    "tremor": 0.006,
}


def hatch(rng, lines=(4, 9)):
    """Parallel strokes, each drawn on its own, at any angle (shading)."""
    n = int(rng.integers(*lines))
    y = np.linspace(0, 1, n) + rng.normal(0, 0.03, n)
    strokes = [np.array([(rng.uniform(0, 0.15), v), (rng.uniform(0.85, 1.0), v + 0.1)]) for v in y]
    return rotate(strokes, rng.uniform(0, 180))


def rings(rng, count=(3, 6)):
    """A chain of small overlapping rings in one stroke."""
    out = []
    for i in range(int(rng.integers(*count))):
        out.append(arc(i * 0.6, rng.normal(0, 0.15), 0.5, 0.5, 0, 360, 16))
    return [np.concatenate(out)]


def sun(rng):
    """A circle with rays."""
    rays = int(rng.integers(6, 11))
    angles = np.radians(np.arange(rays) * 360 / rays + rng.uniform(0, 360))
    spokes = [
        np.array([(np.cos(a) * 0.33, np.sin(a) * 0.33), (np.cos(a) * 0.5, np.sin(a) * 0.5)]) + 0.5
        for a in angles
    ]
    return [arc(0.5, 0.5, 0.25, 0.25, 0, 360, 20), *spokes]


def cat(rng):
    """A cat's face: head, two ears, eyes, whiskers."""
    whiskers = [[(0.1, 0.62 + d), (0.35, 0.66)] for d in (-0.06, 0.04)]
    whiskers += [[(0.9, 0.62 + d), (0.65, 0.66)] for d in (-0.06, 0.04)]
    return [
        arc(0.5, 0.6, 0.4, 0.35, 0, 360, 24),
        [(0.2, 0.4), (0.22, 0.05), (0.42, 0.27)],
        [(0.58, 0.27), (0.78, 0.05), (0.8, 0.4)],
        [(0.37, 0.52)],
        [(0.63, 0.52)],
        *whiskers,
    ]


def envelope(rng):
    """A letter's envelope: a box and its flap."""
    return [
        [(0.0, 0.2), (1.0, 0.2), (1.0, 0.8), (0.0, 0.8), (0.0, 0.2)],
        [(0.0, 0.2), (0.5, rng.uniform(0.5, 0.6)), (1.0, 0.2)],
    ]


def fish(rng):
    """A fish: a pointed body ending in a tail, and an eye."""
    body = np.concatenate(
        [
            arc(0.45, 0.5, 0.4, 0.25, 200, 340, 12),
            [(0.95, 0.25), (0.95, 0.75)],
            arc(0.45, 0.5, 0.4, 0.25, 20, 160, 12),
        ]
    )
    return [np.concatenate([body, body[:1]]), [(0.25, 0.45)]]


def cloud(rng):
    """A cloud: bumps along the top, a flat base."""
    bumps = int(rng.integers(3, 6))
    tops = [
        arc(0.1 + (i + 0.5) * 0.8 / bumps, 0.55, 0.4 / bumps + 0.03, 0.25, 180, 360, 8)
        for i in range(bumps)
    ]
    outline = np.concatenate([*tops, [(0.9, 0.7), (0.1, 0.7), (0.1, 0.55)]])
    return [outline]


def asterisk(rng):
    """Three or four lines crossing in the middle."""
    n, start = int(rng.integers(3, 5)), rng.uniform(0, 180)
    return [
        line for k in range(n) for line in rotate([[(0.5, 0.0), (0.5, 1.0)]], start + 180 * k / n)
    ]


SCRIBBLES = {
    "walk": functools.partial(walk, steps=(30, 60), turn=0.6),
    "coil": functools.partial(coil, loops=(4.0, 9.0)),
    "zigzag": functools.partial(zigzag, corners=(10, 20)),
    "fill": functools.partial(fill, lines=(25, 50)),
    "tangle": functools.partial(tangle, points=(20, 35), strokes=(2, 4)),
    "hatch": hatch,
    "rings": rings,
}
SHAPES = {
    # Not hexagons: drawn by hand they are as round as a 0.
    "polygon": functools.partial(polygon, sides=(3, 5)),
    "star": functools.partial(star, points=(4, 6, 7, 8)),
    "arrow": arrow,
    "heart": heart,
    "house": house,
    "sun": sun,
    "cat": cat,
    "envelope": envelope,
    "fish": fish,
    "cloud": cloud,
    "asterisk": asterisk,
}
UNSEEN_KINDS = {"hatch", "rings", "sun", "cat", "envelope", "fish", "cloud", "asterisk"}


def _traced(path, letter):
    """A font's letter as strokes (traced once), or [] if the font has no such glyph."""
    return [] if letter.islower() and path.stem in ALL_CAPS else traced_glyph(path, letter)


def font_letters(rng, count):
    """`count` font letters, every (font, letter) about as often, traced only when used:
    yields (label, 'font/letter', strokes)."""
    keys = [
        (require_font(FONT_ROOT / name, package), letter)
        for package, files in FONT_FILES.items()
        for name in files
        for letter in NAMES
    ]

    def write(path, letter):
        return _traced(path, letter) and distort(
            _traced(path, letter),
            rng,
            slant=(-0.12, 0.12),
            rotate=3.0,
            aspect=(0.9, 1.1),
            waist=(0.48, 0.52),
            wobble=0.01,
            tremor=0.002,
        )

    yield from written_evenly(rng, keys, count, write)


def _drawn(makers, rng, count):
    for _ in range(count):
        kind, strokes = random_stroke_drawing(rng, makers, **WRITTEN)
        yield -1, kind, strokes


def held_out_strokes(seed, count, first_stream=NON_DIGIT_STREAM, kinds=KINDS):
    """`count` held-out non-digits split evenly over `kinds` (all KINDS, or some of them),
    each kind written by rng_for("benchmark", seed, first_stream + 2 * its place in KINDS):
    {kind: [(-1, style, strokes)]}."""
    makers = {
        "font letters": font_letters,
        "scribbles": functools.partial(_drawn, SCRIBBLES),
        "shapes": functools.partial(_drawn, SHAPES),
        "faces": functools.partial(_drawn, FACES),
        "words": font_words,
        "doodles": functools.partial(_drawn, DOODLES),
    }
    made = {}
    for part, kind in enumerate(kinds):
        rng = rng_for("benchmark", seed, first_stream + 2 * KINDS.index(kind))
        made[kind] = list(makers[kind](rng, count // len(kinds) + (part < count % len(kinds))))
    return made


def build_non_digits(seed, count, first_id=0):
    """`count` held-out non-digits split evenly over KINDS, laid out on canvases like the
    benchmark's digits (layout.lay_out): label -1, style = font/letter or the shape's kind."""
    drawings = []
    for part, (kind, shapes) in enumerate(held_out_strokes(seed, count).items()):
        rng = rng_for("benchmark", seed, NON_DIGIT_STREAM + 2 * part + 1)
        drawings += lay_out(kind, shapes, rng, first_id + len(drawings))
    return drawings
