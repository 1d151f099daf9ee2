"""Faces and smileys as pen strokes, for the held-out non-digits (nondigits.py).

Training draws one kind of smiley (drawings/shapes.smiley); this generator is the
benchmark's own, so a face here tests whether the not-digit model learnt "a face" rather than
that smiley: round, oval or no head outline; eyes as dots, rings, dashes or crosses; a mouth
as a smile, frown, line or O; and noses, ears, hair, glasses and eyebrows.

Every face has eyes and a mouth, each large enough to survive a thick pen: a head outline
with nothing visible inside is a 0. Features are placed in head units (u, v in -1..1 across
the head's ellipse) so that any head shape takes any features.
"""

import functools

import numpy as np

from reading.geometry import arc

EYES = ("dots", "rings", "dashes", "crosses")
MOUTHS = ("smile", "frown", "line", "o", "grin")
NOSES = ("line", "hook", "button", "none")


class Head:
    """The ellipse features are placed on: (u, v) in head units -> (x, y) in the unit box."""

    def __init__(self, rx, ry, cx=0.5, cy=0.5):
        self.rx, self.ry, self.cx, self.cy = rx, ry, cx, cy

    def at(self, u, v):
        return (self.cx + u * self.rx, self.cy + v * self.ry)

    def ring(self, u, v, ru, rv, start=0.0, end=360.0, n=12):
        """An ellipse (or part of one) centred at (u, v), radii in head units."""
        x, y = self.at(u, v)
        return arc(x, y, ru * self.rx, rv * self.ry, start, end, n)

    def line(self, *uv):
        return np.array([self.at(u, v) for u, v in uv])


def _outline(rng, head):
    """The head drawn in one stroke from anywhere round it, overshooting or stopping short."""
    start = rng.uniform(0, 360)
    return head.ring(0, 0, 1, 1, start, start + 360 + rng.uniform(-12, 20), 32)


def _eyes(rng, head, kind, apart, level):
    size = rng.uniform(0.09, 0.15)
    out = []
    for u in (-apart, apart):
        if kind == "dots":
            out.append(np.array([head.at(u, level)]))
        elif kind == "rings":
            out.append(head.ring(u, level, size, size * 1.2))
            if rng.random() < 0.5:  # a pupil
                out.append(np.array([head.at(u, level + 0.02)]))
        elif kind == "dashes":
            out.append(head.line((u, level - size), (u, level + size)))
        else:  # crosses: x x
            out += [
                head.line((u - size, level - size), (u + size, level + size)),
                head.line((u + size, level - size), (u - size, level + size)),
            ]
    return out


def _mouth(rng, head, kind):
    width = rng.uniform(0.35, 0.6)
    level = rng.uniform(0.35, 0.5)
    if kind == "smile":
        return [head.ring(0, level - 0.2, width, 0.3, 20, 160, 12)]
    if kind == "frown":
        return [head.ring(0, level + 0.15, width, 0.2, 200, 340, 12)]
    if kind == "line":
        return [head.line((-width * 0.8, level), (width * 0.8, level + rng.normal(0, 0.04)))]
    if kind == "o":
        return [head.ring(0, level, rng.uniform(0.12, 0.2), rng.uniform(0.1, 0.18))]
    # grin: a smile closed by a straight top lip
    smile = head.ring(0, level - 0.15, width, 0.3, 0, 180, 12)
    return [np.concatenate([smile, smile[:1]])]


def _nose(rng, head, kind):
    if kind == "line":
        return [head.line((0, -0.05), (0, 0.2))]
    if kind == "hook":
        side = rng.choice([-1.0, 1.0])
        return [head.line((0, -0.08), (side * 0.1, 0.18), (0, 0.22))]
    if kind == "button":
        return [head.ring(0, 0.12, 0.06, 0.05, 0, 360, 8)]
    return []


def _eyebrows(rng, head, apart, level):
    tilt = rng.uniform(-0.08, 0.08)
    brow = level - 0.22
    return [
        head.line((u - 0.15, brow + tilt * side), (u + 0.15, brow - tilt * side))
        for u, side in ((-apart, 1), (apart, -1))
    ]


def _glasses(rng, head, apart, level):
    """Two rings around the eyes, a bridge and the arms running to the head's sides."""
    r = rng.uniform(0.2, 0.27)
    lenses = [head.ring(u, level, r, r * 1.1, 0, 360, 14) for u in (-apart, apart)]
    bridge = head.ring(0, level, apart - r, 0.12, 200, 340, 6)
    arms = [
        head.line((-apart - r, level), (-1.0, level - 0.1)),
        head.line((apart + r, level), (1.0, level - 0.1)),
    ]
    return [*lenses, bridge, *arms]


def _ears(rng, head):
    size = rng.uniform(0.18, 0.3)
    return [
        head.ring(-1.0, 0.0, size, size * 1.4, 100, 260, 8),
        head.ring(1.0, 0.0, size, size * 1.4, -80, 80, 8),
    ]


def _hair(rng, head):
    """Strands standing up from the top of the head, or a fringe across the forehead."""
    if rng.random() < 0.5:
        strands = int(rng.integers(3, 9))
        out = []
        for angle in np.radians(np.linspace(-140, -40, strands) + rng.normal(0, 4, strands)):
            u, v = np.cos(angle), np.sin(angle)
            length = rng.uniform(0.2, 0.4)
            out.append(head.line((u, v), (u * (1 + length), v * (1 + length))))
        return out
    teeth = int(rng.integers(4, 8))
    u = np.linspace(-0.8, 0.8, 2 * teeth + 1)
    v = np.where(np.arange(2 * teeth + 1) % 2 == 0, -0.6, -0.4) - 0.2 * (1 - u**2)
    return [head.line(*zip(u, v))]


def face(rng, head="round", extras=True):
    """A face: head outline ('round', 'oval' or 'none'), eyes, a mouth, maybe a nose and,
    with `extras`, some of eyebrows, glasses, ears and hair."""
    rx, ry = {
        "round": (0.5, rng.uniform(0.45, 0.55)),
        "oval": (rng.uniform(0.32, 0.4), 0.5),
        "none": (0.5, 0.5),
    }[head]
    shape = Head(rx, ry)
    apart, level = rng.uniform(0.3, 0.45), rng.uniform(-0.35, -0.2)
    eyes = EYES[:3] if head == "none" else EYES  # four crosses alone are a scribble
    strokes = [] if head == "none" else [_outline(rng, shape)]
    strokes += _eyes(rng, shape, eyes[rng.integers(len(eyes))], apart, level)
    # With no outline a nose (and brows) must say "face": dots and a curve alone say little.
    nose = NOSES[rng.integers(len(NOSES) - (head == "none"))]
    strokes += _nose(rng, shape, nose)
    strokes += _mouth(rng, shape, MOUTHS[rng.integers(len(MOUTHS))])
    if head == "none" or (extras and rng.random() < 0.5):
        strokes += _eyebrows(rng, shape, apart, level)
    if extras and rng.random() < 0.25:
        strokes += _glasses(rng, shape, apart, level)
    if extras and head != "none" and rng.random() < 0.4:
        strokes += _ears(rng, shape)
    if extras and head != "none" and rng.random() < 0.5:
        strokes += _hair(rng, shape)
    return strokes


FACES = {
    "smiley": functools.partial(face, head="round", extras=False),
    "round face": functools.partial(face, head="round"),
    "oval face": functools.partial(face, head="oval"),
    "no outline": functools.partial(face, head="none"),
}
