"""Template digits for the benchmark, written with the benchmark's own random stream."""

from drawings.templates import random_template


def templates(rng, count):
    """`count` template digits balanced over 0-9: yields (label, style, strokes)."""
    for i in range(count):
        style, strokes = random_template(rng, i % 10)
        yield i % 10, style, strokes
