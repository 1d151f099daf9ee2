"""Train the number model, which reads a whole line of digits (model/number.py).

    python -m model.train_number            # -> model/saved/number.keras, .tflite, card

Numbers of 1 to 9 digits are written from training strokes (MNIST training digits traced
and template digits; no font glyph) with spacing from overlapping to apart, drawn
with one random pen, and put through reading.preprocess.normalize_line, as the server does.
A fifth of the lines hold non-digits too (letters, scribbles, shapes), labelled "?".
Validation lines come from another training stream; the drawn-digit benchmark's numbers are
the held-out test.
"""

import argparse
import functools
import os
import time
from pathlib import Path

import numpy as np

from model import card as cards
from model.card_text import number_card_markdown
from model.data import in_processes
from model.number import written_lines
from reading.ctc import BLANK, NOT_DIGIT, STRIDE, SYMBOLS, best_path
from reading.models import NUMBER
from reading.preprocess import LINE_DESCRIPTION

FIT_PART, VALIDATION_PART = 60, 80  # rng_for("training", seed, part): parts of no other use
# Each training batch is stretched or squeezed sideways by a random factor in this range:
# hands write narrower and wider than the traced digits, and the written lines are drawn once.
STRETCH = (0.8, 1.25)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.train_number",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=NUMBER.keras,
        help=f"where to save the .keras model (default: {NUMBER.keras})",
    )
    parser.add_argument(
        "--numbers",
        type=int,
        default=100000,
        help="lines written for training (default 100000, as shipped)",
    )
    parser.add_argument("--epochs", type=int, default=14, help="maximum epochs (default 14)")
    parser.add_argument("--batch-size", type=int, default=64, help="default 64")
    parser.add_argument("--seed", type=int, default=1357, help="random seed (default 1357)")
    parser.add_argument(
        "--ones",
        type=float,
        default=0.0,
        help="share of training lines with many 1s (model.number.ONE_CHANCE "
        "of their digits; default 0)",
    )
    parser.add_argument(
        "--width",
        type=float,
        default=1.0,
        help="filters of the later layers, times those shipped first "
        "(model.number.build_number_model; default 1)",
    )
    parser.add_argument(
        "--no-export", action="store_true", help="do not write the .tflite file the server loads"
    )
    return parser.parse_args(argv)


def lines(count, seed, first_part, processes, ones=0.0):
    """written_lines of `count` numbers split over processes, each its own training stream."""
    parts = in_processes(
        functools.partial(written_lines, ones=ones), count, seed, first_part, processes
    )
    return [x for xs, _ in parts for x in xs], [t for _, ts in parts for t in ts]


def padded(lines):
    """(32, W) lines of several widths as one batch (n, 32, widest, 1), blank on the right."""
    x = np.zeros(
        (len(lines), lines[0].shape[0], max(line.shape[1] for line in lines), 1), dtype=np.float32
    )
    for row, line in enumerate(lines):
        x[row, :, : line.shape[1], 0] = line
    return x


def batches(xs, texts, batch_size, rng):
    """Batches of lines of about one width (less padding), in random order:
    (x (n, 32, W, 1), labels (n, L) padded with -1, label lengths (n,))."""
    order = np.argsort([x.shape[1] + rng.uniform(0, 16) for x in xs], kind="stable")
    groups = [order[k : k + batch_size] for k in range(0, len(order), batch_size)]
    for g in rng.permutation(len(groups)):
        members = groups[g]
        x = padded([xs[k] for k in members])
        longest = max(len(texts[k]) for k in members)
        y = np.full((len(members), longest), -1, dtype=np.int32)
        for row, k in enumerate(members):
            y[row, : len(texts[k])] = [SYMBOLS.index(ch) for ch in texts[k]]
        yield x, y, np.array([len(texts[k]) for k in members], dtype=np.int32)


def read_lines(model, xs, batch_size=128):
    """The best-path reading of each line."""
    out = []
    for k in range(0, len(xs), batch_size):
        logits = model(padded(xs[k : k + batch_size]), training=False).numpy()[:, 0]
        out += [best_path(row) for row in logits]  # argmax of logits = argmax of softmax
    return out


def train(args):
    """Write the numbers, train with CTC, save model, card and .tflite; return the card."""
    import keras  # after the data: spawned workers need not load TensorFlow
    import tensorflow as tf

    from model import fitting
    from model.number import build_number_model

    started = time.perf_counter()
    processes = max(1, min(os.cpu_count() or 1, 4))
    print(f"Writing {args.numbers:,} numbers ({processes} processes)...", flush=True)
    x_fit, t_fit = lines(args.numbers, args.seed, FIT_PART, processes, args.ones)
    x_val, t_val = lines(max(500, args.numbers // 20), args.seed, VALIDATION_PART, processes)
    has_other = np.array(["?" in t for t in t_val])
    print(
        f"Data ready in {time.perf_counter() - started:.0f} s: {len(x_fit):,} training "
        f"lines, {len(x_val):,} validation ({has_other.sum():,} with non-digits).",
        flush=True,
    )

    fitting.seed(args.seed)
    model = build_number_model(width=args.width)
    steps = -(-len(x_fit) // args.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, args.epochs * steps, alpha=0.02)
    optimizer = keras.optimizers.Adam(schedule)

    def stretched(x):
        """The batch resized to a random width within STRETCH of its own."""
        factor = tf.exp(tf.random.uniform([], np.log(STRETCH[0]), np.log(STRETCH[1])))
        width = tf.cast(tf.round(tf.cast(tf.shape(x)[2], tf.float32) * factor), tf.int32)
        return tf.image.resize(x, tf.stack([tf.shape(x)[1], width]), antialias=True)

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, 32, None, 1], tf.float32),
            tf.TensorSpec([None, None], tf.int32),
            tf.TensorSpec([None], tf.int32),
        ]
    )
    def step(x, y, lengths):
        with tf.GradientTape() as tape:
            logits = model(stretched(x), training=True)[:, 0]
            columns = tf.fill([tf.shape(x)[0]], tf.shape(logits)[1])
            loss = tf.reduce_mean(
                tf.nn.ctc_loss(
                    tf.where(y < 0, 0, y),
                    logits,
                    lengths,
                    columns,
                    logits_time_major=False,
                    blank_index=BLANK,
                )
            )
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    rng = np.random.default_rng(args.seed)
    history, best, best_others, best_weights = [], -1.0, -1.0, None
    fit_started = time.perf_counter()
    for epoch in range(args.epochs):
        losses = [float(step(x, y, n)) for x, y, n in batches(x_fit, t_fit, args.batch_size, rng)]
        right = np.array([r == t for r, t in zip(read_lines(model, x_val), t_val)])
        exact, with_others = right[~has_other].mean(), right[has_other].mean()
        history.append(
            {
                "epoch": epoch + 1,
                "loss": round(float(np.mean(losses)), 4),
                "val_exact": round(float(exact), 4),
                "val_exact_with_non_digits": round(float(with_others), 4),
            }
        )
        print(
            f"Epoch {epoch + 1}/{args.epochs}: CTC loss {np.mean(losses):.3f}, validation "
            f"numbers read exactly {exact:.2%}, lines with non-digits {with_others:.2%} "
            f"({time.perf_counter() - fit_started:.0f} s)",
            flush=True,
        )
        if exact > best:  # chosen on numbers of digits alone, what the reader most needs
            best, best_others, best_weights = exact, with_others, model.get_weights()
    model.set_weights(best_weights)
    seconds = time.perf_counter() - fit_started
    card = {
        # A custom CTC loop, not Keras' fit: its own record of the epochs (below), and no fixed
        # input shape (a line is as wide as it is).
        **cards.common(
            args.out.stem,
            "sequence-cnn-ctc",
            model.count_params(),
            seed=args.seed,
            batch_size=args.batch_size,
            preprocessing=LINE_DESCRIPTION,
            input_shape=None,
        ),
        "output": f"per {STRIDE} px column of a line: probabilities of 0-9, blank (index "
        f"{BLANK}) and not a digit (index {NOT_DIGIT})",
        "data": {
            "lines": len(x_fit),
            "validation_lines": len(x_val),
            "validation_with_non_digits": int(has_other.sum()),
        },
        "validation": {
            "exact": round(float(best), 5),
            "exact_with_non_digits": round(float(best_others), 5),
        },
        "epochs": history,
        "seconds": round(seconds),
        "ones": args.ones,
        "width": args.width,
    }
    return fitting.save(
        model,
        args.out,
        card,
        markdown=number_card_markdown,
        export=not args.no_export,
        exported=lambda m: keras.Sequential([m, keras.layers.Softmax()]),
        summary=(
            f"Saved {args.out}: validation numbers read exactly {best:.2%}; "
            f"{len(history)} epochs in {seconds:.0f} s."
        ),
    )


def main(argv=None):
    train(parse_args(argv))


if __name__ == "__main__":
    main()
