"""Letters as pen strokes, for teaching the not-a-digit model what a letter looks like.

Each letter is a list of strokes in a unit box (x right, y down), drawn in the order a person
would. Capitals fill the box; small letters sit on the baseline y = 1 with their x-height at
0.45, ascenders reaching 0 and descenders 1.4. `random_letter(rng)` writes one with random
slant, proportions, wobble and tremor (geometry.distort), as templates.py writes digits.

Left out on purpose, because a person can write them so that they ARE a digit (a rejection
of them would be a wrong answer, and training them as non-digits would teach the model to
reject real digits): O o D Q (0), I l i (1), Z z (2), S s (5), b G (6), B (8), g q a (9),
y (an open 4).
"""

from model.strokes.geometry import arc, chain, distort

LOWER_BOWL = (0.725, 0.275)  # centre y and vertical radius of a small letter's bowl

UPPER = {
    "A": [[(0.1, 1.0), (0.5, 0.0), (0.9, 1.0)], [(0.27, 0.6), (0.73, 0.6)]],
    "C": [arc(0.55, 0.5, 0.42, 0.5, -40, -320, 20)],
    "E": [[(0.8, 0.0), (0.15, 0.0), (0.15, 1.0), (0.8, 1.0)], [(0.15, 0.5), (0.65, 0.5)]],
    "F": [[(0.8, 0.0), (0.15, 0.0), (0.15, 1.0)], [(0.15, 0.5), (0.65, 0.5)]],
    "H": [[(0.15, 0.0), (0.15, 1.0)], [(0.85, 0.0), (0.85, 1.0)], [(0.15, 0.5), (0.85, 0.5)]],
    "J": [[(0.3, 0.0), (0.9, 0.0)], chain([(0.65, 0.0), (0.65, 0.7)],
                                          arc(0.42, 0.7, 0.23, 0.3, 0, 170, 10))],
    "K": [[(0.15, 0.0), (0.15, 1.0)], [(0.85, 0.0), (0.15, 0.55), (0.85, 1.0)]],
    "L": [[(0.15, 0.0), (0.15, 1.0), (0.8, 1.0)]],
    "M": [[(0.1, 1.0), (0.15, 0.0), (0.5, 0.6), (0.85, 0.0), (0.9, 1.0)]],
    "N": [[(0.15, 1.0), (0.15, 0.0), (0.85, 1.0), (0.85, 0.0)]],
    "P": [chain([(0.15, 1.0), (0.15, 0.0), (0.5, 0.0)], arc(0.5, 0.25, 0.32, 0.25, -90, 90, 12),
                [(0.15, 0.5)])],
    "R": [chain([(0.15, 1.0), (0.15, 0.0), (0.5, 0.0)], arc(0.5, 0.25, 0.32, 0.25, -90, 90, 12),
                [(0.15, 0.5)]), [(0.45, 0.5), (0.85, 1.0)]],
    "T": [[(0.1, 0.0), (0.9, 0.0)], [(0.5, 0.0), (0.5, 1.0)]],
    "U": [chain([(0.15, 0.0)], arc(0.5, 0.65, 0.35, 0.35, 180, 0, 14), [(0.85, 0.0)])],
    "V": [[(0.1, 0.0), (0.5, 1.0), (0.9, 0.0)]],
    "W": [[(0.05, 0.0), (0.28, 1.0), (0.5, 0.35), (0.72, 1.0), (0.95, 0.0)]],
    "X": [[(0.1, 0.0), (0.9, 1.0)], [(0.9, 0.0), (0.1, 1.0)]],
    "Y": [[(0.1, 0.0), (0.5, 0.5)], [(0.9, 0.0), (0.5, 0.5), (0.5, 1.0)]],
}

LOWER = {
    "c": [arc(0.5, LOWER_BOWL[0], 0.3, LOWER_BOWL[1], -40, -320, 16)],
    "d": [arc(0.45, LOWER_BOWL[0], 0.28, LOWER_BOWL[1], 0, -360, 20), [(0.73, 0.0), (0.73, 1.0)]],
    "e": [chain([(0.2, 0.72), (0.8, 0.72)], arc(0.5, LOWER_BOWL[0], 0.3, LOWER_BOWL[1], 0, -300,
                                                 18))],
    "f": [chain(arc(0.62, 0.2, 0.2, 0.2, -20, -180, 8), [(0.42, 1.0)]),
          [(0.2, 0.45), (0.68, 0.45)]],
    "h": [[(0.2, 0.0), (0.2, 1.0)], chain(arc(0.5, 0.75, 0.3, 0.3, 180, 360, 10), [(0.8, 1.0)])],
    "j": [chain([(0.6, 0.45), (0.6, 1.2)], arc(0.4, 1.2, 0.2, 0.2, 0, 160, 8)), [(0.6, 0.25)]],
    "k": [[(0.2, 0.0), (0.2, 1.0)], [(0.75, 0.45), (0.2, 0.75), (0.8, 1.0)]],
    "m": [chain([(0.1, 0.45), (0.1, 1.0), (0.1, 0.65)], arc(0.3, 0.65, 0.2, 0.2, 180, 360, 8),
                [(0.5, 1.0), (0.5, 0.65)], arc(0.7, 0.65, 0.2, 0.2, 180, 360, 8), [(0.9, 1.0)])],
    "n": [chain([(0.15, 0.45), (0.15, 1.0), (0.15, 0.72)], arc(0.5, 0.72, 0.35, 0.27, 180, 360,
                                                                 10), [(0.85, 1.0)])],
    "p": [[(0.2, 0.45), (0.2, 1.4)], arc(0.48, LOWER_BOWL[0], 0.28, LOWER_BOWL[1], -180, 180, 20)],
    "r": [chain([(0.2, 0.45), (0.2, 1.0), (0.2, 0.7)], arc(0.45, 0.7, 0.25, 0.22, 180, 300, 6))],
    "t": [chain([(0.45, 0.0), (0.45, 0.85)], arc(0.6, 0.85, 0.15, 0.15, 180, 60, 6)),
          [(0.2, 0.4), (0.75, 0.4)]],
    "u": [chain([(0.15, 0.45), (0.15, 0.72)], arc(0.45, 0.72, 0.3, 0.28, 180, 0, 10)),
          [(0.75, 0.45), (0.75, 1.0)]],
    "v": [[(0.1, 0.45), (0.5, 1.0), (0.9, 0.45)]],
    "w": [[(0.05, 0.45), (0.27, 1.0), (0.5, 0.6), (0.73, 1.0), (0.95, 0.45)]],
    "x": [[(0.15, 0.45), (0.85, 1.0)], [(0.85, 0.45), (0.15, 1.0)]],
}

LETTERS = {**UPPER, **LOWER}
# What the held-out set asks of the handwriting fonts: the same letters, never a look-alike.
NAMES = "".join(sorted(LETTERS))


def random_letter(rng, letter=None):
    """One randomly written letter: (letter, strokes fitted to height 1)."""
    letter = letter or NAMES[rng.integers(len(NAMES))]
    return letter, distort(LETTERS[letter], rng)
