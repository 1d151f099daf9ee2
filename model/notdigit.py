"""The "is it a digit?" model: its data (digits against generated non-digits) and network.

A small binary CNN on the same 28x28 input as the digit model (reading.preprocess), kept apart
from it: the digit model is not retrained, and its accuracy stays what its card says.
Its output is the probability that the drawing is NOT a digit; the server rejects a drawing
above the threshold stored in notdigit.card.json.

Non-digits come from drawings/ (letters.py, shapes.py), written and drawn by the training
stream `rng_for("training", ...)`; the held-out set (benchmarks/drawn/nondigits.py) comes from
the benchmark's stream and from its handwriting fonts. No font glyph enters training:
the letters are the hand-made templates'.
"""

import numpy as np

from drawings.letters import random_letter
from drawings.pens import render_strokes
from drawings.shapes import SCRIBBLES, SHAPES, random_stroke_drawing
from drawings.streams import rng_for
from model.drawn import random_pen
from reading.preprocess import normalize_ink

# Alias of the table's path (reading/models.py) for the trainer that imports it.
KINDS = ("letters", "scribbles", "shapes")
# Of the non-digits: more of the kinds validation finds hardest (letters, scribbles).
SHARE = {"letters": 0.45, "scribbles": 0.35, "shapes": 0.2}


def write_non_digit(kind, rng):
    """One non-digit of a kind (one of KINDS): (name, unit strokes)."""
    if kind == "letters":
        return random_letter(rng)
    return random_stroke_drawing(rng, SCRIBBLES if kind == "scribbles" else SHAPES)


def random_non_digit(rng):
    """One non-digit of a kind drawn by SHARE: (name, unit strokes)."""
    kind = KINDS[rng.choice(len(KINDS), p=[SHARE[k] for k in KINDS])]
    return write_non_digit(kind, rng)


def draw_non_digits(count, seed, part):
    """`count` non-digits from `rng_for("training", seed, part)`, drawn with random pens and
    preprocessed: (x (count, 28, 28) float32, kinds (count,) str)."""
    rng = rng_for("training", seed, part)
    cuts = np.cumsum([SHARE[k] for k in KINDS]) * count
    kinds = np.array([KINDS[int(np.searchsorted(cuts, i, side="right"))] for i in range(count)])
    x = np.empty((count, 28, 28), dtype=np.float32)
    for i, kind in enumerate(kinds):
        _, strokes = write_non_digit(kind, rng)
        # The pen is a share of the longer side: a wide shape is drawn whole, not cut off.
        x[i] = normalize_ink(render_strokes(strokes, random_pen(rng), longer=True))
        if (i + 1) % 10000 == 0:
            print(f"  drew {i + 1:,} / {count:,} non-digits", flush=True)
    return x, kinds


def build_notdigit():
    """Three small conv stages and one dense layer: about 1 M multiply-adds, tens of us."""
    from model.architectures import small_binary_cnn  # Keras only where a model is built

    return small_binary_cnn("notdigit")


def threshold_for(not_digit_probabilities, reject_share):
    """The not-digit probability above which `reject_share` of these digits would be rejected."""
    return float(
        np.quantile(np.asarray(not_digit_probabilities, dtype=np.float64), 1.0 - reject_share)
    )


def rejection_curve(p_digits, p_non_digits, shares=(0.0025, 0.005, 0.01, 0.02)):
    """What rejecting each share of these digits would cost and buy: [{reject_share,
    threshold, non_digits_rejected}], for choosing --reject on validation."""
    curve = []
    for share in shares:
        threshold = threshold_for(p_digits, share)
        curve.append(
            {
                "reject_share": share,
                "threshold": round(threshold, 6),
                "non_digits_rejected": round(
                    float((np.asarray(p_non_digits) > threshold).mean()), 5
                ),
            }
        )
    return curve


def rejection_rates(probabilities, groups, threshold):
    """{group: share rejected} (and 'all') for not-digit probabilities split by group names."""
    probabilities, groups = np.asarray(probabilities).ravel(), np.asarray(groups)
    rates = {
        str(g): float((probabilities[groups == g] > threshold).mean())
        for g in sorted(set(groups.tolist()))
    }
    return {**rates, "all": float((probabilities > threshold).mean())}
