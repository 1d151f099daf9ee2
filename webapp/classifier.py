"""The served model: the exported LiteRT file, loaded once per process, without TensorFlow."""

import json
import threading
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from reading.ctc import CLASSES

REBUILD_HINT = "Rebuild it with: python -m model.train (or python -m model.export from a .keras)"
NOTDIGIT_HINT = "Rebuild it with: python -m model.train_notdigit"
ONEDIGIT_HINT = "Rebuild it with: python -m model.train_onedigit"
SEQUENCE_HINT = "Rebuild it with: python -m model.train_sequence"


class ModelUnavailable(RuntimeError):
    """The model file is missing, corrupt or gives no sensible answer."""


class DigitClassifier:
    """Wraps a LiteRT interpreter: (28, 28) float32 input -> 10 probabilities."""

    def __init__(self, path):
        self.path = Path(path)
        self._interpreter, self._input, self._output = _open(self.path, REBUILD_HINT)
        # The interpreter is not thread-safe; the lock costs nothing with gunicorn's sync workers.
        self._lock = threading.Lock()
        self.card = _read_card(self.path)
        self.detector = None  # a NotDigitDetector (webapp/serving.py), or None: none rejected
        self.judge = None  # a OneDigitJudge for reading numbers, or None: digit model alone
        self.line_reader = None  # a LineReader for reading numbers, or None: pieces alone
        self._check_answers()

    def _check_answers(self):
        probabilities = self.predict(np.zeros((28, 28), dtype=np.float32))
        if probabilities.shape != (10,) or not abs(float(probabilities.sum()) - 1.0) < 1e-3:
            raise ModelUnavailable(f"Model file {self.path} does not answer with 10 probabilities. "
                                   f"{REBUILD_HINT}")

    def predict(self, image):
        """Probabilities (10,) float32 for one preprocessed (28, 28) image."""
        with self._lock:
            return _invoke(self._interpreter, self._input, self._output, image)

    def predict_many(self, images):
        """Probabilities (n, 10) for (n, 28, 28) images, one invoke each.

        XNNPACK runs this small CNN no faster per image in a batch, and a fixed batch-1 input
        keeps the interpreter from re-preparing itself for every size.
        """
        with self._lock:
            return _each(self._interpreter, self._input, self._output, images, 10)

    @property
    def version(self):
        """The card's version (model.train --finetune writes one), else its name and date."""
        if "version" in self.card:
            return self.card["version"]
        created = "".join(ch for ch in self.card.get("created", "") if ch.isdigit())[:14]
        return f"{self.card.get('name', self.path.stem)}-{created or 'unknown'}"

    def describe(self):
        """What /api/health says about the model (and the not-digit model, when there is one)."""
        summary = {key: self.card[key] for key in ("name", "arch", "created", "test_accuracy")
                   if key in self.card}
        if self.detector is not None:
            summary["not_a_digit"] = self.detector.describe()
        if self.judge is not None:
            summary["one_digit"] = self.judge.describe()
        if self.line_reader is not None:
            summary["number_model"] = self.line_reader.describe()
        return {**summary, "version": self.version}

    def is_not_a_digit(self, image):
        """Whether the not-digit model rejects this preprocessed (28, 28) image (never without
        one)."""
        return self.detector is not None and self.detector.rejects(image)


class _YesNoModel:
    """A LiteRT model with one sigmoid output on the (28, 28) input, and its card."""

    def __init__(self, path, hint):
        self.path = Path(path)
        self._interpreter, self._input, self._output = _open(self.path, hint)
        self._lock = threading.Lock()
        self.card = _read_card(self.path)
        p = self.probability(np.zeros((28, 28), dtype=np.float32))
        if not 0.0 <= p <= 1.0:
            raise ModelUnavailable(f"Model file {self.path} does not answer with one probability. "
                                   f"{hint}")

    def probability(self, image):
        """The model's probability for one preprocessed (28, 28) image."""
        with self._lock:
            return float(_invoke(self._interpreter, self._input, self._output, image)[0])

    def probabilities(self, images):
        """Probabilities (n,) float32 for (n, 28, 28) images, one invoke each."""
        with self._lock:
            return _each(self._interpreter, self._input, self._output, images, 1)[:, 0]

    def describe(self):
        """What /api/health says about it."""
        return {"name": self.card.get("name", self.path.stem), "created": self.card.get("created")}


class NotDigitDetector(_YesNoModel):
    """The "is it a digit?" model: (28, 28) float32 input -> probability of NOT a digit.

    Its threshold comes from its card (notdigit.card.json), where training chose it.
    """

    def __init__(self, path):
        super().__init__(path, NOTDIGIT_HINT)
        if "threshold" not in self.card:
            raise ModelUnavailable(f"{self.path.with_suffix('.card.json')} is missing or has no "
                                   f"threshold. {NOTDIGIT_HINT}")
        self.threshold = float(self.card["threshold"])

    def rejects(self, image):
        """Whether the image is not a digit: its probability is above the card's threshold."""
        return self.probability(image) > self.threshold

    def describe(self):
        return {**super().describe(), "threshold": self.threshold}


class OneDigitJudge(_YesNoModel):
    """The "is this piece exactly one whole digit?" model that guides reading numbers
    (model/onedigit.py): (n, 28, 28) pieces -> (n,) probabilities."""

    def __init__(self, path):
        super().__init__(path, ONEDIGIT_HINT)


class LineReader:
    """The number model (model/sequence.py): a (32, W) line -> (M, W / 4, 12) column
    probabilities of the digits, the blank and "not a digit", one row for each of its M members
    (model/sequence_ensemble.py; a model trained alone has one). Its input is as wide as each
    line: the interpreter is resized when the width changes."""

    def __init__(self, path):
        self.path = Path(path)
        self._interpreter, self._input, self._output = _open(self.path, SEQUENCE_HINT)
        self._lock = threading.Lock()
        self._width = None
        self.card = _read_card(self.path)
        try:
            columns = self.columns(np.zeros((32, 64), dtype=np.float32))
        except (ValueError, RuntimeError) as error:
            raise ModelUnavailable(f"Model file {self.path} does not read a 32 px line "
                                   f"({error}). {SEQUENCE_HINT}")
        if columns.ndim != 3 or columns.shape[2] != CLASSES:
            raise ModelUnavailable(f"Model file {self.path} does not answer with {CLASSES} "
                                   f"probabilities per column. {SEQUENCE_HINT}")

    def columns(self, line):
        """Column probabilities (M, T, 12) float32 for one normalized (32, W) line."""
        with self._lock:
            if line.shape[1] != self._width:
                self._interpreter.resize_tensor_input(self._input, [1, 32, line.shape[1], 1])
                self._interpreter.allocate_tensors()
                self._width = line.shape[1]
            self._interpreter.set_tensor(self._input, line.reshape(1, 32, -1, 1))
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output)[0]

    def describe(self):
        """What /api/health says about it."""
        return {"name": self.card.get("name", self.path.stem), "created": self.card.get("created")}


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
        return (interpreter, interpreter.get_input_details()[0]["index"],
                interpreter.get_output_details()[0]["index"])
    except (ValueError, RuntimeError) as error:
        raise ModelUnavailable(f"Model file {path} is corrupt ({error}). {hint}")


def _read_card(path):
    card = path.with_suffix(".card.json")
    return json.loads(card.read_text()) if card.is_file() else {}
