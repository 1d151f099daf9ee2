"""The served models, listed once: their names, files, settings and how to rebuild each.

The server's loader (webapp/serving.py), its health answer, the trainers' default outputs and
docs/deploy.md all read this table. Each model's path is a setting (`config_key`, or the
environment variable `env_var`); unset, it is the model's file next to the digit model, which is
model/saved/digits.tflite unless MODEL_PATH says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAVED = Path(__file__).resolve().parent.parent / "model" / "saved"


@dataclass(frozen=True)
class ServedModel:
    """One row of the table."""

    name: str  # in code and config: the loaded model is Models.<name>
    title: str  # in docs and log lines: "the " + title
    file: str  # the LiteRT file under model/saved/; its card and .keras sit beside it
    config_key: str  # the setting that names another path
    required: bool  # the server does not start without it
    without: str  # what serving loses when an optional model is missing
    rebuild: str  # the command that trains (and exports) it
    former_key: str | None = None  # an earlier name of config_key, still read

    @property
    def env_var(self) -> str:
        """The environment variable that sets config_key (create_app reads DIGITS_*)."""
        return f"DIGITS_{self.config_key}"

    @property
    def shipped(self) -> Path:
        """The shipped .tflite file."""
        return SAVED / self.file

    @property
    def keras(self) -> Path:
        """The Keras model the trainers save by default, exported next to it as the .tflite."""
        return self.shipped.with_suffix(".keras")

    @property
    def hint(self) -> str:
        """What an error about its file tells the operator to do."""
        return f"Rebuild it with: {self.rebuild}"


DIGITS = ServedModel(
    name="digits",
    title="digit model",
    file="digits.tflite",
    config_key="MODEL_PATH",
    required=True,
    without="nothing is read",
    rebuild="python -m model.train (or python -m model.export from a .keras)",
)
NOT_DIGIT = ServedModel(
    name="not_digit",
    title="not-digit model",
    file="notdigit.tflite",
    config_key="NOTDIGIT_MODEL_PATH",
    required=False,
    without="every drawing gets a digit",
    rebuild="python -m model.train_notdigit twice, then model.notdigit_ensemble (docs/training.md)",
)
ONE_DIGIT = ServedModel(
    name="one_digit",
    title="one-digit model",
    file="onedigit.tflite",
    config_key="ONEDIGIT_MODEL_PATH",
    required=False,
    without="numbers are cut by the digit model alone",
    rebuild="python -m model.train_onedigit",
)
NUMBER = ServedModel(
    name="number",
    title="number model",
    file="number.tflite",
    config_key="NUMBER_MODEL_PATH",
    required=False,
    without="numbers are read from their pieces alone",
    rebuild="python -m model.train_number",
    former_key="SEQUENCE_MODEL_PATH",
)

# The digit model first: the loader tells of a bad digit model before any other.
MODELS = (DIGITS, NOT_DIGIT, ONE_DIGIT, NUMBER)


@dataclass
class Models:
    """The loaded models, one attribute per row of the table; an optional one is None when it is
    not served (reading/verdict.py then reads without it)."""

    digits: Any
    not_digit: Any = None
    one_digit: Any = None
    number: Any = None
