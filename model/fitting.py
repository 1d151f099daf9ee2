"""The training sequence every trainer shares: seed, compile, callbacks, fit, then save the
.keras, write the card, export the .tflite and say what was saved.

    fitting.seed(args.seed)
    history, seconds = fitting.fit(model, data, loss=..., learning_rate=..., epochs=...)
    card = {**cards.common(out.stem, arch, model, seed=..., batch_size=..., history=history,
                           seconds=seconds), ...its own keys}
    fitting.save(model, out, card, summary="Saved ...")

Each trainer keeps only what is its own: data, architecture, its card's own keys. The
commands import this module after parsing their arguments: it loads TensorFlow.
"""

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out

import keras  # noqa: E402

from model import card as cards  # noqa: E402
from model.export import export_tflite, served_format  # noqa: E402


def seed(value, repeatable=False):
    """Seed Python's, NumPy's and the backend's random streams. `repeatable` also makes
    TensorFlow's kernels deterministic, so that a run gives the same weights every time (slower;
    the fine-tune's promotion should not depend on thread timing)."""
    keras.utils.set_random_seed(value)
    if repeatable:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def decaying(learning_rate, decay, patience):
    """Stop early on validation loss (keeping the best weights); the learning rate times `decay`
    each epoch: big steps first, fine ones at the end."""
    return [
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, restore_best_weights=True, verbose=1
        ),
        keras.callbacks.LearningRateScheduler(
            lambda epoch: learning_rate * decay**epoch, verbose=0
        ),
    ]


def fit(
    model,
    data,
    *,
    loss,
    learning_rate,
    epochs,
    decay=None,
    patience=None,
    metrics=("accuracy",),
    validation_data=None,
    summary=True,
    verbose=1,
    **options,
):
    """Compile with Adam, fit (stopped early and decayed when `patience` is given, which needs
    validation data); return (history, seconds of fitting). `options` go to Keras' fit."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=list(metrics))
    if summary:
        model.summary()
    callbacks = decaying(learning_rate, decay, patience) if patience else []
    started = time.perf_counter()
    history = model.fit(
        data,
        validation_data=validation_data,
        epochs=epochs,
        callbacks=callbacks,
        verbose=verbose,
        **options,
    )
    return history, time.perf_counter() - started


def save(
    model, out, card, *, markdown=None, export=True, exported=None, quantize=False, summary=None
):
    """Save the .keras at `out`, write its card (`markdown`: its kind's renderer, default the
    digit model's), export the .tflite the server loads (`exported`: a function giving the
    model to export, when it is not `model` itself; `quantize`: dynamic-range quantized, as the
    digit model is served, model/export.py) and print `summary`. The card says how the file was
    exported (`served`)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    if export:
        card["served"] = served_format(quantize)
    cards.write_card(out, card, markdown)
    if export:
        to_export = exported(model) if exported else model
        export_tflite(to_export, out.with_suffix(".tflite"), quantize=quantize)
    if summary:
        print(summary, flush=True)
    return card
