"""Load the model once per process, when the app is created, never per request."""

from pathlib import Path

import click

from webapp.classifier import (DigitClassifier, LineReader, ModelUnavailable, NotDigitDetector,
                                OneDigitJudge)
from webapp.memory import keep_freed_buffers

NOTDIGIT_FILE = "notdigit.tflite"  # next to the digit model unless NOTDIGIT_MODEL_PATH says
ONEDIGIT_FILE = "onedigit.tflite"  # next to the digit model unless ONEDIGIT_MODEL_PATH says
SEQUENCE_FILE = "sequence.tflite"  # next to the digit model unless SEQUENCE_MODEL_PATH says


class CannotServe(ModelUnavailable, click.ClickException):
    """A ModelUnavailable both launchers print as one line without a traceback.

    gunicorn --preload prints a RuntimeError so; the flask command a ClickException.
    """

    def __init__(self, message):
        click.ClickException.__init__(self, message)


def init_app(app):
    """Attach the classifier named by MODEL_PATH, with the not-digit model named by
    NOTDIGIT_MODEL_PATH, and the one-digit model and the number model (for reading numbers)
    named by ONEDIGIT_MODEL_PATH and SEQUENCE_MODEL_PATH; raises ModelUnavailable if any
    cannot answer.

    Either path unset means the file next to MODEL_PATH; if that is missing (a model trained
    elsewhere), digits are served without rejection, or numbers read by the digit model alone,
    and a warning says so.
    """
    keep_freed_buffers()  # before the models, so their buffers and every request's are reused
    try:
        classifier = DigitClassifier(app.config["MODEL_PATH"])  # a bad digit model is told first
        classifier.detector = _optional(app, NotDigitDetector)
        classifier.judge = _optional(app, OneDigitJudge)
        classifier.line_reader = _optional(app, LineReader)
        app.extensions["classifier"] = classifier
    except ModelUnavailable as error:
        raise CannotServe(str(error)) from None


# Each optional model: its name, config key, file next to the digit model, what serving without
# it loses, and what trains it.
OPTIONAL = {
    NotDigitDetector: ("not-digit model", "NOTDIGIT_MODEL_PATH", NOTDIGIT_FILE,
                       "every drawing gets a digit", "model.train_notdigit"),
    OneDigitJudge: ("one-digit model", "ONEDIGIT_MODEL_PATH", ONEDIGIT_FILE,
                    "numbers are cut by the digit model alone", "model.train_onedigit"),
    LineReader: ("number model", "SEQUENCE_MODEL_PATH", SEQUENCE_FILE,
                 "numbers are read from their pieces alone", "model.train_sequence"),
}


def _optional(app, kind):
    """The model of `kind` its config key names, else its file next to the digit model if it is
    there; None (with a warning saying what is lost) if neither is named nor there."""
    name, key, file, without, trainer = OPTIONAL[kind]
    configured = app.config.get(key)
    path = Path(configured or Path(app.config["MODEL_PATH"]).with_name(file))
    if not configured and not path.is_file():
        app.logger.warning("No %s at %s: %s. Set DIGITS_%s, or train one: python -m %s",
                           name, path, without, key, trainer)
        return None
    return kind(path)
