"""The random streams: every random choice of a synthetic drawing comes from `rng_for`.

Keeping benchmark and training apart: every random choice the benchmark makes comes from
`rng_for("benchmark", seed, part)`, training's from `rng_for("training", seed, part)`. A different
first seed word gives an independent SeedSequence stream for every seed, so no training drawing
repeats a benchmark drawing. Training traces MNIST's *training* set only, the benchmark its *test*
set only. Font glyphs (the benchmark's `fonts` and `hershey` sources) never enter training.
"""

import numpy as np

BENCHMARK_STREAM = 0xBE7C4  # first word of every benchmark seed
TRAINING_STREAM = 0x7A1E5  # first word of every training seed


def rng_for(purpose, seed, part=0):
    """A numpy Generator for 'benchmark' or 'training', independent for every (seed, part)."""
    stream = {"benchmark": BENCHMARK_STREAM, "training": TRAINING_STREAM}[purpose]
    return np.random.default_rng([stream, int(seed), int(part)])
