"""Train the "is this exactly one whole digit?" model that guides reading numbers.

    python -m model.train_onedigit            # -> model/saved/onedigit.keras, .tflite, card

Numbers written from training strokes are cut by the number reader itself, and each piece is
labelled by the ink it holds (model/onedigit.py). Validation pieces come from numbers of
another training stream; the drawn-digit benchmark's numbers (benchmarks/drawn_digits.py
--numbers) are the held-out test.
"""

import argparse
import os
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from model import card as cards
from model.data import in_processes
from model.onedigit import ONEDIGIT_MODEL, number_pieces

FIT_PART, VALIDATION_PART = 20, 40  # rng_for("training", seed, part): parts of no other use


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m model.train_onedigit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ONEDIGIT_MODEL,
                        help=f"where to save the .keras model (default: {ONEDIGIT_MODEL})")
    parser.add_argument("--numbers", type=int, default=12000,
                        help="numbers written and cut for training (default 12000)")
    parser.add_argument("--epochs", type=int, default=8, help="maximum epochs (default 8)")
    parser.add_argument("--batch-size", type=int, default=256, help="default 256")
    parser.add_argument("--seed", type=int, default=2468, help="random seed (default 2468)")
    parser.add_argument("--no-export", action="store_true",
                        help="do not write the .tflite file the server loads")
    return parser.parse_args(argv)


def pieces(count, seed, first_part, processes):
    """number_pieces of `count` numbers split over processes, each its own training stream."""
    parts = in_processes(number_pieces, count, seed, first_part, processes)
    return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])


def train(args):
    """Write, cut and label the numbers, train, save model, card and .tflite; return the card."""
    import keras  # after the data: spawned workers need not load TensorFlow

    from model.export import export_tflite
    from model.onedigit import build_onedigit

    started = time.perf_counter()
    processes = max(1, min(os.cpu_count() or 1, 4))
    print(f"Writing {args.numbers:,} numbers and cutting them as the reader does "
          f"({processes} processes)...", flush=True)
    x_fit, y_fit = pieces(args.numbers, args.seed, FIT_PART, processes)
    x_val, y_val = pieces(max(500, args.numbers // 10), args.seed, VALIDATION_PART, processes)
    print(f"Data ready in {time.perf_counter() - started:.0f} s: {len(x_fit):,} training pieces "
          f"({y_fit.mean():.1%} one whole digit), {len(x_val):,} validation.", flush=True)

    keras.utils.set_random_seed(args.seed)
    model = build_onedigit()
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy",
                  metrics=["accuracy", keras.metrics.AUC(name="auc")])
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True,
                                      verbose=1),
        keras.callbacks.LearningRateScheduler(lambda epoch: 2e-3 * 0.7**epoch, verbose=0),
    ]
    fit_started = time.perf_counter()
    history = model.fit(x_fit[..., None], y_fit, validation_data=(x_val[..., None], y_val),
                        epochs=args.epochs, batch_size=args.batch_size, shuffle=True,
                        callbacks=callbacks, verbose=2)
    seconds = time.perf_counter() - fit_started
    _, accuracy, auc = model.evaluate(x_val[..., None], y_val, batch_size=1024, verbose=0)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    card = {
        "name": args.out.stem,
        "arch": "onedigit-cnn",
        "output": "probability that a piece of a drawing is exactly one whole digit",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {"numbers": args.numbers, "pieces": len(x_fit),
                 "one_digit_share": round(float(y_fit.mean()), 4),
                 "validation_pieces": len(x_val)},
        "validation": {"accuracy": round(float(accuracy), 5), "auc": round(float(auc), 5)},
        **cards.training_record(model, history, args.batch_size, args.seed, seconds),
    }
    cards.write_card(args.out, card, cards.onedigit_card_markdown)
    if not args.no_export:
        export_tflite(model, args.out.with_suffix(".tflite"))
    print(f"Saved {args.out}: validation accuracy {accuracy:.2%}, AUC {auc:.4f}; "
          f"{card['epochs_run']} epochs in {seconds:.0f} s.", flush=True)
    return card


def main(argv=None):
    train(parse_args(argv))


if __name__ == "__main__":
    main()
