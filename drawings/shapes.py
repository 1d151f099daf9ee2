"""Geometric shapes and scribbles as pen strokes: what people draw when they do not draw a digit.

Every maker takes a numpy Generator and returns strokes (float arrays (n, 2), x right, y down)
in about a unit box; `random_stroke_drawing` then writes one with random slant,
proportions, wobble and tremor (geometry.distort). Parameters are arguments so that the
held-out set (benchmarks/drawn/nondigits.py) can draw other variants with its own stream.

Never made, because they are digits: a plain circle or ellipse (a 0), a single line (a 1),
an arrow pointing up (a 1 with a flag both sides), a spiral of fewer than two turns (a 6 or
a 9), a zig-zag of fewer than four strokes (a 2, a 7, a Z), a long thin wavy walk (a 1).
"""

import numpy as np

from reading.geometry import arc, distort


def rotate(strokes, degrees, centre=(0.5, 0.5)):
    """The strokes turned by `degrees` about `centre` (y down: positive turns clockwise)."""
    a = np.radians(degrees)
    turn = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    return [(np.asarray(s, dtype=float) - centre) @ turn + centre for s in strokes]


def closed(points):
    """The points with the first repeated at the end: a closed outline."""
    points = np.asarray(points, dtype=float)
    return np.concatenate([points, points[:1]])


def _split_sides(points, rng, apart=0.3):
    """One closed stroke, or (with probability `apart`) one stroke per side, as some draw."""
    if rng.random() >= apart:
        return [points]
    return [points[i : i + 2] for i in range(len(points) - 1)]


def polygon(rng, sides=(3, 4)):
    """A triangle, square, pentagon... (sides drawn from the given choices), flat or tilted."""
    n = int(rng.choice(sides))
    start = -90.0 + rng.choice([0.0, 180.0 / n]) + rng.normal(0, 8)
    angles = np.radians(start + 360.0 / n * np.arange(n) + rng.normal(0, 4, n))
    points = np.stack([np.cos(angles), np.sin(angles)], 1) * (rng.uniform(0.7, 1.4), 1.0)
    return _split_sides(closed(points * 0.5 + 0.5), rng)


def star(rng, points=(5,)):
    """A star: the pointed outline, or a pentagram-like line through every k-th corner."""
    n = int(rng.choice(points))
    turn = np.radians(-90.0 + rng.normal(0, 8))
    step = (n - 1) // 2
    if rng.random() < 0.5 and np.gcd(n, step) == 1 and step > 1:
        order = (np.arange(n + 1) * step) % n  # one stroke through every step-th corner
        angles = turn + 2 * np.pi * order / n
        return [np.stack([np.cos(angles), np.sin(angles)], 1) * 0.5 + 0.5]
    inner = rng.uniform(0.35, 0.55)
    angles = turn + np.pi * np.arange(2 * n) / n
    radius = np.where(np.arange(2 * n) % 2 == 0, 1.0, inner)
    outline = np.stack([np.cos(angles), np.sin(angles)], 1) * radius[:, None]
    return [closed(outline * 0.5 + 0.5)]


def cross(rng, plus=None):
    """An X, or (plus=True) a plus sign; each arm a little off."""
    plus = rng.random() < 0.5 if plus is None else plus
    a, b = rng.uniform(0.0, 0.1, 2)
    strokes = [[(a, 0.0), (1.0 - b, 1.0)], [(1.0 - a, 0.0), (b, 1.0)]]
    return rotate(strokes, 45.0 + rng.normal(0, 6)) if plus else strokes


def arrow(rng, up_excluded=60.0):
    """A shaft with a head, pointing anywhere but within `up_excluded` degrees of straight up."""
    direction = rng.uniform(up_excluded, 360.0 - up_excluded) - 90.0
    head = rng.uniform(0.2, 0.4)
    spread = rng.uniform(25, 45)
    tip = np.array([1.0, 0.5])
    sides = [
        tip - head * np.array([np.cos(np.radians(s)), np.sin(np.radians(s))])
        for s in (spread, -spread)
    ]
    if rng.random() < 0.5:
        strokes = [[(0.0, 0.5), tip], [sides[0], tip, sides[1]]]
    else:
        strokes = [[(0.0, 0.5), tip, sides[0]], [tip, sides[1]]]
    return rotate(strokes, direction)


def heart(rng):
    """The classic heart curve, in one stroke or as two halves meeting at the tip."""
    t = np.linspace(0, 2 * np.pi, 40)
    x, y = (
        16 * np.sin(t) ** 3,
        -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)),
    )
    curve = np.stack([x, y], 1) / 34.0 + 0.5
    if rng.random() < 0.5:
        return [curve]
    return [curve[:21][::-1], curve[20:]]


def spiral(rng, turns=(2.5, 4.0)):
    """An Archimedean spiral of `turns` turns, from the middle out, either way round."""
    total = rng.uniform(*turns) * 2 * np.pi
    theta = np.linspace(0, total, int(total * 4))
    radius = 0.05 + 0.45 * theta / total
    side = rng.choice([-1.0, 1.0])
    return [np.stack([radius * np.cos(side * theta), radius * np.sin(side * theta)], 1) + 0.5]


def smiley(rng):
    """A round face with two eyes (dots or dashes) and a smile (or a frown)."""
    face = arc(0.5, 0.5, 0.5, rng.uniform(0.45, 0.55), -90, 270 + rng.uniform(-15, 15), 28)
    dash = rng.random() < 0.5
    eyes = [np.array([(x, 0.33), (x, 0.42)] if dash else [(x, 0.36)]) for x in (0.33, 0.67)]
    mouth = (
        arc(0.5, 0.55, 0.24, 0.18, 20, 160, 10)
        if rng.random() < 0.8
        else arc(0.5, 0.82, 0.22, 0.12, 200, 340, 10)
    )
    return [face, *eyes, mouth]


def house(rng):
    """A box with a roof (sometimes a door), in one stroke or two."""
    roof = rng.uniform(0.3, 0.5)
    walls = [(0.1, 1.0), (0.1, roof), (0.9, roof), (0.9, 1.0), (0.1, 1.0)]
    strokes = [walls, [(0.1, roof), (0.5, 0.0), (0.9, roof)]]
    if rng.random() < 0.4:
        strokes.append([(0.4, 1.0), (0.4, 0.72), (0.6, 0.72), (0.6, 1.0)])
    return strokes


SHAPES = {
    "polygon": polygon,
    "star": star,
    "cross": cross,
    "arrow": arrow,
    "heart": heart,
    "spiral": spiral,
    "smiley": smiley,
    "house": house,
}


# Scribbles: random walks, coils, zig-zags, filling-in and tangles.


def walk(rng, steps=(15, 35), turn=0.9, tries=10):
    """A random walk that keeps changing its heading: a wandering doodle.

    A walk that came out long and thin is a wavy line, which preprocessing makes a 1: it is
    walked again (up to `tries` times).
    """
    for _ in range(tries):
        n = int(rng.integers(*steps))
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, turn, n))
        moves = np.stack([np.cos(heading), np.sin(heading)], 1) * rng.uniform(0.5, 1.5, (n, 1))
        points = np.concatenate([[(0.0, 0.0)], np.cumsum(moves, axis=0)])
        extent = np.ptp(points, axis=0)
        if extent.min() > 0.3 * extent.max():
            break
    return [points]


def coil(rng, loops=(2.5, 6.0)):
    """A line of loops like a telephone cord, at any angle."""
    t = np.linspace(0, rng.uniform(*loops) * 2 * np.pi, 120)
    advance = rng.uniform(0.25, 0.8)
    squash = rng.uniform(0.6, 1.3)
    points = np.stack([t / (2 * np.pi) * advance + np.cos(t), squash * np.sin(t)], 1)
    return rotate([points], rng.uniform(0, 360), centre=(0.0, 0.0))


def zigzag(rng, corners=(5, 12)):
    """Back and forth between two rough lines, at any angle."""
    n = int(rng.integers(*corners))
    x = np.cumsum(rng.uniform(0.5, 1.5, n))
    y = np.where(np.arange(n) % 2 == 0, 0.0, rng.uniform(1.0, 3.0)) + rng.normal(0, 0.2, n)
    return rotate([np.stack([x, y], 1)], rng.uniform(0, 360), centre=(0.0, 0.0))


def fill(rng, lines=(8, 30)):
    """Colouring in: many strokes back and forth across a patch, overdrawn."""
    n = int(rng.integers(*lines))
    y = np.sort(rng.uniform(0, 1, n)) * rng.uniform(0.5, 1.2)
    x = np.where(np.arange(n) % 2 == 0, rng.uniform(0, 0.2, n), rng.uniform(0.8, 1.0, n))
    strokes = [np.stack([x, y], 1)]
    if rng.random() < 0.5:  # and across again the other way
        strokes += rotate([np.stack([x, y], 1)[::-1]], rng.uniform(30, 150))
    return rotate(strokes, rng.uniform(0, 360))


def tangle(rng, points=(8, 20), strokes=(1, 3)):
    """Random points in a box joined by a smooth line: a heavy scrawl, in one or more strokes."""
    out = []
    for _ in range(int(rng.integers(*strokes))):
        n = int(rng.integers(*points))
        corners = rng.uniform(0, 1, (n, 2))
        # Midpoints smooth the corners into curves, as a quick hand does.
        mids = (corners[1:] + corners[:-1]) / 2
        out.append(np.stack([mids, corners[1:]], 1).reshape(-1, 2))
    return out


SCRIBBLES = {"walk": walk, "coil": coil, "zigzag": zigzag, "fill": fill, "tangle": tangle}


def random_stroke_drawing(rng, makers, **written):
    """One drawing by a randomly chosen maker of `makers` (SHAPES or SCRIBBLES), randomly
    written (distort's keyword arguments): (kind, strokes fitted to height 1)."""
    kind = sorted(makers)[rng.integers(len(makers))]
    return kind, distort(makers[kind](rng), rng, **written)
