"""The rule: fonts stand in for writers the models have never seen, so no font glyph
enters training. Every training set is written here with fonts made unreadable: one that
reached for a font would fail."""

import ast
from pathlib import Path

import numpy as np
import pytest
from PIL import ImageFont

from model.data import load_mnist
from model.drawn import drawn_training_set
from model.notdigit import draw_non_digits
from model.number import written_lines
from model.onedigit import number_pieces

ROOT = Path(__file__).resolve().parent.parent
# Training, and the synthetic drawings it shares with the benchmark.
TRAINING_PACKAGES = (ROOT / "model", ROOT / "drawings")


@pytest.fixture
def no_fonts(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a training set reached for a font")

    monkeypatch.setattr(ImageFont, "truetype", refuse)
    monkeypatch.setattr(ImageFont, "FreeTypeFont", refuse)


def test_a_font_cannot_be_opened_under_the_guard(no_fonts):
    """The guard works: what the benchmark does to trace a font glyph fails under it."""
    from benchmarks.drawn.fonts import traced_glyph

    with pytest.raises(AssertionError, match="reached for a font"):
        traced_glyph.__wrapped__(Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), "3")


def test_every_training_set_is_written_without_a_font(no_fonts):
    (images, labels), _ = load_mnist(verbose=False)
    lines, texts = written_lines(120, images, labels, 11, 0, ones=0.5)  # the number model's
    assert len(lines) == 120 and any("?" in text for text in texts)
    x, kinds = draw_non_digits(200, seed=11, part=10)  # the not-digit model's
    assert x.shape == (200, 28, 28) and set(kinds) == {"letters", "scribbles", "shapes"}
    drawn, _ = drawn_training_set(images, labels, 100, 100, 11)  # the digit models'
    assert len(drawn) == 200 and np.isfinite(drawn).all()
    pieces, owned = number_pieces(20, images, labels, 11, 0)  # the one-digit model's
    assert pieces.shape[1:] == (28, 28) and owned.any()


def test_no_training_module_imports_font_tracing():
    """Only the benchmark traces fonts (benchmarks/drawn/fonts.py); model/ and drawings/ never
    import it."""
    for path in (path for package in TRAINING_PACKAGES for path in package.rglob("*.py")):
        tree = ast.parse(path.read_text())
        names = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
        assert not {n for n in names if "fonts" in n or "ImageFont" in n}, path
