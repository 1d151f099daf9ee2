"""Hand-designed stroke templates: every digit in several writing styles, randomly written.

Each style is a list of strokes in a unit square (x right, y down), in the order and direction
a person would draw them. `random_template(rng, digit)` picks a style and writes it with
random slant, rotation, proportions, smooth wobble and tremor (geometry.distort).
The benchmark passes generators from `rng_for("benchmark", ...)`; training passes ones from
`rng_for("training", ...)` (see drawings/streams.py).
"""

from reading.geometry import arc, chain, distort

STYLES = {
    0: {
        "oval": [arc(0.5, 0.5, 0.3, 0.45, -90, 275, 28)],
        "round": [arc(0.5, 0.5, 0.4, 0.45, -100, 265, 28)],
        "overlap": [arc(0.5, 0.5, 0.3, 0.45, -60, 320, 30)],
    },
    1: {
        "stick": [[(0.52, 0.0), (0.48, 1.0)]],
        "flag": [[(0.28, 0.25), (0.55, 0.0), (0.5, 1.0)]],
        "flag-base": [[(0.28, 0.25), (0.55, 0.0), (0.5, 1.0)], [(0.25, 1.0), (0.75, 1.0)]],
    },
    2: {
        "plain": [chain(arc(0.5, 0.28, 0.3, 0.28, 195, 380, 14), [(0.15, 1.0), (0.85, 1.0)])],
        "loop": [
            chain(
                arc(0.5, 0.28, 0.3, 0.28, 195, 380, 14),
                [(0.2, 0.92)],
                arc(0.27, 0.86, 0.1, 0.1, -60, -330, 10)[1:],
                [(0.85, 0.96)],
            )
        ],
        "swan": [
            chain(
                arc(0.48, 0.3, 0.3, 0.3, 200, 370, 14),
                arc(0.1, 0.35, 0.68, 0.65, 0, 70, 8),
                [(0.45, 0.92), (0.9, 0.95)],
            )
        ],
    },
    3: {
        "round": [
            chain(
                arc(0.45, 0.27, 0.3, 0.26, -160, 90, 16), arc(0.45, 0.74, 0.34, 0.26, -90, 160, 16)
            )
        ],
        "flat-top": [
            chain([(0.15, 0.0), (0.8, 0.0), (0.42, 0.42)], arc(0.45, 0.7, 0.35, 0.29, -90, 155, 16))
        ],
    },
    4: {
        "open": [[(0.3, 0.0), (0.15, 0.62), (0.9, 0.62)], [(0.68, 0.1), (0.66, 1.0)]],
        "closed": [[(0.62, 0.0), (0.08, 0.66), (0.92, 0.66)], [(0.62, 0.0), (0.62, 1.0)]],
        "one-stroke": [[(0.25, 0.0), (0.1, 0.6), (0.75, 0.6), (0.72, 0.2), (0.7, 1.0)]],
    },
    5: {
        "two-stroke": [
            chain([(0.3, 0.0), (0.25, 0.45)], arc(0.47, 0.68, 0.33, 0.3, -130, 150)),
            [(0.3, 0.0), (0.85, 0.0)],
        ],
        "one-stroke": [
            chain([(0.85, 0.0), (0.3, 0.0), (0.25, 0.45)], arc(0.47, 0.68, 0.33, 0.3, -130, 150))
        ],
    },
    6: {
        "curved": [
            chain(
                arc(0.95, 0.62, 0.75, 0.62, -110, -180, 10), arc(0.5, 0.72, 0.3, 0.27, 180, 540, 24)
            )
        ],
        "straight": [chain([(0.7, 0.0), (0.24, 0.7)], arc(0.5, 0.74, 0.28, 0.25, 160, 520, 24))],
    },
    7: {
        "plain": [[(0.1, 0.0), (0.9, 0.0), (0.4, 1.0)]],
        "crossbar": [[(0.1, 0.0), (0.9, 0.0), (0.4, 1.0)], [(0.35, 0.5), (0.85, 0.48)]],
        "serif": [[(0.1, 0.15), (0.12, 0.0), (0.9, 0.0), (0.45, 1.0)]],
    },
    8: {
        "one-stroke": [
            chain(
                arc(0.5, 0.25, 0.28, 0.25, -10, -270, 14),
                arc(0.5, 0.74, 0.32, 0.26, -90, 270, 20)[1:-1],
                arc(0.5, 0.25, 0.28, 0.25, 90, -10, 8),
            )
        ],
        "two-loops": [
            arc(0.5, 0.25, 0.26, 0.25, 90, 450, 24),
            arc(0.5, 0.74, 0.32, 0.26, -90, 270, 24),
        ],
    },
    9: {
        "straight": [chain(arc(0.45, 0.28, 0.32, 0.28, 0, -360, 24), [(0.74, 1.0)])],
        "curved": [
            chain(
                arc(0.45, 0.28, 0.32, 0.28, 0, -360, 24),
                [(0.72, 0.7)],
                arc(0.45, 0.72, 0.27, 0.28, 0, 120, 8),
            )
        ],
        "two-stroke": [arc(0.45, 0.28, 0.32, 0.28, -10, -365, 24), [(0.78, 0.1), (0.74, 1.0)]],
    },
}


def random_template(rng, digit, style=None):
    """One randomly written digit: (style name, strokes fitted to height 1)."""
    names = sorted(STYLES[digit])
    style = style or names[rng.integers(len(names))]
    # A 1 hardly widens; its slant and wobble carry the variation.
    aspect = (0.9, 1.1) if digit == 1 else (0.75, 1.25)
    return style, distort(STYLES[digit][style], rng, aspect=aspect)
