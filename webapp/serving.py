"""Load the model once per process, when the app is created, never per request."""

from pathlib import Path

import click

from webapp.classifier import DigitClassifier, ModelUnavailable, NotDigitDetector
from webapp.memory import keep_freed_buffers

NOTDIGIT_FILE = "notdigit.tflite"  # next to the digit model unless NOTDIGIT_MODEL_PATH says


class CannotServe(ModelUnavailable, click.ClickException):
    """A ModelUnavailable both launchers print as one line without a traceback.

    gunicorn --preload prints a RuntimeError so; the flask command a ClickException.
    """

    def __init__(self, message):
        click.ClickException.__init__(self, message)


def init_app(app):
    """Attach the classifier named by MODEL_PATH, with the not-digit model named by
    NOTDIGIT_MODEL_PATH; raises ModelUnavailable if either cannot answer.

    NOTDIGIT_MODEL_PATH unset means notdigit.tflite next to MODEL_PATH; if that file is missing
    (a model trained elsewhere), digits are served without rejection and a warning says so.
    """
    keep_freed_buffers()  # before the models, so their buffers and every request's are reused
    try:
        classifier = DigitClassifier(app.config["MODEL_PATH"])  # a bad digit model is told first
        classifier.detector = _detector(app)
        app.extensions["classifier"] = classifier
    except ModelUnavailable as error:
        raise CannotServe(str(error)) from None


def _detector(app):
    configured = app.config.get("NOTDIGIT_MODEL_PATH")
    path = Path(configured or Path(app.config["MODEL_PATH"]).with_name(NOTDIGIT_FILE))
    if not configured and not path.is_file():
        app.logger.warning("No not-digit model at %s: every drawing gets a digit. Set "
                           "DIGITS_NOTDIGIT_MODEL_PATH, or train one: python -m "
                           "model.train_notdigit", path)
        return None
    return NotDigitDetector(path)
