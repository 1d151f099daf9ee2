"""Load the served models once per process, when the app is created, never per request."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import click
from flask import Flask

from reading.models import DIGITS, MODELS, Models, ServedModel
from webapp.classifier import (
    DigitClassifier,
    ModelUnavailable,
    NotDigitModel,
    NumberModel,
    OneDigitModel,
)
from webapp.memory import keep_freed_buffers

# What opens each row of the table (reading/models.py).
OPENERS = {
    "digits": DigitClassifier,
    "not_digit": NotDigitModel,
    "one_digit": OneDigitModel,
    "number": NumberModel,
}
# /api/health's field for each optional model (the contract, docs/api.md).
HEALTH_FIELDS = {"not_digit": "not_a_digit", "one_digit": "one_digit", "number": "number_model"}


class CannotServe(ModelUnavailable, click.ClickException):
    """A ModelUnavailable both launchers print as one line without a traceback.

    gunicorn --preload prints a RuntimeError so; the flask command a ClickException.
    """

    def __init__(self, message: str) -> None:
        click.ClickException.__init__(self, message)


def init_app(app: Flask) -> None:
    """Load the table's models into app.extensions["models"]; CannotServe if one cannot answer."""
    keep_freed_buffers()  # before the models, so their buffers and every request's are reused
    try:
        app.extensions["models"] = load_models(app.config, app.logger)
    except ModelUnavailable as error:
        raise CannotServe(str(error)) from None


def load_models(config: Mapping[str, object], logger: logging.Logger) -> Models:
    """Each model of the table from the path its config key names, else from its file next to
    the digit model. An optional model neither named nor there is left out, and the log says
    what is lost; a named one that is missing or broken raises ModelUnavailable, as does a
    missing digit model."""
    loaded = {}
    for model in MODELS:
        path = model_path(config, model)
        if not model.required and not configured(config, model) and not path.is_file():
            logger.warning(
                "No %s at %s: %s. Set %s, or train one: %s",
                model.title,
                path,
                model.without,
                model.env_var,
                model.rebuild,
            )
            continue
        loaded[model.name] = OPENERS[model.name](path)
    return Models(**loaded)


def model_path(config: Mapping[str, object], model: ServedModel) -> Path:
    """The path config names for the model, else its file next to the digit model."""
    named = configured(config, model)
    if named:
        return Path(str(named))
    return Path(str(config.get(DIGITS.config_key) or DIGITS.shipped)).with_name(model.file)


def configured(config: Mapping[str, object], model: ServedModel) -> object:
    """The path a setting names for the model (its current key, else its former one), or None."""
    named = config.get(model.config_key)
    if not named and model.former_key:
        named = config.get(model.former_key)
    return named or None


def describe(models: Models) -> dict[str, object]:
    """What /api/health says: the digit model's card, each optional model served, the version."""
    summary = models.digits.describe()
    for name, field in HEALTH_FIELDS.items():
        loaded = getattr(models, name)
        if loaded is not None:
            summary[field] = loaded.describe()
    return {**summary, "version": models.digits.version}
