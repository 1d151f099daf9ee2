"""Training's font letters (model/strokes/font_letters.py): traced from fonts that are not the
drawn-digit benchmark's, every one of them giving letters, a missing one named by package."""

import re
from pathlib import Path

import numpy as np
import pytest

from benchmarks.drawn.strokes_fonts import FONT_FILES, HERSHEY_DIR
from model.strokes import font_letters, rng_for
from model.strokes.fonts import FontsMissing
from model.strokes.letters import NAMES

ROOT = Path(__file__).resolve().parent.parent


def test_font_letters_every_training_font_gives_its_letters():
    glyphs = font_letters.font_letter_glyphs()
    capitals = "".join(letter for letter in NAMES if letter.isupper())
    for path in font_letters.font_paths():
        letters = "".join(letter for font, letter in glyphs if font == path.stem)
        # A font whose small letters are capitals gives its capitals only.
        assert letters == (capitals if path.stem in font_letters.CAPITALS_ONLY else NAMES), path


def test_font_letters_never_use_a_font_of_the_benchmark():
    training = {(package, name) for package, files in font_letters.TRAINING_FONTS.items()
                for name in files}
    # Not the benchmark's files, nor other faces of its packages, nor Hershey's.
    assert not {package for package, _ in training} & set(FONT_FILES)
    held_out = {Path(name).stem for files in FONT_FILES.values() for name in files}
    assert not {Path(name).stem for _, name in training} & held_out
    assert all(HERSHEY_DIR not in path.parents for path in font_letters.font_paths())


def test_font_letters_packages_are_installed_by_the_makefile():
    makefile = (ROOT / "Makefile").read_text()
    listed = re.search(r"DEBIAN_PACKAGES :=(.*?)\n\n", makefile, re.S).group(1).split()
    assert set(font_letters.TRAINING_FONTS) <= set(listed)


def test_font_letters_are_written_randomly_and_reproducibly():
    def written(seed):
        rng = rng_for("training", seed, 10)
        return [font_letters.random_font_letter(rng) for _ in range(20)]

    first, again, other = written(0), written(0), written(1)
    assert [letter for letter, _ in first] == [letter for letter, _ in again]
    assert all(np.array_equal(a, b) for (_, sa), (_, sb) in zip(first, again)
               for a, b in zip(sa, sb))
    assert [letter for letter, _ in first] != [letter for letter, _ in other]
    for letter, strokes in first:
        points = np.concatenate(strokes)
        assert letter in NAMES and np.isfinite(points).all()
        assert np.ptp(points[:, 1]) == pytest.approx(1.0, abs=0.05)  # fitted to height 1


def test_font_letters_missing_font_names_the_package_to_install(monkeypatch):
    monkeypatch.setitem(font_letters.TRAINING_FONTS, "fonts-not-here",
                        ["truetype/not-here/NotHere.ttf"])
    with pytest.raises(FontsMissing, match="NotHere.ttf is missing: apt-get install "
                                           "fonts-not-here"):
        font_letters.font_letter_glyphs.__wrapped__()  # uncached: what training calls first
