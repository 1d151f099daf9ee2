"""Polyline helpers shared by the stroke sources: arcs, resampling, fitting and random warps.

A drawing is a list of strokes; a stroke is a float array (n, 2) of (x, y) points, y down.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike


def arc(
    cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 16
) -> np.ndarray:
    """Points on an ellipse from angle start to end in degrees (0 = right, 90 = down)."""
    angles = np.radians(np.linspace(start, end, n + 1))
    return np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], axis=1)


def chain(*parts: ArrayLike) -> np.ndarray:
    """Join point lists into one stroke, dropping a point repeated where two parts meet."""
    points = [np.asarray(p, dtype=float).reshape(-1, 2) for p in parts]
    out = [points[0]]
    for part in points[1:]:
        out.append(part[1:] if np.allclose(out[-1][-1], part[0]) else part)
    return np.concatenate(out)


def bounds(strokes: Sequence[ArrayLike]) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of all points."""
    points = np.concatenate(strokes)
    return (*points.min(axis=0), *points.max(axis=0))


def fit_height(strokes: Sequence[ArrayLike]) -> list[np.ndarray]:
    """Translate to the origin and scale so the ink's height is 1 (the width keeps its ratio)."""
    left, top, right, bottom = bounds(strokes)
    scale = 1.0 / max(bottom - top, (right - left) * 0.25, 1e-6)  # guards a flat stroke
    return [(np.asarray(s, dtype=float) - (left, top)) * scale for s in strokes]


def resample(stroke: ArrayLike, step: float) -> np.ndarray:
    """Points every `step` along the stroke (ends kept), so a warp bends straight lines too."""
    stroke = np.asarray(stroke, dtype=float)
    if len(stroke) < 2:
        return stroke
    lengths = np.hypot(*np.diff(stroke, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    if along[-1] == 0:
        return stroke[:1]
    at = np.linspace(0.0, along[-1], max(2, int(np.ceil(along[-1] / step)) + 1))
    return np.stack([np.interp(at, along, stroke[:, 0]), np.interp(at, along, stroke[:, 1])], 1)


def distort(
    strokes: Sequence[ArrayLike],
    rng: np.random.Generator,
    slant: tuple[float, float] = (-0.25, 0.45),
    rotate: float = 6.0,
    aspect: tuple[float, float] = (0.75, 1.25),
    waist: tuple[float, float] = (0.42, 0.58),
    wobble: float = 0.025,
    tremor: float = 0.004,
) -> list[np.ndarray]:
    """A randomly written version of a digit fitted to height 1.

    slant: shear range (x moves right by slant * height at the top); rotate: degrees (sd);
    aspect: width scale range; waist: where the middle of the height moves to (changes the
    proportion of upper and lower parts); wobble: amplitude of a smooth warp; tremor: sd of
    per-point noise. All as fractions of the height.
    """
    resampled = [resample(s, 0.02) for s in fit_height(strokes)]
    shear = rng.uniform(*slant)
    angle = np.radians(rng.normal(0.0, rotate))
    widen = rng.uniform(*aspect)
    middle = rng.uniform(*waist)
    # A smooth random displacement field: two low-frequency waves per axis.
    freq = rng.uniform(0.5, 1.6, size=(2, 2))
    phase = rng.uniform(0, 2 * np.pi, size=(2, 2))
    amp = rng.uniform(0, wobble, size=(2, 2))
    cos, sin = np.cos(angle), np.sin(angle)
    out = []
    for s in resampled:
        x, y = s[:, 0] * widen, s[:, 1]
        # Piecewise-linear remap of y: 0 -> 0, 0.5 -> middle, 1 -> 1.
        y = np.where(y < 0.5, y * 2 * middle, middle + (y - 0.5) * 2 * (1 - middle))
        x = x + shear * (1.0 - y)
        dx = (amp[0] * np.sin(2 * np.pi * freq[0] * y[:, None] + phase[0])).sum(axis=1)
        dy = (amp[1] * np.sin(2 * np.pi * freq[1] * x[:, None] + phase[1])).sum(axis=1)
        x, y = x + dx, y + dy
        x, y = cos * x - sin * y, sin * x + cos * y
        points = np.stack([x, y], axis=1) + rng.normal(0.0, tremor, size=(len(x), 2))
        out.append(points)
    # Fewer points draw the same line: a page sample moves the mouse once per point.
    return [simplify(s, tremor + 0.002) for s in fit_height(out)]


def simplify(stroke: ArrayLike, epsilon: float) -> np.ndarray:
    """Ramer-Douglas-Peucker: drop points closer than epsilon to the line they sit on."""
    stroke = np.asarray(stroke, dtype=float)
    if len(stroke) < 3:
        return stroke
    keep = np.zeros(len(stroke), dtype=bool)
    keep[[0, -1]] = True
    pending = [(0, len(stroke) - 1)]
    while pending:
        first, last = pending.pop()
        if last - first < 2:
            continue
        a, b = stroke[first], stroke[last]
        inner = stroke[first + 1 : last]
        ab = b - a
        norm = np.hypot(*ab)
        if norm == 0:  # a closed loop: distance to the point itself
            dist = np.hypot(*(inner - a).T)
        else:
            dist = np.abs(ab[0] * (inner[:, 1] - a[1]) - ab[1] * (inner[:, 0] - a[0])) / norm
        worst = int(np.argmax(dist))
        if dist[worst] > epsilon:
            keep[first + 1 + worst] = True
            pending += [(first, first + 1 + worst), (first + 1 + worst, last)]
    return stroke[keep]
