"""The served model: the exported LiteRT file, loaded once per process, without TensorFlow."""

import json
import threading
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

REBUILD_HINT = "Rebuild it with: python -m model.train (or python -m model.export from a .keras)"


class ModelUnavailable(RuntimeError):
    """The model file is missing, corrupt or gives no sensible answer."""


class DigitClassifier:
    """Wraps a LiteRT interpreter: (28, 28) float32 input -> 10 probabilities."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelUnavailable(f"Model file {self.path} is missing. {REBUILD_HINT}")
        try:
            # One thread: each worker answers one request at a time; scale with workers instead.
            self._interpreter = Interpreter(model_path=str(self.path), num_threads=1)
            self._interpreter.allocate_tensors()
            self._input = self._interpreter.get_input_details()[0]["index"]
            self._output = self._interpreter.get_output_details()[0]["index"]
        except (ValueError, RuntimeError) as error:
            raise ModelUnavailable(f"Model file {self.path} is corrupt ({error}). {REBUILD_HINT}")
        # The interpreter is not thread-safe; the lock costs nothing with gunicorn's sync workers.
        self._lock = threading.Lock()
        self.card = self._read_card()
        self._check_answers()

    def _read_card(self):
        card = self.path.with_suffix(".card.json")
        return json.loads(card.read_text()) if card.is_file() else {}

    def _check_answers(self):
        probabilities = self.predict(np.zeros((28, 28), dtype=np.float32))
        if probabilities.shape != (10,) or not abs(float(probabilities.sum()) - 1.0) < 1e-3:
            raise ModelUnavailable(f"Model file {self.path} does not answer with 10 probabilities. "
                                   f"{REBUILD_HINT}")

    def predict(self, image):
        """Probabilities (10,) float32 for one preprocessed (28, 28) image."""
        batch = image.reshape(1, 28, 28, 1)
        with self._lock:
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output)[0].copy()

    def predict_many(self, images):
        """Probabilities (n, 10) for (n, 28, 28) images, one invoke each.

        XNNPACK runs this small CNN no faster per image in a batch, and a fixed batch-1 input
        keeps the interpreter from re-preparing itself for every size.
        """
        out = np.empty((len(images), 10), dtype=np.float32)
        with self._lock:
            for k, image in enumerate(images):
                self._interpreter.set_tensor(self._input, image.reshape(1, 28, 28, 1))
                self._interpreter.invoke()
                out[k] = self._interpreter.get_tensor(self._output)[0]
        return out

    @property
    def version(self):
        """The card's version (model.train --finetune writes one), else its name and date."""
        if "version" in self.card:
            return self.card["version"]
        created = "".join(ch for ch in self.card.get("created", "") if ch.isdigit())[:14]
        return f"{self.card.get('name', self.path.stem)}-{created or 'unknown'}"

    def describe(self):
        """What /api/health says about the model."""
        summary = {key: self.card[key] for key in ("name", "arch", "created", "test_accuracy")
                   if key in self.card}
        return {**summary, "version": self.version}
