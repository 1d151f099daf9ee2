"""The served models (reading/models.py): each exported LiteRT file, loaded once per process,
without TensorFlow."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from reading.ctc import CLASSES
from reading.models import DIGITS, NOT_DIGIT, NUMBER, ONE_DIGIT, ServedModel


class ModelUnavailable(RuntimeError):
    """The model file is missing, corrupt or gives no sensible answer."""


class DigitClassifier:
    """The digit model: a LiteRT interpreter, (28, 28) float32 input -> 10 probabilities."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._interpreter, self._input, self._output = _open(self.path, DIGITS.hint)
        # The interpreter is not thread-safe; the lock costs nothing with gunicorn's sync workers.
        self._lock = threading.Lock()
        self.card = _read_card(self.path)
        self._check_answers()

    def _check_answers(self):
        probabilities = self.predict(np.zeros((28, 28), dtype=np.float32))
        if probabilities.shape != (10,) or not abs(float(probabilities.sum()) - 1.0) < 1e-3:
            raise ModelUnavailable(
                f"Model file {self.path} does not answer with 10 probabilities. {DIGITS.hint}"
            )

    def predict(self, image: np.ndarray) -> np.ndarray:
        """Probabilities (10,) float32 for one preprocessed (28, 28) image."""
        with self._lock:
            return _invoke(self._interpreter, self._input, self._output, image)

    def predict_many(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (n, 10) for (n, 28, 28) images, one invoke each.

        XNNPACK runs this small CNN no faster per image in a batch, and a fixed batch-1 input
        keeps the interpreter from re-preparing itself for every size.
        """
        with self._lock:
            return _each(self._interpreter, self._input, self._output, images, 10)

    @property
    def version(self) -> str:
        """The card's version (model.train --finetune writes one), else its name and date."""
        if "version" in self.card:
            return self.card["version"]
        created = "".join(ch for ch in self.card.get("created", "") if ch.isdigit())[:14]
        return f"{self.card.get('name', self.path.stem)}-{created or 'unknown'}"

    def describe(self) -> dict[str, object]:
        """What /api/health says about it (without its version, which comes last)."""
        return {
            key: self.card[key]
            for key in ("name", "arch", "created", "test_accuracy")
            if key in self.card
        }


class _YesNoModel:
    """A LiteRT model with one sigmoid output on the (28, 28) input, and its card."""

    served: ServedModel  # its row of the table

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        hint = self.served.hint
        self._interpreter, self._input, self._output = _open(self.path, hint)
        self._lock = threading.Lock()
        self.card = _read_card(self.path)
        p = self.probability(np.zeros((28, 28), dtype=np.float32))
        if not 0.0 <= p <= 1.0:
            raise ModelUnavailable(
                f"Model file {self.path} does not answer with one probability. {hint}"
            )

    def probability(self, image: np.ndarray) -> float:
        """The model's probability for one preprocessed (28, 28) image."""
        with self._lock:
            return float(_invoke(self._interpreter, self._input, self._output, image)[0])

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (n,) float32 for (n, 28, 28) images, one invoke each."""
        with self._lock:
            return _each(self._interpreter, self._input, self._output, images, 1)[:, 0]

    def describe(self) -> dict[str, object]:
        """What /api/health says about it."""
        return _card_summary(self.card, self.path)


class NotDigitModel(_YesNoModel):
    """The not-digit model ("is it a digit?"): (28, 28) float32 input -> probability of NOT a
    digit. Its threshold comes from its card (notdigit.card.json), where training chose it."""

    served = NOT_DIGIT

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        if "threshold" not in self.card:
            raise ModelUnavailable(
                f"{self.path.with_suffix('.card.json')} is missing or has no "
                f"threshold. {NOT_DIGIT.hint}"
            )
        self.threshold = float(self.card["threshold"])

    def rejects(self, image: np.ndarray) -> bool:
        """Whether the image is not a digit: its probability is above the card's threshold."""
        return self.probability(image) > self.threshold

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "threshold": self.threshold}


class OneDigitModel(_YesNoModel):
    """The one-digit model ("is this piece exactly one whole digit?") that guides reading
    numbers (model/onedigit.py): (n, 28, 28) pieces -> (n,) probabilities."""

    served = ONE_DIGIT


class NumberModel:
    """The number model (model/number.py): a (32, W) line -> (M, W / 4, 12) column
    probabilities of the digits, the blank and "not a digit", one row for each of its M members
    (model/number_ensemble.py; a model trained alone has one). Its input is as wide as each
    line: the interpreter is resized when the width changes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._interpreter, self._input, self._output = _open(self.path, NUMBER.hint)
        self._lock = threading.Lock()
        self._width = None
        self.card = _read_card(self.path)
        try:
            columns = self.columns(np.zeros((32, 64), dtype=np.float32))
        except (ValueError, RuntimeError) as error:
            raise ModelUnavailable(
                f"Model file {self.path} does not read a 32 px line ({error}). {NUMBER.hint}"
            ) from error
        if columns.ndim != 3 or columns.shape[2] != CLASSES:
            raise ModelUnavailable(
                f"Model file {self.path} does not answer with {CLASSES} "
                f"probabilities per column. {NUMBER.hint}"
            )

    def columns(self, line: np.ndarray) -> np.ndarray:
        """Column probabilities (M, T, 12) float32 for one normalized (32, W) line."""
        with self._lock:
            if line.shape[1] != self._width:
                self._interpreter.resize_tensor_input(self._input, [1, 32, line.shape[1], 1])
                self._interpreter.allocate_tensors()
                self._width = line.shape[1]
            self._interpreter.set_tensor(self._input, line.reshape(1, 32, -1, 1))
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output)[0]

    def describe(self) -> dict[str, object]:
        """What /api/health says about it."""
        return _card_summary(self.card, self.path)


def _card_summary(card, path):
    return {"name": card.get("name", path.stem), "created": card.get("created")}


def _each(interpreter, input_index, output_index, images, outputs):
    """(n, outputs) float32: the interpreter invoked once per (28, 28) image (the caller holds
    its lock; see DigitClassifier.predict_many for why one at a time)."""
    out = np.empty((len(images), outputs), dtype=np.float32)
    for k, image in enumerate(images):
        out[k] = _invoke(interpreter, input_index, output_index, image)
    return out


def _invoke(interpreter, input_index, output_index, image):
    """The model's output row for one (28, 28) image (get_tensor hands back a copy)."""
    interpreter.set_tensor(input_index, image.reshape(1, 28, 28, 1))
    interpreter.invoke()
    return interpreter.get_tensor(output_index)[0]


def _open(path, hint):
    """A LiteRT interpreter on one thread for the .tflite file: (interpreter, input, output)."""
    if not path.is_file():
        raise ModelUnavailable(f"Model file {path} is missing. {hint}")
    try:
        # One thread: each worker answers one request at a time; scale with workers instead.
        interpreter = Interpreter(model_path=str(path), num_threads=1)
        interpreter.allocate_tensors()
        return (
            interpreter,
            interpreter.get_input_details()[0]["index"],
            interpreter.get_output_details()[0]["index"],
        )
    except (ValueError, RuntimeError) as error:
        raise ModelUnavailable(f"Model file {path} is corrupt ({error}). {hint}") from error


def _read_card(path):
    card = path.with_suffix(".card.json")
    return json.loads(card.read_text()) if card.is_file() else {}
