"""Put a digit's strokes on a canvas: canvas size, look, brush width, digit size and position.

`build(seed, count)` makes the whole benchmark: `count` drawings split evenly over the
sources, every random choice from `rng_for("benchmark", seed, ...)`, so a seed fixes it all.
"""

from dataclasses import dataclass, field

import numpy as np

from benchmarks.drawn import SOURCES, rng_for
from reading.geometry import bounds, fit_height

# (CSS side, devicePixelRatio): a desktop canvas, and a phone's 360 CSS px at DPR 3 = 1080 px.
CANVASES = ((280, 1), (360, 3))
LOOKS = ("dark", "light", "transparent")  # ink on white, white on black, ink on transparent
# Digit height as a fraction of the canvas side.
SIZES = {"small": (0.15, 0.35), "medium": (0.35, 0.65), "large": (0.65, 0.95)}
# Brush width as a fraction of the digit's height: what the model sees after normalisation
# (MNIST's strokes are about 0.1-0.15 of the digit's height).
WIDTHS = {"thin": (0.025, 0.06), "medium": (0.06, 0.12), "thick": (0.12, 0.25)}


@dataclass
class Drawing:
    """One benchmark drawing: strokes in the canvas's CSS pixels and how to draw them."""

    id: int
    source: str
    label: int
    style: str  # template style, font face or MNIST index
    strokes: list  # float arrays (n, 2), CSS px
    css: int  # canvas side in CSS px
    dpr: int  # device pixels per CSS px: the canvas is css * dpr pixels wide
    look: str
    brush: float  # CSS px
    size: str  # size bucket
    width: str  # width bucket
    corner: bool = False
    answer: dict = field(default_factory=dict)  # filled in by the API client

    @property
    def pixels(self):
        """Side of the canvas in device pixels (280 or 1080)."""
        return self.css * self.dpr

    def params(self):
        """What describes this drawing in the JSON report (strokes left out)."""
        return {
            "id": self.id,
            "source": self.source,
            "label": self.label,
            "style": self.style,
            "canvas": self.pixels,
            "dpr": self.dpr,
            "look": self.look,
            "brush_css_px": round(self.brush, 2),
            "size": self.size,
            "width": self.width,
            "corner": self.corner,
            "strokes": len(self.strokes),
        }


def place(strokes, rng, css, size, width):
    """Scale unit-height strokes to a digit of the size bucket, pick a brush of the width
    bucket and a position where the whole stroke fits; returns (strokes, brush, corner)."""
    strokes = fit_height(strokes)
    _, _, right, _ = bounds(strokes)
    height = rng.uniform(*SIZES[size]) * css
    relative = rng.uniform(*WIDTHS[width])
    # A wide or thick digit is shrunk so that it fits on the canvas with its brush.
    height = min(height, 0.98 * css / (max(right, 1.0) + relative))
    brush = max(1.0, relative * height)
    room_x, room_y = css - right * height - brush, css - height - brush
    corner = size == "small" and rng.random() < 0.5
    if corner:  # a small digit pushed into one of the corners
        fx, fy = rng.integers(0, 2, size=2) * 0.98 + 0.01
    else:
        fx, fy = rng.uniform(0.05, 0.95, size=2)
    offset = np.array([brush / 2 + fx * room_x, brush / 2 + fy * room_y])
    return [s * height + offset for s in strokes], brush, corner


def _balanced(rng, names, count):
    """A shuffled list of `count` names, each about count / len(names) times."""
    return [names[i] for i in rng.permutation(np.arange(count) % len(names))]


def shapes(source, rng, count):
    """`count` digits of a source, balanced over 0-9: a list of (label, style, strokes)."""
    from benchmarks.drawn import strokes_fonts, strokes_mnist, strokes_templates

    makers = {
        "mnist": strokes_mnist.mnist_test,
        "templates": strokes_templates.templates,
        "fonts": strokes_fonts.fonts,
        "hershey": strokes_fonts.hershey,
    }
    return list(makers[source](rng, count))


def build(seed, count, sources=SOURCES):
    """The benchmark's drawings for a seed: count split evenly over sources."""
    drawings = []
    for part, source in enumerate(sources):
        n = count // len(sources) + (part < count % len(sources))
        digits = shapes(source, rng_for("benchmark", seed, 2 * part), n)
        # The pens, apart from the shapes.
        drawings += lay_out(source, digits, rng_for("benchmark", seed, 2 * part + 1), len(drawings))
    return drawings


def lay_out(source, digits, rng, first_id=0):
    """Drawings of (label, style, strokes) digits on canvases, looks, sizes and widths balanced
    over the digits, every choice from rng; ids count up from first_id."""
    n = len(digits)
    canvases = _balanced(rng, list(range(len(CANVASES))), n)
    looks, sizes = _balanced(rng, LOOKS, n), _balanced(rng, list(SIZES), n)
    widths = _balanced(rng, list(WIDTHS), n)
    drawings = []
    for i, (label, style, strokes) in enumerate(digits):
        css, dpr = CANVASES[canvases[i]]
        placed, brush, corner = place(strokes, rng, css, sizes[i], widths[i])
        drawings.append(
            Drawing(
                first_id + i,
                source,
                int(label),
                style,
                placed,
                css,
                dpr,
                looks[i],
                brush,
                sizes[i],
                widths[i],
                corner,
            )
        )
    return drawings
