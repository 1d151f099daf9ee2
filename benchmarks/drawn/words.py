"""Short words in the benchmark's handwriting fonts, for the held-out non-digits (nondigits.py).

A person asked for a digit may write a word instead. Words are written with letters of
drawings/letters.NAMES only, so no word holds a letter that can be written as a digit
(no o, l, i, s, z, g, ...): a word shown as "not a digit" is then always right. Each letter
is traced from the font like the held-out font letters (fonts.py), kept at the font's size
and on its baseline, and the letters are set side by side at the font's advance or a little
tighter, as handwriting runs together. Fonts are for evaluation only.
"""

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from benchmarks.drawn.fonts import FONT_ROOT, require_font, written_evenly
from benchmarks.drawn.strokes_fonts import FONT_FILES
from drawings.letters import NAMES
from reading.geometry import distort
from reading.trace import trace_strokes

# Common short English words; each is written in small letters, in capitals and with a capital
# first letter wherever the letters of that writing are all in NAMES.
COMMON_WORDS = (
    "we",
    "he",
    "me",
    "up",
    "the",
    "then",
    "them",
    "when",
    "went",
    "new",
    "few",
    "ten",
    "men",
    "pen",
    "hen",
    "net",
    "wet",
    "pet",
    "jet",
    "met",
    "red",
    "fed",
    "end",
    "her",
    "fun",
    "run",
    "cut",
    "nut",
    "hut",
    "put",
    "cup",
    "mud",
    "hum",
    "duck",
    "neck",
    "deck",
    "jump",
    "tree",
    "free",
    "true",
    "turn",
    "fern",
    "next",
    "text",
    "tent",
    "rent",
    "kept",
    "cute",
    "tune",
    "menu",
    "week",
    "deep",
    "need",
    "truck",
    "fence",
    "check",
    "trunk",
    "cat",
    "hat",
    "map",
    "car",
    "man",
    "can",
    "are",
    "have",
    "make",
    "take",
    "year",
    "lake",
    "name",
    "wave",
    "yarn",
    "fact",
    "calm",
    "frame",
    "crane",
)
LENGTHS = (2, 5)  # letters in a word, fewest and most
SPACING = (0.8, 0.9, 1.0)  # share of the font's advance between letters
FONT_PX = 120  # size the letters are rendered and traced at (capitals about 80 px)
# Fonts that draw small letters as small capitals (their d is a D, a 0): capitals only.
ALL_CAPS = {"Humor-Sans"} | {
    f"BecauseWe{name}-Regular"
    for name in ("Build", "Connect", "Create", "Learn", "Mentor", "Organize")
}


def writings(word):
    """The word in small letters, capitals and with a capital first letter, each only if
    every letter of it is in NAMES."""
    forms = {word.lower(), word.upper(), word[:1].upper() + word[1:].lower()}
    return sorted(form for form in forms if set(form) <= set(NAMES))


WORDS = tuple(
    sorted(
        {
            form
            for word in COMMON_WORDS
            if LENGTHS[0] <= len(word) <= LENGTHS[1]
            for form in writings(word)
        }
    )
)


@functools.cache
def traced_letter(path, letter):
    """A letter's strokes in font pixels with the pen's start at (0, 0) on the baseline, and
    the font's advance to the next letter; ([], advance) if the font draws nothing."""
    font = ImageFont.truetype(str(path), FONT_PX)
    advance = font.getlength(letter)
    left, top, right, bottom = font.getbbox(letter, anchor="ls")
    if right <= left or bottom <= top:
        return [], advance
    pad = 8
    image = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(image).text((pad - left, pad - top), letter, fill=255, font=font, anchor="ls")
    # Calligraphic hairlines shrink below a pixel; widening keeps them in the skeleton.
    ink = np.asarray(image.filter(ImageFilter.MaxFilter(3)))
    if not ink.any():
        return [], advance
    return [s + (left - pad, top - pad) for s in trace_strokes(ink)], advance


def write_word(path, word, spacing):
    """The word's letters side by side, `spacing` x the font's advance apart: strokes in font
    pixels, or [] if the font lacks a letter."""
    strokes, x = [], 0.0
    for letter in word:
        letter_strokes, advance = traced_letter(path, letter)
        if not letter_strokes:
            return []
        strokes += [s + (x, 0.0) for s in letter_strokes]
        x += advance * spacing
    return strokes


def font_words(rng, count):
    """`count` words, every (font, word) about as often; fonts that write small letters as
    small capitals get capitals only: yields (label, 'font/word', strokes)."""
    keys = [
        (require_font(FONT_ROOT / name, package), word)
        for package, files in FONT_FILES.items()
        for name in files
        for word in WORDS
    ]
    keys = [(path, word) for path, word in keys if path.stem not in ALL_CAPS or word.isupper()]

    def write(path, word):
        strokes = write_word(path, word, SPACING[rng.integers(len(SPACING))])
        return strokes and distort(
            strokes,
            rng,
            slant=(-0.12, 0.12),
            rotate=3.0,
            aspect=(0.9, 1.1),
            waist=(0.48, 0.52),
            wobble=0.01,
            tremor=0.002,
        )

    yield from written_evenly(rng, keys, count, write)
