"""Load the model once per process, when the app is created, never per request."""

import click

from webapp.classifier import DigitClassifier, ModelUnavailable
from webapp.memory import keep_freed_buffers


class CannotServe(ModelUnavailable, click.ClickException):
    """A ModelUnavailable both launchers print as one line without a traceback.

    gunicorn --preload prints a RuntimeError so; the flask command a ClickException.
    """

    def __init__(self, message):
        click.ClickException.__init__(self, message)


def init_app(app):
    """Attach the classifier named by MODEL_PATH; raises ModelUnavailable if it cannot answer."""
    keep_freed_buffers()  # before the model, so its buffers and every request's come from the heap
    try:
        app.extensions["classifier"] = DigitClassifier(app.config["MODEL_PATH"])
    except ModelUnavailable as error:
        raise CannotServe(str(error)) from None
