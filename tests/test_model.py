"""The shipped model: its MNIST accuracy recomputed from the committed files, Keras vs LiteRT."""

import numpy as np
import pytest

from model.card import read_card
from model.data import load_mnist
from model.evaluate import evaluate
from reading.models import DIGITS
from reading.preprocess import preprocess_mnist
from webapp.classifier import DigitClassifier

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def keras_report():
    return evaluate(DIGITS.keras)


def test_model_shipped_accuracy_is_at_least_99_4(keras_report):
    assert keras_report["test_accuracy"] >= 0.994


def test_model_card_matches_the_recomputed_figures(keras_report):
    card = read_card(DIGITS.keras)
    assert card["test_accuracy"] == pytest.approx(keras_report["test_accuracy"], abs=2e-4)
    # Recomputing may differ by a digit or two between CPUs (float summation order).
    difference = np.abs(np.array(card["confusion_matrix"]) - keras_report["confusion_matrix"])
    assert difference.sum() <= 4
    for key in (
        "data",
        "arch",
        "parameters",
        "epochs_run",
        "training_seconds",
        "per_digit_accuracy",
        "versions",
    ):
        assert key in card
    # The confidence's calibration on the same test set, and its diagram.
    assert 0.0 <= card["calibration"]["ece"] < 0.02 and card["calibration"]["bins"] == 15
    for plot in (".curves.png", ".confusion.png", ".reliability.png"):
        assert DIGITS.keras.with_suffix(plot).stat().st_size > 10_000


def test_model_litert_export_matches_keras_on_the_whole_test_set():
    from model.architectures import load_model

    _, (x_test, _) = load_mnist(verbose=False)
    x = preprocess_mnist(x_test)
    expected = load_model(DIGITS.keras).predict(x[..., None], batch_size=1000, verbose=0)
    served = DigitClassifier(DIGITS.keras.with_suffix(".tflite"))
    got = np.stack([served.predict(image) for image in x])
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert np.abs(got - expected).max() < 1e-4
