"""A font's character as pen strokes: rendered like an MNIST digit, thinned and traced.

Only the drawn-digit benchmark traces fonts (its digits, and its held-out letters in
nondigits.py): fonts stand in for writers the models have never seen, so no font glyph
enters training (tests/test_no_fonts_in_training.py). Fonts come from Debian
packages; a missing one names the package to install.
"""

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from reading.trace import trace_strokes

FONT_ROOT = Path("/usr/share/fonts")
GLYPH_SIDE = 112  # pixels of the image a font glyph is traced in (glyph 80 px, as 20 in 28)


class FontsMissing(RuntimeError):
    """A Debian font package (or a font's glyph) that is needed is not there."""


def require_font(path, package):
    """The font file, or FontsMissing saying which Debian package installs it."""
    if not path.is_file():
        raise FontsMissing(f"{path} is missing: apt-get install {package}")
    return path


def glyph_image(path, char):
    """A character in a font, rendered like an MNIST digit: ink high, 80 px box in 112 px."""
    font = ImageFont.truetype(str(path), 200)
    canvas = Image.new("L", (400, 400), 0)
    ImageDraw.Draw(canvas).text((100, 50), str(char), fill=255, font=font)
    box = canvas.getbbox()
    if box is None:
        raise FontsMissing(f"{path} has no glyph for {char}")
    glyph = canvas.crop(box)
    scale = 80 / max(glyph.size)
    glyph = glyph.resize(
        (max(1, round(glyph.width * scale)), max(1, round(glyph.height * scale))),
        Image.Resampling.LANCZOS,
    )
    out = Image.new("L", (GLYPH_SIDE, GLYPH_SIDE), 0)
    out.paste(glyph, ((GLYPH_SIDE - glyph.width) // 2, (GLYPH_SIDE - glyph.height) // 2))
    # Calligraphic hairlines shrink below a pixel; widening keeps them in the skeleton.
    return np.asarray(out.filter(ImageFilter.MaxFilter(3)))


@functools.cache
def traced_glyph(path, char):
    """A font's character as strokes, traced once per process; [] if the font has no glyph."""
    try:
        return trace_strokes(glyph_image(path, char))
    except FontsMissing:
        return []


def written_evenly(rng, keys, count, write):
    """`count` drawings from (font path, text) keys taken in a random order, every key about as
    often; write(path, text) gives the strokes, or [] when the font cannot write it (skipped).
    Yields (label -1, 'font/text', strokes)."""
    order = rng.permutation(len(keys))
    made = 0
    for k in range(10 * count):
        if made == count:
            return
        path, text = keys[order[k % len(keys)]]
        strokes = write(path, text)
        if not strokes:
            continue
        made += 1
        yield -1, f"{path.stem}/{text}", strokes
