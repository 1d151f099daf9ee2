"""Letters traced from fonts, for the not-digit model: letters with the look of a glyph thinned
to its skeleton (uneven curves, serifs, joins), which the template letters (letters.py) lack.

The held-out letters (benchmarks/drawn/nondigits.py) are traced from the benchmark's own
handwriting fonts; a model taught only template letters let a quarter of them through. These
are the same letters (letters.NAMES: no digit look-alikes) traced the same way (fonts.py)
from *other* fonts: printed faces in upright, slanted, narrow and light cuts, and handwriting
faces that are not the benchmark's. Never a font of the benchmark's packages
(benchmarks/drawn/strokes_fonts.FONT_FILES), nor Hershey's (a digit source of the benchmark).
"""

import functools
import time
from pathlib import Path

from model.strokes.fonts import FONT_ROOT, require_font, traced_glyph
from model.strokes.geometry import distort
from model.strokes.letters import LETTER_ASPECT, NAMES


def _files(folder, names, suffix=".ttf"):
    return [f"{folder}/{name}{suffix}" for name in names]


# Debian package -> font files (the Makefile's DEBIAN_PACKAGES installs them).
TRAINING_FONTS = {
    "fonts-dejavu-core": _files("truetype/dejavu", ("DejaVuSans", "DejaVuSans-Bold",
                                                    "DejaVuSansMono", "DejaVuSerif")),
    "fonts-dejavu-extra": _files("truetype/dejavu", (
        "DejaVuSans-Oblique", "DejaVuSans-ExtraLight", "DejaVuSansCondensed",
        "DejaVuSansMono-Oblique", "DejaVuSerif-Italic", "DejaVuSerifCondensed-Italic")),
    "fonts-liberation": _files("truetype/liberation", (
        "LiberationSans-Regular", "LiberationSans-Italic", "LiberationSansNarrow-Regular",
        "LiberationMono-Regular", "LiberationSerif-Regular", "LiberationSerif-Italic")),
    "fonts-sjfonts": _files("truetype/sjfonts", ("Delphine", "SteveHand")),
    "fonts-tomsontalks": _files("truetype/tomsontalks", ("TomsonTalks",)),
    # A calligraphic script (TeX Gyre Chorus); TeX Gyre installs outside FONT_ROOT.
    "fonts-texgyre": ["/usr/share/texmf/fonts/opentype/public/tex-gyre/"
                      "texgyrechorus-mediumitalic.otf"],
}
# Fonts whose small letters are capitals (their d is a D, which is a 0): capitals only.
CAPITALS_ONLY = {"TomsonTalks"}


def font_paths():
    """The training fonts' files; FontsMissing names the Debian package of a missing one."""
    return [require_font(FONT_ROOT / name, package)
            for package, files in TRAINING_FONTS.items() for name in files]


@functools.cache
def font_letter_glyphs():
    """{(font name, letter): strokes} for every training font and letter, traced once."""
    paths, started, glyphs = font_paths(), time.perf_counter(), {}
    print(f"  tracing {len(NAMES)} letters in each of {len(paths)} fonts...", flush=True)
    for path in paths:
        for letter in NAMES:
            if not (letter.islower() and path.stem in CAPITALS_ONLY):
                if strokes := traced_glyph(path, letter):
                    glyphs[(path.stem, letter)] = strokes
    print(f"  traced {len(glyphs):,} font letters in {time.perf_counter() - started:.0f} s",
          flush=True)
    return glyphs


@functools.cache
def _letters_by_package():
    """[(font name, letter), ...] per package, in TRAINING_FONTS order."""
    glyphs = font_letter_glyphs()
    return [[key for key in glyphs if key[0] in {Path(name).stem for name in files}]
            for files in TRAINING_FONTS.values()]


def random_font_letter(rng):
    """One letter of one training font, written with random slant, proportions, wobble and
    tremor as random_letter writes a template: (letter, strokes fitted to height 1)."""
    # Every package (one design) as likely: DejaVu's ten cuts do not outweigh a script face.
    packages = _letters_by_package()
    keys = packages[rng.integers(len(packages))]
    font, letter = keys[rng.integers(len(keys))]
    return letter, distort(font_letter_glyphs()[(font, letter)], rng, aspect=LETTER_ASPECT)
