"""Recompute a saved model's card figures on the MNIST test set.

    python -m model.evaluate                        # the shipped model
    python -m model.evaluate --model other.keras --write
"""

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from model import SHIPPED_MODEL  # noqa: E402
from model.card import card_path, read_card, write_card  # noqa: E402
from model.data import load_mnist  # noqa: E402
from model.metrics import classification_report  # noqa: E402
from model.preprocess import preprocess_mnist  # noqa: E402


def evaluate(model_path):
    """The card's test figures, recomputed for the .keras model at model_path."""
    from model.architectures import load_model

    model = load_model(model_path)
    _, (x_test, y_test) = load_mnist(verbose=False)
    probabilities = model.predict(preprocess_mnist(x_test)[..., None], batch_size=1000, verbose=0)
    return classification_report(probabilities, y_test)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m model.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=SHIPPED_MODEL,
                        help=f"the .keras model (default: {SHIPPED_MODEL})")
    parser.add_argument("--write", action="store_true",
                        help="store the recomputed figures in the model's card")
    args = parser.parse_args(argv)

    report = evaluate(args.model)
    print(f"Test accuracy: {report['test_accuracy'] * 100:.2f} % "
          f"({report['test_errors']} errors in 10,000)")
    print("Per digit: " + ", ".join(f"{d}: {a * 100:.2f} %"
                                    for d, a in report["per_digit_accuracy"].items()))
    print("Confusion matrix (rows: true digit):")
    for digit, row in enumerate(report["confusion_matrix"]):
        print(f"  {digit}: " + " ".join(f"{v:5d}" for v in row))
    if card_path(args.model).is_file():
        card = read_card(args.model)
        same = card.get("test_accuracy") == report["test_accuracy"]
        print(f"Card says {card.get('test_accuracy', 0) * 100:.2f} %: "
              + ("matches." if same else "differs."))
        if args.write:
            write_card(args.model, {**card, **report})
            print(f"Updated {card_path(args.model)}")


if __name__ == "__main__":
    main()
