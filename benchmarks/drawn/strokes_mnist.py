"""MNIST *test* digits traced back into pen strokes, for the benchmark only."""

import numpy as np

from reading.trace import trace_strokes


def mnist_test(rng, count):
    """`count` MNIST test digits, as balanced over 0-9 as possible, traced into strokes.

    Yields (label, style, strokes) with style 'test-<index>'.
    """
    from model.data import load_mnist

    _, (images, labels) = load_mnist(verbose=False)
    per_digit = [rng.permutation(np.flatnonzero(labels == d)) for d in range(10)]
    for i in range(count):
        digit = i % 10
        index = int(per_digit[digit][i // 10])
        yield digit, f"test-{index}", trace_strokes(images[index])
