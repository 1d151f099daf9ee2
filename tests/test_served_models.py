"""The table of served models (reading/models.py) and its one loader (webapp/serving.py): files,
settings, what a missing model costs, and each model run once per drawing."""

import dataclasses
import io
import json
import logging
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from test_api import SEVEN
from test_read import NUMBER
from test_read_strokes import NUMBER_STROKES

from reading import models as table
from reading.models import DIGITS, MODELS, Models
from reading.preprocess import preprocess_image
from webapp import create_app
from webapp.classifier import ModelUnavailable
from webapp.decoding import open_image

OPTIONAL = [model for model in MODELS if not model.required]


def test_the_table_names_each_loaded_model_once():
    assert [model.name for model in MODELS] == [f.name for f in dataclasses.fields(Models)]
    assert len({model.config_key for model in MODELS}) == len(MODELS)
    assert len({model.file for model in MODELS}) == len(MODELS)


@pytest.mark.parametrize("model", [m for m in MODELS if m.required], ids=lambda m: m.name)
def test_every_required_model_is_shipped(model):
    assert model.shipped.is_file()


def served_folder(folder, models):
    """The folder, holding the shipped files (and cards) of these models only."""
    folder.mkdir(exist_ok=True)
    for model in models:
        shutil.copy(model.shipped, folder / model.file)
        shutil.copy(
            model.shipped.with_suffix(".card.json"), (folder / model.file).with_suffix(".card.json")
        )
    return folder


def app_in(folder, **config):
    """An app serving the digit model of the folder, and what sits next to it."""
    return create_app(
        {
            "TESTING": True,
            DIGITS.config_key: str(folder / DIGITS.file),
            "DATABASE_URL": f"sqlite:///{folder / 'fb.sqlite3'}",
            **config,
        }
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_an_environment_variable_names_a_models_file(tmp_path, monkeypatch, model):
    folder = served_folder(tmp_path / "served", MODELS)
    elsewhere = served_folder(tmp_path / "elsewhere", [model])
    monkeypatch.setenv(model.env_var, str(elsewhere / model.file))
    others = {m.config_key: str(folder / m.file) for m in MODELS if m is not model}
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}", **others}
    )
    assert getattr(app.extensions["models"], model.name).path == elsewhere / model.file


def test_a_former_setting_still_names_the_number_models_file(tmp_path, monkeypatch):
    """DIGITS_SEQUENCE_MODEL_PATH, the number model's setting before it had one name."""
    folder = served_folder(tmp_path / "served", MODELS)
    elsewhere = served_folder(tmp_path / "elsewhere", [table.NUMBER])
    monkeypatch.setenv(f"DIGITS_{table.NUMBER.former_key}", str(elsewhere / table.NUMBER.file))
    others = {m.config_key: str(folder / m.file) for m in MODELS if m is not table.NUMBER}
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'fb.sqlite3'}", **others}
    )
    assert table.NUMBER.former_key == "SEQUENCE_MODEL_PATH"
    assert app.extensions["models"].number.path == elsewhere / table.NUMBER.file


@pytest.mark.parametrize("missing", OPTIONAL, ids=lambda m: m.name)
def test_a_missing_optional_model_is_told_and_digits_are_served(tmp_path, caplog, missing):
    folder = served_folder(tmp_path / "served", [model for model in MODELS if model is not missing])
    with caplog.at_level(logging.WARNING):
        app = app_in(folder)
    assert f"No {missing.title} at {folder / missing.file}: {missing.without}." in caplog.text
    assert missing.env_var in caplog.text and missing.rebuild in caplog.text
    assert getattr(app.extensions["models"], missing.name) is None
    client = app.test_client()
    body = client.post("/api/predict", data=SEVEN, content_type="image/png").get_json()
    assert (body["verdict"], body["digit"]) == ("digit", 7)
    assert client.get("/api/health").status_code == 200


def test_a_missing_required_model_stops_the_start_with_its_rebuild_command(tmp_path):
    with pytest.raises(ModelUnavailable, match=re.escape(DIGITS.rebuild)):
        app_in(tmp_path)


class Counted:
    """A loaded model whose calls are recorded as (method, first argument)."""

    def __init__(self, model):
        self.model, self.calls = model, []

    def __getattr__(self, name):
        attribute = getattr(self.model, name)
        if not callable(attribute):
            return attribute

        def counted(*args):
            self.calls.append((name, args[0]))
            return attribute(*args)

        return counted


def test_the_pages_request_decodes_once_and_runs_each_model_once_on_the_whole(app, monkeypatch):
    """The page's request (a form with the PNG and the strokes, Prefer: read, explain): one
    decode, and each model asked about the whole drawing once, however the answer is viewed."""
    import webapp.api

    decoded = []
    monkeypatch.setattr(
        webapp.api, "open_image", lambda *args: decoded.append(1) or open_image(*args)
    )
    counted = Models(*(Counted(getattr(app.extensions["models"], m.name)) for m in MODELS))
    monkeypatch.setitem(app.extensions, "models", counted)
    form = {"image": (io.BytesIO(NUMBER), "d.png"), "strokes": json.dumps(NUMBER_STROKES)}
    response = app.test_client().post(
        "/api/predict", data=form, headers={"Prefer": "read, explain"}
    )
    assert response.status_code == 200 and response.get_json()["number"] == "307"
    assert len(decoded) == 1
    whole = preprocess_image(open_image(NUMBER, 4_000_000, 4096))

    def times_asked(model):
        """How often the model was given the whole drawing's 28x28 input."""
        return sum(
            np.array_equal(image, whole)
            for _, images in model.calls
            for image in (images[None] if images.shape == whole.shape else images)
        )

    assert [times_asked(m) for m in (counted.digits, counted.not_digit, counted.one_digit)] == [
        1,
        1,
        1,
    ]
    assert [name for name, _ in counted.number.calls] == ["columns"]  # the line, read whole


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_the_deployment_guide_lists_each_model_as_the_table_does(model):
    guide = (Path(__file__).resolve().parent.parent / "docs" / "deploy.md").read_text()
    (row,) = [line for line in guide.splitlines() if line.startswith(f"| the {model.title} |")]
    for value in (
        f"`{model.name}`",
        model.file,
        model.config_key,
        model.env_var,
        model.rebuild.split(" (")[0],
    ):
        assert value in row
    assert model.required or model.without in row
