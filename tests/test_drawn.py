"""Training's drawn digits: traced MNIST and templates, redrawn with many pens."""

import numpy as np
import pytest

from drawings.pens import render_strokes
from drawings.streams import rng_for
from drawings.templates import STYLES, random_template
from model.data import load_mnist
from model.drawn import redrawn_mnist, written_templates
from reading.trace import trace_strokes


@pytest.fixture(scope="module")
def mnist_train():
    (x, y), _ = load_mnist(verbose=False)
    return x[:2000], y[:2000]


def test_drawn_traced_digit_redrawn_stays_close_to_the_original(mnist_train):
    from reading.preprocess import normalize_ink

    images, _ = mnist_train
    original = normalize_ink(images[0] / 255.0)
    redrawn = normalize_ink(render_strokes(trace_strokes(images[0]), pen=0.12))
    # Same shape, another pen: most ink lands where MNIST's was.
    overlap = np.minimum(original > 0.3, redrawn > 0.3).sum() / (redrawn > 0.3).sum()
    assert overlap > 0.6


def test_drawn_pens_range_from_thin_to_thick(mnist_train):
    strokes = trace_strokes(mnist_train[0][1])
    thin, thick = render_strokes(strokes, pen=0.03), render_strokes(strokes, pen=0.3)
    assert (thick > 0.5).sum() > 4 * (thin > 0.5).sum()


def test_drawn_sets_are_deterministic_labelled_and_preprocessed(mnist_train):
    x1, y1 = redrawn_mnist(*mnist_train, count=50, seed=3)
    x2, y2 = redrawn_mnist(*mnist_train, count=50, seed=3)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert x1.shape == (50, 28, 28) and x1.max() == pytest.approx(1.0)
    _, y3 = written_templates(30, seed=3)
    assert y3.tolist() == [i % 10 for i in range(30)]


def test_drawn_training_and_benchmark_streams_differ():
    def first_points(purpose):
        rng = rng_for(purpose, 0)
        return np.concatenate([random_template(rng, 7, "plain")[1][0][:5] for _ in range(20)])

    assert not np.allclose(first_points("training"), first_points("benchmark"))
    assert np.allclose(first_points("training"), first_points("training"))
    # The non-digits keep the same guarantee: tests/test_nondigit_strokes.py checks each kind,
    # and the held-out set's parts start apart from the digits' and numbers'.
    from benchmarks.drawn.nondigits import NON_DIGIT_STREAM
    from benchmarks.drawn.numbers import STREAM

    assert NON_DIGIT_STREAM >= STREAM + 100


def test_drawn_templates_cover_the_writing_styles_the_issue_names():
    assert {"stick", "flag", "flag-base"} <= set(STYLES[1])
    assert {"plain", "crossbar"} <= set(STYLES[7])
    assert {"open", "closed"} <= set(STYLES[4])
    assert {"straight", "curved"} <= set(STYLES[9])
    assert {"plain", "loop"} <= set(STYLES[2])
