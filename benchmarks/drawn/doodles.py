"""Simple pictures as pen strokes, for the held-out non-digits (nondigits.py).

What people doodle when asked to draw something that is not a digit: a flower, a tree, a
car, a cup, a moon, a lightning bolt, an umbrella, a boat, a leaf, a key, a pair of glasses,
a bell, a mushroom. Training draws none of them. Each maker takes a numpy Generator and
returns strokes (x right, y down) in about a unit box, varied in its proportions and parts.

Kept away from digits on purpose: a moon always comes with stars (a crescent alone is a C),
a lightning bolt is drawn as an outline (a zig-zag line is a Z or a 2, and training's), a
flower has petals and leaves (a round head on a stem is a 9).
"""

import numpy as np

from drawings.shapes import closed, rotate
from reading.geometry import arc, chain


def _small_star(rng, x, y, size):
    """A twinkle: a small plus or x, or a five-pointed outline."""
    if rng.random() < 0.5:
        arms = [[(x - size, y), (x + size, y)], [(x, y - size), (x, y + size)]]
        return rotate(arms, rng.choice([0.0, 45.0]), centre=(x, y))
    angles = np.radians(-90 + 36 * np.arange(10))
    radius = np.where(np.arange(10) % 2 == 0, size, size * 0.45)
    return [closed(np.stack([x + radius * np.cos(angles), y + radius * np.sin(angles)], 1))]


def _leaf(cx, cy, length, width, degrees):
    """An almond-shaped leaf centred at (cx, cy), pointing along `degrees`."""
    t = np.linspace(0, np.pi, 9)
    upper = np.stack([np.cos(t) * length / 2, np.sin(t) * width / 2], 1)
    lower = np.stack([np.cos(t[::-1]) * length / 2, -np.sin(t[::-1]) * width / 2], 1)
    outline = np.concatenate([upper, lower[1:]])
    return rotate([outline + (cx, cy)], -degrees, centre=(cx, cy))[0]


def flower(rng):
    """Petals (loops or a scalloped ring) round a middle, a stem and one or two leaves; the
    head is large, so that even a thick pen leaves more than a blob on a stick."""
    middle, length = rng.uniform(0.08, 0.11), rng.uniform(0.17, 0.24)
    cx, cy = 0.5, middle + length
    petals = int(rng.integers(5, 9))
    start = rng.uniform(0, 360)
    strokes = [arc(cx, cy, middle, middle, 0, 360, 12)]
    if rng.random() < 0.6:  # separate loops
        for k in range(petals):
            a = start + 360 * k / petals
            r = middle + length / 2
            x, y = cx + r * np.cos(np.radians(a)), cy + r * np.sin(np.radians(a))
            strokes.append(_leaf(x, y, length + 0.02, length * 0.7, a))
    else:  # one scalloped ring
        bumps = [
            arc(
                cx + (middle + length / 2) * np.cos(np.radians(a)),
                cy + (middle + length / 2) * np.sin(np.radians(a)),
                length / 2,
                length / 2,
                a - 90,
                a + 90,
                6,
            )
            for a in start + 360 * np.arange(petals) / petals
        ]
        strokes.append(closed(np.concatenate(bumps)))
    top = cy + middle + length
    bend = rng.uniform(-0.08, 0.08)
    stem = np.array([(cx, top), (cx + bend, (top + 1) / 2), (cx, 1.0)])
    strokes.append(stem)
    for side in rng.permutation([-1, 1])[: int(rng.integers(1, 3))]:
        y = rng.uniform(top + 0.1, 0.85)
        strokes.append(_leaf(cx + side * 0.12, y, 0.26, 0.11, 90 + side * 60))
    return strokes


def tree(rng):
    """A trunk under a bumpy crown, or a pine of stacked triangles."""
    trunk_w = rng.uniform(0.06, 0.1)
    if rng.random() < 0.5:
        bumps = int(rng.integers(6, 10))
        angles = np.linspace(120, 420, bumps + 1)
        crown = np.concatenate(
            [
                arc(
                    0.5 + 0.32 * np.cos(np.radians(a)),
                    0.35 + 0.3 * np.sin(np.radians(a)),
                    0.12,
                    0.12,
                    a - 100,
                    a + 100,
                    6,
                )
                for a in angles[:-1]
            ]
        )
        # Roots and the ground under it: a round crown on a stick alone is a 9.
        trunk = [
            [(0.5 - trunk_w, 0.62), (0.5 - trunk_w, 0.95), (0.5 - 2 * trunk_w, 1.0)],
            [(0.5 + trunk_w, 0.62), (0.5 + trunk_w, 0.95), (0.5 + 2 * trunk_w, 1.0)],
            [(rng.uniform(0.0, 0.2), 1.0), (rng.uniform(0.8, 1.0), 1.0)],
        ]
        branch = [[(0.5, 0.75), (0.5 + rng.choice([-1, 1]) * 0.15, 0.6)]]
        return [crown, *trunk, *(branch if rng.random() < 0.5 else [])]
    tiers = int(rng.integers(2, 4))
    strokes = []
    for k in range(tiers):
        top, base = k * 0.8 / (tiers + 1), (k + 2) * 0.8 / (tiers + 1)
        half = 0.2 + 0.25 * (k + 1) / tiers
        strokes.append([(0.5 - half, base), (0.5, top), (0.5 + half, base), (0.5 - half, base)])
    strokes.append(
        [(0.5 - trunk_w, 0.8), (0.5 - trunk_w, 1.0), (0.5 + trunk_w, 1.0), (0.5 + trunk_w, 0.8)]
    )
    return strokes


def car(rng):
    """A car side on: the body with its cabin, two wheels, maybe a window line."""
    length, roof = rng.uniform(1.5, 2.0), rng.uniform(0.12, 0.25)
    front, back = length * rng.uniform(0.62, 0.75), length * rng.uniform(0.18, 0.3)
    body = [
        (0, 0.7),
        (0, 0.45),
        (back, 0.42),
        (back + 0.15, roof),
        (front - 0.15, roof),
        (front, 0.42),
        (length, 0.48),
        (length, 0.7),
        (0, 0.7),
    ]
    wheel = rng.uniform(0.12, 0.16)
    strokes = [np.array(body)] + [
        arc(x, 0.72, wheel, wheel, 0, 360, 14) for x in (length * 0.22, length * 0.78)
    ]
    if rng.random() < 0.6:
        middle = (back + front) / 2
        strokes.append(np.array([(middle, roof), (middle, 0.42)]))
    return strokes


def cup(rng):
    """A cup or mug: the body, a rim, a handle and maybe steam."""
    narrow = rng.uniform(0.0, 0.08)
    top = 0.3
    body = [(0.1, top), (0.1 + narrow, 1.0), (0.7 - narrow, 1.0), (0.7, top)]
    strokes = [np.array(body)]
    if rng.random() < 0.5:
        strokes.append(arc(0.4, top, 0.3, 0.05, 0, 360, 16))
    else:
        strokes.append(np.array([(0.1, top), (0.7, top)]))
    strokes.append(arc(0.7 - narrow / 2, 0.6, rng.uniform(0.14, 0.2), 0.16, -90, 90, 10))
    for k in range(int(rng.integers(0, 4))):
        x = 0.25 + 0.15 * k
        y = np.linspace(0.22, 0.0, 8)
        strokes.append(np.stack([x + 0.03 * np.sin(y * 30), y], 1))
    return strokes


def moon(rng):
    """A crescent with two or three stars beside it, opening left or right. The inner edge
    curves as deeply as the outer one: with a flat inner edge, a thick pen makes a D."""
    tip = np.radians(rng.uniform(40, 70))
    tip_x, tip_y = 0.4 + 0.4 * np.cos(tip), 0.5 * np.sin(tip)
    width = rng.uniform(0.12, 0.25)  # of the crescent at its widest
    outer = arc(0.4, 0.5, 0.4, 0.5, np.degrees(tip), 360 - np.degrees(tip), 20)
    inner = arc(tip_x, 0.5, tip_x - width, tip_y, 270, 90, 16)
    strokes = [chain(outer, inner)]
    spots = [(0.78, 0.2), (0.95, 0.55), (0.75, 0.85)]
    for k in rng.permutation(3)[: int(rng.integers(2, 4))]:
        strokes += _small_star(rng, *spots[k], rng.uniform(0.08, 0.13))
    if rng.random() < 0.5:
        return strokes
    return [np.asarray(s) * (-1, 1) + (1, 0) for s in strokes]


def bolt(rng):
    """A lightning bolt's outline."""
    step = rng.uniform(0.25, 0.4)
    points = [
        (0.55, 0.0),
        (0.15, 0.55),
        (0.15 + step, 0.55),
        (0.25, 1.0),
        (0.85, 0.4),
        (0.85 - step, 0.4),
        (0.95, 0.0),
    ]
    return [closed(points)]


def umbrella(rng):
    """A domed canopy with a scalloped edge, a shaft and a hooked handle; maybe rain."""
    scallops = int(rng.integers(3, 6))
    # Wide and low: a thick pen fills the dome, and a tall filled dome on a hook is a 9.
    half = rng.uniform(0.6, 0.75)
    dome = arc(0.5, 0.45, half, rng.uniform(0.25, 0.38), 180, 360, 16)
    width = 2 * half / scallops
    edge = [
        arc(0.5 + half - (k + 0.5) * width, 0.45, width / 2, 0.06, 0, 180, 6)
        for k in range(scallops)
    ]
    canopy = chain(dome, *edge)
    hook = rng.choice([-1.0, 1.0]) * 0.08
    handle = chain(
        [(0.5, 0.45), (0.5, 0.9)],
        arc(0.5 + hook, 0.9, abs(hook), 0.08, 180 if hook > 0 else 0, 0 if hook > 0 else 180, 6),
    )
    strokes = [canopy, handle]
    if rng.random() < 0.4:
        strokes += [
            np.array([(x, y), (x - 0.03, y + 0.08)])
            for x, y in rng.uniform((0.05, -0.25), (0.95, -0.05), (5, 2))
        ]
    return strokes


def boat(rng):
    """A hull, a mast and one or two sails, maybe waves under it."""
    strokes = [
        closed([(0.0, 0.65), (1.0, 0.65), (0.8, 0.88), (0.2, 0.88)]),
        np.array([(0.5, 0.65), (0.5, 0.02)]),
    ]
    strokes.append(closed([(0.5, 0.05), (0.5 + rng.uniform(0.25, 0.4), 0.58), (0.5, 0.58)]))
    if rng.random() < 0.5:
        strokes.append(closed([(0.5, 0.15), (0.5 - rng.uniform(0.2, 0.3), 0.58), (0.5, 0.58)]))
    if rng.random() < 0.5:
        x = np.linspace(-0.1, 1.1, 24)
        strokes.append(np.stack([x, 0.97 + 0.03 * np.sin(x * 25)], 1))
    return strokes


def leaf(rng):
    """A leaf at a slant: its outline, the midrib running on into a stalk, and veins."""
    length, width = 1.0, rng.uniform(0.35, 0.5)
    outline = _leaf(0.5, 0.5, length, width, 0)
    strokes = [outline, np.array([(0.0, 0.5), (1.15, 0.5)])]
    veins = int(rng.integers(2, 5))
    for x in np.linspace(0.25, 0.75, veins):
        reach = width / 2 * np.sin(np.pi * x) * 0.8
        strokes += [
            np.array([(x, 0.5), (x + 0.1, 0.5 - reach)]),
            np.array([(x, 0.5), (x + 0.1, 0.5 + reach)]),
        ]
    return rotate(strokes, rng.uniform(15, 50) * rng.choice([-1, 1]))  # upright, it is a 0


def key(rng):
    """A key lying down: a round bow (with a hole), the shaft and two or three teeth."""
    bow = rng.uniform(0.16, 0.22)
    strokes = [arc(bow, 0.5, bow, bow, 0, 360, 16)]
    if rng.random() < 0.6:
        strokes.append(arc(bow, 0.5, bow * 0.35, bow * 0.35, 0, 360, 8))
    end = rng.uniform(1.0, 1.3)
    strokes.append(np.array([(2 * bow, 0.5), (end, 0.5)]))
    teeth = int(rng.integers(2, 4))
    for k in range(teeth):
        x = end - k * 0.12
        strokes.append(
            np.array(
                [
                    (x, 0.5),
                    (x, 0.5 + rng.uniform(0.12, 0.2)),
                    (x - 0.07, 0.5 + rng.uniform(0.12, 0.2)),
                    (x - 0.07, 0.5),
                ]
            )
        )
    return strokes


def spectacles(rng):
    """A pair of glasses: two lenses (round or square), the bridge and the arms."""
    r = rng.uniform(0.22, 0.28)
    left, right = 0.3, 0.9 + rng.uniform(0.0, 0.1)
    if rng.random() < 0.5:
        lenses = [arc(x, 0.5, r, r * 0.85, 0, 360, 16) for x in (left, right)]
    else:
        lenses = [
            closed(
                [
                    (x - r, 0.5 - r * 0.8),
                    (x + r, 0.5 - r * 0.8),
                    (x + r * 0.8, 0.5 + r * 0.8),
                    (x - r * 0.8, 0.5 + r * 0.8),
                ]
            )
            for x in (left, right)
        ]
    bridge = arc((left + right) / 2, 0.5, (right - left) / 2 - r, 0.08, 180, 360, 6)
    arms = [
        np.array([(left - r, 0.45), (left - r - 0.25, 0.3)]),
        np.array([(right + r, 0.45), (right + r + 0.25, 0.3)]),
    ]
    return [*lenses, bridge, *arms]


def bell(rng):
    """A bell: the flared body, its rim, the clapper below and a loop on top."""
    flare = rng.uniform(0.05, 0.12)
    side = np.array([(0.5, 0.15), (0.32, 0.2), (0.25, 0.4), (0.2, 0.7), (0.1 - flare, 0.85)])
    body = np.concatenate([side, (side * (-1, 1) + (1, 0))[::-1]])
    strokes = [
        body,
        np.array([(0.1 - flare, 0.85), (0.9 + flare, 0.85)]),
        arc(0.5, 0.92, 0.07, 0.07, 0, 360, 8),
        arc(0.5, 0.08, 0.07, 0.07, 90, 450, 8),
    ]
    if rng.random() < 0.5:  # ringing
        strokes += [np.array([(0.0, 0.3), (-0.1, 0.25)]), np.array([(1.0, 0.3), (1.1, 0.25)])]
    return strokes


def mushroom(rng):
    """A mushroom: a domed cap with spots, its underside and a stem."""
    cap = arc(0.5, 0.5, 0.5, rng.uniform(0.35, 0.5), 180, 360, 16)
    strokes = [closed(cap)]
    stem = rng.uniform(0.12, 0.18)
    strokes.append(
        np.array(
            [
                (0.5 - stem, 0.5),
                (0.5 - stem - 0.02, 0.95),
                (0.5 + stem + 0.02, 0.95),
                (0.5 + stem, 0.5),
            ]
        )
    )
    for x, y in ((0.3, 0.35), (0.6, 0.25), (0.72, 0.42))[: int(rng.integers(1, 4))]:
        strokes.append(arc(x, y, 0.06, 0.05, 0, 360, 8))
    return strokes


DOODLES = {
    "flower": flower,
    "tree": tree,
    "car": car,
    "cup": cup,
    "moon": moon,
    "lightning": bolt,
    "umbrella": umbrella,
    "boat": boat,
    "leaf": leaf,
    "key": key,
    "glasses": spectacles,
    "bell": bell,
    "mushroom": mushroom,
}
