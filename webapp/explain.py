"""Why the model answered as it did: an occlusion map over the 28x28 input.

Each 4x4 patch of the input is hidden in turn (set to background) and the predicted digit's
probability is measured again: a patch whose hiding lowers it was evidence for the digit, one
whose hiding raises it was evidence against. Blank patches are skipped (hiding nothing changes
nothing), so a digit costs about 20-30 extra inferences: a few milliseconds, with LiteRT alone
and any model (no gradients needed).
"""

from collections.abc import Callable

import numpy as np
from PIL import Image

PATCH = 4  # px; 28 / 4 = a 7x7 grid of patches
GRID = 28 // PATCH
BATCH = GRID * GRID  # the most hidden versions one drawing can need


def occlusion_map(
    predict_many: Callable[[np.ndarray], np.ndarray], x: np.ndarray, probabilities: np.ndarray
) -> np.ndarray:
    """A (28, 28) float32 map: drop in the answer's probability when each region is hidden.

    predict_many takes (n, 28, 28) float32 and returns (n, 10) probabilities; x is the
    preprocessed input and probabilities the model's answer for it. Positive = evidence for
    the predicted digit, negative = evidence against it.
    """
    digit = int(np.argmax(probabilities))
    patches = x.reshape(GRID, PATCH, GRID, PATCH).swapaxes(1, 2)  # (7, 7, 4, 4)
    inked = np.flatnonzero(patches.reshape(BATCH, -1).any(axis=1))
    hidden = np.repeat(x[None], len(inked), axis=0)
    for k, cell in enumerate(inked):  # at most 49 small slices, not a loop over pixels
        row, col = divmod(int(cell), GRID)
        hidden[k, row * PATCH : (row + 1) * PATCH, col * PATCH : (col + 1) * PATCH] = 0.0
    drops = np.zeros(BATCH, dtype=np.float32)
    if len(inked):
        drops[inked] = probabilities[digit] - predict_many(hidden)[:, digit]
    # Bilinear upsampling turns the 7x7 grid into a smooth map aligned with the input.
    grid = Image.fromarray(drops.reshape(GRID, GRID))
    return np.asarray(grid.resize((28, 28), Image.Resampling.BILINEAR), dtype=np.float32)
