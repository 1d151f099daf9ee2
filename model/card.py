"""Write and read the model card: what the model is, what it was trained on, how well it does.

Every key a card may hold, its type and meaning: docs/training.md, "The model card". The keys
every model's card shares are built here, once (`common`); each trainer adds its own.
The Markdown for people is model/card_text.py, the figures model/plots.py.
"""

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

from model.card_text import card_markdown
from reading.preprocess import DESCRIPTION, SIZE

DIGIT_INPUT = (SIZE, SIZE, 1)  # the 28x28 image every single-image model reads


def card_path(model_path):
    """The card sits next to the model: digits.keras -> digits.card.json."""
    return Path(model_path).with_suffix(".card.json")


def read_card(model_path):
    """Load the card of a saved model."""
    return json.loads(card_path(model_path).read_text())


def write_card(model_path, card, markdown=None):
    """Write the card as JSON (read by the server and tools) and Markdown (read by people).

    markdown: the function that writes the Markdown (default: the digit model's card_markdown).
    """
    path = card_path(model_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card, indent=2) + "\n")
    path.with_suffix(".md").write_text((markdown or card_markdown)(card))
    return path


def created_now():
    """When a card is written: UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def common(
    name,
    arch,
    parameters,
    *,
    seed=None,
    batch_size=None,
    history=None,
    seconds=None,
    preprocessing=DESCRIPTION,
    input_shape=DIGIT_INPUT,
):
    """The keys the cards share, in one form: what the model is, how it was trained, what
    produced it. `seed` and `batch_size` are a single run's (an ensemble of number models has
    them per member); `history` (a Keras History) adds the keys of a model trained by Keras'
    fit; `input_shape=None` leaves out a shape that is not one fixed image (a line's)."""
    card = {"name": name, "arch": arch, "created": created_now(), "preprocessing": preprocessing}
    if input_shape is not None:
        card["input_shape"] = list(input_shape)
    card["parameters"] = int(parameters)
    card.update(
        {
            key: value
            for key, value in (("batch_size", batch_size), ("seed", seed))
            if value is not None
        }
    )
    if history is not None:
        card.update(fit_record(history, seconds))
    card["versions"] = versions()
    return card


def fit_record(history, seconds):
    """How a Keras fit went: epochs run, seconds, the per-epoch history (rounded)."""
    return {
        "epochs_run": len(history.history["loss"]),
        "training_seconds": round(seconds, 1),
        "history": {k: [round(float(v), 5) for v in vals] for k, vals in history.history.items()},
    }


def versions():
    """Library versions, so a card says what produced the model."""
    import keras
    import numpy as np
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }


def add_calibration(card, probabilities, labels, model_path):
    """Store the confidence's calibration in the card and draw its reliability diagram."""
    from model.metrics import calibration
    from model.plots import plot_reliability

    card["calibration"] = calibration(probabilities, labels)
    path = Path(model_path).with_suffix(".reliability.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    plot_reliability(card["calibration"], path)
    return card
