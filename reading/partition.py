"""Choosing the runs of pieces that cover all the ink: dynamic programmes over the runs.

runs[k] = (i, j) reads pieces i+1..j as one digit with score scores[k]; boundary[i - 1] is the
cost of reading pieces i and i + 1 as different digits. A partition's score is its runs'
scores less the boundaries between them.
"""

import numpy as np


def best_partition(
    runs: list[tuple[int, int]], scores: np.ndarray, boundary: np.ndarray
) -> list[int]:
    """Indices of the runs covering all pieces with the highest total score, left to right."""
    n = max(j for _, j in runs)
    best = np.full(n + 1, -np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=np.int64)
    for k, (i, j) in sorted(enumerate(runs), key=lambda item: item[1][1]):
        total = best[i] + scores[k] - (boundary[i - 1] if i else 0.0)
        if total > best[j]:
            best[j], back[j] = total, k
    chosen, j = [], n
    while j > 0:
        chosen.append(int(back[j]))
        j = runs[back[j]][0]
    return chosen[::-1]


def partition_score(
    chosen: list[int], runs: list[tuple[int, int]], scores: np.ndarray, boundary: np.ndarray
) -> float:
    """The total score of the runs `chosen`, less the boundaries between them."""
    return sum(scores[k] - (boundary[runs[k][0] - 1] if runs[k][0] else 0.0) for k in chosen)


def best_partition_reading(
    runs: list[tuple[int, int]],
    scores: np.ndarray,
    boundary: np.ndarray,
    digits: np.ndarray,
    text: str,
) -> list[int] | None:
    """Like best_partition, among the partitions whose runs read `text` (digits[k]: what run
    k reads); None when none does."""
    n, length = max(j for _, j in runs), len(text)
    if length == 0:
        return None
    best = np.full((n + 1, length + 1), -np.inf)
    best[0, 0] = 0.0
    back: dict[tuple[int, int], int] = {}  # (pieces, symbols) read -> the last run's index
    for k, (i, j) in sorted(enumerate(runs), key=lambda item: item[1][1]):
        cost = scores[k] - (boundary[i - 1] if i else 0.0)
        # Where in the text this run's digit may stand ("?" matches none).
        for m in np.flatnonzero([ch == str(digits[k]) for ch in text]).tolist():
            if best[i, m] + cost > best[j, m + 1]:
                best[j, m + 1], back[(j, m + 1)] = best[i, m] + cost, k
    if not np.isfinite(best[n, length]):
        return None
    chosen, j, left = [], n, length  # left: how many of text's symbols the runs up to j read
    while j > 0:
        k = back[(j, left)]
        chosen.append(int(k))
        j, left = runs[k][0], left - 1
    return chosen[::-1]
