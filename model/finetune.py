"""Fine-tune the shipped model on MNIST plus people's corrections; promote it only if better.

    python -m model.train --finetune --feedback instance/feedback.sqlite3
    python -m model.train --finetune --feedback runs/feedback/corrections.npz

A part of the corrections is held out. The new model is written to model/saved/versions/ with
its card, and replaces the shipped files only if, on validation data, it is no worse on MNIST
(a fixed slice of MNIST *train* it never trains on, at most 0.1 point lower) and on drawn digits
(that slice redrawn with random pens, and templates, at most 0.2 point lower), and better on the
held-out corrections. The MNIST test set is measured and reported, never used to decide.

Besides the corrections it replays MNIST training digits and drawn ones (traced MNIST and
templates, model/drawn.py), by default in the base's own proportion to MNIST (`--drawn base`),
so that it forgets neither.
"""

import shutil
import time
from datetime import datetime, timezone

import keras
import numpy as np

from model import card as cards
from model.architectures import load_model
from model.data import load_mnist
from model.drawn import drawn_training_set, redrawn_mnist, written_templates
from model.export import export_tflite
from model.feedback import load_corrections
from model.metrics import classification_report
from reading.preprocess import preprocess_mnist
from model.datasets import to_dataset, validation_split

MAX_MNIST_DROP = 0.001  # 0.1 point of accuracy on the MNIST validation slice
MAX_DRAWN_DROP = 0.002  # 0.2 point on the validation drawings
# The validation slice: the first 5,000 digits of model.train's own validation split at its
# default seed, so a base trained by model.train (the shipped members) never trained on them.
VALIDATION_SPLIT = {"share": 0.1, "seed": 1234}
MNIST_VALIDATION = 5000
# Validation drawings come from training's random streams (model/drawn.py), never the
# benchmark's, at a seed no training run uses.
VALIDATION_DRAWINGS_SEED = 35_000
VALIDATION_TEMPLATES = 2000
SHIPPED_SUFFIXES = (".keras", ".tflite", ".card.json", ".card.md", ".reliability.png")


def split_corrections(x, y, holdout, seed):
    """(train, held-out) parts of the corrections, shuffled by the seed: ((x, y), (x, y))."""
    order = np.random.default_rng(seed).permutation(len(x))
    n_held = max(1, round(len(x) * holdout))
    held, train = order[:n_held], order[n_held:]
    return (x[train], y[train]), (x[held], y[held])


def accuracy(model, x, y):
    return float((np.argmax(model.predict(x[..., None], batch_size=1000, verbose=0), 1) == y)
                 .mean())


def promotion(before, after):
    """Whether to promote, and why, on validation data only: the MNIST validation slice at most
    0.1 point lower, the validation drawings at most 0.2 point lower, held-out corrections
    higher. Any other figure in before and after (the MNIST test set's) is ignored."""
    checks = (
        (after["mnist_validation"] >= before["mnist_validation"] - MAX_MNIST_DROP - 1e-9,
         "MNIST validation accuracy fell more than 0.1 point"),
        (after["validation_drawings"] >= before["validation_drawings"] - MAX_DRAWN_DROP - 1e-9,
         "validation drawings' accuracy fell more than 0.2 point"),
        (after["held_out"] > before["held_out"], "not better on the held-out corrections"))
    if all(ok for ok, _ in checks):
        return True, ("no worse on the MNIST validation slice and the validation drawings, and "
                      "better on the held-out corrections")
    return False, " and ".join(text for ok, text in checks if not ok)


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
    same_split = (seeds == {VALIDATION_SPLIT["seed"]}
                  and data.get("train", 0) + data.get("validation", 0) == count)
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
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from all_layers(layer)


def finetune(args):
    """Fine-tune, compare, write a versioned model with its card, promote it if better."""
    keras.utils.set_random_seed(args.seed)
    x_fix, y_fix, _ = load_corrections(args.feedback)
    if len(x_fix) < 4:
        raise SystemExit(f"{args.feedback} holds {len(x_fix)} corrections; fine-tuning needs at "
                         "least 4 (some are held out to judge the new model).")
    (x_fit_fix, y_fit_fix), (x_held, y_held) = split_corrections(x_fix, y_fix, args.holdout,
                                                                 args.seed)
    print(f"{len(x_fix)} corrections: {len(x_fit_fix)} to learn from (weight "
          f"{args.feedback_weight:g}), {len(x_held)} held out.", flush=True)

    (x_train, y_train), (x_test, y_test) = load_mnist()
    val_idx, picks, pool = mnist_parts(len(x_train), args.mnist_subset, args.seed)
    print(f"Preprocessing {args.mnist_subset:,} MNIST training digits, the {len(val_idx):,} of "
          "the validation slice and the 10,000 test digits...", flush=True)
    x_mnist, x_val = preprocess_mnist(x_train[picks]), preprocess_mnist(x_train[val_idx])
    x_test = preprocess_mnist(x_test)
    print("Drawing the validation drawings...", flush=True)
    x_val_drawn, y_val_drawn = validation_drawings(x_train[val_idx], y_train[val_idx])
    base_card = cards.read_card(args.base)
    traced, templates = drawn_replay(base_card, args.mnist_subset, args.drawn)
    x_drawn, y_drawn = np.zeros((0, 28, 28), np.float32), np.zeros(0, np.int64)
    if traced or templates:
        x_drawn, y_drawn = drawn_training_set(x_train[pool], y_train[pool], traced, templates,
                                              args.seed)
    x = np.concatenate([x_mnist, x_drawn, x_fit_fix])[..., None]
    y = keras.utils.to_categorical(np.concatenate([y_train[picks], y_drawn, y_fit_fix]), 10)
    weights = np.concatenate([np.ones(len(x_mnist) + len(x_drawn)),
                              np.full(len(x_fit_fix), args.feedback_weight)])

    def decisive(model):
        """The figures promotion decides on: validation data only."""
        return {"mnist_validation": accuracy(model, x_val, y_train[val_idx]),
                "validation_drawings": accuracy(model, x_val_drawn, y_val_drawn),
                "held_out": accuracy(model, x_held, y_held)}

    model = load_model(args.base)
    before = decisive(model)
    test_before = accuracy(model, x_test, y_test)
    # Batch norm keeps its statistics (a frozen BatchNormalization runs in inference mode):
    # a few thousand digits would otherwise shift what all of MNIST taught it.
    for layer in all_layers(model):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    # A small learning rate: adjust what the model knows, do not retrain it.
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    history = model.fit(to_dataset(x, y, args.batch_size or 128, True, args.seed, weights),
                        epochs=args.epochs or 2, verbose=1)
    seconds = time.perf_counter() - started
    after = decisive(model)
    probabilities = model.predict(x_test[..., None], batch_size=1000, verbose=0)
    report = classification_report(probabilities, y_test)  # reported only
    mnist_test = {"before": test_before, "after": report["test_accuracy"]}
    promote, why = promotion(before, after)
    print_comparison(before, after, mnist_test, len(x_val), len(x_val_drawn), len(x_held))

    created = datetime.now(timezone.utc)
    name = base_card["name"]
    version = f"{name}-{created:%Y%m%dT%H%M%SZ}"
    out = args.versions_dir / f"{version}.keras"
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    card = {
        **base_card, **report, "validation_accuracy": round(after["mnist_validation"], 6),
        "version": version, "created": created.isoformat(timespec="seconds"),
        "epochs_run": len(history.history["loss"]), "training_seconds": round(seconds, 1),
        "seed": args.seed, "history": {k: [round(float(v), 5) for v in vals]
                                       for k, vals in history.history.items()},
        "finetune": {"base_version": base_card.get("version") or base_card.get("created"),
                     "corrections": len(x_fix), "held_out": len(x_held),
                     "feedback_weight": args.feedback_weight, "mnist_subset": args.mnist_subset,
                     "drawn": {"traced_mnist_train": traced, "templates": templates},
                     "learning_rate": args.learning_rate,
                     "validation": {
                         "mnist_train": len(val_idx),
                         "split": f"the first {len(val_idx):,} of model.train's validation split "
                                  f"(share {VALIDATION_SPLIT['share']}, seed "
                                  f"{VALIDATION_SPLIT['seed']}); never fine-tuned on",
                         "drawings": {"redrawn_mnist_validation": len(val_idx),
                                      "templates": VALIDATION_TEMPLATES,
                                      "seed": VALIDATION_DRAWINGS_SEED},
                         "base_never_trained_on_it": base_never_trained_on_validation(
                             base_card, len(x_train))},
                     # Decided on: validation figures and held-out corrections only.
                     "before": before, "after": after, "promoted": promote, "why": why,
                     "reported_only": {"mnist_test": mnist_test}},
        "versions": cards.versions(),
    }
    cards.add_calibration(card, probabilities, y_test, out)
    cards.write_card(out, card)
    export_tflite(model, out.with_suffix(".tflite"))
    if promote:
        for suffix in SHIPPED_SUFFIXES:
            shutil.copyfile(out.with_name(version + suffix), args.base.with_suffix(suffix))
        print(f"Promoted: {why}. {args.base.with_suffix('')}.* is now {version}; restart the "
              "server to serve it.")
    else:
        print(f"Not promoted: {why}. Kept {out} for reference; {args.base} is unchanged.")
    return card


def print_comparison(before, after, mnist_test, n_val, n_drawn, n_held):
    """The figures promotion decides on, before and after; then the MNIST test set's, which
    is reported only."""
    rows = (("mnist_validation", f"MNIST validation slice ({n_val:,})"),
            ("validation_drawings", f"validation drawings ({n_drawn:,})"),
            ("held_out", f"held-out corrections ({n_held:,})"))
    print(f"\n| {'decides promotion':34} | before   | after    | change    |\n|{'-' * 36}|"
          f"{'-' * 10}|{'-' * 10}|{'-' * 11}|")
    for key, label in rows:
        print_row(label, before[key], after[key])
    print(f"| {'reported only, never decides':34} |          |          |           |")
    print_row("MNIST test set (10,000)", mnist_test["before"], mnist_test["after"])
    print(flush=True)


def print_row(label, before, after):
    print(f"| {label:34} | {before * 100:6.2f} % | {after * 100:6.2f} % | "
          f"{(after - before) * 100:+6.2f} pt |")
