"""Average the softmax of several trained digit models into one model, the shipped one.

    python -m model.ensemble member_a.keras member_b.keras --out model/saved/digits.keras

Two CNNs trained on different mixes of drawn digits make different mistakes on drawings;
their average is right more often than either (docs/benchmarks.md).
The result is one Keras model (its members nested inside) with its card, plots and LiteRT
export, so evaluation, fine-tuning and serving treat it like any single model.
"""

import argparse
import os
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from model import SHIPPED_MODEL  # noqa: E402
from model import card as cards  # noqa: E402
from model.architectures import load_model  # noqa: E402
from model.data import load_mnist  # noqa: E402
from model.export import export_tflite  # noqa: E402
from model.metrics import classification_report  # noqa: E402
from reading.preprocess import preprocess_mnist  # noqa: E402


def average_of(members):
    """One Keras model whose output is the mean of the members' probabilities."""
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
        "name": out.stem,
        "arch": f"ensemble of {len(member_cards)} x {first['arch']}",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        # Fine-tuning replays drawn digits in the proportion the data says (model/finetune.py).
        "data": {**first["data"], "drawn": largest_drawn["data"]["drawn"]},
        "preprocessing": first["preprocessing"],
        "input_shape": first["input_shape"],
        "parameters": parameters,
        "epochs_run": sum(c["epochs_run"] for c in member_cards),
        "batch_size": first["batch_size"],
        "augmentation": first["augmentation"],
        "seed": first["seed"],
        "training_seconds": round(sum(c["training_seconds"] for c in member_cards), 1),
        **report,
        "members": [{"file": Path(path).name, **{k: c[k] for k in (
            "arch", "parameters", "epochs_run", "training_seconds", "seed", "test_accuracy")},
            "drawn": c["data"]["drawn"], "history": c["history"]}
            for path, c in zip(member_paths, member_cards)],
        "versions": cards.versions(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m model.ensemble", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("members", type=Path, nargs="+", help="trained .keras models")
    parser.add_argument("--out", type=Path, default=SHIPPED_MODEL,
                        help=f"where to save the ensemble (default: {SHIPPED_MODEL})")
    args = parser.parse_args(argv)

    member_cards = [cards.read_card(path) for path in args.members]
    model = average_of([load_model(path) for path in args.members])
    print(f"Evaluating the average of {len(args.members)} models on the 10,000 MNIST test "
          "images...", flush=True)
    _, (x_test, y_test) = load_mnist()
    probabilities = model.predict(preprocess_mnist(x_test)[..., None], batch_size=1000, verbose=0)
    report = classification_report(probabilities, y_test)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    card = ensemble_card(args.out, args.members, member_cards, report,
                         int(model.count_params()))
    cards.add_calibration(card, probabilities, y_test, args.out)
    cards.write_card(args.out, card)
    cards.plot_learning_curves({m["file"]: m["history"] for m in card["members"]},
                               args.out.with_suffix(".curves.png"))
    cards.plot_confusion_matrix(report["confusion_matrix"], args.out.with_suffix(".confusion.png"))
    export_tflite(model, args.out.with_suffix(".tflite"))
    members = ", ".join(f"{c['test_accuracy'] * 100:.2f} %" for c in member_cards)
    print(f"Saved {args.out}: test accuracy {report['test_accuracy'] * 100:.2f} % "
          f"(members: {members}).")


if __name__ == "__main__":
    main()
