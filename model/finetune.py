"""Fine-tune the shipped model on MNIST plus people's corrections; promote it only if better.

    python -m model.finetune --corrections instance/feedback.sqlite3
    python -m model.finetune --corrections runs/feedback/corrections.npz

(`python -m model.train --finetune ...` is the older spelling of the same command.)

A part of the corrections is held out. The new model is written to model/saved/versions/ with
its card, and replaces the shipped files only if, on validation data, it is no worse on MNIST
(a fixed slice of MNIST *train* it never trains on, at most 0.1 point lower) and on drawn digits
(that slice redrawn with random pens, and templates, at most 0.2 point lower), and better on the
held-out corrections. The MNIST test set is measured and reported, never used to decide.

Besides the corrections it replays MNIST training digits and drawn ones (traced MNIST and
templates, model/drawn.py), by default in the base's own proportion to MNIST (`--drawn base`),
so that it forgets neither.
"""

import argparse
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from model import card as cards
from model.data import load_mnist
from model.datasets import to_dataset, validation_split
from model.drawn import drawn_training_set, redrawn_mnist, written_templates
from model.export import DIGITS_QUANTIZED
from model.metrics import classification_report
from model.promotion import print_comparison, promotion
from reading.models import DIGITS
from reading.preprocess import preprocess_mnist

# The validation slice: the first 5,000 digits of model.train's own validation split at its
# default seed, so a base trained by model.train (the shipped members) never trained on them.
VALIDATION_SPLIT = {"share": 0.1, "seed": 1234}
MNIST_VALIDATION = 5000
# Validation drawings come from training's random streams (model/drawn.py), never the
# benchmark's, at a seed no training run uses.
VALIDATION_DRAWINGS_SEED = 35_000
VALIDATION_TEMPLATES = 2000
SHIPPED_SUFFIXES = (".keras", ".tflite", ".card.json", ".card.md", ".reliability.png")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.finetune",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # --feedback and --feedback-weight: the options' first names, still accepted.
    parser.add_argument(
        "--corrections",
        "--feedback",
        required=True,
        help="the corrections: a database URL, a SQLite file or an exported .npz",
    )
    parser.add_argument(
        "--base",
        type=Path,
        default=DIGITS.keras,
        help=f"the model to start from; promotion replaces its files (default: {DIGITS.keras})",
    )
    parser.add_argument(
        "--versions-dir",
        type=Path,
        default=DIGITS.keras.parent / "versions",
        help="where every fine-tuned version is kept (default: model/saved/versions)",
    )
    parser.add_argument(
        "--correction-weight",
        "--feedback-weight",
        type=float,
        default=1.0,
        help="weight of a correction against an MNIST digit (default: 1; more "
        "learns few corrections faster but forgets more of MNIST)",
    )
    parser.add_argument(
        "--holdout",
        type=float,
        default=0.25,
        help="share of the corrections kept out to judge the new model (default 0.25)",
    )
    parser.add_argument(
        "--mnist-subset",
        type=int,
        default=12000,
        help="MNIST training digits mixed in, so the model does not forget (default: 12000)",
    )
    # 'base' keeps the validation drawings: the mirror-written 7s of tests/test_finetune.py
    # lost 0.03-0.07 point on them with it and 0.19-0.20 point (the limit) without.
    parser.add_argument(
        "--drawn",
        type=lambda v: None if v == "base" else int(v),
        default=None,
        help="drawn training digits (traced MNIST and templates) mixed in, so "
        "the model does not forget drawings; 'base' (the default): as many "
        "per MNIST digit as the base's card says it trained on",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=1e-4,
        help="fine-tuning learning rate (default: 1e-4)",
    )
    parser.add_argument("--epochs", type=int, default=2, help="epochs (default: 2)")
    parser.add_argument("--batch-size", type=int, default=128, help="default: 128")
    parser.add_argument("--seed", type=int, default=1234, help="random seed (default: 1234)")
    return parser.parse_args(argv)


def split_corrections(x, y, holdout, seed):
    """(train, held-out) parts of the corrections, shuffled by the seed: ((x, y), (x, y))."""
    order = np.random.default_rng(seed).permutation(len(x))
    n_held = max(1, round(len(x) * holdout))
    held, train = order[:n_held], order[n_held:]
    return (x[train], y[train]), (x[held], y[held])


def accuracy(model, x, y):
    return float(
        (np.argmax(model.predict(x[..., None], batch_size=1000, verbose=0), 1) == y).mean()
    )


def mnist_parts(count, mnist_subset, seed):
    """Indices into MNIST train: (validation slice, digits replayed, pool the drawn replay traces
    from). The slice is the same whatever the seed; nothing trained on comes from it."""
    validation, _ = validation_split(count, VALIDATION_SPLIT["share"], VALIDATION_SPLIT["seed"])
    validation = validation[:MNIST_VALIDATION]
    pool = np.setdiff1d(np.arange(count), validation)
    replayed = np.random.default_rng(seed).choice(pool, mnist_subset, replace=False)
    return validation, replayed, pool


def base_never_trained_on_validation(base_card, count):
    """Whether the base held the validation slice out of its `count` MNIST training digits, as
    far as its card says: True, False, or None when it cannot tell (its before figure would then
    be flattered, and the rule stricter)."""
    if "finetune" in base_card:  # a fine-tune never trains on the slice: as its base did
        return base_card["finetune"].get("validation", {}).get("base_never_trained_on_it")
    data = base_card.get("data", {})
    if data.get("train") == count:
        return False
    seeds = {m.get("seed") for m in base_card.get("members", [])} or {base_card.get("seed")}
    same_split = (
        seeds == {VALIDATION_SPLIT["seed"]}
        and data.get("train", 0) + data.get("validation", 0) == count
    )
    return True if same_split and data.get("validation", 0) >= MNIST_VALIDATION else None


def validation_drawings(images, labels):
    """The validation slice traced and redrawn with random pens, plus templates: (x, y)."""
    x1, y1 = redrawn_mnist(images, labels, len(images), VALIDATION_DRAWINGS_SEED)
    x2, y2 = written_templates(VALIDATION_TEMPLATES, VALIDATION_DRAWINGS_SEED)
    return np.concatenate([x1, x2]), np.concatenate([y1, y2])


def drawn_replay(base_card, mnist_subset, drawn=None):
    """(traced, templates) to redraw: `drawn` in all, by default as many per MNIST digit as
    the base's card says it trained on; split in the base's proportion."""
    data = base_card.get("data", {})
    recipe = data.get("drawn", {})
    traced, templates = recipe.get("traced_mnist_train", 0), recipe.get("templates", 0)
    total = traced + templates
    if not total:
        return 0, 0
    if drawn is None:
        drawn = round(total * mnist_subset / max(1, data.get("train") or mnist_subset))
    return round(drawn * traced / total), drawn - round(drawn * traced / total)


def all_layers(model):
    """Every layer, also those of nested models (the shipped ensemble's members)."""
    import keras

    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from all_layers(layer)


def finetune(args):
    """Fine-tune, compare, write a versioned model with its card, promote it if better."""
    import keras

    from model import fitting
    from model.architectures import load_model
    from model.correction_data import load_corrections  # SQLAlchemy: not needed for --help

    fitting.seed(args.seed, repeatable=True)
    x_fix, y_fix, _ = load_corrections(args.corrections)
    if len(x_fix) < 4:
        raise SystemExit(
            f"{args.corrections} holds {len(x_fix)} corrections; fine-tuning needs at "
            "least 4 (some are held out to judge the new model)."
        )
    (x_fit_fix, y_fit_fix), (x_held, y_held) = split_corrections(
        x_fix, y_fix, args.holdout, args.seed
    )
    print(
        f"{len(x_fix)} corrections: {len(x_fit_fix)} to learn from (weight "
        f"{args.correction_weight:g}), {len(x_held)} held out.",
        flush=True,
    )

    (x_train, y_train), (x_test, y_test) = load_mnist()
    val_idx, picks, pool = mnist_parts(len(x_train), args.mnist_subset, args.seed)
    print(
        f"Preprocessing {args.mnist_subset:,} MNIST training digits, the {len(val_idx):,} of "
        "the validation slice and the 10,000 test digits...",
        flush=True,
    )
    x_mnist, x_val = preprocess_mnist(x_train[picks]), preprocess_mnist(x_train[val_idx])
    x_test = preprocess_mnist(x_test)
    print("Drawing the validation drawings...", flush=True)
    x_val_drawn, y_val_drawn = validation_drawings(x_train[val_idx], y_train[val_idx])
    base_card = cards.read_card(args.base)
    traced, templates = drawn_replay(base_card, args.mnist_subset, args.drawn)
    x_drawn, y_drawn = np.zeros((0, 28, 28), np.float32), np.zeros(0, np.int64)
    if traced or templates:
        x_drawn, y_drawn = drawn_training_set(
            x_train[pool], y_train[pool], traced, templates, args.seed
        )
    x = np.concatenate([x_mnist, x_drawn, x_fit_fix])[..., None]
    y = keras.utils.to_categorical(np.concatenate([y_train[picks], y_drawn, y_fit_fix]), 10)
    weights = np.concatenate(
        [np.ones(len(x_mnist) + len(x_drawn)), np.full(len(x_fit_fix), args.correction_weight)]
    )

    def decisive(model):
        """The figures promotion decides on: validation data only."""
        return {
            "mnist_validation": accuracy(model, x_val, y_train[val_idx]),
            "validation_drawings": accuracy(model, x_val_drawn, y_val_drawn),
            "held_out": accuracy(model, x_held, y_held),
        }

    model = load_model(args.base)
    before = decisive(model)
    test_before = accuracy(model, x_test, y_test)
    # Batch norm keeps its statistics (a frozen BatchNormalization runs in inference mode):
    # a few thousand digits would otherwise shift what all of MNIST taught it.
    for layer in all_layers(model):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    # A small learning rate: adjust what the model knows, do not retrain it.
    history, seconds = fitting.fit(
        model,
        to_dataset(x, y, args.batch_size, True, args.seed, weights, repeatable=True),
        loss="categorical_crossentropy",
        learning_rate=args.learning_rate,
        epochs=args.epochs,
        summary=False,
    )
    after = decisive(model)
    probabilities = model.predict(x_test[..., None], batch_size=1000, verbose=0)
    report = classification_report(probabilities, y_test)  # reported only
    mnist_test = {"before": test_before, "after": report["test_accuracy"]}
    promote, why = promotion(before, after)
    print_comparison(before, after, mnist_test, len(x_val), len(x_val_drawn), len(x_held))

    created = datetime.now(UTC)
    name = base_card["name"]
    version = f"{name}-{created:%Y%m%dT%H%M%SZ}"
    out = args.versions_dir / f"{version}.keras"
    card = {
        **base_card,
        **report,
        "validation_accuracy": round(after["mnist_validation"], 6),
        "version": version,
        "created": created.isoformat(timespec="seconds"),
        **cards.fit_record(history, seconds),
        "seed": args.seed,
        "finetune": {
            "base_version": base_card.get("version") or base_card.get("created"),
            "corrections": len(x_fix),
            "held_out": len(x_held),
            "feedback_weight": args.correction_weight,
            "mnist_subset": args.mnist_subset,
            "drawn": {"traced_mnist_train": traced, "templates": templates},
            "learning_rate": args.learning_rate,
            "validation": {
                "mnist_train": len(val_idx),
                "split": f"the first {len(val_idx):,} of model.train's validation split "
                f"(share {VALIDATION_SPLIT['share']}, seed "
                f"{VALIDATION_SPLIT['seed']}); never fine-tuned on",
                "drawings": {
                    "redrawn_mnist_validation": len(val_idx),
                    "templates": VALIDATION_TEMPLATES,
                    "seed": VALIDATION_DRAWINGS_SEED,
                },
                "base_never_trained_on_it": base_never_trained_on_validation(
                    base_card, len(x_train)
                ),
            },
            # Decided on: validation figures and held-out corrections only.
            "before": before,
            "after": after,
            "promoted": promote,
            "why": why,
            "reported_only": {"mnist_test": mnist_test},
        },
        "versions": cards.versions(),
    }
    cards.add_calibration(card, probabilities, y_test, out)
    fitting.save(model, out, card, quantize=DIGITS_QUANTIZED)
    if promote:
        for suffix in SHIPPED_SUFFIXES:
            shutil.copyfile(out.with_name(version + suffix), args.base.with_suffix(suffix))
        print(
            f"Promoted: {why}. {args.base.with_suffix('')}.* is now {version}; restart the "
            "server to serve it."
        )
    else:
        print(f"Not promoted: {why}. Kept {out} for reference; {args.base} is unchanged.")
    return card


def main(argv=None):
    return finetune(parse_args(argv))


if __name__ == "__main__":
    main()
