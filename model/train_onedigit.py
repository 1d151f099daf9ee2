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
from pathlib import Path

import numpy as np

from model import card as cards
from model.card_text import onedigit_card_markdown
from model.data import in_processes
from model.onedigit import number_pieces
from reading.models import ONE_DIGIT

FIT_PART, VALIDATION_PART = 20, 40  # rng_for("training", seed, part): parts of no other use


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.train_onedigit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ONE_DIGIT.keras,
        help=f"where to save the .keras model (default: {ONE_DIGIT.keras})",
    )
    parser.add_argument(
        "--numbers",
        type=int,
        default=12000,
        help="numbers written and cut for training (default 12000)",
    )
    parser.add_argument("--epochs", type=int, default=8, help="maximum epochs (default 8)")
    parser.add_argument("--batch-size", type=int, default=256, help="default 256")
    parser.add_argument("--seed", type=int, default=2468, help="random seed (default 2468)")
    parser.add_argument(
        "--no-export", action="store_true", help="do not write the .tflite file the server loads"
    )
    return parser.parse_args(argv)


def pieces(count, seed, first_part, processes):
    """number_pieces of `count` numbers split over processes, each its own training stream."""
    parts = in_processes(number_pieces, count, seed, first_part, processes)
    return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])


def train(args):
    """Write, cut and label the numbers, train, save model, card and .tflite; return the card."""
    started = time.perf_counter()
    processes = max(1, min(os.cpu_count() or 1, 4))
    print(
        f"Writing {args.numbers:,} numbers and cutting them as the reader does "
        f"({processes} processes)...",
        flush=True,
    )
    x_fit, y_fit = pieces(args.numbers, args.seed, FIT_PART, processes)
    x_val, y_val = pieces(max(500, args.numbers // 10), args.seed, VALIDATION_PART, processes)
    print(
        f"Data ready in {time.perf_counter() - started:.0f} s: {len(x_fit):,} training pieces "
        f"({y_fit.mean():.1%} one whole digit), {len(x_val):,} validation.",
        flush=True,
    )

    import keras  # after the data: spawned workers need not load TensorFlow

    from model import fitting
    from model.onedigit import build_onedigit

    fitting.seed(args.seed)
    model = build_onedigit()
    history, seconds = fitting.fit(
        model,
        x_fit[..., None],
        y=y_fit,
        loss="binary_crossentropy",
        learning_rate=2e-3,
        epochs=args.epochs,
        decay=0.7,
        patience=2,
        metrics=["accuracy", keras.metrics.AUC(name="auc")],
        validation_data=(x_val[..., None], y_val),
        summary=False,
        verbose=2,
        batch_size=args.batch_size,
        shuffle=True,
    )
    _, accuracy, auc = model.evaluate(x_val[..., None], y_val, batch_size=1024, verbose=0)
    card = {
        **cards.common(
            args.out.stem,
            "onedigit-cnn",
            model.count_params(),
            seed=args.seed,
            batch_size=args.batch_size,
            history=history,
            seconds=seconds,
        ),
        "output": "probability that a piece of a drawing is exactly one whole digit",
        "data": {
            "numbers": args.numbers,
            "pieces": len(x_fit),
            "one_digit_share": round(float(y_fit.mean()), 4),
            "validation_pieces": len(x_val),
        },
        "validation": {"accuracy": round(float(accuracy), 5), "auc": round(float(auc), 5)},
    }
    return fitting.save(
        model,
        args.out,
        card,
        markdown=onedigit_card_markdown,
        export=not args.no_export,
        summary=(
            f"Saved {args.out}: validation accuracy {accuracy:.2%}, AUC {auc:.4f}; "
            f"{card['epochs_run']} epochs in {seconds:.0f} s."
        ),
    )


def main(argv=None):
    train(parse_args(argv))


if __name__ == "__main__":
    main()
