"""Reading the number model's column probabilities (model/number.py): CTC decoding in numpy.

The server imports this without TensorFlow: the model runs in LiteRT, and what its columns
say is worked out here.
"""

import numpy as np

BLANK = 10  # the class "no digit here"; 0-9 are the digits
NOT_DIGIT = 11  # the class "something here that is not a digit" (a letter, scribble, shape)
CLASSES = 12
SYMBOLS = "0123456789-?"  # each class as text; the blank is never written
STRIDE = 4  # px of the line per column: the model pools its width by 4


def best_path(probabilities: np.ndarray) -> str:
    """(T, 12) per-column probabilities -> the text of the likeliest column labels: digits,
    and "?" where the model sees something that is not a digit."""
    best = np.argmax(probabilities, axis=1)
    keep = (best != BLANK) & np.concatenate(([True], best[1:] != best[:-1]))
    return "".join(SYMBOLS[d] for d in best[keep])


def log_likelihood(probabilities: np.ndarray, text: str) -> float:
    """log P(text | line) under CTC: the sum over every column labelling that reads `text`
    (digits, and "?" for a non-digit)."""
    logp = np.log(np.maximum(np.asarray(probabilities, dtype=np.float64), 1e-30))
    labels = [BLANK]
    for ch in text:
        labels += [SYMBOLS.index(ch), BLANK]
    n = len(labels)
    # May a path skip the blank between labels s-2 and s? Only between different digits.
    skip = np.array(
        [s >= 2 and labels[s] != BLANK and labels[s] != labels[s - 2] for s in range(n)]
    )
    alpha = np.full(n, -np.inf)
    alpha[0] = logp[0, labels[0]]
    if n > 1:
        alpha[1] = logp[0, labels[1]]
    for t in range(1, len(logp)):
        before = alpha.copy()
        one = np.concatenate(([-np.inf], before))[:n]
        two = np.where(skip, np.concatenate(([-np.inf, -np.inf], before))[:n], -np.inf)
        alpha = np.logaddexp(np.logaddexp(before, one), two) + logp[t, labels]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if n > 1 else alpha[-1])
