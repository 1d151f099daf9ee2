"""Digits nobody here drew: handwriting fonts and Hershey's vector fonts, as pen strokes.

- `fonts`: handwriting-style TrueType/OpenType fonts from Debian packages; each glyph is
  rendered, thinned and traced with the same tracer as MNIST (strokes_mnist.trace_strokes).
- `hershey`: A. V. Hershey's 1967 vector fonts (Debian's hershey-fonts-data): strokes
  already, but drawn with a pen and traced again so multi-line faces become single lines.
For evaluation only: no font glyph enters training (see the package docstring).
Each use is written with a mild random slant and aspect (geometry.distort), so repeated
glyphs are not pixel-identical; the glyph's own style dominates.
"""

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from benchmarks.drawn.fonts import FONT_ROOT, GLYPH_SIDE, glyph_image, require_font
from drawings.pens import draw_pen
from reading.geometry import bounds, distort
from reading.trace import trace_strokes

# Debian package -> font files; `apt-get install` these (the lead's Makefile does).
FONT_FILES = {
    "fonts-dkg-handwriting": [
        "truetype/fifthhorseman/dkg.ttf",
        "truetype/fifthhorseman/dkgBd.ttf",
        "truetype/fifthhorseman/dkgIt.ttf",
    ],
    "fonts-breip": ["truetype/breip/Breip.ttf"],
    "fonts-bwht": [
        f"opentype/bwht/BecauseWe{name}-Regular.otf"
        for name in ("Build", "Connect", "Create", "Learn", "Mentor", "Organize")
    ],
    "fonts-humor-sans": ["truetype/humor-sans/Humor-Sans.ttf"],
    "fonts-comic-neue": [
        "opentype/comic-neue/ComicNeue-Regular.otf",
        "opentype/comic-neue/ComicNeue-LightItalic.otf",
    ],
    "fonts-rufscript": ["truetype/rufscript/Rufscript010.ttf"],
    "fonts-kristi": ["truetype/kristi/Kristi.ttf"],
    "fonts-dancingscript": ["opentype/dancingscript/DancingScript-Regular.otf"],
    "fonts-kaushanscript": ["opentype/kaushanscript/KaushanScript-Regular.otf"],
    "fonts-ecolier-court": ["truetype/ecolier-court/Ecolier-court.ttf"],
    "fonts-klee": ["truetype/klee/KleeOne-Regular.ttf"],
}
HERSHEY_DIR = Path("/usr/share/hershey-fonts")
# Hershey faces with distinct digits once traced: cursive and rowmans repeat futural's,
# scriptc and timesi repeat scripts; the gothic and symbol sets are not how people write.
HERSHEY_FACES = ("futural", "rowmand", "scripts", "timesib", "timesr")


@functools.cache
def font_glyphs():
    """{(font name, digit): strokes} for every handwriting font file, traced once."""
    glyphs = {}
    for package, files in FONT_FILES.items():
        for name in files:
            path = require_font(FONT_ROOT / name, package)
            for digit in range(10):
                glyphs[(path.stem, digit)] = trace_strokes(glyph_image(path, digit))
    return glyphs


def _parse_jhf(text):
    """Hershey JHF lines -> list of glyphs, each a list of strokes ((x, y) with y down)."""
    glyphs, lines = [], iter(text.splitlines())
    for line in lines:
        if not line.strip():
            continue
        count = int(line[5:8])
        data = line[8:]
        while len(data) < 2 * count:  # long glyphs may wrap onto following lines
            data += next(lines)
        pairs = [data[i : i + 2] for i in range(2, 2 * count, 2)]  # the first pair is margins
        strokes, current = [], []
        for pair in pairs:
            if pair == " R":  # pen up
                strokes.append(current)
                current = []
            else:
                current.append((ord(pair[0]) - ord("R"), ord(pair[1]) - ord("R")))
        strokes.append(current)
        glyphs.append([np.asarray(s, dtype=float) for s in strokes if s])
    return glyphs


def _pen_image(strokes, pen=0.12):
    """Strokes drawn with a round pen of `pen` x the height, digit 80 px high in 112 px."""
    left, top, right, bottom = bounds(strokes)
    scale = 80 / max(bottom - top, right - left)
    offset = np.array([GLYPH_SIDE - (right - left) * scale, GLYPH_SIDE - (bottom - top) * scale])
    image = Image.new("L", (GLYPH_SIDE, GLYPH_SIDE), 0)
    placed = [(stroke - (left, top)) * scale + offset / 2 for stroke in strokes]
    draw_pen(ImageDraw.Draw(image), placed, round(pen * 80))
    return np.asarray(image)


@functools.cache
def hershey_glyphs():
    """{(face, digit): strokes} from Debian's hershey-fonts-data (glyph i is ASCII 32 + i).

    Duplex and complex faces draw a thick part as two or three parallel lines, which no
    person does: every glyph is drawn with a pen that merges them, then traced to one line.
    """
    glyphs = {}
    for face in HERSHEY_FACES:
        path = require_font(HERSHEY_DIR / f"{face}.jhf", "hershey-fonts-data")
        faces = _parse_jhf(path.read_text(encoding="ascii"))
        for digit in range(10):
            glyphs[(face, digit)] = trace_strokes(_pen_image(faces[ord(str(digit)) - 32]))
    return glyphs


def _from_pool(rng, count, pool):
    """`count` digits balanced over 0-9, cycling through a shuffled list of faces per digit."""
    faces = sorted({face for face, _ in pool})
    order = {d: rng.permutation(len(faces)) for d in range(10)}
    for i in range(count):
        digit = i % 10
        face = faces[order[digit][(i // 10) % len(faces)]]
        strokes = distort(
            pool[(face, digit)],
            rng,
            slant=(-0.12, 0.12),
            rotate=3.0,
            aspect=(0.9, 1.1),
            waist=(0.48, 0.52),
            wobble=0.01,
            tremor=0.002,
        )
        yield digit, face, strokes


def _only(pool, faces):
    """The glyphs of some faces (all when faces is None): corrections pick the weak ones."""
    if faces is None:
        return pool
    chosen = {key: strokes for key, strokes in pool.items() if key[0] in faces}
    if not chosen:
        raise ValueError(
            f"No face among {sorted(faces)}; there are {sorted({face for face, _ in pool})}."
        )
    return chosen


def fonts(rng, count, faces=None):
    """`count` handwriting-font digits: yields (label, font name, strokes)."""
    yield from _from_pool(rng, count, _only(font_glyphs(), faces))


def hershey(rng, count, faces=None):
    """`count` Hershey vector-font digits: yields (label, face, strokes)."""
    yield from _from_pool(rng, count, _only(hershey_glyphs(), faces))
