"""Load the model once per process, when the app is created, never per request."""

from webapp.classifier import DigitClassifier


def init_app(app):
    """Attach the classifier named by MODEL_PATH; raises ModelUnavailable if it cannot answer."""
    app.extensions["classifier"] = DigitClassifier(app.config["MODEL_PATH"])
