"""Recompute a saved model's card figures on the MNIST test set.

python -m model.evaluate                        # the shipped model
python -m model.evaluate --model other.keras --write
python -m model.evaluate --calibration          # ECE and reliability diagram into the card
"""

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from model.card import add_calibration, card_path, read_card, write_card  # noqa: E402
from model.data import load_mnist  # noqa: E402
from model.metrics import classification_report  # noqa: E402
from reading.models import DIGITS
from reading.preprocess import preprocess_mnist  # noqa: E402


def mnist_test_probabilities(model_path):
    """The .keras model's probabilities on the 10,000 MNIST test images, and their labels."""
    from model.architectures import load_model

    model = load_model(model_path)
    _, (x_test, y_test) = load_mnist(verbose=False)
    probabilities = model.predict(preprocess_mnist(x_test)[..., None], batch_size=1000, verbose=0)
    return probabilities, y_test


def evaluate(model_path):
    """The card's test figures, recomputed for the .keras model at model_path."""
    return classification_report(*mnist_test_probabilities(model_path))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.evaluate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=DIGITS.keras,
        help=f"the .keras model (default: {DIGITS.keras})",
    )
    parser.add_argument(
        "--write", action="store_true", help="store the recomputed figures in the model's card"
    )
    parser.add_argument(
        "--calibration",
        action="store_true",
        help="only compute the confidence's calibration (expected calibration "
        "error, 15 bins) and its reliability diagram, and store both in "
        "the card (<model>.reliability.png)",
    )
    args = parser.parse_args(argv)
    if args.calibration:
        return write_calibration(args.model)

    report = evaluate(args.model)
    print(
        f"Test accuracy: {report['test_accuracy'] * 100:.2f} % "
        f"({report['test_errors']} errors in 10,000)"
    )
    print(
        "Per digit: "
        + ", ".join(f"{d}: {a * 100:.2f} %" for d, a in report["per_digit_accuracy"].items())
    )
    print("Confusion matrix (rows: true digit):")
    for digit, row in enumerate(report["confusion_matrix"]):
        print(f"  {digit}: " + " ".join(f"{v:5d}" for v in row))
    if card_path(args.model).is_file():
        card = read_card(args.model)
        same = card.get("test_accuracy") == report["test_accuracy"]
        print(
            f"Card says {card.get('test_accuracy', 0) * 100:.2f} %: "
            + ("matches." if same else "differs.")
        )
        if args.write:
            write_card(args.model, {**card, **report})
            print(f"Updated {card_path(args.model)}")


def write_calibration(model_path):
    """Add the calibration to an existing card (the model and its other figures unchanged)."""
    probabilities, labels = mnist_test_probabilities(model_path)
    card = add_calibration(read_card(model_path), probabilities, labels, model_path)
    write_card(model_path, card)
    print(
        f"Expected calibration error ({card['calibration']['bins']} bins): "
        f"{card['calibration']['ece'] * 100:.2f} %. Updated {card_path(model_path)} and "
        f"{Path(model_path).with_suffix('.reliability.png')}"
    )
    return card


if __name__ == "__main__":
    main()
