"""Train the "is it a digit?" model and save it next to the digit model, with its card.

    python -m model.train_notdigit            # -> model/saved/notdigit.keras, .tflite, card

The served model is two of these averaged, trained with --seed 4321 and 4322
(model/notdigit_ensemble.py).

Digits (MNIST training images, plus MNIST digits traced and redrawn with random pens and
template digits, model/drawn.py) against non-digits written by the training stream (template
letters, scribbles, shapes: model/notdigit.py; no font glyph). Validation: MNIST
digits kept out of training, drawn digits and non-digits from other training streams. The
rejection threshold is chosen there, so that --reject of the validation digits are rejected;
the held-out test is elsewhere (benchmarks/drawn_digits.py --non-digits).
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out

import numpy as np

from model import card as cards
from model.card_text import notdigit_card_markdown
from model.data import load_mnist
from model.datasets import to_dataset
from model.drawn import drawn_training_set
from model.notdigit import (
    build_notdigit,
    draw_non_digits,
    rejection_curve,
    rejection_rates,
    threshold_for,
)
from reading.models import NOT_DIGIT
from reading.preprocess import preprocess_mnist

VALIDATION = 6000  # MNIST training digits kept out, as model.train does


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.train_notdigit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=NOT_DIGIT.keras,
        help=f"where to save the .keras model (default: {NOT_DIGIT.keras})",
    )
    parser.add_argument("--epochs", type=int, default=12, help="maximum epochs (default 12)")
    parser.add_argument("--batch-size", type=int, default=128, help="default 128")
    parser.add_argument(
        "--mnist", type=int, default=50000, help="MNIST training digits as they are (default 50000)"
    )
    parser.add_argument(
        "--traced",
        type=int,
        default=30000,
        help="MNIST training digits traced and redrawn with random pens (default 30000)",
    )
    parser.add_argument(
        "--templates",
        type=int,
        default=18000,
        help="template digits in several writing styles (default 18000)",
    )
    parser.add_argument(
        "--non-digits",
        type=int,
        default=80000,
        help="generated template letters, scribbles and shapes (default 80000)",
    )
    # The drawn-digit target allows 1 % of digits rejected: that budget is spent on validation.
    parser.add_argument(
        "--reject",
        type=float,
        default=0.01,
        help="share of validation digits the threshold rejects (default 0.01)",
    )
    parser.add_argument("--seed", type=int, default=4321, help="random seed (default 4321)")
    parser.add_argument(
        "--no-export", action="store_true", help="do not write the .tflite file the server loads"
    )
    return parser.parse_args(argv)


def digits_and_non_digits(args):
    """Training and validation sets: (x, y) each, y = 1 for a non-digit; plus validation groups
    and MNIST's test digits (reported only)."""
    (images, labels), _ = load_mnist()
    fit_idx = _split(args.seed, len(images))[1]
    print("Preprocessing MNIST (the same function the server uses)...", flush=True)
    mnist_fit = preprocess_mnist(images[fit_idx[: args.mnist]])
    drawn_fit, _ = drawn_training_set(
        images[fit_idx], labels[fit_idx], args.traced, args.templates, args.seed
    )
    print(f"Drawing {args.non_digits:,} non-digits (letters, scribbles, shapes)...", flush=True)
    other_fit, _ = draw_non_digits(args.non_digits, args.seed, 10)
    validation = validation_set(args.seed, args.non_digits)
    return (_joined([mnist_fit, drawn_fit], other_fit), *validation)


def validation_set(seed, non_digits):
    """The validation split of --seed and --non-digits: (x, y), groups, and MNIST's test
    digits. Its MNIST digits are kept out of training; its drawn digits and non-digits come
    from other streams than training's."""
    (images, labels), (test_images, _) = load_mnist(verbose=False)
    val_idx = _split(seed, len(images))[0]
    mnist_val = preprocess_mnist(images[val_idx])
    drawn_val, _ = drawn_training_set(
        images[val_idx], labels[val_idx], VALIDATION // 3, VALIDATION // 3, seed + 1
    )
    other_val, kinds_val = draw_non_digits(non_digits // 8, seed, 11)
    n_traced = len(drawn_val) // 2
    groups = (
        ["mnist"] * len(mnist_val)
        + ["traced"] * n_traced
        + ["templates"] * (len(drawn_val) - n_traced)
        + [f"non-digit {k}" for k in kinds_val]
    )
    test = preprocess_mnist(test_images)[..., None]
    return _joined([mnist_val, drawn_val], other_val), np.array(groups), test


def _split(seed, count):
    """(validation, training) indices of MNIST's training images for a data split seed."""
    order = np.random.default_rng(seed).permutation(count)
    return order[:VALIDATION], order[VALIDATION:]


def _joined(digits, others):
    """(x, y) of digit sets and non-digits, y = 1 for a non-digit."""
    x = np.concatenate([*digits, others])[..., None]
    y = np.concatenate([np.zeros(sum(map(len, digits))), np.ones(len(others))])
    return x, y.astype(np.float32)


def train(args):
    """Train, choose the threshold on validation, save model, card and .tflite; return the card."""
    from model import fitting

    fitting.seed(args.seed)
    started = time.perf_counter()
    (x_fit, y_fit), (x_val, y_val), groups, x_test = digits_and_non_digits(args)
    print(
        f"Data ready in {time.perf_counter() - started:.0f} s: {len(x_fit):,} training images "
        f"({int(y_fit.sum()):,} non-digits), {len(x_val):,} validation.",
        flush=True,
    )

    model = build_notdigit()
    # The digit model's augmentation (tilt, slant, size, shift, pen width) on both classes.
    history, seconds = fitting.fit(
        model,
        to_dataset(x_fit, y_fit, args.batch_size, True, args.seed),
        loss="binary_crossentropy",
        learning_rate=2e-3,
        epochs=args.epochs,
        decay=0.75,
        patience=3,
        validation_data=to_dataset(x_val, y_val, 1024, False, args.seed),
        verbose=2,
    )

    judged = judge(model, (x_val, y_val), groups, x_test, args.reject)
    validation = judged["validation_rejected"]
    card = {
        **cards.common(
            args.out.stem,
            "notdigit-cnn",
            model.count_params(),
            seed=args.seed,
            batch_size=args.batch_size,
            history=history,
            seconds=seconds,
        ),
        "output": "probability that the drawing is not a digit",
        "data": {
            "mnist_train": len(x_fit) - int(y_fit.sum()) - args.traced - args.templates,
            "traced_mnist_train": args.traced,
            "templates": args.templates,
            "non_digits": int(y_fit.sum()),
            "validation": len(x_val),
            "split_seed": args.seed,
        },
        **judged,
    }
    return fitting.save(
        model,
        args.out,
        card,
        markdown=notdigit_card_markdown,
        export=not args.no_export,
        summary=(
            f"Saved {args.out}: threshold {card['threshold']:.4f}; validation digits rejected "
            f"{validation['digits']:.2%}, non-digits rejected {validation['non-digits']:.2%}, "
            f"MNIST test digits rejected {card['mnist_test_rejected']:.2%}; "
            f"{card['epochs_run']} epochs in {seconds:.0f} s."
        ),
    )


def judge(model, validation, groups, x_test, reject):
    """The card's figures of a trained model on training's validation split: the threshold
    that rejects `reject` of its digits, what it rejects there by group, the trade-off, and MNIST
    test's share rejected (reported only)."""
    x_val, y_val = validation
    p_val = model.predict(x_val, batch_size=1024, verbose=0).ravel()
    digits = y_val == 0
    threshold = threshold_for(p_val[digits], reject)
    p_test = model.predict(x_test, batch_size=1024, verbose=0).ravel()
    rejected = rejection_rates(p_val, groups, threshold)
    rejected["digits"] = float((p_val[digits] > threshold).mean())
    rejected["non-digits"] = float((p_val[~digits] > threshold).mean())
    return {
        "threshold": round(threshold, 6),
        "reject_share": reject,
        "validation_rejected": {k: round(v, 5) for k, v in rejected.items()},
        "validation_curve": rejection_curve(p_val[digits], p_val[~digits]),
        "mnist_test_rejected": round(float((p_test > threshold).mean()), 5),
    }


def main(argv=None):
    train(parse_args(argv))


if __name__ == "__main__":
    main()
