"""Average the softmax of several trained digit models into one model, the shipped one.

    python -m model.ensemble member_a.keras member_b.keras --out model/saved/digits.keras

Two CNNs trained on different mixes of drawn digits make different mistakes on drawings;
their average is right more often than either (docs/benchmarks.md).
The result is one Keras model (its members nested inside) with its card, plots and LiteRT
export, so evaluation, fine-tuning and serving treat it like any single model.
"""

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from model import card as cards  # noqa: E402
from reading.models import DIGITS  # noqa: E402


def average_of(members):
    """One Keras model whose output is the mean of the members' probabilities."""
    import keras

    for index, member in enumerate(members):
        member.name = f"member_{index}"  # nested models need unique names
    inputs = keras.Input(shape=members[0].input_shape[1:])
    outputs = keras.layers.Average(name="average")([member(inputs) for member in members])
    return keras.Model(inputs, outputs, name="ensemble")


def ensemble_card(out, member_paths, member_cards, report, parameters):
    """The ensemble's card: the members' own cards inside, its test figures on top."""
    first = member_cards[0]
    largest_drawn = max(member_cards, key=lambda c: sum(c["data"]["drawn"].values()))
    return {
        **cards.common(
            out.stem,
            f"ensemble of {len(member_cards)} x {first['arch']}",
            parameters,
            seed=first["seed"],
            batch_size=first["batch_size"],
            preprocessing=first["preprocessing"],
            input_shape=first["input_shape"],
        ),
        # Fine-tuning replays drawn digits in the proportion the data says (model/finetune.py).
        "data": {**first["data"], "drawn": largest_drawn["data"]["drawn"]},
        "epochs_run": sum(c["epochs_run"] for c in member_cards),
        "augmentation": first["augmentation"],
        "training_seconds": round(sum(c["training_seconds"] for c in member_cards), 1),
        **report,
        "members": [
            {
                "file": Path(path).name,
                **{
                    k: c[k]
                    for k in (
                        "arch",
                        "parameters",
                        "epochs_run",
                        "training_seconds",
                        "seed",
                        "test_accuracy",
                    )
                },
                "drawn": c["data"]["drawn"],
                "history": c["history"],
            }
            for path, c in zip(member_paths, member_cards)
        ],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.ensemble",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("members", type=Path, nargs="+", help="trained .keras models")
    parser.add_argument(
        "--out",
        type=Path,
        default=DIGITS.keras,
        help=f"where to save the ensemble (default: {DIGITS.keras})",
    )
    args = parser.parse_args(argv)

    from model import fitting
    from model.architectures import load_model
    from model.data import load_mnist
    from model.export import DIGITS_QUANTIZED
    from model.metrics import classification_report
    from model.plots import plot_confusion_matrix, plot_learning_curves
    from reading.preprocess import preprocess_mnist

    member_cards = [cards.read_card(path) for path in args.members]
    model = average_of([load_model(path) for path in args.members])
    print(
        f"Evaluating the average of {len(args.members)} models on the 10,000 MNIST test images...",
        flush=True,
    )
    _, (x_test, y_test) = load_mnist()
    probabilities = model.predict(preprocess_mnist(x_test)[..., None], batch_size=1000, verbose=0)
    report = classification_report(probabilities, y_test)
    card = ensemble_card(args.out, args.members, member_cards, report, model.count_params())
    cards.add_calibration(card, probabilities, y_test, args.out)
    plot_learning_curves(
        {m["file"]: m["history"] for m in card["members"]}, args.out.with_suffix(".curves.png")
    )
    plot_confusion_matrix(report["confusion_matrix"], args.out.with_suffix(".confusion.png"))
    members = ", ".join(f"{c['test_accuracy'] * 100:.2f} %" for c in member_cards)
    fitting.save(
        model,
        args.out,
        card,
        quantize=DIGITS_QUANTIZED,
        summary=(
            f"Saved {args.out}: test accuracy {report['test_accuracy'] * 100:.2f} % "
            f"(members: {members})."
        ),
    )


if __name__ == "__main__":
    main()
