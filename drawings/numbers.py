"""Digits' strokes written side by side on one line, as a person writes a number.

Shared by the drawn-digit benchmark's numbers (benchmarks/drawn/numbers.py, its own strokes and
random stream) and training's numbers (model/onedigit.py, model/number.py: training strokes), so
both lay out a number the same way.
"""

from reading.geometry import bounds, fit_height

BASELINE = 0.1  # each digit moves up or down by up to this share of the height
GROWTH = (0.9, 1.1)  # and is this much larger or smaller than its neighbours


def write_number(digits, rng, spacing):
    """Each digit's strokes placed on one line, height about 1: a list of stroke lists.

    spacing: (low, high) space between neighbours' boxes as a share of the digit height,
    drawn anew for each gap (below 0: the boxes overlap).
    """
    out, right = [], 0.0
    for i, strokes in enumerate(digits):
        size = rng.uniform(*GROWTH)
        strokes = [s * size for s in fit_height(strokes)]
        width = bounds(strokes)[2]
        left = 0.0 if i == 0 else right + rng.uniform(*spacing)
        drop = rng.uniform(-BASELINE, BASELINE) + (1 - size) / 2
        out.append([s + (left, drop) for s in strokes])
        right = left + width
    return out
